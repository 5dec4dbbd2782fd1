"""Deadlines under a frozen clock (DESIGN §4): report, escalation, acknowledgement, resolution, overdue."""
from datetime import date, datetime, timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import Report, ReportEvent, save_settings
from tests.conftest import org_id
from tests.workflow_helpers import Api, case_body

START = datetime(2026, 3, 10, 9, 30, 0)  # a Tuesday morning in the township
T = START.date()


def day(n: int) -> str:
    return (T + timedelta(days=n)).isoformat()


class FrozenClock:
    """Stands in for `app.clock.now`; moves only when told."""

    def __init__(self, start: datetime):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def frozen(monkeypatch):
    now = FrozenClock(START)
    monkeypatch.setattr(clock, "now", now)
    assert clock.today() == T
    return now


@pytest.fixture
def api(client, auth):
    return Api(client, auth)


def show(api, rid, user="county"):
    response = api(user, "GET", f"/report/{rid}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["result"]


def listed(api, rid, user="county"):
    response = api(user, "GET", "/report/?q=(page_size:100)")
    return next(row for row in response.json["result"] if row["id"] == rid)


def create(app, api, discovered: int, **extra) -> int:
    return api.create(app, discovered_on=day(discovered), **extra)


ESCALATE = {"opinion": "超出乡镇职权"}


def dispatch_body(app, **extra):
    return {"lead_department_id": org_id(app, "应急管理局"), **extra}


def test_the_report_is_due_two_days_after_discovery(app, api, frozen):
    rid = create(app, api, -1)
    case = show(api, rid, "grid_a")
    assert case["report_due"] == day(1) and case["due_on"] == day(1)
    assert case["late_report"] is False and case["overdue"] is False


@pytest.mark.parametrize("discovered, late", [(-3, True), (-5, True), (-2, False), (-1, False), (0, False)])
def test_a_report_submitted_more_than_two_days_after_discovery_is_late(app, api, frozen, discovered, late):
    rid = create(app, api, discovered)
    submitted = api.act("grid_a", rid, "submit").json["result"]
    assert submitted["reported_on"] == day(0)  # no report date given: the day of submission
    assert submitted["report_due"] == day(discovered + 2)
    assert submitted["late_report"] is late


def test_a_draft_past_its_report_deadline_is_overdue(app, api, frozen):
    rid = create(app, api, -3)
    assert show(api, rid, "grid_a")["overdue"] is True
    assert listed(api, rid, "grid_a")["overdue"] is True


def test_the_township_must_escalate_within_two_days_of_arrival(app, api, frozen):
    rid = create(app, api, 0)
    frozen.advance(days=1, hours=2)
    submitted = api.act("grid_a", rid, "submit").json["result"]
    assert submitted["escalation_due"] == day(3) and submitted["due_on"] == day(3)


def test_dispatch_defaults_to_one_day_to_report_in_and_fifteen_to_resolve(app, api, frozen):
    rid = create(app, api, 0)
    api.act("grid_a", rid, "submit")
    api.act("township", rid, "escalate", ESCALATE)
    frozen.advance(days=2)
    case = api.act("county", rid, "dispatch", dispatch_body(app)).json["result"]
    assert (case["ack_due"], case["resolution_due"], case["due_on"]) == (day(3), day(17), day(3))
    case = api.act("dept_a", rid, "acknowledge").json["result"]
    assert case["due_on"] == day(17)


def test_dispatch_accepts_explicit_deadlines(app, api, frozen):
    rid = create(app, api, 0)
    api.act("grid_a", rid, "submit")
    api.act("township", rid, "escalate", ESCALATE)
    case = api.act("county", rid, "dispatch", dispatch_body(app, ack_due=day(3), resolution_due=day(30))).json["result"]
    assert (case["ack_due"], case["resolution_due"], case["due_on"]) == (day(3), day(30), day(3))


def test_a_local_case_is_due_fifteen_days_after_assignment(app, api, frozen):
    rid = create(app, api, 0)
    api.act("grid_a", rid, "submit")
    frozen.advance(days=1)
    case = api.act("township", rid, "assign", {"handler_id": org_id(app, "工矿商贸安全专委会")}).json["result"]
    assert case["resolution_due"] == day(16) and case["due_on"] == day(16)


def test_overdue_follows_the_clock_and_clears_when_the_case_moves_on(app, api, frozen):
    rid = create(app, api, 0)
    api.act("grid_a", rid, "submit")  # escalation due T+2
    frozen.advance(days=2, hours=10)
    assert show(api, rid)["overdue"] is False  # the due day itself is not late
    frozen.advance(days=1)
    assert show(api, rid, "township")["overdue"] is True
    assert listed(api, rid, "township")["overdue"] is True

    api.act("township", rid, "escalate", ESCALATE)  # the county has no deadline of its own
    assert show(api, rid)["overdue"] is False and listed(api, rid)["overdue"] is False
    api.act("county", rid, "dispatch", dispatch_body(app))  # ack due T+4
    frozen.advance(days=2)
    assert show(api, rid, "dept_a")["overdue"] is True and listed(api, rid, "dept_a")["overdue"] is True
    api.act("dept_a", rid, "acknowledge")  # resolution due T+18
    assert show(api, rid, "dept_a")["overdue"] is False
    frozen.advance(days=20)
    assert listed(api, rid, "dept_a")["overdue"] is True
    api.act("dept_a", rid, "resolve", {"measures": "依法取缔", "result": "已取缔"})
    frozen.advance(days=30)
    assert show(api, rid)["overdue"] is False and listed(api, rid)["overdue"] is False
    api.act("county", rid, "close")
    assert show(api, rid)["overdue"] is False


def test_a_rejected_case_is_never_overdue(app, api, frozen):
    rid = create(app, api, -1)
    api.act("grid_a", rid, "submit")
    api.act("township", rid, "reject", {"reason": "不属于非法行为"})
    frozen.advance(days=60)
    assert show(api, rid, "township")["overdue"] is False


def test_changed_settings_change_the_deadlines(app, api, frozen):
    with app.app_context():
        save_settings({"village_report_days": 5, "township_escalation_days": 4, "department_ack_days": 3,
                       "resolution_days": 30})
    rid = create(app, api, -4)
    assert show(api, rid, "grid_a")["report_due"] == day(1)
    case = api.act("grid_a", rid, "submit").json["result"]
    assert case["late_report"] is False and case["escalation_due"] == day(4)
    api.act("township", rid, "escalate", ESCALATE)
    case = api.act("county", rid, "dispatch", dispatch_body(app)).json["result"]
    assert (case["ack_due"], case["resolution_due"]) == (day(3), day(30))

    local = create(app, api, 0)
    api.act("grid_a", local, "submit")
    case = api.act("township", local, "assign", {"handler_id": org_id(app, "工矿商贸安全专委会")}).json["result"]
    assert case["resolution_due"] == day(30)
    api.act("committee", local, "resolve", {"measures": "已整改"})
    case = api.act("township", local, "reopen", {"reason": "复查未整改"}).json["result"]
    assert case["resolution_due"] == day(30) and case["state"] == "handling"


def stage_seconds(app, rid):
    with app.app_context():
        return [(e.action, e.stage_seconds) for e in
                db.session.query(ReportEvent).filter_by(report_id=rid).order_by(ReportEvent.id)]


def test_each_event_records_the_time_spent_in_the_previous_state(app, api, frozen):
    """From submission on: every stage's length, to the second, under the frozen clock."""
    rid = create(app, api, 0)
    api.act("grid_a", rid, "submit")
    frozen.advance(days=1, hours=3, minutes=5, seconds=7)
    api.act("township", rid, "escalate", ESCALATE)
    frozen.advance(hours=20)
    api.act("county", rid, "dispatch", dispatch_body(app))
    frozen.advance(minutes=45)
    api.act("dept_a", rid, "acknowledge")
    frozen.advance(days=6)
    api.act("dept_a", rid, "resolve", {"measures": "依法取缔", "result": "已取缔"})
    frozen.advance(seconds=1)
    api.act("county", rid, "reopen", {"reason": "复查未整改"})
    frozen.advance(days=2)
    api.act("dept_a", rid, "resolve", {"measures": "再次取缔", "result": "已取缔"})
    api.act("county", rid, "close")
    assert stage_seconds(app, rid)[1:] == [
        ("escalate", 86400 + 3 * 3600 + 5 * 60 + 7),
        ("dispatch", 20 * 3600),
        ("acknowledge", 45 * 60),
        ("resolve", 6 * 86400),
        ("reopen", 1),
        ("resolve", 2 * 86400),
        ("close", 0),
    ]
    with app.app_context():
        report = db.session.get(Report, rid)
        assert report.events[-1].at == frozen.current and report.closed_at == frozen.current


def test_the_submit_event_records_the_time_the_draft_waited(app, api, frozen):
    """The draft's creation time follows the app clock (it once bound `clock.now` at import)."""
    rid = create(app, api, 0)
    frozen.advance(hours=5)
    api.act("grid_a", rid, "submit")
    with app.app_context():
        assert db.session.get(Report, rid).created_at == START
    assert stage_seconds(app, rid) == [("submit", 5 * 3600)]


def test_a_backdated_report_date_does_not_hide_a_late_report(app, api, frozen):
    rid = create(app, api, -5, reported_on=day(-4))  # typed as if reported within the deadline
    submitted = api.act("grid_a", rid, "submit").json["result"]
    assert submitted["reported_on"] == day(-4) and submitted["late_report"] is True
