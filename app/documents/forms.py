"""What the printed forms of one case say: plain, cleaned values for templates/pdf (附件2, 乡镇上报表, 案卷)."""
from datetime import date, datetime

from app import clock
from app.documents.pdf import clean, lines, printed_lines, render_pdf, zh
from app.models import Report
from app.models.report import ENFORCEMENT_STEPS, SOURCES, STATES
from app.services.workflow import ACTIONS


def chinese_date(value: date | datetime | None) -> str:
    """2026年1月2日, as dates are written on official forms; '' for None."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


# Printed-line budgets of the boxes (see pdf.lines): each box fits a page, so none is shrunk.
# A box has its paper height while its text fits; longer text gets a box that grows.
FORM_ACTIVITY_LINES = 26  # 附件2's box holds 19 lines with the place, party and category
TOWNSHIP_ACTIVITY_LINES, TOWNSHIP_OPINION_LINES = 18, 14
STOP_LINES = 3
CASE_FILE_WIDTH = 72  # a full-width cell of the case file (10 pt)
CASE_FILE_LINES = 36
COMMENT = {"max_lines": 30, "line_width": 24}  # the 说明 column of the case file's timeline
EVIDENCE = {"max_lines": 12, "line_width": 60}  # the 佐证 column of the 两断三清 table
STOP_CELL = {"max_lines": 12, "line_width": 26}  # the case file's 制止情况 cell


def _person(user) -> str:
    return clean(f"{user.first_name}{user.last_name}") if user is not None else ""


def _case(report: Report) -> dict:
    """The fields of the village's report, shared by every form of the case."""
    return {
        "number": clean(report.number),
        "village": clean(report.village.name),
        "principal": clean(report.principal),
        "activity": lines(report.activity, max_lines=FORM_ACTIVITY_LINES),
        "address": clean(report.address),
        "party": clean(report.party),
        "category": clean(report.category.name),
        "stopped_on_site": bool(report.stopped_on_site),
        "stop_measures": lines(report.stop_measures, max_lines=STOP_LINES),
        "discovered_on": chinese_date(report.discovered_on),
        "reported_on": chinese_date(report.reported_on),
        "reporter": clean(report.reporter),
        "reporter_phone": clean(report.reporter_phone),
    }


def _details(case: dict) -> int:
    """Lines of the activity box after the description: place, party, category, stopping on the spot."""
    return 3 + bool(case["party"]) + printed_lines(case["stop_measures"])


def village_form_context(report: Report) -> dict:
    """附件2 安全生产打非村居上报表 filled in from `report`."""
    case = _case(report)
    return {**case, "fixed_boxes": printed_lines(case["activity"]) + _details(case) <= 19}


def township_form_context(report: Report) -> dict:
    """安全生产打非乡镇上报表: the village's report as the township sends it on to the county."""
    township = report.village.ancestor("township")
    escalation = next((e for e in reversed(report.events) if e.action == "escalate"), None)
    case = _case(report)
    case["activity"] = lines(report.activity, max_lines=TOWNSHIP_ACTIVITY_LINES)
    opinion = lines(report.escalation_opinion, max_lines=TOWNSHIP_OPINION_LINES)
    return {
        **case,
        "fixed_boxes": printed_lines(case["activity"]) + _details(case) <= 12 and printed_lines(opinion) <= 7,
        "township": clean(township.name if township else ""),
        "township_principal": clean(township.principal if township else ""),
        "township_phone": clean(township.phone if township else ""),
        "opinion": opinion,
        "escalated_on": chinese_date(report.escalated_at),
        "filled_by": _person(escalation.user) if escalation else "",
    }


def _unit(org) -> str:
    return clean(org.name) if org is not None else ""


def long_text(value) -> list[str]:
    """A description, measure or opinion in a full-width cell of the case file."""
    return lines(value, max_lines=CASE_FILE_LINES, line_width=CASE_FILE_WIDTH)


def case_file_context(report: Report) -> dict:
    """案卷: every field of the case, its timeline, the 两断三清 record and the names of its files."""
    record = report.enforcement
    events = [{
        "at": clean(event.at),
        "unit": _unit(event.organization),
        "user": _person(event.user),
        "action": zh(ACTIONS[event.action].label) if event.action in ACTIONS else clean(event.action),
        "from_state": zh(STATES[event.from_state]) if event.from_state in STATES else "",
        "to_state": zh(STATES[event.to_state]) if event.to_state in STATES else clean(event.to_state),
        "comment": lines(event.comment, **COMMENT),
    } for event in report.events]
    enforcement = None
    if record is not None:
        enforcement = {
            "department": _unit(record.department),
            "steps": [{"label": zh(label), "done_on": clean(getattr(record, f"{stem}_on")),
                       "evidence": lines(getattr(record, f"{stem}_evidence"), **EVIDENCE)}
                      for stem, label in ENFORCEMENT_STEPS],
            "fine_yuan": f"{record.fine_yuan:,.2f}" if record.fine_yuan is not None else "",
            "cases_filed": clean(record.cases_filed),
            "people_handled": clean(record.people_handled),
            "penalties": long_text(record.penalties),
            "result": long_text(record.result),
            "recorded_at": clean(record.recorded_at),
        }
    township = report.village.ancestor("township")
    return {
        **_case(report),
        "activity": long_text(report.activity),
        "stop_measures": lines(report.stop_measures, **STOP_CELL),
        "state": zh(STATES.get(report.state, report.state)),
        "source": zh(SOURCES.get(report.source, report.source)),
        "township": _unit(township),
        "coordinates": (f"{report.latitude:.6f}, {report.longitude:.6f}"
                        if report.latitude is not None and report.longitude is not None else ""),
        "late_report": bool(report.late_report),
        "handler": _unit(report.handler),
        "lead_department": _unit(report.lead_department),
        "assisting": "、".join(_unit(unit) for unit in report.assisting),
        "opinion": long_text(report.escalation_opinion),
        "rejection_reason": long_text(report.rejection_reason),
        "measures": long_text(report.measures),
        "duplicate_of": clean(report.duplicate_of.number if report.duplicate_of else ""),
        "repeat_of": clean(report.repeat_of.number if report.repeat_of else ""),
        "dates": [(label, clean(value)) for label, value in (
            ("上报期限", report.report_due), ("提交时间", report.submitted_at),
            ("乡镇处理期限", report.escalation_due), ("报县时间", report.escalated_at),
            ("转办时间", report.dispatched_at), ("报到期限", report.ack_due),
            ("报到时间", report.acknowledged_at), ("处置期限", report.resolution_due),
            ("处置时间", report.resolved_at), ("办结时间", report.closed_at),
        )],
        "events": events,
        "enforcement": enforcement,
        "attachments": [{"filename": clean(a.filename), "size": f"{(a.size + 1023) // 1024} KB",
                         "uploaded_by": _person(a.uploaded_by), "uploaded_at": clean(a.uploaded_at)}
                        for a in report.attachments],
        "generated_at": clean(clock.now()),
    }


def village_form_pdf(report: Report) -> bytes:
    return render_pdf("village_form.html", **village_form_context(report))


def township_form_pdf(report: Report) -> bytes:
    return render_pdf("township_form.html", **township_form_context(report))


def case_file_pdf(report: Report) -> bytes:
    return render_pdf("case_file.html", **case_file_context(report))

