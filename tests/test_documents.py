"""Printed documents (DESIGN §5): the 附件2 and township forms, the case file, ledgers and their Excel export."""
import io
import socket
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import event

from app import clock
from app.documents.excel import ledger_xlsx
from app.documents.forms import (case_file_pdf, township_form_pdf, village_form_context, village_form_pdf)
from app.documents.ledger import (LEDGER_COLUMNS, LEDGERS, TOWNSHIP_LEDGER, TOWNSHIP_LEDGER_COLUMNS,
                                  VILLAGE_LEDGER, VILLAGE_LEDGER_COLUMNS, LedgerRow, ledger_pdf,
                                  township_ledger_rows, village_ledger_rows)
from app.documents.pdf import (LONG_TEXT, SHORT_TEXT, PdfError, _convert, clean, lines, printed_lines,
                               render_pdf)
from app.extensions import db
from app.models import Attachment, Category, Organization, OrgUser, Report
from app.services import workflow
from tests.pdf_helpers import dark_pixels, fonts, pages_text, pdffonts, pdftotext, smallest_text

ACTIVITY = "村东废弃猪场内非法储存液化气钢瓶约30只"
HOSTILE = '<b>x</b> <img src="http://127.0.0.1:9/track.png"> <pdf:nextpage/> &amp; {{ 7*7 }}'


def user(name: str) -> OrgUser:
    return db.session.query(OrgUser).filter_by(username=name).one()


def unit(name: str) -> Organization:
    return db.session.query(Organization).filter_by(name=name).one()


def add_case(by="grid_a", days_ago=0, submit=True, **fields) -> Report:
    """A case filed and (by default) submitted through the workflow, as the village would."""
    values = dict(category_id=db.session.query(Category.id).filter_by(name="非法存储危险化学品").scalar(),
                  activity=ACTIVITY, discovered_on=clock.today() - timedelta(days=days_ago),
                  address="沙沟村东200米废弃猪场", party="张某某", reporter="王网格", reporter_phone="13800138000",
                  stopped_on_site=True, stop_measures="已责令停止并清点钢瓶")
    report = Report(**{**values, **fields})
    workflow.prepare_draft(report, user(by), new=True)
    db.session.add(report)
    db.session.flush()
    if submit:
        workflow.submit(report, user(by))
    db.session.commit()
    return report


def act(report: Report, by: str, action: str, **data) -> Report:
    return workflow.perform(action, report.id, user(by), data)


def to_county_and_back_closed(report: Report) -> Report:
    """The county branch: escalated, dispatched with an assisting department, resolved (两断三清), closed."""
    act(report, "township", "escalate", opinion="涉及危险化学品，超出乡镇职权，请县安委办转办")
    act(report, "county", "dispatch", lead_department_id=unit("应急管理局").id,
        assisting_department_ids=[unit("公安局").id])
    act(report, "dept_a", "acknowledge", comment="已报到，即赴现场")
    today = clock.today().isoformat()
    act(report, "dept_a", "resolve", measures="依法取缔", water_cut_on=today, water_cut_evidence="断水通知书",
        power_cut_on=today, result="已取缔，钢瓶已清运", fine_yuan="5000", cases_filed="1", people_handled="2",
        penalties="罚款五千元")
    return act(report, "county", "close", comment="核查属实，销号")


# ----------------------------------------------------------------------------- the forms

def test_the_village_form_is_the_notices_table_filled_in_with_the_case(app):
    with app.app_context():
        report = add_case(party="张某某（王玥）")
        pdf = village_form_pdf(report)
        number = report.number

    [text] = pages_text(pdf)  # one page, as the paper form
    for needle in ("安全生产打非村居上报表", f"编号：{number}", "村居名称沙沟村", "主要负责人（签字）沙沟村党支部书记",
                   "非法生产经营建设行为", ACTIVITY, "地点：沙沟村东200米废弃猪场", "涉事单位/个人：张某某（王玥）",
                   "类别：非法存储危险化学品", "当场制止：☑是☐否", "制止情况：已责令停止并清点钢瓶",
                   "排查时间", "上报时间", "上报人（签字）王网格", "联系方式13800138000",
                   "说明：此表由村居填写，并于发现非法行为后2日内上报到应急办。", "第1页共1页"):
        assert needle in text.replace("\xa0", ""), needle
    today = clock.today()
    assert text.count(f"{today.year}年{today.month}月{today.day}日") == 2  # 排查时间 and 上报时间
    assert fonts(pdf) and all(fonts(pdf).values()), fonts(pdf)


