"""The append-only event log and the notifications recorded with it (DESIGN §4, §7)."""
import pytest

from app.extensions import db
from app.models import Notification, Report, ReportEvent
from tests.conftest import org_id
from tests.workflow_helpers import Api, case_body


@pytest.fixture
def api(client, auth):
    return Api(client, auth)


class Log:
    """Take actions and check each leaves exactly the event it should."""

    def __init__(self, app, api):
        self.app, self.api = app, api

    def events(self, rid):
        with self.app.app_context():
            return [dict(action=e.action, from_state=e.from_state, to_state=e.to_state, user=e.user.username,
                         unit=e.organization.name, comment=e.comment, id=e.id)
                    for e in db.session.query(ReportEvent).filter_by(report_id=rid).order_by(ReportEvent.id)]

    def step(self, rid, user, action, body, from_state, to_state, unit, texts=()):
        before = self.events(rid)
        self.api.act(user, rid, action, body)
        after = self.events(rid)
        assert len(after) == len(before) + 1, (action, after[len(before):])
        event = after[-1]
        assert (event["action"], event["from_state"], event["to_state"], event["user"], event["unit"]) == \
            (action, from_state, to_state, user, unit)
        for text in texts:
            assert text in (event["comment"] or ""), (action, text, event["comment"])
        if not texts:
            assert event["comment"] is None, (action, event["comment"])
        return event

    def refused(self, rid, user, action, body, status):
        before = self.events(rid)
        self.api.act(user, rid, action, body, status=status)
        assert self.events(rid) == before, (user, action)

    def notified(self, rid, action):
        with self.app.app_context():
            rows = db.session.query(Notification).filter_by(report_id=rid, kind=action).all()
            for row in rows:
                assert row.event.action == action and row.status == "pending"
            return sorted(row.organization.name for row in rows)


@pytest.fixture
def log(app, api):
    return Log(app, api)


def test_every_transition_of_the_county_branch_leaves_one_event(app, log):
    rid = log.api.create(app)
    log.step(rid, "head_a", "submit", {"comment": "请镇安委办处理"}, "draft", "submitted", "沙沟村", ["请镇安委办处理"])
    log.step(rid, "township", "escalate", {"opinion": "超出乡镇职权", "comment": "附现场照片"}, "submitted", "escalated",
             "沙沟镇", ["超出乡镇职权", "附现场照片"])
    log.step(rid, "county", "return", {"reason": "请乡镇先行制止"}, "escalated", "submitted", "示范县", ["请乡镇先行制止"])
    log.step(rid, "township", "escalate", {"opinion": "已制止，仍需部门执法"}, "submitted", "escalated", "沙沟镇",
             ["已制止，仍需部门执法"])
    dispatch = {"lead_department_id": org_id(app, "应急管理局"),
                "assisting_department_ids": [org_id(app, "自然资源局"), org_id(app, "公安局")]}
    log.step(rid, "county", "dispatch", dispatch, "escalated", "dispatched", "示范县")
    log.step(rid, "dept_a", "acknowledge", {}, "dispatched", "acknowledged", "应急管理局")
    log.step(rid, "dept_a", "resolve", {"measures": "断电断水", "result": "已取缔"}, "acknowledged", "resolved",
             "应急管理局", ["断电断水"])
    log.step(rid, "county", "reopen", {"reason": "复查仍有钢瓶"}, "resolved", "acknowledged", "示范县", ["复查仍有钢瓶"])
    log.step(rid, "dept_a", "resolve", {"measures": "钢瓶全部清运", "result": "已取缔"}, "acknowledged", "resolved",
             "应急管理局", ["钢瓶全部清运"])
    log.step(rid, "county", "close", {"comment": "核查属实，予以销号"}, "resolved", "closed", "示范县", ["核查属实"])
    assert len(log.events(rid)) == 10


