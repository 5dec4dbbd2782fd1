"""The organisation scope (DESIGN §1): what each user sees, through the HTML views and the API."""
import pytest

from app.extensions import db
from app.models import Organization
from tests.conftest import org_id


def api_names(client, auth, username):
    """Names of the organisations `username` gets from the API."""
    headers = auth.headers(username)
    response = client.get("/api/v1/organization/?q=(page_size:100)", headers=headers)
    assert response.status_code == 200
    return {row["name"] for row in response.json["result"]}


def test_township_sees_its_villages_and_units_but_not_the_county(client, auth):
    names = api_names(client, auth, "township")
    assert {"沙沟镇", "沙沟村", "前湖村", "张庄村", "东部管理区", "工矿商贸安全专委会", "沙沟村第1网格"} <= names
    assert not names & {"示范县", "应急管理局", "自然资源局"}


def test_a_village_sees_only_itself_and_its_grids(client, auth):
    assert api_names(client, auth, "grid_a") == {"沙沟村", "沙沟村第1网格", "沙沟村第2网格"}
    assert api_names(client, auth, "grid_b") == {"前湖村", "前湖村第1网格", "前湖村第2网格"}


def test_a_department_does_not_see_the_township(client, auth):
    assert api_names(client, auth, "dept_a") == {"应急管理局"}


def test_county_and_admin_see_the_whole_county(app, client, auth):
    with app.app_context():
        everything = {name for (name,) in db.session.query(Organization.name)}
    assert api_names(client, auth, "county") == everything
    assert api_names(client, auth, "admin") == everything


def test_a_unit_outside_the_scope_is_not_found(app, client, auth):
    headers = auth.headers("grid_a")
    assert client.get(f"/api/v1/organization/{org_id(app, '前湖村')}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/organization/{org_id(app, '沙沟村')}", headers=headers).status_code == 200


@pytest.mark.parametrize("username, visible, hidden", [
    ("township", ["沙沟村", "前湖村", "李庄村"], []),
    ("grid_a", ["沙沟村"], ["前湖村", "李庄村"]),
    ("grid_b", ["前湖村"], ["沙沟村", "李庄村"]),
    ("dept_a", [], ["沙沟村", "前湖村", "李庄村"]),
])
def test_the_village_list_page_shows_only_the_scope(client, auth, username, visible, hidden):
    auth.login(username)
    page = client.get("/organization/village/list/").get_data(as_text=True)
    for name in visible:
        assert name in page
    for name in hidden:
        assert name not in page


def test_a_show_page_outside_the_scope_is_refused(app, client, auth):
    auth.login("grid_a")
    assert client.get(f"/organization/village/show/{org_id(app, '沙沟村')}").status_code == 200
    assert client.get(f"/organization/village/show/{org_id(app, '前湖村')}").status_code == 404


def test_a_user_without_organisation_sees_nothing(app, client, auth):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user("nobody", "无", "机构", "nobody@demo.invalid", sm.find_role("TownshipOffice"),
                    password="Test#demo-2026")
    assert api_names(client, auth, "nobody") == set()


def test_a_deactivated_organisation_sees_nothing(app, client, auth):
    with app.app_context():
        db.session.get(Organization, org_id(app, "沙沟村")).active = False
        db.session.commit()
    assert api_names(client, auth, "grid_a") == set()


def test_moving_a_village_moves_its_grids_into_the_new_scope(app, client, auth):
    with app.app_context():
        village = db.session.get(Organization, org_id(app, "沙沟村"))
        west = db.session.get(Organization, org_id(app, "西部管理区"))
        village.parent = west
        db.session.commit()
        grid = db.session.get(Organization, org_id(app, "沙沟村第1网格"))
        assert village.path == f"{west.path}{village.id}/"
        assert grid.path == f"{village.path}{grid.id}/"
    auth.login("admin")
    names = client.get(f"/organization/grid/list/?_flt_0_parent={org_id(app, '沙沟村')}").get_data(as_text=True)
    assert "沙沟村第1网格" in names
