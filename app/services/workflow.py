"""The life of a case (DESIGN §4): one function per action, the only code that changes a case's state.

Every action checks, in this order, that the caller may see the case (404), that their role may
take the action at all (403), that the case's state allows it (409), that it is their unit's turn
(403) and that the input is valid (422). It then changes the case, writes exactly one append-only
event and records the notifications to send, all in the caller's transaction; `perform` commits
once or rolls back.
"""
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func

from app import clock
from app.extensions import db
from app.models import (OPEN_STATES, Enforcement, Notification, Organization, Report, ReportEvent, RoutingRule,
                        get_setting)
from app.models.organization import PHONE_MESSAGE, PHONE_PATTERN
from app.models.report import ENFORCEMENT_STEPS
from app.security.scope import is_admin, scoped
from app.services.errors import Forbidden, Invalid, NotFound, Refused, WrongState
from app.services.notifications import record, responsible_unit

VILLAGE_ROLES = {"GridWorker", "VillageHead"}
NOT_EDITABLE = _l("Only drafts can be changed or deleted, by the unit that filed them")
BAD_BODY = _l("The request body must be a JSON object")
HANDLER_KINDS = ("committee", "district", "station")
URGING_ROLES = frozenset({"TownshipOffice", "CountyOffice"})
URGE_COMMENT_MAX = 500
URGE_INTERVAL_SECONDS = 60  # a double click sends one reminder


@dataclass(frozen=True)
class Action:
    name: str
    label: object
    roles: frozenset[str]
    from_states: tuple[str, ...]
    danger: bool = False  # drawn as a red button


ACTIONS = {a.name: a for a in (
    Action("submit", _l("Submit"), frozenset(VILLAGE_ROLES | {"TownshipOffice", "CountyOffice"}), ("draft",)),
    Action("assign", _l("Handle in the township"), frozenset({"TownshipOffice"}), ("submitted",)),
    Action("escalate", _l("Escalate to the county"), frozenset({"TownshipOffice"}), ("submitted", "handling")),
    Action("reject", _l("Reject"), frozenset({"TownshipOffice"}), ("submitted",), danger=True),
    Action("dispatch", _l("Dispatch to departments"), frozenset({"CountyOffice"}), ("escalated",)),
    Action("return", _l("Return to the township"), frozenset({"CountyOffice"}), ("escalated",), danger=True),
    Action("acknowledge", _l("Report in"), frozenset({"Department"}), ("dispatched",)),
    Action("resolve", _l("Record resolution"), frozenset({"Handler", "Department"}), ("handling", "acknowledged")),
    Action("close", _l("Close the case"), frozenset({"TownshipOffice", "CountyOffice"}), ("resolved",)),
    Action("reopen", _l("Reopen"), frozenset({"TownshipOffice", "CountyOffice"}), ("resolved",), danger=True),
)}


# ----------------------------------------------------------------------------- who and where

def find_report(report_id: int, user) -> Report:
    """The case with this id if `user` may see it; NotFound otherwise (also for cases that exist)."""
    report = scoped(db.session.query(Report).filter(Report.id == report_id), Report, user).one_or_none()
    if report is None:
        raise NotFound(_("No such case"))
    return report


def _org(user) -> Organization | None:
    return getattr(user, "organization", None)


def township_of(report: Report) -> Organization | None:
    return report.village.ancestor("township")


def county_of(report: Report) -> Organization | None:
    return report.village.ancestor("county")


def closing_unit(report: Report) -> Organization | None:
    """Who verifies and closes (销号): the county for dispatched cases, the township for local ones."""
    return county_of(report) if report.lead_department_id else township_of(report)


def _acting_unit(report: Report, action: str) -> Organization | None:
    """The one organisation whose users may take `action` on `report` in its current state."""
    if action == "submit":
        return report.owner
    if action in ("assign", "escalate", "reject"):
        return township_of(report)
    if action in ("dispatch", "return"):
        return county_of(report)
    if action == "acknowledge":
        return report.lead_department
    if action == "resolve":
        return report.lead_department if report.state == "acknowledged" else report.handler
    return closing_unit(report)  # close, reopen


