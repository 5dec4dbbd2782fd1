"""The ledgers (台账, DESIGN §5), read from the cases themselves: rows, columns shared by PDF, Excel and lists."""
import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased

from app import clock
from app.documents.excel import ledger_xlsx
from app.documents.pdf import clean, render_pdf_in_parts, zh
from app.extensions import db
from app.models import Category, Organization, Report
from app.models.report import OPEN_STATES, SOURCES, STATES, report_assisting


@dataclass(frozen=True)
class LedgerColumn:
    key: str  # attribute of LedgerRow
    header: str  # as printed on the ledger and in the Excel header row
    width: int  # Excel column width in characters; the PDF gives columns the same proportions
    kind: str = "text"  # "text", "date" or "number": Excel stores dates as dates


# The township ledger's columns; the village ledger has all but 村居.
LEDGER_COLUMNS = (
    LedgerColumn("index", "序号", 6, "number"),
    LedgerColumn("number", "案件编号", 15),
    LedgerColumn("village", "村居", 9),
    LedgerColumn("discovered_on", "排查时间", 11, "date"),
    LedgerColumn("address", "地点", 18),
    LedgerColumn("party", "涉事单位/个人", 14),
    LedgerColumn("activity", "非法生产经营建设行为", 30),
    LedgerColumn("category", "类别", 12),
    LedgerColumn("reported_on", "上报时间", 11, "date"),
    LedgerColumn("reporter", "上报人", 8),
    LedgerColumn("disposition", "处置情况", 28),
    LedgerColumn("responsible", "责任单位", 14),
    LedgerColumn("closed_on", "办结时间", 11, "date"),
    LedgerColumn("remarks", "备注", 10),
)
VILLAGE_LEDGER_COLUMNS = tuple(column for column in LEDGER_COLUMNS if column.key != "village")
TOWNSHIP_LEDGER_COLUMNS = LEDGER_COLUMNS

VILLAGE_LEDGER_TITLE = "村居安全生产打非工作台账"  # 附件1
TOWNSHIP_LEDGER_TITLE = "乡镇安全生产打非工作台账"


@dataclass(slots=True)
class LedgerRow:
    """One line of a ledger. Dates are dates; text is as stored (the PDF shortens it, Excel does not)."""

    index: int
    report_id: int | None  # None for a line that is not a case (a patrol, once patrol logs exist)
    number: str
    village: str
    discovered_on: date
    address: str
    party: str
    activity: str
    category: str
    reported_on: date | None
    reporter: str
    disposition: str
    responsible: str
    closed_on: date | None
    remarks: str
    state: str  # the state's code, for lists that colour or filter by it


def _disposition(state_label: str, state: str, measures, rejection_reason, opinion) -> str:
    """处置情况: where the case stands, with the words that explain it (measures, reason, opinion)."""
    detail = measures if measures else rejection_reason if state == "rejected" else opinion
    return f"{state_label}：{detail}" if detail else state_label


def _case_rows(conditions: list, order_by: list) -> Iterator[LedgerRow]:
    """Ledger rows of the submitted cases meeting `conditions`: two queries, whatever the number of cases."""
    village, handler, lead, unit = (aliased(Organization) for _ in range(4))
    duplicate, repeat = aliased(Report), aliased(Report)
    conditions = [Report.state != "draft", *conditions]
    query = (
        select(Report.id, Report.number, Report.state, Report.source, village.name, Report.discovered_on,
               Report.address, Report.party, Report.activity, Category.name, Report.reported_on, Report.reporter,
               Report.measures, Report.rejection_reason, Report.escalation_opinion, handler.name, lead.name,
               unit.name, Report.closed_at, Report.late_report, Report.due_on, duplicate.number, repeat.number)
        .join(village, Report.village_id == village.id)
        .join(Category, Report.category_id == Category.id)
        .outerjoin(handler, Report.handler_id == handler.id)
        .outerjoin(lead, Report.lead_department_id == lead.id)
        .outerjoin(unit, Report.handling_unit_id == unit.id)
        .outerjoin(duplicate, Report.duplicate_of_id == duplicate.id)
        .outerjoin(repeat, Report.repeat_of_id == repeat.id)
        .where(*conditions)
        .order_by(*order_by, Report.id)
    )
    assisting = defaultdict(list)
    helpers = (select(report_assisting.c.report_id, Organization.name)
               .join(Organization, report_assisting.c.organization_id == Organization.id)
               .join(Report, report_assisting.c.report_id == Report.id)
               .where(*conditions)
               .order_by(Organization.name))
    for report_id, name in db.session.execute(helpers):
        assisting[report_id].append(name)

    states = {key: zh(label) for key, label in STATES.items()}
    sources = {key: zh(label) for key, label in SOURCES.items()}
    today = clock.today()
    for (report_id, number, state, source, village_name, discovered_on, address, party, activity, category,
         reported_on, reporter, measures, rejection_reason, opinion, handler_name, lead_name, unit_name,
         closed_at, late_report, due_on, duplicate_number, repeat_number) in db.session.execute(query):
        responsible = lead_name or handler_name or unit_name or ""
        if lead_name and assisting[report_id]:
            responsible += "（协办：" + "、".join(assisting[report_id]) + "）"
        remarks = []
        if source != "village":
            remarks.append(sources.get(source, source))
        if late_report:
            remarks.append("逾期上报")
        if state in OPEN_STATES and due_on is not None and due_on < today:
            remarks.append("超期未办")
        if duplicate_number:
            remarks.append(f"与{duplicate_number}重复")
        if repeat_number:
            remarks.append(f"反弹（前案{repeat_number}）")
        yield LedgerRow(
            index=0, report_id=report_id, number=number or "", village=village_name,
            discovered_on=discovered_on, address=address or "", party=party or "", activity=activity or "",
            category=category, reported_on=reported_on, reporter=reporter or "",
            disposition=_disposition(states.get(state, state), state, measures, rejection_reason, opinion),
            responsible=responsible, closed_on=closed_at.date() if closed_at else None,
            remarks="；".join(remarks), state=state,
        )