def test_the_village_form_prints_chinese_with_embedded_fonts_as_poppler_sees_it(app):
    with app.app_context():
        pdf = village_form_pdf(add_case())
    text = pdftotext(pdf)
    assert "安全生产打非村居上报表" in text and ACTIVITY in text and "沙沟村" in text
    listed = pdffonts(pdf)
    assert listed and all(embedded == "yes" for _, embedded in listed), listed
    assert not any("Helvetica" in name for name, _ in listed)
    assert dark_pixels(pdf) > 3000  # the table, the title and the text are drawn, not empty boxes


def test_a_rare_hanzi_in_a_name_is_printed_not_replaced(app):
    with app.app_context():
        report = add_case(reporter="王堃", party="李玥")  # both beyond GB2312: drawn by the fallback font
        [text] = pages_text(village_form_pdf(report))
    assert "王堃" in text and "李玥" in text and "\ufffd" not in text


def test_the_township_form_carries_the_village_report_and_the_townships_opinion(app):
    with app.app_context():
        report = add_case()
        act(report, "township", "escalate", opinion="涉及危险化学品，超出乡镇职权，请县安委办转办")
        pdf = township_form_pdf(report)
        number = report.number
    [text] = pages_text(pdf)
    for needle in ("安全生产打非乡镇上报表", f"编号：{number}", "乡镇名称沙沟镇", "主要负责人（签字）镇安委会办公室",
                   "村居名称：沙沟村", "上报人：王网格", ACTIVITY, "乡镇意见涉及危险化学品，超出乡镇职权，请县安委办转办",
                   "填报人（签字）周安办", "上报县时间", "联系电话0531-8888001", "上报到县安委会办公室"):
        assert needle in text.replace("\xa0", ""), needle
    assert all(fonts(pdf).values())


def test_the_case_file_holds_every_step_the_enforcement_record_and_the_file_names(app):
    with app.app_context():
        report = to_county_and_back_closed(add_case())
        db.session.add(Attachment(report=report, stored_name="a" * 32, filename="现场照片<1>.png",
                                  content_type="image/png", size=2048, uploaded_by_id=user("grid_a").id))
        db.session.commit()
        pdf = case_file_pdf(report)
        number = report.number
    text = "".join(pages_text(pdf))
    for needle in ("安全生产打非案卷", f"编号：{number}", "状态：已办结", ACTIVITY, "所属乡镇沙沟镇",
                   "牵头部门应急管理局", "协办部门公安局", "乡镇意见涉及危险化学品",
                   # the timeline: unit, person, action, from → to, comment
                   "沙沟村王网格提交草稿→已上报", "沙沟镇周安办上报县已上报→已报县", "已报到，即赴现场",
                   "核查属实，销号", "已处置→已办结",
                   # 两断三清
                   "断水", "断水通知书", "断电", "清原料未实施", "清场地未实施", "罚款（元）5,000.00",
                   "处置结果已取缔，钢瓶已清运", "罚款五千元",
                   "现场照片<1>.png", "2KB"):
        assert needle in text, needle
    assert all(fonts(pdf).values())


def test_the_forms_are_chinese_whatever_the_readers_language(app):
    with app.app_context():
        report = to_county_and_back_closed(add_case())
        with force_locale("en"):
            text = "".join(pages_text(case_file_pdf(report)))
    assert "状态：已办结" in text and "来源村居上报" in text and "提交草稿→已上报" in text and "断水" in text
    assert "Closed" not in text and "Submit" not in text


