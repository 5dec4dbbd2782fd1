"""Organisation forms and API: parents that make sense for the kind, errors in Chinese, nothing saved."""
import pytest

from app.extensions import db
from app.models import Organization
from tests.conftest import org_id


def count(app, **filters):
    with app.app_context():
        return db.session.query(Organization).filter_by(**filters).count()


def test_the_village_form_offers_only_districts_and_townships_as_parents(client, auth):
    auth.login("admin")
    page = client.get("/organization/village/add").get_data(as_text=True)
    assert "东部管理区" in page and "沙沟镇" in page
    assert "应急管理局" not in page and "工矿商贸安全专委会" not in page
    assert "上级机构" in page and "区划代码" in page


def test_admin_adds_a_village_under_a_district(app, client, auth):
    auth.login("admin")
    response = client.post("/organization/village/add", data={
        "name": "新建村", "parent": org_id(app, "东部管理区"), "code": "370000100099",
        "principal": "陈书记", "phone": "13900000000", "active": "y"}, follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        village = db.session.query(Organization).filter_by(name="新建村").one()
        assert village.kind == "village" and village.parent.name == "东部管理区"
        assert village.path.startswith(village.parent.path)


@pytest.mark.parametrize("parent, message", [
    ("应急管理局", "不是有效的选项"),  # not offered: the server refuses it too
    ("", "村居必须有上级机构（管理区、乡镇）"),
])
def test_a_village_under_a_wrong_parent_is_refused_in_chinese(app, client, auth, parent, message):
    auth.login("admin")
    response = client.post("/organization/village/add", data={
        "name": "错误村", "parent": org_id(app, parent) if parent else "", "active": "y"})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(app, name="错误村") == 0


@pytest.mark.parametrize("field, value, message", [
    ("phone", "abc", "请输入7至20位的电话号码"),
    ("code", "12ab", "区划代码为6至12位数字"),
    ("email", "not-an-address", "请输入有效的电子邮箱"),
])
def test_bad_contact_details_are_refused_next_to_the_field(app, client, auth, field, value, message):
    auth.login("admin")
    data = {"name": "格式村", "parent": org_id(app, "东部管理区"), "active": "y", field: value}
    page = client.post("/organization/village/add", data=data).get_data(as_text=True)
    assert message in page
    assert count(app, name="格式村") == 0


def test_the_api_refuses_a_parent_of_the_wrong_kind_with_422_in_chinese(app, client, auth):
    headers = auth.headers("admin")
    response = client.post("/api/v1/organization/", headers=headers, json={
        "name": "错误村", "kind": "village", "parent": org_id(app, "应急管理局")})
    assert response.status_code == 422
    assert "村居的上级只能是管理区、乡镇，不能是部门" in response.json["message"]["parent"][0]
    assert count(app, name="错误村") == 0


def test_the_api_refuses_an_unknown_kind(client, auth):
    response = client.post("/api/v1/organization/", headers=auth.headers("admin"),
                           json={"name": "某单位", "kind": "planet"})
    assert response.status_code == 422
    assert "未知的机构类型" in response.json["message"]["parent"][0]


def test_a_duplicate_code_is_refused_without_showing_sql(client, auth, app):
    response = client.post("/api/v1/organization/", headers=auth.headers("admin"), json={
        "name": "重复村", "kind": "village", "parent": org_id(app, "东部管理区"), "code": "370000100001"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "INSERT" not in body and "organization" not in body
    assert response.json["message"] == "与已有记录冲突（例如代码重复）"


def test_a_county_has_no_parent_field(client, auth):
    auth.login("admin")
    page = client.get("/organization/county/add").get_data(as_text=True)
    assert 'name="parent"' not in page
