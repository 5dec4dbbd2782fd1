"""The case travels the whole mechanism through the REST API (DESIGN §4, §10)."""
import pytest

from app.extensions import db
from app.models import Notification, Report, ReportEvent
from tests.conftest import org_id
from tests.workflow_helpers import Api


@pytest.fixture
def api(client, auth):
    return Api(client, auth)


def events_of(app, report_id):
    with app.app_context():
        return [(e.action, e.from_state, e.to_state, e.organization.name)
                for e in db.session.query(ReportEvent).filter_by(report_id=report_id).order_by(ReportEvent.id)]


def notified(app, report_id, action):
    with app.app_context():
        return sorted(n.organization.name for n in
                      db.session.query(Notification).filter_by(report_id=report_id, kind=action))


def test_the_county_branch_from_village_report_to_closure(app, api):
    rid = api.create(app)
    assert api("grid_a", "GET", f"/report/{rid}").json["result"]["state"] == "draft"

    submitted = api.act("grid_a", rid, "submit").json["result"]
    assert submitted["state"] == "submitted" and submitted["number"].startswith("SG-")
    assert submitted["handling_unit"]["name"] == "沙沟镇"
    api.act("township", rid, "escalate", {"opinion": "超出乡镇职权，请县安委办转办"})
    dept_a, dept_b = org_id(app, "应急管理局"), org_id(app, "自然资源局")
    api.act("county", rid, "dispatch", {"lead_department_id": dept_a, "assisting_department_ids": [dept_b]})
    api.act("dept_a", rid, "acknowledge")
    resolved = api.act("dept_a", rid, "resolve", {
        "measures": "依法取缔", "water_cut_on": submitted["discovered_on"], "power_cut_on": submitted["discovered_on"],
        "materials_cleared_on": submitted["discovered_on"], "result": "已取缔，钢瓶已清运", "fine_yuan": "5000",
    }).json["result"]
    assert resolved["state"] == "resolved" and resolved["handling_unit"]["name"] == "示范县"
    closed = api.act("county", rid, "close").json["result"]
    assert closed["state"] == "closed"

    assert events_of(app, rid) == [
        ("submit", "draft", "submitted", "沙沟村"),
        ("escalate", "submitted", "escalated", "沙沟镇"),
        ("dispatch", "escalated", "dispatched", "示范县"),
        ("acknowledge", "dispatched", "acknowledged", "应急管理局"),
        ("resolve", "acknowledged", "resolved", "应急管理局"),
        ("close", "resolved", "closed", "示范县"),
    ]
    assert notified(app, rid, "dispatch") == ["应急管理局", "自然资源局"]
    assert notified(app, rid, "submit") == ["沙沟镇"]
    with app.app_context():
        record = db.session.get(Report, rid).enforcement
        assert record.result == "已取缔，钢瓶已清运" and float(record.fine_yuan) == 5000
        assert record.site_cleared_on is None and record.water_cut_on is not None


def test_the_local_branch_township_assigns_committee_resolves_township_closes(app, api):
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    committee = org_id(app, "工矿商贸安全专委会")
    assert api.act("township", rid, "assign", {"handler_id": committee}).json["result"]["handler"]["id"] == committee
    api.act("committee", rid, "resolve", {"measures": "已责令停止经营并清理钢瓶"})
    api.act("county", rid, "close", status=403)  # a local case is the township's to close
    api.act("township", rid, "close")
    assert [e[0] for e in events_of(app, rid)] == ["submit", "assign", "resolve", "close"]
