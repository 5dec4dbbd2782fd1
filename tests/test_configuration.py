"""Settings, categories and routing rules as an administrator edits them (DESIGN §3, §4 deadlines)."""
import pytest

from app.extensions import db
from app.models import Category, RoutingRule, get_setting
from tests.conftest import org_id


def test_defaults_follow_the_notice(app):
    with app.app_context():
        assert get_setting("village_report_days") == 2
        assert get_setting("township_escalation_days") == 2
        assert get_setting("case_number_prefix") == "SG"


def test_admin_edits_the_settings(app, client, auth):
    auth.login("admin")
    page = client.get("/settings/form").get_data(as_text=True)
    assert "村居上报时限（天）" in page and 'value="2"' in page
    data = {"site_name": "沙沟打非通", "case_number_prefix": "SGZ", "village_report_days": "3",
            "township_escalation_days": "2", "department_ack_days": "1", "resolution_days": "10"}
    client.post("/settings/form", data=data, follow_redirects=True)
    with app.app_context():
        assert get_setting("village_report_days") == 3 and get_setting("case_number_prefix") == "SGZ"


@pytest.mark.parametrize("field, value, message", [
    ("village_report_days", "0", "数值大小必须介于 1 到 365 之间"),
    ("case_number_prefix", "sg-1", "请使用1至10位大写字母或数字"),
])
def test_bad_settings_change_nothing(app, client, auth, field, value, message):
    auth.login("admin")
    data = {"site_name": "打非通", "case_number_prefix": "SG", "village_report_days": "2",
            "township_escalation_days": "2", "department_ack_days": "1", "resolution_days": "15", field: value}
    page = client.post("/settings/form", data=data).get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert get_setting("village_report_days") == 2 and get_setting("case_number_prefix") == "SG"


def test_the_seven_categories_of_the_notice(client, auth):
    response = client.get("/api/v1/category/?q=(page_size:100)", headers=auth.headers("grid_a"))
    assert [c["name"] for c in response.json["result"]] == [
        "非法建设", "非法采矿", "非法经营液化气、汽油、柴油", "非法生产小化工、小医药",
        "非法存储危险化学品", "非法制作经营烟花爆竹", "其他"]


def test_routing_rules_route_township_to_committee_and_county_to_departments(app):
    with app.app_context():
        mining = db.session.query(Category).filter_by(name="非法采矿").one()
        rules = {r.area.kind: r for r in db.session.query(RoutingRule).filter_by(category=mining)}
        assert rules["township"].lead.name == "自然资源安全专委会"
        assert rules["county"].lead.name == "自然资源局"
        assert {d.name for d in rules["county"].assisting} == {"公安局", "生态环境局"}


def test_a_rule_routing_a_township_to_a_department_is_refused(app, client, auth):
    auth.login("admin")
    with app.app_context():
        category = db.session.query(Category).filter_by(name="其他").one().id
        db.session.query(RoutingRule).filter_by(category_id=category).delete()
        db.session.commit()
    page = client.post("/routing-rule/add", data={
        "category": category, "area": org_id(app, "沙沟镇"), "lead": org_id(app, "应急管理局")}).get_data(as_text=True)
    assert "乡镇的牵头单位必须是本乡镇的专委会、管理区或站所" in page
    with app.app_context():
        assert db.session.query(RoutingRule).filter_by(category_id=category).count() == 0


def test_routing_rules_are_scoped(client, auth):
    auth.login("township")
    page = client.get("/routing-rule/list/").get_data(as_text=True)
    assert "自然资源安全专委会" in page and "住房和城乡建设局" not in page


def test_forms_without_a_csrf_token_are_refused(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.get("/login/")
    assert client.post("/login/", data={"username": "admin", "password": "x"}).status_code == 400


def test_api_login_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="3 per minute")
    client = app.test_client()
    body = {"username": "admin", "password": "wrong", "provider": "db"}
    codes = [client.post("/api/v1/security/login", json=body).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
