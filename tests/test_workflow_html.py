"""The case travels the mechanism through the browser pages, as each demo account would."""
import io
import re

from PIL import Image

from app.extensions import db
from app.models import Report
from tests.conftest import org_id
from tests.workflow_helpers import case_body


def html(response) -> str:
    return response.get_data(as_text=True)


def act(client, report_id, action, **form):
    response = client.post(f"/report/{report_id}/act/{action}", data=form, follow_redirects=True)
    assert response.status_code == 200, html(response)
    return html(response)


def state(app, report_id):
    with app.app_context():
        return db.session.get(Report, report_id).state


def file_a_draft(app, client, auth, user="grid_a", **extra) -> int:
    auth.login(user)
    form = {k: v for k, v in case_body(app, **extra).items()}
    response = client.post("/report/add", data=form, follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        return db.session.query(Report.id).order_by(Report.id.desc()).limit(1).scalar()


def test_a_grid_worker_lands_on_the_work_queue_and_the_form_is_prefilled(app, client, auth):
    auth.login("grid_a")
    landing = client.get("/", follow_redirects=True)
    assert "我的待办" in html(landing)
    form = html(client.get("/report/add"))
    assert "村居名称" in form and "非法生产经营建设行为" in form and "排查时间" in form and "上报人" in form
    assert "村居用户上报的案件总是属于本村居" in form and 'data-dismiss="modal">确定</button>' in form
    assert "王网格" in form  # the reporter is the signed-in grid worker


def test_the_county_branch_in_the_browser(app, client, auth):
    rid = file_a_draft(app, client, auth)
    page = html(client.get(f"/report/show/{rid}"))
    assert "草稿" in page and "提交" in page
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(png, format="PNG")
    attached = client.post(f"/report/{rid}/attachment", data={"file": (io.BytesIO(png.getvalue()), "现场.png")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "现场.png" in html(attached)
    act(client, rid, "submit")
    auth.logout()

    auth.login("township")
    queue = html(client.get("/inbox/list/"))
    assert "村东废弃猪场" in queue
    page = html(client.get(f"/report/show/{rid}"))
    assert "上报县" in page and "不予受理" in page and "乡镇处置" in page  # the township's three choices
    act(client, rid, "escalate", opinion="超出乡镇职权，请县安委办转办")
    assert state(app, rid) == "escalated"
    auth.logout()

    auth.login("county")
    page = html(client.get(f"/report/show/{rid}"))
    assert re.search(r'<option value="\d+" selected>应急管理局</option>', page)  # routing rule pre-fills
    act(client, rid, "dispatch", lead_department_id=org_id(app, "应急管理局"),
        assisting_department_ids=[org_id(app, "公安局")])
    auth.logout()

    auth.login("dept_a")
    assert "村东废弃猪场" in html(client.get("/inbox/list/"))
    act(client, rid, "acknowledge")
    page = act(client, rid, "resolve", measures="依法取缔")  # a department must give the result
    assert "必填" in page and state(app, rid) == "acknowledged"
    act(client, rid, "resolve", measures="依法取缔", power_cut_on=case_body(app)["discovered_on"],
        result="已断电并清场")
    auth.logout()

    auth.login("county")
    page = act(client, rid, "close")
    assert state(app, rid) == "closed"
    for step in ("提交", "上报县", "转办", "报到", "处置", "销号"):
        assert step in page, step
    assert "断电" in page and "已断电并清场" in page
    assert "公安局" in page and "[公安局]" not in page  # assisting departments as names, not a list


def test_the_local_branch_in_the_browser(app, client, auth):
    rid = file_a_draft(app, client, auth)
    act(client, rid, "submit")
    auth.logout()
    auth.login("township")
    act(client, rid, "assign", handler_id=org_id(app, "工矿商贸安全专委会"))
    auth.logout()
    auth.login("committee")
    assert "村东废弃猪场" in html(client.get("/inbox/list/"))
    act(client, rid, "resolve", measures="已责令停止经营")
    auth.logout()
    auth.login("township")
    act(client, rid, "close")
    assert state(app, rid) == "closed"


def test_form_errors_are_in_chinese_next_to_the_field_and_nothing_is_saved(app, client, auth):
    auth.login("grid_a")
    form = case_body(app, discovered_on="2999-01-01", reporter_phone="call me")
    page = html(client.post("/report/add", data=form))
    assert "排查时间不能晚于今天" in page or "不能是将来" in page, page
    with app.app_context():
        assert db.session.query(Report).count() == 0


def test_an_action_the_state_does_not_allow_changes_nothing(app, client, auth):
    rid = file_a_draft(app, client, auth)
    act(client, rid, "submit")
    page = act(client, rid, "submit")
    assert state(app, rid) == "submitted" and "不能" in page


def test_a_submitted_case_cannot_be_edited_or_deleted_from_the_pages(app, client, auth):
    rid = file_a_draft(app, client, auth)
    act(client, rid, "submit")
    edit = client.get(f"/report/edit/{rid}", follow_redirects=True)
    assert "只有草稿可以修改或删除" in html(edit)
    client.post(f"/report/delete/{rid}", follow_redirects=True)
    with app.app_context():
        assert db.session.get(Report, rid).state == "submitted"


def test_a_draft_can_be_deleted_by_its_village(app, client, auth):
    rid = file_a_draft(app, client, auth)
    client.post(f"/report/delete/{rid}", follow_redirects=True)
    with app.app_context():
        assert db.session.get(Report, rid) is None


def test_no_page_of_another_village_or_department_shows_the_case(app, client, auth):
    rid = file_a_draft(app, client, auth)
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, format="PNG")
    png.seek(0)
    client.post(f"/report/{rid}/attachment", data={"file": (png, "a.png")}, content_type="multipart/form-data")
    act(client, rid, "submit")
    with app.app_context():
        attachment_id = db.session.get(Report, rid).attachments[0].id
    doors = [f"/report/show/{rid}", f"/report/edit/{rid}", f"/report/{rid}/attachment/{attachment_id}",
             f"/inbox/edit/{rid}"]
    with client.get(doors[2]) as photo:  # its own village may open the photo
        assert photo.status_code == 200 and photo.mimetype == "image/png"
    for user in ("grid_b", "dept_a", "dept_b", "committee"):
        auth.logout()
        auth.login(user)
        for door in doors:  # 403 where the role may not edit at all, 404 where the case is out of scope
            assert client.get(door).status_code in (403, 404), (user, door)
        assert client.get(doors[0]).status_code == 404
        assert client.post(f"/report/{rid}/act/escalate", data={"opinion": "x"}).status_code == 404
        assert client.post(f"/report/delete/{rid}").status_code in (403, 404)
        assert "村东废弃猪场" not in html(client.get("/report/list/"))
        assert "村东废弃猪场" not in html(client.get("/inbox/list/"))
    assert client.get("/report/download/x.png").status_code == 404  # FAB's file door is closed


def test_lists_mark_overdue_cases_and_filter_them(app, client, auth, monkeypatch):
    from datetime import datetime

    from app import clock

    rid = file_a_draft(app, client, auth)
    act(client, rid, "submit")
    auth.logout()
    auth.login("township")
    monkeypatch.setattr(clock, "now", lambda: datetime(2099, 1, 1, 9, 0))
    page = html(client.get("/report/list/"))
    assert 'label-danger' in page and "已逾期" in page
    overdue_only = html(client.get("/report/list/?_flt_4_due_on=1"))
    assert "村东废弃猪场" in overdue_only
    monkeypatch.undo()
    assert "村东废弃猪场" not in html(client.get("/report/list/?_flt_4_due_on=1"))