def _numbered(rows: Iterable[LedgerRow]) -> list[LedgerRow]:
    numbered = []
    for index, row in enumerate(rows, start=1):
        row.index = index
        numbered.append(row)
    return numbered


def village_case_rows(village: Organization, start: date | None, end: date | None) -> Iterator[LedgerRow]:
    """The village's submitted cases discovered (排查时间) from `start` to `end`, inclusive, oldest first."""
    conditions = [Report.village_id == village.id]
    if start is not None:
        conditions.append(Report.discovered_on >= start)
    if end is not None:
        conditions.append(Report.discovered_on <= end)
    return _case_rows(conditions, [Report.discovered_on])


# Where the lines of a village ledger come from: functions (village, start, end) -> rows in
# 排查时间 order, merged by date. 附件1 also records patrols that found nothing; when patrol logs
# exist (DESIGN §5), their reader is appended here and the ledger lists them among the cases.
VILLAGE_LEDGER_SOURCES: list[Callable[[Organization, date | None, date | None], Iterable[LedgerRow]]] = [
    village_case_rows,
]


def village_ledger_rows(village: Organization, start: date | None, end: date | None) -> list[LedgerRow]:
    """村居安全生产打非工作台账 (附件1): every line of the village's ledger for the period, numbered.

    The caller checks that the reader may see `village`'s ledger.
    """
    sources = [source(village, start, end) for source in VILLAGE_LEDGER_SOURCES]
    return _numbered(heapq.merge(*sources, key=lambda row: (row.discovered_on, row.report_id or 0)))


def township_ledger_rows(township: Organization, start: date | None, end: date | None) -> list[LedgerRow]:
    """乡镇安全生产打非工作台账: every case that reached the township (提交) from `start` to `end`, in that order.

    Cases of all the township's villages, including those its own patrols filed; the caller checks
    that the reader may see `township`'s ledger.
    """
    village = aliased(Organization)
    conditions = [Report.village_id.in_(select(village.id).where(village.path.startswith(township.path)))]
    if start is not None:
        conditions.append(Report.submitted_at >= datetime.combine(start, time.min))
    if end is not None:
        conditions.append(Report.submitted_at < datetime.combine(end + timedelta(days=1), time.min))
    return _numbered(_case_rows(conditions, [Report.submitted_at]))


def period_label(start: date | None, end: date | None) -> str:
    """The period as printed under a ledger's title."""
    if start is None and end is None:
        return "全部"
    return f"{clean(start) or '……'} 至 {clean(end) or '……'}"


# A PDF cell holds at most this many characters per unit of its column's width: about 16 lines,
# so that a row stays well under a page (a taller one would be shrunk). Excel gets the whole text.
CELL_CHARS_PER_WIDTH = 8


def _cell(value, column: LedgerColumn) -> str:
    return clean(value, column.width * CELL_CHARS_PER_WIDTH).replace("\n", " ")


def ledger_pdf(title: str, unit: str, period: str, columns: Iterable[LedgerColumn], rows: Iterable,
               progress: Callable[[int, int], None] | None = None, part_rows: int | None = None) -> bytes:
    """A ledger as landscape A4 pages: title, unit and period, and the column headings, on every page.

    `rows` are LedgerRow (or objects or dicts with the columns' keys); long cells are shortened
    (CELL_CHARS_PER_WIDTH). `progress(rows_done, rows_total)` is called as parts are rendered.
    """
    columns = list(columns)
    total_width = sum(column.width for column in columns)
    header = [{"header": column.header, "percent": round(100 * column.width / total_width, 2),
               "kind": column.kind} for column in columns]
    cells = [[_cell(_value(row, column.key), column) for column in columns] for row in rows]
    options = {"part_rows": part_rows} if part_rows else {}
    return render_pdf_in_parts("ledger.html", cells, progress=progress, title=clean(title), unit=clean(unit),
                               period=clean(period), columns=header, generated_at=clean(clock.now()), **options)


def _value(row, key: str):
    return row[key] if isinstance(row, dict) else getattr(row, key)


@dataclass(frozen=True)
class Ledger:
    """One kind of ledger: its title, its columns and where its rows come from; as PDF or Excel."""

    title: str
    columns: tuple[LedgerColumn, ...]
    rows: Callable[[Organization, date | None, date | None], list[LedgerRow]]

    def pdf(self, unit: Organization, start: date | None, end: date | None,
            progress: Callable[[int, int], None] | None = None) -> bytes:
        return ledger_pdf(self.title, unit.name, period_label(start, end), self.columns,
                          self.rows(unit, start, end), progress)

    def xlsx(self, unit: Organization, start: date | None, end: date | None) -> bytes:
        return ledger_xlsx(f"{self.title} {unit.name} {period_label(start, end)}", self.columns,
                           self.rows(unit, start, end))


VILLAGE_LEDGER = Ledger(VILLAGE_LEDGER_TITLE, VILLAGE_LEDGER_COLUMNS, village_ledger_rows)
TOWNSHIP_LEDGER = Ledger(TOWNSHIP_LEDGER_TITLE, TOWNSHIP_LEDGER_COLUMNS, township_ledger_rows)
LEDGERS = {"village_ledger": VILLAGE_LEDGER, "township_ledger": TOWNSHIP_LEDGER}  # by Document.kind