def check(report: Report, user, action: str) -> Action:
    """Refuse unless `user` may take `action` on `report` now: 403 for role or unit, 409 for state."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound(_("No such action"))
    if not (spec.roles & user.role_names):
        raise Forbidden(_("Your role may not take this action"))
    if report.state not in spec.from_states:
        raise WrongState(_("A case that is “%(state)s” cannot be changed this way", state=report.state_label))
    unit = _acting_unit(report, action)
    if unit is None or _org(user) is None or unit.id != _org(user).id:
        raise Forbidden(_("This case is not your unit's to act on"))
    return spec


def available_actions(report: Report, user) -> list[Action]:
    """The actions `user` may take on `report` now: the buttons the case page shows."""
    allowed = []
    for name, spec in ACTIONS.items():
        try:
            check(report, user, name)
        except (Forbidden, WrongState, NotFound):
            continue
        allowed.append(spec)
    return allowed


def may_edit(report: Report, user) -> bool:
    """Drafts are edited (and deleted) by the unit that filed them, and only while they are drafts."""
    return report.state == "draft" and _org(user) is not None and report.owner_id == _org(user).id


# ----------------------------------------------------------------------------- the case's own fields

def discovery_error(discovered: date | None) -> str | None:
    if discovered is not None and discovered > clock.today():
        return _("The discovery date cannot be in the future")
    return None


def report_date_error(discovered: date | None, reported: date | None) -> str | None:
    if reported is None:
        return None
    if reported > clock.today():
        return _("The report date cannot be in the future")
    if discovered is not None and reported < discovered:
        return _("The report date cannot be before the discovery date")
    return None


def draft_errors(report: Report) -> dict[str, list[str]]:
    """Field errors of a case's own fields (the API's and the importers' check; forms use the same rules)."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        if message:
            errors.setdefault(field, []).append(message)

    for field in ("activity", "address", "reporter", "reporter_phone"):
        if not (getattr(report, field) or "").strip():
            add(field, _("This field is required"))
    if report.discovered_on is None:
        add("discovered_on", _("This field is required"))
    add("discovered_on", discovery_error(report.discovered_on))
    add("reported_on", report_date_error(report.discovered_on, report.reported_on))
    if report.reporter_phone and not re.match(PHONE_PATTERN, report.reporter_phone):
        add("reporter_phone", str(PHONE_MESSAGE))
    if report.latitude is not None and not -90 <= report.latitude <= 90:
        add("latitude", _("A latitude lies between -90 and 90"))
    if report.longitude is not None and not -180 <= report.longitude <= 180:
        add("longitude", _("A longitude lies between -180 and 180"))
    if report.category is not None and not report.category.active:
        add("category", _("This category is no longer in use"))
    if report.village is None or report.village.kind != "village":
        add("village", _("Choose a village"))
    return errors


def prepare_draft(report: Report, user, *, new: bool) -> None:
    """Make a new or edited draft consistent before it is saved; raise Invalid (nothing saved) when it is not.

    A village user's case is always their own village, whatever the form or body said; the
    unit, source and deadline are the server's to set.
    """
    org = _org(user)
    if new:
        if org is None:
            raise Forbidden(_("Your account belongs to no unit"))
        report.state = "draft"
        report.owner = org
        report.created_by_id = user.id
        report.source = {"village": "village", "township": "township", "county": "county"}.get(org.kind, "village")
    elif report.state != "draft":
        raise WrongState(NOT_EDITABLE)
    elif not may_edit(report, user):
        raise Forbidden(NOT_EDITABLE)
    if org is not None and org.kind == "village":
        report.village = org
    elif report.village is not None and not (is_admin(user) or (org is not None and org.contains(report.village))):
        raise Invalid({"village": [_("Choose a village in your area")]})
    errors = draft_errors(report)
    if errors:
        raise Invalid(errors)
    if not report.principal:
        report.principal = report.village.principal
    report.handling_unit = report.owner
    report.report_due = report.discovered_on + timedelta(days=get_setting("village_report_days"))
    report.due_on = report.report_due


def prefill_for(user) -> dict:
    """Values a new case form starts with: the user's village, its principal, the user as reporter."""
    org = _org(user)
    values = {"discovered_on": clock.today(), "reporter": f"{user.first_name}{user.last_name}"}
    if org is not None and org.kind == "village":
        values.update(village=org, principal=org.principal)
    return values


# ----------------------------------------------------------------------------- the actions

def _days(key: str) -> date:
    return clock.today() + timedelta(days=get_setting(key))


def _text(value) -> str:
    return (value or "").strip()


def _required(field: str, value) -> str:
    text = _text(value)
    if not text:
        raise Invalid({field: [_("This field is required")]})
    return text