# ----------------------------------------------------------------------------- user text is only text

def hostile_report() -> Report:
    """A case as an attacker would fill it in: markup, template syntax, control characters, a bidi
    override, an emoji, a 100,000-character word and 10,000 lines; never saved."""
    flood = HOSTILE + "\x00\x07\x1b[31m 红\u202e字反转 😀" + "\n".join("行" for _ in range(10000))
    return Report(village=unit("沙沟村"), category=db.session.query(Category).first(), number="SG-2026-000999",
                  activity=flood, stop_measures=flood, escalation_opinion=flood, measures=flood,
                  party="A" * 100_000, address="<script>alert(1)</script>", reporter="王网格\u200f",
                  reporter_phone="13800138000", discovered_on=date(2026, 1, 2), principal="李支书")


@pytest.mark.parametrize("render", [village_form_pdf, township_form_pdf, case_file_pdf])
def test_hostile_text_is_printed_literally_readably_and_nothing_is_fetched(app, monkeypatch, render):
    connections = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kw: connections.append(args) or [])
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kw: connections.append(args))
    with app.app_context():
        pdf = render(hostile_report())
    assert connections == []
    text = "".join(pages_text(pdf))
    assert HOSTILE.replace(" ", "") in text  # tags, entities and template syntax as typed
    assert "<script>alert(1)</script>" in text
    assert "红字反转\ufffd" in text  # in the order typed (the override is dropped); the emoji marked missing
    assert "\x00" not in text and "\x1b" not in text
    assert "A" * 190 + "…" in text and "A" * SHORT_TEXT not in text  # a visible cut, not 100,000 characters
    assert len(PdfReader(io.BytesIO(pdf)).pages) <= 6  # bounded; a box too long for its page grows onto the next
    assert smallest_text(pdf) >= 8  # no box shrunk to make it fit


def test_context_builders_bound_every_field(app):
    with app.app_context():
        context = village_form_context(hostile_report())
    assert len(context["party"]) == SHORT_TEXT and context["party"].endswith("…")
    assert sum(len(line) for line in context["activity"]) <= LONG_TEXT
    assert printed_lines(context["activity"]) <= 26 and context["activity"][-1].endswith("…")
    assert context["reporter"] == "王网格"  # the right-to-left mark is gone


def test_clean_keeps_text_and_drops_what_cannot_be_printed():
    assert clean(None) == "" and clean(date(2026, 1, 2)) == "2026-01-02"
    assert clean("第一行\r\n第二行\t末尾\x00\x08\u202e") == "第一行\n第二行\t末尾"
    assert clean("x" * 50, limit=10) == "x" * 9 + "…"
    assert clean("𠮷野家") == "\ufffd野家"  # no shipped font has 𠮷: the page shows that something is missing
    assert lines("一\n\n  二 \n") == ["一", "二"]
    assert lines("甲" * 100, max_lines=2, line_width=20) == ["甲" * 19 + "…"]  # 2 lines of 10 hanzi
    assert lines("\n".join("行" * 5), max_lines=3) == ["行", "行", "行…"]


def test_a_remote_resource_in_a_template_is_never_fetched(app, monkeypatch):
    """Even markup that slipped past escaping cannot make the server fetch a URL or read a file."""
    connections = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kw: connections.append(args) or [])
    with app.app_context():
        pdf = _convert('<html><body><p>图</p><img src="http://127.0.0.1:9/x.png"/><img src="/etc/passwd"/>'
                       '</body></html>', "probe")
    assert connections == [] and pdf.startswith(b"%PDF")


def test_a_document_xhtml2pdf_refuses_raises_a_clear_error():
    with pytest.raises(PdfError, match="probe: .*nests more than"):
        _convert("<html><body>" + "<div>" * 300 + "深" + "</div>" * 300 + "</body></html>", "probe")


