"""Paged look-ups: a select asks for 20 units at a time, within the user's scope."""
from app.extensions import db
from app.models import Organization, Report
from tests.conftest import org_id
from tests.workflow_helpers import case_body


def names(response):
    assert response.status_code == 200
    return [row["text"] for row in response.json["results"]]


def test_a_lookup_returns_only_units_in_scope_matching_the_text(client, auth):
    auth.login("grid_b")
    assert names(client.get("/lookup/organization?kind=village")) == ["前湖村"]
    auth.logout()
    auth.login("township")
    assert set(names(client.get("/lookup/organization?kind=village&q=沙沟"))) == {"沙沟村", "沙沟社区"}
    assert names(client.get("/lookup/organization?kind=nonsense")) == []


def test_a_lookup_pages_through_many_units(app, client, auth):
    with app.app_context():
        district = db.session.get(Organization, org_id(app, "东部管理区"))
        db.session.add_all(Organization(name=f"新村{n:02d}", kind="village", parent=district) for n in range(25))
        db.session.commit()
    auth.login("township")
    first = client.get("/lookup/organization?kind=village&q=新村&page=1")
    second = client.get("/lookup/organization?kind=village&q=新村&page=2")
    assert len(names(first)) == 20 and first.json["pagination"]["more"] is True
    assert len(names(second)) == 5 and second.json["pagination"]["more"] is False
    assert set(names(first)).isdisjoint(names(second))


def test_the_case_form_refuses_a_village_outside_the_users_scope(app, client, auth):
    auth.login("grid_a")
    page = client.post("/report/add", data=case_body(app, village="前湖村")).get_data(as_text=True)
    assert "请从列出的单位中选择" in page
    with app.app_context():
        assert db.session.query(Report).count() == 0