def _move(report: Report, user, action: str, to_state: str, comment: str | None, *,
          unit: Organization | None, due: date | None, notify=()) -> ReportEvent:
    """Change the state, write the one event of this step and record its notifications."""
    now = clock.now()
    last = report.events[-1].at if report.events else report.created_at
    event = ReportEvent(report=report, action=action, from_state=report.state, to_state=to_state,
                        user_id=user.id, organization_id=_org(user).id, at=now, comment=comment or None,
                        stage_seconds=int((now - last).total_seconds()) if last else None)
    report.state = to_state
    report.handling_unit = unit
    report.due_on = due
    db.session.add(event)
    for recipient in {u.id: u for u in notify if u is not None}.values():
        record(recipient, action, report=report, event=event)
    return event


def _joined(*texts) -> str | None:
    return "\n".join(t for t in (_text(x) for x in texts) if t) or None


def submit(report: Report, user, comment: str | None = None) -> ReportEvent:
    """村居上报: the draft reaches the township's inbox with a case number and its deadlines."""
    check(report, user, "submit")
    today = clock.today()
    report.reported_on = report.reported_on or today
    report.late_report = today > report.report_due  # the day it reached the township, not the typed date
    report.submitted_at = clock.now()
    report.escalation_due = _days("township_escalation_days")
    report.number = f"{get_setting('case_number_prefix')}-{today.year}-{report.id:06d}"
    report.repeat_of = _closed_case_at_same_site(report)
    township = township_of(report)
    return _move(report, user, "submit", "submitted", comment, unit=township, due=report.escalation_due,
                 notify=[township])


def _closed_case_at_same_site(report: Report) -> Report | None:
    """反弹: the latest closed case of the same village at the same address."""
    return (db.session.query(Report)
            .filter(Report.village_id == report.village_id, Report.state == "closed", Report.id != report.id,
                    func.lower(func.trim(Report.address)) == _text(report.address).lower())
            .order_by(Report.closed_at.desc(), Report.id.desc()).first())


def handler_choices(report: Report) -> list[Organization]:
    """Committees, districts and stations of the case's township (a few per township)."""
    township = township_of(report)
    return (db.session.query(Organization)
            .filter(Organization.parent_id == township.id, Organization.kind.in_(HANDLER_KINDS),
                    Organization.active.is_(True))
            .order_by(Organization.kind, Organization.name).all())


def department_choices(report: Report) -> list[Organization]:
    county = county_of(report)
    return (db.session.query(Organization)
            .filter(Organization.parent_id == county.id, Organization.kind == "department",
                    Organization.active.is_(True))
            .order_by(Organization.name).all())


def suggested_route(report: Report, area: Organization | None) -> RoutingRule | None:
    """The routing rule (谁管合法，谁打非法) for the case's category in a township or county."""
    if area is None:
        return None
    return db.session.query(RoutingRule).filter_by(category_id=report.category_id, area_id=area.id).one_or_none()


def _choose(field: str, unit_id, choices: list[Organization]) -> Organization:
    by_id = {unit.id: unit for unit in choices}
    try:
        return by_id[int(unit_id)]
    except (KeyError, TypeError, ValueError):
        raise Invalid({field: [_("Choose one of the listed units")]}) from None


def assign(report: Report, user, handler_id=None, comment: str | None = None) -> ReportEvent:
    """乡镇吹哨, locally: a committee, district or station handles the case."""
    check(report, user, "assign")
    report.handler = _choose("handler_id", handler_id, handler_choices(report))
    report.resolution_due = _days("resolution_days")
    return _move(report, user, "assign", "handling", comment, unit=report.handler, due=report.resolution_due,
                 notify=[report.handler])


def escalate(report: Report, user, opinion=None, comment: str | None = None) -> ReportEvent:
    """乡镇吹哨 to the county: beyond the township's authority (乡镇上报表 with the township's opinion)."""
    check(report, user, "escalate")
    report.escalation_opinion = _required("opinion", opinion)
    report.escalated_at = clock.now()
    county = county_of(report)
    return _move(report, user, "escalate", "escalated", _joined(opinion, comment), unit=county, due=None,
                 notify=[county])


