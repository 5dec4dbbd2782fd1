"""Cases never leak between villages or departments, whatever the API door (DESIGN §1, §10)."""
import io

import pytest
from PIL import Image

from app.extensions import db
from app.models import Attachment, Report, ReportEvent
from tests.conftest import org_id
from tests.workflow_helpers import Api, case_body


@pytest.fixture
def api(client, auth):
    return Api(client, auth)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(api, user, report_id, status=201):
    api.tokens.setdefault(user, api.auth.token(user))
    response = api.client.post("/api/v1/attachment/", headers={"Authorization": f"Bearer {api.tokens[user]}"},
                               data={"report_id": str(report_id), "file": (io.BytesIO(png()), "现场照片.png")},
                               content_type="multipart/form-data")
    assert response.status_code == status, (user, report_id, response.get_data(as_text=True))
    return response.json.get("id")


def file_status(api, user, attachment_id):
    """GET /attachment/<id>/file, closing the streamed file."""
    response = api(user, "GET", f"/attachment/{attachment_id}/file")
    try:
        if response.status_code == 200:
            assert response.get_data().startswith(b"\x89PNG")
        return response.status_code
    finally:
        response.close()


def ids(api, user, resource):
    response = api(user, "GET", f"/{resource}/?q=(page_size:100)")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["id"] for row in response.json["result"]}


def report_ids_of(api, user, resource):
    response = api(user, "GET", f"/{resource}/?q=(page_size:100)")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {row["report_id"] for row in response.json["result"]}


def event_ids(app, report_id):
    with app.app_context():
        return [i for (i,) in db.session.query(ReportEvent.id).filter_by(report_id=report_id)]


def exists(app, report_id):
    with app.app_context():
        return db.session.get(Report, report_id) is not None


def village_cases(app, api, user, village):
    """A draft and a submitted case of `user`'s village, each with a photo; the ids and the photos' ids."""
    draft = api.create(app, user, village=village)
    draft_photo = upload(api, user, draft)
    submitted = api.create(app, user, village=village)
    submitted_photo = upload(api, user, submitted)
    api.act(user, submitted, "submit")
    return {"draft": draft, "submitted": submitted, "photos": {draft_photo, submitted_photo}}


@pytest.mark.parametrize("viewer, viewer_village, other, other_village", [
    ("grid_b", "前湖村", "grid_a", "沙沟村"),
    ("grid_a", "沙沟村", "grid_b", "前湖村"),
])
def test_a_village_sees_nothing_of_the_other_village(app, api, viewer, viewer_village, other, other_village):
    mine = village_cases(app, api, viewer, viewer_village)
    theirs = village_cases(app, api, other, other_village)
    their_cases = [theirs["draft"], theirs["submitted"]]

    assert ids(api, viewer, "report") == {mine["draft"], mine["submitted"]}
    assert ids(api, viewer, "attachment") == mine["photos"]
    assert report_ids_of(api, viewer, "report_event") == {mine["submitted"]}
    assert report_ids_of(api, viewer, "attachment") == {mine["draft"], mine["submitted"]}
    for rid in their_cases:
        assert api(viewer, "GET", f"/report/{rid}").status_code == 404
        assert api(viewer, "PUT", f"/report/{rid}", {"activity": "篡改"}).status_code == 404
        assert api(viewer, "DELETE", f"/report/{rid}").status_code == 404
        upload(api, viewer, rid, status=404)
        assert exists(app, rid)
    for event in event_ids(app, theirs["submitted"]):
        assert api(viewer, "GET", f"/report_event/{event}").status_code == 404
    for photo in theirs["photos"]:
        assert api(viewer, "GET", f"/attachment/{photo}").status_code == 404
        assert file_status(api, viewer, photo) == 404
    with app.app_context():
        assert db.session.get(Report, theirs["draft"]).activity != "篡改"
        assert db.session.query(Attachment).filter(Attachment.report_id.in_(their_cases)).count() == 2

    # The viewer's own doors work, so the 404s above are about scope, not broken routes.
    assert api(viewer, "GET", f"/report/{mine['submitted']}").status_code == 200
    photo = min(mine["photos"])
    assert api(viewer, "GET", f"/attachment/{photo}").status_code == 200
    assert file_status(api, viewer, photo) == 200
    assert api(viewer, "GET", f"/report_event/{event_ids(app, mine['submitted'])[0]}").status_code == 200


@pytest.mark.parametrize("user, village", [("grid_a", "沙沟村"), ("head_a", "沙沟村"), ("grid_b", "前湖村")])
def test_the_village_choices_of_a_village_user_are_only_its_own_village(api, user, village):
    response = api(user, "GET", "/report/_info?q=(keys:!(add_columns,edit_columns))")
    assert response.status_code == 200
    for key in ("add_columns", "edit_columns"):
        field = next(f for f in response.json[key] if f["name"] == "village")
        assert [v["value"] for v in field["values"]] == [village], key


def test_the_township_chooses_among_its_villages_only(api):
    response = api("township", "GET", "/report/_info?q=(keys:!(add_columns))")
    field = next(f for f in response.json["add_columns"] if f["name"] == "village")
    assert {v["value"] for v in field["values"]} == {"沙沟村", "前湖村", "后湖村", "张庄村", "李庄村", "沙沟社区"}