def test_only_templates_under_pdf_are_rendered(app):
    with app.app_context(), pytest.raises(ValueError):
        render_pdf("../report/show.html")


# ----------------------------------------------------------------------------- ledgers

class StatementCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


def ledger_statements(township: Organization) -> int:
    """SQL statements the township's whole ledger costs (the township itself already loaded)."""
    db.session.refresh(township)
    counter = StatementCounter()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        township_ledger_rows(township, None, None)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    return counter.count


def test_the_village_ledger_lists_the_villages_cases_of_the_period_from_the_cases_themselves(app):
    with app.app_context():
        old = add_case(days_ago=40, activity="四十天前的案件")
        late = add_case(days_ago=5, activity="逾期上报的案件")
        rejected = add_case(days_ago=3, activity="重复上报")
        act(rejected, "township", "reject", reason="与前案重复", duplicate_of_id=late.id)
        closed = to_county_and_back_closed(add_case(days_ago=2, activity="已办结的案件"))
        add_case(days_ago=1, submit=False, activity="草稿不入台账")
        add_case(by="grid_b", days_ago=1, activity="前湖村的案件")
        start, end = clock.today() - timedelta(days=30), clock.today()
        rows = village_ledger_rows(unit("沙沟村"), start, end)
        numbers = {r.id: r.number for r in (late, rejected, closed)}
        assert old.discovered_on < start

    assert [(r.index, r.activity) for r in rows] == [(1, "逾期上报的案件"), (2, "重复上报"), (3, "已办结的案件")]
    late_row, rejected_row, closed_row = rows
    assert late_row.number == numbers[late.id] and late_row.remarks == "逾期上报" and late_row.closed_on is None
    assert late_row.disposition == "已上报" and late_row.responsible == "沙沟镇"
    assert rejected_row.disposition == "不予受理：与前案重复" and f"与{numbers[late.id]}重复" in rejected_row.remarks
    assert closed_row.disposition == "已办结：依法取缔" and closed_row.responsible == "应急管理局（协办：公安局）"
    assert closed_row.closed_on == clock.today() and closed_row.discovered_on == clock.today() - timedelta(days=2)


def test_the_township_ledger_has_every_village_and_costs_two_queries_whatever_its_length(app):
    with app.app_context():
        for days_ago, by in ((3, "grid_a"), (2, "grid_b")):
            add_case(by=by, days_ago=days_ago)
        township = unit("沙沟镇")
        rows = township_ledger_rows(township, clock.today() - timedelta(days=7), clock.today())
        assert [r.village for r in rows] == ["沙沟村", "前湖村"]  # in the order they reached the township
        few = ledger_statements(township)
        for _ in range(10):
            to_county_and_back_closed(add_case(by="grid_b"))
        many = ledger_statements(township)
    assert few == many == 2


def synthetic_rows(count: int) -> list[LedgerRow]:
    start = date(2026, 1, 1)
    return [LedgerRow(index=i, report_id=i, number=f"SG-2026-{i:06d}", village="沙沟村",
                      discovered_on=start + timedelta(days=i % 300), address=f"沙沟村东第{i}号院", party="张某某",
                      activity=ACTIVITY, category="非法存储危险化学品", reported_on=start + timedelta(days=i % 300 + 1),
                      reporter="王网格", disposition="已办结：依法取缔", responsible="应急管理局",
                      closed_on=None if i % 2 else start + timedelta(days=i % 300 + 9), remarks="", state="closed")
            for i in range(1, count + 1)]


