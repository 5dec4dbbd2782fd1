"""Documents through every door: form.pdf, the ledger pages, document jobs with progress, downloads in scope."""
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.documents import pdf as pdf_module
from app.extensions import db
from app.jobs import documents as document_jobs
from app.models import Document
from tests.conftest import org_id
from tests.workflow_helpers import TODAY, Api


@pytest.fixture
def api(client, auth):
    return Api(client, auth)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace(" ", "")


def render_all(app) -> None:
    """What a worker does: render every queued document (no Redis in these tests)."""
    with app.app_context():
        for (document_id,) in db.session.query(Document.id).filter_by(state="queued").all():
            document_jobs.render_document(document_id)


def test_the_village_form_pdf_is_the_villages_and_no_one_elses(app, api):
    rid = api.submitted(app, activity="村西废弃厂房内非法加工烟花爆竹")
    response = api("grid_a", "GET", f"/report/{rid}/form.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    assert "安全生产打非村居上报表" in text and "非法加工烟花爆竹" in text
    assert api("grid_b", "GET", f"/report/{rid}/form.pdf").status_code == 404
    assert api("township", "GET", f"/report/{rid}/form.pdf").status_code == 200
    assert api("dept_a", "GET", f"/report/{rid}/form.pdf").status_code == 404


def test_the_case_page_prints_the_forms(app, api, client, auth):
    rid = api.submitted(app)
    auth.login("township")
    page = client.get(f"/report/show/{rid}").get_data(as_text=True)
    assert f"/report/{rid}/form.pdf" in page and "township-form.pdf" not in page
    assert client.get(f"/report/{rid}/township-form.pdf").status_code == 404  # not escalated yet
    api.act("township", rid, "escalate", {"opinion": "涉及危险化学品，建议县应急管理局牵头处置"})
    with client.get(f"/report/{rid}/township-form.pdf") as response:
        assert response.status_code == 200
        text = pdf_text(response.data)
    assert "安全生产打非乡镇上报表" in text and "建议县应急管理局牵头处置" in text


def test_an_escalation_email_carries_both_forms(make_app, sink, auth):
    from app.jobs.outbox import deliver
    from app.models import Notification
    from tests.conftest import mail_config

    app = make_app(**mail_config(sink))
    api = Api(app.test_client(), type(auth)(app.test_client()))
    rid = api.submitted(app)
    api.act("township", rid, "escalate", {"opinion": "报县处置"})
    with app.app_context():
        for n in db.session.query(Notification).filter_by(report_id=rid).order_by(Notification.id):
            deliver(n.id)
    submit_mail, escalate_mail = (message for _, message in sink.messages)
    names = [[part.get_filename() for part in m.iter_attachments()] for m in (submit_mail, escalate_mail)]
    assert names[0] == [f"安全生产打非村居上报表-SG-{TODAY().year}-{rid:06d}.pdf"]
    assert [n.split("-")[0] for n in names[1]] == ["安全生产打非乡镇上报表", "安全生产打非村居上报表"]
    attached = next(escalate_mail.iter_attachments()).get_content()
    assert attached.startswith(b"%PDF") and "报县处置" in pdf_text(attached)


def test_a_village_sees_its_own_ledger_only(app, api, client, auth):
    mine = api.submitted(app, activity="村东非法储存液化气钢瓶")
    api.submitted(app, user="grid_b", village="前湖村", activity="前湖村非法采砂")
    auth.login("grid_a")
    page = client.get("/ledger/village/").get_data(as_text=True)
    assert "村东非法储存液化气钢瓶" in page and "前湖村非法采砂" not in page
    assert "村居安全生产打非工作台账" in page and f"SG-{TODAY().year}-{mine:06d}" in page
    other = client.get(f"/ledger/village/?unit={org_id(app, '前湖村')}").get_data(as_text=True)
    assert "前湖村非法采砂" not in other and "请选择本辖区内的单位" in other
    assert client.get("/ledger/township/").status_code == 403
    response = client.post("/ledger/village/export", data={"unit": org_id(app, "前湖村"), "start": TODAY().isoformat(),
                                                           "end": TODAY().isoformat(), "format": "pdf"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(Document).count() == 0


def test_the_township_ledger_downloads_as_excel_with_the_pages_rows(app, api, client, auth):
    for activity in ("村东非法储存液化气钢瓶", "废弃厂房非法加工烟花爆竹"):
        api.submitted(app, activity=activity)
    api.submitted(app, user="grid_b", village="前湖村", activity="前湖村非法采砂")
    auth.login("township")
    month = {"start": TODAY().replace(day=1).isoformat(), "end": TODAY().isoformat()}
    page = client.get("/ledger/township/").get_data(as_text=True)
    assert page.count("<tr>") == 4  # the header and three cases
    response = client.post("/ledger/township/export", data={"unit": org_id(app, "沙沟镇"), **month, "format": "xlsx"})
    document_url = response.location
    assert "/documents/" in document_url
    assert "0%" in client.get(document_url).get_data(as_text=True)  # the progress bar, before the job ran
    render_all(app)
    status = client.get(document_url + "/status").json
    assert status["state"] == "done" and status["progress"] == 100
    with client.get(status["url"]) as download:
        assert download.status_code == 200
        sheet = load_workbook(io.BytesIO(download.data)).active
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, row in enumerate(values) if row and row[0] == "序号")
    rows = [row for row in values[header_at + 1:] if row and row[0] is not None]
    assert [row[0] for row in rows] == [1, 2, 3]
    on_page = re.findall(r"SG-\d{4}-\d{6}", page)
    assert [row[values[header_at].index("案件编号")] for row in rows] == on_page  # the same rows, same order
    activities = {row[values[header_at].index("非法生产经营建设行为")] for row in rows}
    assert activities == {"村东非法储存液化气钢瓶", "废弃厂房非法加工烟花爆竹", "前湖村非法采砂"}
    discovered = rows[0][values[header_at].index("排查时间")]
    assert discovered.date() == TODAY()  # a real date, not text


def test_a_ledger_pdf_reports_progress_while_it_renders(app, api, client, auth, monkeypatch):
    for _ in range(7):
        api.submitted(app)
    monkeypatch.setitem(pdf_module.render_pdf_in_parts.__kwdefaults__, "part_rows", 3)  # three parts
    seen = []
    real = document_jobs._progress
    monkeypatch.setattr(document_jobs, "_progress", lambda d, done, total: (seen.append(done), real(d, done, total)))
    auth.login("township")
    client.post("/ledger/township/export", data={"unit": org_id(app, "沙沟镇"), "start": TODAY().isoformat(),
                                                  "end": TODAY().isoformat(), "format": "pdf"})
    render_all(app)
    assert seen == [3, 6, 7]
    with app.app_context():
        document = db.session.query(Document).one()
        assert (document.state, document.progress) == ("done", 100)
    with client.get(f"/documents/{document.id}/file") as download:
        text = pdf_text(download.data)
    assert "乡镇安全生产打非工作台账" in text and "沙沟镇" in text


@pytest.mark.parametrize("user, allowed", [("grid_a", True), ("head_a", True), ("township", True), ("county", True),
                                           ("grid_b", False), ("dept_a", False), ("committee", False)])
def test_a_village_ledger_file_is_downloaded_within_scope_only(app, api, client, auth, user, allowed):
    api.submitted(app)
    auth.login("grid_a")
    client.post("/ledger/village/export", data={"unit": org_id(app, "沙沟村"), "start": TODAY().isoformat(),
                                                 "end": TODAY().isoformat(), "format": "xlsx"})
    render_all(app)
    with app.app_context():
        document_id = db.session.query(Document.id).scalar()
    auth.logout()
    auth.login(user)
    for path in (f"/documents/{document_id}", f"/documents/{document_id}/status", f"/documents/{document_id}/file"):
        with client.get(path) as response:
            assert response.status_code == (200 if allowed else 404), (path, response.status_code)
    listed = client.get("/documents/").get_data(as_text=True)
    assert (f"/documents/{document_id}\"" in listed) is allowed


def test_the_case_file_has_the_timeline_and_stays_with_the_case(app, api, client, auth):
    rid = api.submitted(app)
    api.act("township", rid, "reject", {"reason": "经核实为合法经营"})
    auth.login("township")
    document_url = client.post(f"/documents/case-file/{rid}").location
    render_all(app)
    with client.get(document_url + "/file") as response:
        text = pdf_text(response.data)
    assert "经核实为合法经营" in text and "不予受理" in text
    auth.logout()
    auth.login("grid_b")
    assert client.post(f"/documents/case-file/{rid}").status_code == 404
    assert client.get(document_url + "/file").status_code == 404


def test_the_case_list_exports_what_the_page_shows(app, api, client, auth):
    api.submitted(app, activity="已上报的案件")
    api.create(app, activity="还是草稿的案件")
    api.submitted(app, user="grid_b", village="前湖村", activity="别村的案件")
    auth.login("grid_a")
    document_url = client.post("/documents/case-list", data={"query": "_flt_0_state=submitted"}).location
    render_all(app)
    with client.get(document_url + "/file") as response:
        sheet = load_workbook(io.BytesIO(response.data)).active
    cells = {cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)}
    assert "已上报的案件" in cells and "还是草稿的案件" not in cells and "别村的案件" not in cells


def test_a_long_ledger_is_paged_keeping_the_unit_and_period(app, api, client, auth, monkeypatch):
    from app.views import documents as ledger_views

    monkeypatch.setattr(ledger_views, "LEDGER_PAGE_SIZE", 1)
    for n in range(9):
        api.submitted(app, activity=f"第{n + 1}处非法行为")
    auth.login("township")
    first = client.get("/ledger/township/").get_data(as_text=True)
    assert "第1处非法行为" in first and "第2处非法行为" not in first
    assert "page=9" in first and "page=6" not in first and "&hellip;" in first  # a window, not every page
    unit = org_id(app, "沙沟镇")
    fifth = client.get(f"/ledger/township/?unit={unit}&start={TODAY().replace(day=1)}&end={TODAY()}&page=5")
    page = fifth.get_data(as_text=True)
    assert "第5处非法行为" in page and f"unit={unit}" in page and "page=1" in page


def test_a_case_list_export_is_its_requesters_alone(app, api, client, auth):
    api.create(app, activity="村里的草稿")
    auth.login("admin")  # sees everything, drafts included; belongs to the county
    document_url = client.post("/documents/case-list", data={"query": ""}).location
    render_all(app)
    with client.get(document_url + "/file") as response:
        assert response.status_code == 200
    auth.logout()
    auth.login("county")
    assert client.get(document_url + "/file").status_code == 404
    assert client.get(document_url).status_code == 404


def test_a_document_whose_file_is_gone_is_not_found(app, api, client, auth):
    api.submitted(app)
    auth.login("township")
    document_url = client.post(f"/documents/case-file/{1}").location
    render_all(app)
    with app.app_context():
        document_jobs.path_of(db.session.query(Document).one()).unlink()
    assert client.get(document_url + "/file").status_code == 404


def test_the_document_api_queues_follows_and_serves_a_ledger(app, api):
    api.submitted(app)
    body = {"kind": "village_ledger", "unit_id": org_id(app, "沙沟村"), "start": TODAY().isoformat(),
            "end": TODAY().isoformat(), "format": "xlsx"}
    queued = api("grid_a", "POST", "/document/", body)
    assert queued.status_code == 202 and queued.json["result"]["state"] == "queued"
    document_id = queued.json["id"]
    assert api("grid_a", "GET", f"/document/{document_id}/file").status_code == 409  # not rendered yet
    render_all(app)
    assert api("grid_a", "GET", f"/document/{document_id}").json["result"]["progress"] == 100
    with api("township", "GET", f"/document/{document_id}/file") as response:
        assert response.status_code == 200
        assert load_workbook(io.BytesIO(response.data)).active.cell(1, 1).value.startswith("村居安全生产打非工作台账")
    assert api("grid_b", "GET", f"/document/{document_id}/file").status_code == 404
    assert api("grid_b", "GET", f"/document/{document_id}").status_code == 404
    assert [d["id"] for d in api("grid_b", "GET", "/document/").json["result"]] == []


@pytest.mark.parametrize("body, field", [
    ({"kind": "village_ledger", "unit_id": "1", "start": "2026-12-01", "end": "2026-12-31"}, "unit_id"),
    ({"kind": "village_ledger", "unit_id": 1, "start": "12/01/2026", "end": "2026-12-31"}, "start"),
    ({"kind": "township_ledger", "unit_id": 1, "start": "2026-12-31", "end": "2026-12-01"}, "end"),
    ({"kind": "case_file", "report_id": None}, "report_id"),
    ({"kind": "bulletin"}, "kind"),
    ({"kind": ["village_ledger"]}, "kind"),
    ({"kind": "case_file", "report_id": 2**70}, "report_id"),
    ({"kind": "village_ledger", "unit_id": 2**70, "start": "2026-12-01", "end": "2026-12-31"}, "unit_id"),
    ({"kind": "village_ledger", "unit_id": 1, "start": "2026-12-01", "end": "2026-12-31"}, "unit_id"),  # a township
])
def test_a_bad_document_request_is_refused_in_chinese(app, api, body, field):
    if body.get("unit_id") == 1:
        body = {**body, "unit_id": org_id(app, "沙沟镇")}
    response = api("township", "POST", "/document/", body)
    assert response.status_code == 422 and field in response.json["message"], response.json
    assert all("\u4e00" <= ch <= "\u9fff" for ch in response.json["message"][field][0][:1])
    with app.app_context():
        assert db.session.query(Document).count() == 0


def test_a_document_request_must_be_a_json_object(api):
    assert api("township", "POST", "/document/", ["village_ledger"]).status_code == 422
