"""Documents (DESIGN §5): names of the printed forms, the forms e-mails carry, and requests for
documents that jobs render (ledgers, case files, case lists), with who may ask for what."""
from datetime import date, timedelta
from pathlib import Path

from flask_babel import gettext as _

from app import clock
from app.extensions import db
from app.models import Document, Organization, Report
from app.models.notification import Notification
from app.security.scope import scoped
from app.services.errors import Invalid, NotFound, WrongState

LEDGER_KINDS = {"village_ledger": "village", "township_ledger": "township"}  # document kind → unit kind
MAX_PERIOD_DAYS = 366 * 3


def _number(report: Report) -> str:
    return report.number or f"{_('Draft')}{report.id}"


def village_form_filename(report: Report) -> str:
    return f"安全生产打非村居上报表-{_number(report)}.pdf"


def township_form_filename(report: Report) -> str:
    return f"安全生产打非乡镇上报表-{_number(report)}.pdf"


def notification_attachments(notification: Notification) -> list[tuple[str, str, bytes]]:
    """The filled-in forms an e-mail carries: 附件2 with a new report, the township's form with an escalation."""
    from app.documents.forms import township_form_pdf, village_form_pdf

    report = notification.report
    if report is None:
        return []
    files = []
    if notification.kind == "escalate":
        files.append((township_form_filename(report), "application/pdf", township_form_pdf(report)))
    if notification.kind in ("submit", "escalate"):
        files.append((village_form_filename(report), "application/pdf", village_form_pdf(report)))
    return files


def check_period(start, end) -> tuple[date, date]:
    errors = {}
    if not isinstance(start, date):
        errors["start"] = [_("Enter a date as YYYY-MM-DD")]
    if not isinstance(end, date):
        errors["end"] = [_("Enter a date as YYYY-MM-DD")]
    if not errors and start > end:
        errors["end"] = [_("The end of the period must not be before its start")]
    if not errors and (end - start) > timedelta(days=MAX_PERIOD_DAYS):
        errors["end"] = [_("A period can be at most three years")]
    if errors:
        raise Invalid(errors)
    return start, end


def ledger_unit(kind: str, unit_id, user, field: str = "unit") -> Organization:
    """The unit of a ledger, if the user may see it: a village's own, or one within the user's subtree.
    Errors are reported under `field` (the form's `unit`, the API's `unit_id`)."""
    wanted = LEDGER_KINDS.get(kind)
    if wanted is None:
        raise NotFound(_("No such document"))
    unit = scoped(db.session.query(Organization).filter(Organization.id == unit_id), Organization, user).one_or_none()
    if unit is None:
        raise Invalid({field: [_("Choose a unit within your area")]})
    if unit.kind != wanted:
        raise Invalid({field: [_("Choose a village") if wanted == "village" else _("Choose a township")]})
    return unit


def request_ledger(user, kind: str, unit_id, start, end, fmt: str, unit_field: str = "unit") -> Document:
    """Ask for a ledger file (PDF or Excel) of a unit and period; a job renders it. Commits."""
    if fmt not in ("pdf", "xlsx"):
        raise Invalid({"format": [_("Choose PDF or Excel")]})
    unit = ledger_unit(kind, unit_id, user, unit_field)
    start, end = check_period(start, end)
    return _queued(Document(kind=kind, format=fmt, organization=unit, period_start=start, period_end=end,
                            requested_by_id=user.id))


def request_case_file(user, report_id: int) -> Document:
    """Ask for one case's full file (案卷) as PDF. Commits."""
    from app.services.workflow import find_report

    report = find_report(report_id, user)
    return _queued(Document(kind="case_file", format="pdf", report=report, requested_by_id=user.id))


def request_case_list(user, query_string: str) -> Document:
    """Ask for the case list as filtered on the list page, as Excel; only the requester gets it. Commits."""
    return _queued(Document(kind="case_list", format="xlsx", query=query_string[:2000], requested_by_id=user.id))


def _queued(document: Document) -> Document:
    document.requested_at = clock.now()
    db.session.add(document)
    db.session.commit()
    from app.jobs.documents import enqueue_render

    enqueue_render(document.id)
    return document


def document_file(document_id: int, user) -> tuple[Path, str]:
    """(path, download name) of a document the user may see; 409 while it is not rendered, 404 when it is gone
    (or DOCUMENT_FOLDER is not shared with the worker that wrote it)."""
    from app.jobs.documents import path_of

    document = find_document(document_id, user)
    if document.state != "done":
        raise WrongState(str(document.state_label))
    path = path_of(document)
    if not path.is_file():
        raise NotFound(_("No such document"))
    return path, document.filename


def find_document(document_id: int, user) -> Document:
    found = scoped(db.session.query(Document).filter(Document.id == document_id), Document, user).one_or_none()
    if found is None:
        raise NotFound(_("No such document"))
    return found