def reject(report: Report, user, reason=None, duplicate_of_id=None, comment: str | None = None) -> ReportEvent:
    """不予受理: not illegal, or a duplicate of another case (then both are linked)."""
    check(report, user, "reject")
    report.rejection_reason = _required("reason", reason)
    if duplicate_of_id not in (None, ""):
        original = scoped(db.session.query(Report).filter(Report.id == _int("duplicate_of_id", duplicate_of_id),
                                                          Report.state != "draft"), Report, user).one_or_none()
        if original is None or original.id == report.id:
            raise Invalid({"duplicate_of_id": [_("No such case")]})
        report.duplicate_of = original
    report.closed_at = clock.now()
    return _move(report, user, "reject", "rejected", _joined(reason, comment), unit=None, due=None,
                 notify=[report.owner])


def _int(field: str, value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid({field: [_("Enter a whole number")]}) from None


def _date(field: str, value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid({field: [_("Enter a date as YYYY-MM-DD")]}) from None


def dispatch(report: Report, user, lead_department_id=None, assisting_department_ids=(), ack_due=None,
             resolution_due=None, comment: str | None = None) -> ReportEvent:
    """县安委办转办: a lead department (and assisting ones for 联合执法) with their deadlines."""
    check(report, user, "dispatch")
    choices = department_choices(report)
    lead = _choose("lead_department_id", lead_department_id, choices)
    assisting = [_choose("assisting_department_ids", i, choices) for i in (assisting_department_ids or ())]
    if lead in assisting:
        raise Invalid({"assisting_department_ids": [_("The lead department cannot also be an assisting department")]})
    ack = _date("ack_due", ack_due) or _days("department_ack_days")
    resolution = _date("resolution_due", resolution_due) or _days("resolution_days")
    if ack < clock.today():
        raise Invalid({"ack_due": [_("A deadline cannot be in the past")]})
    if resolution < ack:
        raise Invalid({"resolution_due": [_("The resolution deadline cannot be before the acknowledgement deadline")]})
    report.lead_department, report.assisting = lead, assisting
    report.ack_due, report.resolution_due = ack, resolution
    report.dispatched_at = clock.now()
    return _move(report, user, "dispatch", "dispatched", comment, unit=lead, due=ack, notify=[lead, *assisting])


def return_to_township(report: Report, user, reason=None, comment: str | None = None) -> ReportEvent:
    """The county sends an escalation back to the township (reason required)."""
    check(report, user, "return")
    reason = _required("reason", reason)
    report.escalation_due = _days("township_escalation_days")
    township = township_of(report)
    return _move(report, user, "return", "submitted", _joined(reason, comment), unit=township,
                 due=report.escalation_due, notify=[township])


def acknowledge(report: Report, user, comment: str | None = None) -> ReportEvent:
    """部门报到: the lead department takes the case on."""
    check(report, user, "acknowledge")
    report.acknowledged_at = clock.now()
    return _move(report, user, "acknowledge", "acknowledged", comment, unit=report.lead_department,
                 due=report.resolution_due, notify=[county_of(report)])


ENFORCEMENT_NUMBERS = ("fine_yuan", "cases_filed", "people_handled")


def resolve(report: Report, user, measures=None, comment: str | None = None, **enforcement) -> ReportEvent:
    """已处置: the handler's measures; for a department also its 两断三清 record and penalties."""
    check(report, user, "resolve")
    report.measures = _required("measures", measures)
    if report.state == "acknowledged":
        _record_enforcement(report, enforcement)
    report.resolved_at = clock.now()
    closer = closing_unit(report)
    return _move(report, user, "resolve", "resolved", _joined(measures, comment), unit=closer, due=None,
                 notify=[closer])


def _record_enforcement(report: Report, values: dict) -> None:
    errors: dict[str, list[str]] = {}
    record = report.enforcement or Enforcement(report=report)
    db.session.add(record)
    record.department = report.lead_department
    for stem, _label in ENFORCEMENT_STEPS:
        try:
            done = _date(f"{stem}_on", values.get(f"{stem}_on"))
        except Invalid as invalid:
            errors.update(invalid.errors)
            continue
        evidence = _text(values.get(f"{stem}_evidence")) or None
        if done and (done > clock.today() or done < report.discovered_on):
            errors[f"{stem}_on"] = [_("The date must lie between discovery and today")]
        if evidence and not done:
            errors[f"{stem}_on"] = [_("Give the date this step was done")]
        setattr(record, f"{stem}_on", done)
        setattr(record, f"{stem}_evidence", evidence)
    for field in ENFORCEMENT_NUMBERS:
        value = values.get(field)
        if value in (None, ""):
            setattr(record, field, None)
            continue
        try:
            number = _amount(value) if field == "fine_yuan" else int(value)
        except (TypeError, ValueError, ArithmeticError):
            errors[field] = [_("Enter a number")]
            continue
        if number < 0:
            errors[field] = [_("Enter a number that is not negative")]
        setattr(record, field, number)
    record.penalties = _text(values.get("penalties")) or None
    record.result = _text(values.get("result"))
    if not record.result:
        errors["result"] = [_("This field is required")]
    if errors:
        raise Invalid(errors)
    record.recorded_at = clock.now()


def _amount(value) -> Decimal:
    amount = Decimal(str(value))
    if not amount.is_finite():
        raise ValueError(value)
    return amount


def close(report: Report, user, comment: str | None = None) -> ReportEvent:
    """销号: the unit that assigned or dispatched the case verifies it and closes it."""
    check(report, user, "close")
    report.closed_at = clock.now()
    return _move(report, user, "close", "closed", comment, unit=None, due=None,
                 notify=[report.owner, township_of(report), report.handler, report.lead_department,
                         *report.assisting])


def reopen(report: Report, user, reason=None, comment: str | None = None) -> ReportEvent:
    """Verification failed: back to the handler or the lead department with a new resolution deadline."""
    check(report, user, "reopen")
    reason = _required("reason", reason)
    report.resolution_due = _days("resolution_days")
    back_to = "acknowledged" if report.lead_department_id else "handling"
    unit = report.lead_department if report.lead_department_id else report.handler
    return _move(report, user, "reopen", back_to, _joined(reason, comment), unit=unit, due=report.resolution_due,
                 notify=[unit])


RUN = {
    "submit": submit, "assign": assign, "escalate": escalate, "reject": reject, "dispatch": dispatch,
    "return": return_to_township, "acknowledge": acknowledge, "resolve": resolve, "close": close,
    "reopen": reopen,
}
FIELDS = {
    "submit": (), "assign": ("handler_id",), "escalate": ("opinion",), "reject": ("reason", "duplicate_of_id"),
    "dispatch": ("lead_department_id", "assisting_department_ids", "ack_due", "resolution_due"),
    "return": ("reason",), "acknowledge": (), "close": (), "reopen": ("reason",),
    "resolve": ("measures", "penalties", "result", *ENFORCEMENT_NUMBERS,
                *(f"{stem}_{part}" for stem, _label in ENFORCEMENT_STEPS for part in ("on", "evidence"))),
}
assert set(RUN) == set(ACTIONS) == set(FIELDS)


# ----------------------------------------------------------------------------- 催办

def may_urge(report: Report, user) -> bool:
    """The township and county offices may remind the unit holding an open case, if it is not theirs."""
    org = getattr(user, "organization", None)
    unit = responsible_unit(report)
    supervisors = {u.id for u in (township_of(report), county_of(report)) if u is not None}
    return (bool(URGING_ROLES & user.role_names) and report.state in OPEN_STATES and org is not None
            and unit is not None and unit.id != org.id and org.id in supervisors)


def urge(report_id: int, user, comment: str | None = None) -> Notification:
    """催办: remind the unit holding an open case (not a state change, so no event); commits.

    At most one reminder a minute per case and unit."""
    report = find_report(report_id, user)
    if report.state not in OPEN_STATES:
        raise WrongState(_("Only open cases can be urged"))
    if not may_urge(report, user):
        raise Forbidden(_("Only the supervising township or county office may urge this case"))
    unit = responsible_unit(report)
    text = _text(comment) or None
    if text and len(text) > URGE_COMMENT_MAX:
        raise Invalid({"comment": [_("At most %(n)d characters", n=URGE_COMMENT_MAX)]})
    just_now = db.session.query(Notification.id).filter(
        Notification.report_id == report.id, Notification.organization_id == unit.id, Notification.kind == "urge",
        Notification.created_at > clock.now() - timedelta(seconds=URGE_INTERVAL_SECONDS))
    if just_now.first() is not None:
        raise Refused(_("A reminder for this case was sent a moment ago"))
    notification = record(unit, "urge", report=report, comment=text)
    db.session.commit()
    return notification


def perform(action: str, report_id: int, user, data: dict) -> Report:
    """Take `action` on a case as `user` with `data` (JSON body or form); one commit, or nothing changes."""
    try:
        report = find_report(report_id, user)
        if action not in RUN:
            raise NotFound(_("No such action"))
        values = {field: data[field] for field in FIELDS[action] if field in data}
        RUN[action](report, user, comment=data.get("comment"), **values)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report