def test_every_transition_of_the_local_branch_leaves_one_event(app, log):
    rid = log.api.create(app)
    committee = org_id(app, "工矿商贸安全专委会")
    log.step(rid, "grid_a", "submit", {}, "draft", "submitted", "沙沟村")
    log.step(rid, "township", "assign", {"handler_id": committee, "comment": "请三日内处置"}, "submitted", "handling",
             "沙沟镇", ["请三日内处置"])
    log.step(rid, "committee", "resolve", {"measures": "责令停止经营"}, "handling", "resolved", "工矿商贸安全专委会",
             ["责令停止经营"])
    log.step(rid, "township", "reopen", {"reason": "仍在经营"}, "resolved", "handling", "沙沟镇", ["仍在经营"])
    log.step(rid, "township", "escalate", {"opinion": "拒不整改，报县"}, "handling", "escalated", "沙沟镇",
             ["拒不整改，报县"])

    other = log.api.create(app, "grid_b", village="前湖村")
    log.step(other, "grid_b", "submit", {}, "draft", "submitted", "前湖村")
    log.step(other, "township", "reject", {"reason": "经核查为合法经营"}, "submitted", "rejected", "沙沟镇",
             ["经核查为合法经营"])
    with app.app_context():
        assert db.session.get(Report, other).rejection_reason == "经核查为合法经营"
        assert db.session.get(Report, rid).escalation_opinion == "拒不整改，报县"


def test_refused_actions_leave_no_event(app, log):
    rid = log.api.create(app)
    log.refused(rid, "township", "submit", {}, 404)  # not yet visible to the township
    log.refused(rid, "grid_a", "escalate", {"opinion": "x"}, 403)
    log.api.act("grid_a", rid, "submit")
    log.refused(rid, "grid_a", "submit", {}, 409)
    log.refused(rid, "grid_b", "reject", {"reason": "x"}, 404)
    log.refused(rid, "township", "reject", {"reason": " "}, 422)
    log.refused(rid, "township", "assign", {"handler_id": org_id(app, "应急管理局")}, 422)
    log.refused(rid, "township", "close", {}, 409)
    log.refused(rid, "county", "dispatch", {"lead_department_id": org_id(app, "应急管理局")}, 409)
    with app.app_context():
        assert db.session.query(Notification).filter_by(report_id=rid).count() == 1  # the submission's


def test_events_cannot_be_updated_or_deleted(app, log):
    rid = log.api.create(app)
    log.api.act("grid_a", rid, "submit", {"comment": "原始记录"})
    event_id = log.events(rid)[0]["id"]
    with app.app_context():
        event = db.session.get(ReportEvent, event_id)
        event.comment = "改写"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.delete(db.session.get(ReportEvent, event_id))
            db.session.commit()
        db.session.rollback()
        with pytest.raises(RuntimeError, match="append-only"):  # deleting the case would delete its events
            db.session.delete(db.session.get(Report, rid))
            db.session.commit()
        db.session.rollback()
    assert log.events(rid)[0]["comment"] == "原始记录"
    for method in ("PUT", "DELETE"):
        assert log.api("admin", method, f"/report_event/{event_id}", {"comment": "x"}).status_code in (404, 405)
    assert log.api("admin", "POST", "/report_event/", {"report_id": rid, "action": "close",
                                                       "to_state": "closed"}).status_code in (404, 405)
    assert len(log.events(rid)) == 1


def test_notifications_go_to_the_right_units_on_the_county_branch(app, log):
    api = log.api
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    api.act("township", rid, "escalate", {"opinion": "报县"})
    api.act("county", rid, "return", {"reason": "退回"})
    api.act("township", rid, "escalate", {"opinion": "再次报县"})
    api.act("county", rid, "dispatch", {"lead_department_id": org_id(app, "应急管理局"),
                                        "assisting_department_ids": [org_id(app, "自然资源局")]})
    api.act("dept_a", rid, "acknowledge")
    api.act("dept_a", rid, "resolve", {"measures": "取缔", "result": "已取缔"})
    api.act("county", rid, "reopen", {"reason": "复查未清"})
    api.act("dept_a", rid, "resolve", {"measures": "取缔", "result": "已取缔"})
    api.act("county", rid, "close")
    assert log.notified(rid, "submit") == ["沙沟镇"]
    assert log.notified(rid, "escalate") == ["示范县", "示范县"]  # once per escalation
    assert log.notified(rid, "return") == ["沙沟镇"]
    assert log.notified(rid, "dispatch") == sorted(["应急管理局", "自然资源局"])
    assert log.notified(rid, "acknowledge") == ["示范县"]
    assert log.notified(rid, "resolve") == ["示范县", "示范县"]  # the county verifies and closes
    assert log.notified(rid, "reopen") == ["应急管理局"]
    assert {"沙沟村", "应急管理局"} <= set(log.notified(rid, "close"))  # the reporting village and the lead