def test_a_long_ledger_has_its_headings_on_every_page_and_numbered_pages(app):
    progress = []
    with app.app_context():
        pdf = ledger_pdf("乡镇安全生产打非工作台账", "沙沟镇", "2026-01-01 至 2026-12-31", TOWNSHIP_LEDGER_COLUMNS,
                         synthetic_rows(45), progress=lambda done, total: progress.append((done, total)),
                         part_rows=30)  # two parts, joined
    pages = pages_text(pdf)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "乡镇安全生产打非工作台账" in text and "单位：沙沟镇" in text
        assert "".join(column.header for column in TOWNSHIP_LEDGER_COLUMNS) in text, number
        assert f"第{number}页共{len(pages)}页" in text
    everything = "".join(pages)
    assert all(f"SG-2026-{i:06d}" in everything for i in range(1, 46))
    assert everything.index("SG-2026-000030") < everything.index("SG-2026-000031")
    assert progress == [(30, 45), (45, 45)]
    assert all(fonts(pdf).values())


def test_a_ledger_cell_is_shortened_visibly(app):
    row = synthetic_rows(1)[0]
    row.activity = "很长的描述" * 200
    with app.app_context():
        text = "".join(pages_text(ledger_pdf("村居安全生产打非工作台账", "沙沟村", "全部", VILLAGE_LEDGER_COLUMNS, [row])))
    assert "很长的描述" * 10 in text and "…" in text and text.count("很长的描述") < 200


def test_the_ledger_files_of_a_village_and_a_township_come_from_the_database(app):
    with app.app_context():
        add_case(activity="村居台账里的案件")
        add_case(by="grid_b", activity="前湖村的案件")
        village_text = "".join(pages_text(VILLAGE_LEDGER.pdf(unit("沙沟村"), None, None)))
        township_text = "".join(pages_text(LEDGERS["township_ledger"].pdf(unit("沙沟镇"), clock.today(), clock.today())))
        empty_text = "".join(pages_text(VILLAGE_LEDGER.pdf(unit("后湖村"), None, None)))
        sheet = load_workbook(io.BytesIO(TOWNSHIP_LEDGER.xlsx(unit("沙沟镇"), None, None))).active
    assert "村居安全生产打非工作台账" in village_text and "村居台账里的案件" in village_text
    assert "前湖村的案件" not in village_text and "期间：全部" in village_text
    assert "乡镇安全生产打非工作台账" in township_text and "前湖村的案件" in township_text
    assert "本期间无记录。" in empty_text
    assert sheet["A1"].value == "乡镇安全生产打非工作台账 沙沟镇 全部" and sheet.max_row == 2 + 2


def test_the_excel_ledger_has_the_same_rows_with_dates_as_dates(app):
    with app.app_context():
        add_case(days_ago=2, activity="=HYPERLINK(\"http://example.org\",\"点我\")")
        to_county_and_back_closed(add_case(by="grid_b", days_ago=1))
        rows = township_ledger_rows(unit("沙沟镇"), None, None)
    data = ledger_xlsx("乡镇安全生产打非工作台账 沙沟镇", TOWNSHIP_LEDGER_COLUMNS, rows)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "乡镇安全生产打非工作台账 沙沟镇" and sheet.freeze_panes == "A3"
    assert [cell.value for cell in sheet[2]] == [column.header for column in TOWNSHIP_LEDGER_COLUMNS]
    assert sheet.column_dimensions["G"].width == TOWNSHIP_LEDGER_COLUMNS[6].width
    written = list(sheet.iter_rows(min_row=3))
    assert len(written) == len(rows) == 2
    for cells, row in zip(written, rows):
        for cell, column in zip(cells, TOWNSHIP_LEDGER_COLUMNS):
            expected = getattr(row, column.key)
            if column.kind == "date" and expected is not None:
                assert cell.is_date and cell.number_format == "yyyy-mm-dd" and cell.value.date() == expected
            else:
                assert cell.value == (expected if expected != "" else None), column.key
    assert written[0][6].data_type == "s"  # "=HYPERLINK(…)" stays text, never a formula


def test_the_excel_export_takes_any_columns_and_plain_dicts(app):
    columns = LEDGER_COLUMNS[:2]
    data = ledger_xlsx("案件清单[筛选]", columns, [{"index": 1, "number": "SG\x01-1"}])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "案件清单 筛选" and [c.value for c in sheet[3]] == [1, "SG-1"]
