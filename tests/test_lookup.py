"""Paged look-ups: a select asks for 20 units at a time, within the user's scope."""
import pytest

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


def test_a_lookup_finds_several_kinds_and_names_chosen_ids(app, client, auth):
    auth.login("admin")
    leads = names(client.get("/lookup/organization?kind=committee,department&q=安全"))
    assert "工矿商贸安全专委会" in leads and "沙沟村" not in leads
    chosen = client.get(f"/lookup/organization?kind=village&ids={org_id(app, '前湖村')},{org_id(app, '应急管理局')}")
    assert names(chosen) == ["前湖村"]  # a department is not a village


@pytest.mark.parametrize("url, absent", [
    ("/users/add", "张庄村第2网格"),  # the user's organisation
    ("/routing-rule/add", "住房和城乡建设局"),  # area, lead and assisting units
    ("/report/list/", "后湖村"),  # the village and unit filters
    ("/users/list/", "李庄村"),  # the organisation filter
])
def test_no_form_or_filter_lists_every_unit(client, auth, url, absent):
    auth.login("admin")
    page = client.get(url).get_data(as_text=True)
    assert "form-control lookup" in page and absent not in page


def test_the_case_list_filters_by_a_village_chosen_in_the_lookup(app, client, auth):
    from tests.workflow_helpers import Api

    api = Api(client, auth)
    for village, user in (("沙沟村", "grid_a"), ("前湖村", "grid_b")):
        api.act(user, api.create(app, user=user, activity=f"{village}非法储油"), "submit")
    auth.login("township")
    page = client.get(f"/report/list/?_flt_0_village={org_id(app, '前湖村')}").get_data(as_text=True)
    assert "前湖村非法储油" in page and "沙沟村非法储油" not in page


def test_a_routing_rule_form_refuses_a_unit_outside_the_lookup(app, client, auth):
    auth.login("admin")
    form = {"category": "1", "area": str(org_id(app, "沙沟镇")), "lead": str(org_id(app, "沙沟村"))}
    page = client.post("/routing-rule/add", data=form).get_data(as_text=True)
    assert "请从列出的单位中选择" in page
