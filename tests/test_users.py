"""Administrators create users in an organisation with a role, and deactivate them."""
import re

from app.extensions import db
from app.models import OrgUser
from tests.conftest import org_id


def role_id(app, name):
    with app.app_context():
        return app.appbuilder.sm.find_role(name).id


def test_admin_creates_a_grid_worker_who_then_sees_only_the_village(app, client, auth):
    auth.login("admin")
    form = client.get("/users/add").get_data(as_text=True)
    assert "网格员" in form and "所属机构" in form
    response = client.post("/users/add", data={
        "username": "grid_c", "first_name": "孙", "last_name": "网格", "email": "grid_c@demo.invalid",
        "organization": org_id(app, "后湖村"), "roles": [role_id(app, "GridWorker")], "active": "y",
        "password": "Grid#worker-2026", "conf_password": "Grid#worker-2026"}, follow_redirects=True)
    assert response.status_code == 200
    assert "网格员" in client.get("/users/list/").get_data(as_text=True)
    auth.logout()
    headers = {"Authorization": f"Bearer {auth.token('grid_c', 'Grid#worker-2026')}"}
    names = {r["name"] for r in client.get("/api/v1/organization/", headers=headers).json["result"]}
    assert names == {"后湖村", "后湖村第1网格", "后湖村第2网格"}


def test_a_user_needs_a_role(app, client, auth):
    auth.login("admin")
    page = client.post("/users/add", data={
        "username": "norole", "first_name": "无", "last_name": "角色", "email": "norole@demo.invalid",
        "organization": org_id(app, "后湖村"), "active": "y",
        "password": "Grid#worker-2026", "conf_password": "Grid#worker-2026"}).get_data(as_text=True)
    assert "请至少选择一个角色" in page
    with app.app_context():
        assert db.session.query(OrgUser).filter_by(username="norole").count() == 0


def test_a_deactivated_user_cannot_log_in(app, client, auth):
    with app.app_context():
        db.session.query(OrgUser).filter_by(username="grid_b").one().active = False
        db.session.commit()
    response = client.post("/api/v1/security/login",
                           json={"username": "grid_b", "password": "Test#demo-2026", "provider": "db"})
    assert response.status_code == 401


def test_times_on_the_user_page_have_no_microseconds(app, client, auth):
    auth.login("admin")
    with app.app_context():
        user_id = db.session.query(OrgUser.id).filter_by(username="admin").scalar()
    page = client.get(f"/users/show/{user_id}").get_data(as_text=True)
    assert re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d<", page) or re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d\s", page)
    assert not re.search(r"\d\d:\d\d:\d\d\.\d{6}", page)