def test_notifications_go_to_the_right_units_on_the_local_branch(app, log):
    api = log.api
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    api.act("township", rid, "assign", {"handler_id": org_id(app, "工矿商贸安全专委会")})
    api.act("committee", rid, "resolve", {"measures": "责令停止"})
    api.act("township", rid, "reopen", {"reason": "仍在经营"})
    api.act("committee", rid, "resolve", {"measures": "已清理"})
    api.act("township", rid, "close")
    assert log.notified(rid, "assign") == ["工矿商贸安全专委会"]
    assert log.notified(rid, "resolve") == ["沙沟镇", "沙沟镇"]  # the township verifies and closes
    assert log.notified(rid, "reopen") == ["工矿商贸安全专委会"]
    assert {"沙沟村", "工矿商贸安全专委会"} <= set(log.notified(rid, "close"))
    assert "示范县" not in log.notified(rid, "close")

    rejected = api.create(app)
    api.act("grid_a", rejected, "submit")
    api.act("township", rejected, "reject", {"reason": "不属于非法行为"})
    assert log.notified(rejected, "reject") == ["沙沟村"]


def test_a_case_rejected_as_duplicate_is_linked_both_ways(app, log):
    api = log.api
    original = api.create(app)
    api.act("grid_a", original, "submit")
    copy = api.create(app, "head_a")
    api.act("head_a", copy, "submit")
    rejected = api.act("township", copy, "reject", {"reason": "重复上报", "duplicate_of_id": original}).json["result"]
    assert rejected["duplicate_of_id"] == original and rejected["state"] == "rejected"
    with app.app_context():
        first = db.session.get(Report, original)
        assert [r.id for r in first.duplicates] == [copy]
        assert db.session.get(Report, copy).duplicate_of is first
        assert first.state == "submitted"  # the original goes on
    # A case cannot be the duplicate of itself.
    third = api.create(app)
    api.act("grid_a", third, "submit")
    api.act("township", third, "reject", {"reason": "重复", "duplicate_of_id": third}, status=422)


def closed_local_case(app, api, user="grid_a", **extra):
    rid = api.create(app, user, **extra)
    api.act(user, rid, "submit")
    api.act("township", rid, "assign", {"handler_id": org_id(app, "工矿商贸安全专委会")})
    api.act("committee", rid, "resolve", {"measures": "已清理"})
    api.act("township", rid, "close")
    return rid


def test_a_new_case_at_the_site_of_a_closed_case_is_a_repeat(app, log):
    api = log.api
    address = case_body(app)["address"]
    first = closed_local_case(app, api)
    again = api.create(app, address=f"  {address} ")
    assert api("grid_a", "GET", f"/report/{again}").json["result"]["repeat_of_id"] is None  # only on submission
    assert api.act("grid_a", again, "submit").json["result"]["repeat_of_id"] == first
    with app.app_context():
        assert [r.id for r in db.session.get(Report, first).repeats] == [again]

    elsewhere = api.create(app, address="沙沟村西头砖厂")
    assert api.act("grid_a", elsewhere, "submit").json["result"]["repeat_of_id"] is None


def test_an_open_case_or_another_villages_closed_case_is_no_repeat(app, log):
    api = log.api
    address = case_body(app)["address"]
    open_case = api.create(app)
    api.act("grid_a", open_case, "submit")
    closed_local_case(app, api, "grid_b", village="前湖村")  # same address text, other village
    new = api.create(app, address=address)
    assert api.act("grid_a", new, "submit").json["result"]["repeat_of_id"] is None
