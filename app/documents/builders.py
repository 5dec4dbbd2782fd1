"""What each kind of document is, built from the database: (file name, bytes) for the document job.

Ledgers come from `ledger.LEDGERS` (one source of rows for the page, the PDF and Excel); a case
list is the list page's own query (its filters and the row scope of whoever asked), re-run in the job.
"""
from collections.abc import Callable
from datetime import date

from flask import current_app, g
from flask_appbuilder.urltools import get_filter_args
from sqlalchemy.orm import selectinload

from app.documents.excel import ledger_xlsx
from app.documents.forms import case_file_pdf
from app.documents.ledger import LEDGERS, Ledger, LedgerColumn
from app.extensions import db
from app.models import Document, Report

Progress = Callable[[int, int], None]

CASE_LIST_TITLE = "打非案件清单"
CASE_LIST_COLUMNS = (
    LedgerColumn("number", "案件编号", 15),
    LedgerColumn("state", "状态", 12),
    LedgerColumn("village", "村居", 10),
    LedgerColumn("category", "类别", 14),
    LedgerColumn("activity", "非法生产经营建设行为", 40),
    LedgerColumn("address", "地点", 24),
    LedgerColumn("discovered_on", "排查时间", 11, "date"),
    LedgerColumn("reported_on", "上报时间", 11, "date"),
    LedgerColumn("handling_unit", "办理单位", 16),
    LedgerColumn("due_on", "办理期限", 11, "date"),
    LedgerColumn("overdue", "已逾期", 8),
)


def build(document: Document, progress: Progress) -> tuple[str, bytes]:
    """The file of `document`, reporting `progress(done, total)` as it goes."""
    if document.kind in LEDGERS:
        return _ledger(document, LEDGERS[document.kind], progress)
    if document.kind == "case_file":
        report = document.report
        return f"案卷-{report.number or report.id}.pdf", case_file_pdf(report)
    if document.kind == "case_list":
        rows = case_list_rows(document)
        progress(len(rows), len(rows) or 1)
        return f"{CASE_LIST_TITLE}-{document.requested_at:%Y%m%d%H%M}.xlsx", ledger_xlsx(
            CASE_LIST_TITLE, CASE_LIST_COLUMNS, rows)
    raise ValueError(f"unknown document kind {document.kind!r}")


def _ledger(document: Document, ledger: Ledger, progress: Progress) -> tuple[str, bytes]:
    unit, start, end = document.organization, document.period_start, document.period_end
    name = f"{ledger.title}-{unit.name}-{_day(start)}至{_day(end)}.{document.format}"
    if document.format == "pdf":
        return name, ledger.pdf(unit, start, end, progress)
    return name, ledger.xlsx(unit, start, end)


def _day(value: date | None) -> str:
    return f"{value:%Y%m%d}" if value else ""


def case_list_rows(document: Document) -> list[dict]:
    """The rows the list page showed its requester for the saved filters (all pages, same order)."""
    from app.views.report import ReportView

    view = next(v for v in current_app.appbuilder.baseviews if type(v) is ReportView)
    with current_app.test_request_context("/report/list/?" + (document.query or "")):
        g.user = document.requested_by  # the row scope is the requester's, as on the page
        get_filter_args(view._filters)
        filters = view._filters.get_joined_filters(view._base_filters)
        order_column, order_direction = view.base_order
        query = view.datamodel.apply_all(db.session.query(Report), filters, order_column, order_direction).options(
            selectinload(Report.village), selectinload(Report.category), selectinload(Report.handling_unit))
        return [_case_row(report) for report in query]


def _case_row(report: Report) -> dict:
    return {
        "number": report.number or "", "state": report.state_label, "village": report.village.name,
        "category": report.category.name if report.category else "", "activity": report.activity,
        "address": report.address or "", "discovered_on": report.discovered_on, "reported_on": report.reported_on,
        "handling_unit": report.handling_unit.name if report.handling_unit else "", "due_on": report.due_on,
        "overdue": "是" if report.overdue else "",
    }