def test_a_village_user_posting_another_village_gets_its_own(app, api):
    other = org_id(app, "前湖村")
    response = api("grid_a", "POST", "/report/", case_body(app, village="前湖村"))
    assert response.status_code == 201, response.get_data(as_text=True)
    rid = response.json["id"]
    assert api("grid_a", "GET", f"/report/{rid}").json["result"]["village"]["name"] == "沙沟村"
    with app.app_context():
        assert db.session.get(Report, rid).village_id != other
    api.act("grid_a", rid, "submit")
    assert api("grid_b", "GET", f"/report/{rid}").status_code == 404
    assert rid not in ids(api, "grid_b", "report")
    # Editing the draft towards the other village is ignored the same way.
    rid2 = api.create(app, "grid_a")
    assert api("grid_a", "PUT", f"/report/{rid2}", {"village": other}).status_code == 200
    assert api("grid_a", "GET", f"/report/{rid2}").json["result"]["village"]["name"] == "沙沟村"


def dispatched(app, api, lead, assisting=()):
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    api.act("township", rid, "escalate", {"opinion": "请县安委办转办"})
    api.act("county", rid, "dispatch", {"lead_department_id": org_id(app, lead),
                                        "assisting_department_ids": [org_id(app, a) for a in assisting]})
    return rid


def visible_to(app, api, user, rid):
    """Whether `user` sees case `rid` through each door, as {door: bool}."""
    doors = {
        "list": rid in ids(api, user, "report"),
        "show": api(user, "GET", f"/report/{rid}").status_code == 200,
        "events": rid in report_ids_of(api, user, "report_event"),
    }
    event = event_ids(app, rid)[0]
    doors["event"] = api(user, "GET", f"/report_event/{event}").status_code == 200
    return doors


def test_a_department_sees_a_case_only_once_dispatched_to_it(app, api):
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    api.act("township", rid, "escalate", {"opinion": "请县安委办转办"})
    county_photo = upload(api, "county", rid)
    for dept in ("dept_a", "dept_b"):
        assert not any(visible_to(app, api, dept, rid).values()), dept
        assert api(dept, "GET", f"/attachment/{county_photo}").status_code == 404
        upload(api, dept, rid, status=404)
        assert api(dept, "POST", f"/report/{rid}/acknowledge").status_code == 404

    api.act("county", rid, "dispatch", {"lead_department_id": org_id(app, "应急管理局")})
    assert all(visible_to(app, api, "dept_a", rid).values())
    assert file_status(api, "dept_a", county_photo) == 200
    assert not any(visible_to(app, api, "dept_b", rid).values())
    assert api("dept_b", "GET", f"/attachment/{county_photo}").status_code == 404
    assert file_status(api, "dept_b", county_photo) == 404
    assert county_photo not in ids(api, "dept_b", "attachment")


def test_an_assisting_department_sees_the_case_and_others_do_not(app, api):
    joint = dispatched(app, api, "住房和城乡建设局", assisting=["自然资源局"])
    elsewhere = dispatched(app, api, "商务局", assisting=["市场监督管理局"])
    mine = dispatched(app, api, "应急管理局")
    photo = upload(api, "dept_a", mine)

    assert all(visible_to(app, api, "dept_b", joint).values())
    assert not any(visible_to(app, api, "dept_a", joint).values())
    for dept in ("dept_a", "dept_b"):
        assert not any(visible_to(app, api, dept, elsewhere).values()), dept
    assert ids(api, "dept_a", "report") == {mine}
    assert ids(api, "dept_b", "report") == {joint}
    assert ids(api, "dept_a", "attachment") == {photo}
    assert ids(api, "dept_b", "attachment") == set()
    assert file_status(api, "dept_b", photo) == 404
    # Seeing a case as an assisting department is no licence to act as its lead.
    assert api("dept_b", "POST", f"/report/{joint}/acknowledge").status_code == 403


def test_a_submitted_case_cannot_be_deleted(app, api):
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    response = api("grid_a", "DELETE", f"/report/{rid}")
    assert response.status_code == 409, response.get_data(as_text=True)
    assert api("township", "DELETE", f"/report/{rid}").status_code in (403, 409)
    assert api("admin", "DELETE", f"/report/{rid}").status_code in (403, 409)
    with app.app_context():
        report = db.session.get(Report, rid)
        assert report is not None and report.state == "submitted" and len(report.events) == 1
    assert api("township", "GET", f"/report/{rid}").status_code == 200


def test_a_draft_can_be_deleted_by_its_village(app, api):
    rid = api.create(app)
    upload(api, "grid_a", rid)
    assert api("grid_b", "DELETE", f"/report/{rid}").status_code == 404
    assert api("grid_a", "DELETE", f"/report/{rid}").status_code == 200
    assert not exists(app, rid)


def test_a_submitted_case_cannot_be_edited(app, api):
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    for user in ("grid_a", "township"):
        response = api(user, "PUT", f"/report/{rid}", {"activity": "改写后的内容"})
        assert response.status_code == 409, (user, response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Report, rid).activity == case_body(app)["activity"]


def test_the_township_sees_a_village_draft_only_once_submitted(app, api):
    rid = api.create(app)
    photo = upload(api, "grid_a", rid)
    for user in ("township", "leader", "county", "head_a"):
        expected = user == "head_a"  # the village's own head sees its drafts
        assert (rid in ids(api, user, "report")) is expected, user
        assert (api(user, "GET", f"/report/{rid}").status_code == 200) is expected, user
        assert (photo in ids(api, user, "attachment")) is expected, user
    assert file_status(api, "township", photo) == 404
    assert api("township", "POST", f"/report/{rid}/assign",
               {"handler_id": org_id(app, "工矿商贸安全专委会")}).status_code == 404

    api.act("grid_a", rid, "submit")
    assert rid in ids(api, "township", "report")
    assert api("township", "GET", f"/report/{rid}").status_code == 200
    assert file_status(api, "township", photo) == 200
    assert rid not in ids(api, "grid_b", "report")
