"""Role × action × state: every demo user tries every workflow action on a case in every state (DESIGN §4, §10).

The expected status is derived here from the contract, independently of `app.services.workflow.check`:

- 404 when the caller may not see the case (DESIGN §1: own drafts; once submitted, the village's
  subtree chain, the assigned handler, the lead and assisting departments; admins see everything);
- 403 when the caller's role may not take the action at all;
- 409 when the case's state does not allow the action;
- 403 when the role could, but the case is not the caller's unit's to act on;
- 200 otherwise, and the case moves to the contract's next state.

A refused action changes nothing: same state, unit, deadline, events and notifications.
"""
import pytest

from app.extensions import db
from app.models import Notification, Report, ReportEvent
from tests.conftest import org_id
from tests.workflow_helpers import Api, case_body

USERS = ("grid_a", "head_a", "grid_b", "township", "committee", "county", "dept_a", "dept_b", "leader", "admin")
ACTIONS = ("submit", "assign", "escalate", "reject", "dispatch", "return", "acknowledge", "resolve", "close",
           "reopen")

# username → (role, unit), DESIGN §10 and the README
ACCOUNT = {
    "grid_a": ("GridWorker", "沙沟村"), "head_a": ("VillageHead", "沙沟村"), "grid_b": ("GridWorker", "前湖村"),
    "township": ("TownshipOffice", "沙沟镇"), "committee": ("Handler", "工矿商贸安全专委会"),
    "county": ("CountyOffice", "示范县"), "dept_a": ("Department", "应急管理局"),
    "dept_b": ("Department", "自然资源局"), "leader": ("Leader", "沙沟镇"), "admin": ("Admin", "示范县"),
}
# A unit and every unit above it (who sees "down" to it)
ABOVE = {
    "沙沟村": {"沙沟村", "东部管理区", "沙沟镇", "示范县"},
    "工矿商贸安全专委会": {"工矿商贸安全专委会", "沙沟镇", "示范县"},
    "应急管理局": {"应急管理局", "示范县"},
    "自然资源局": {"自然资源局", "示范县"},
}
# DESIGN §4: who may take each action, from which states, and where the case goes.
ROLES = {
    "submit": {"GridWorker", "VillageHead", "TownshipOffice", "CountyOffice"},
    "assign": {"TownshipOffice"},
    "escalate": {"TownshipOffice"},
    "reject": {"TownshipOffice"},
    "dispatch": {"CountyOffice"},
    "return": {"CountyOffice"},
    "acknowledge": {"Department"},
    "resolve": {"Handler", "Department"},
    "close": {"TownshipOffice", "CountyOffice"},
    "reopen": {"TownshipOffice", "CountyOffice"},
}
FROM = {
    "submit": {"draft"},
    "assign": {"submitted"},
    "escalate": {"submitted", "handling"},
    "reject": {"submitted"},
    "dispatch": {"escalated"},
    "return": {"escalated"},
    "acknowledge": {"dispatched"},
    "resolve": {"handling", "acknowledged"},
    "close": {"resolved"},
    "reopen": {"resolved"},
}


def acting_unit(case: dict, action: str) -> str | None:
    """The one unit whose users may take `action` on `case` (DESIGN §4)."""
    if action == "submit":
        return case["owner"]  # the unit that filed the draft
    if action in ("assign", "escalate", "reject"):
        return "沙沟镇"  # 乡镇吹哨: the village's township
    if action in ("dispatch", "return"):
        return "示范县"  # the county office
    if action == "acknowledge":
        return case["lead"]  # 部门报到: the lead department only, not the assisting ones
    if action == "resolve":
        return case["lead"] if case["state"] == "acknowledged" else case["handler"]
    # close / reopen (销号): the unit that assigned (township) or dispatched (county) it
    return "示范县" if case["lead"] else "沙沟镇"


def sees(user: str, case: dict) -> bool:
    role, unit = ACCOUNT[user]
    if role == "Admin":
        return True
    if unit == case["owner"]:
        return True
    if case["state"] == "draft":
        return False
    routed = [case["village"], case["handler"], case["lead"], *case["assisting"]]
    return any(unit in ABOVE[u] for u in routed if u)


def expected_status(user: str, action: str, case: dict) -> int:
    role, unit = ACCOUNT[user]
    if not sees(user, case):
        return 404
    if role not in ROLES[action]:
        return 403
    if case["state"] not in FROM[action]:
        return 409
    if acting_unit(case, action) != unit:
        return 403
    return 200


def next_state(action: str, case: dict) -> str:
    if action == "reopen":
        return "acknowledged" if case["lead"] else "handling"
    return {"submit": "submitted", "assign": "handling", "escalate": "escalated", "reject": "rejected",
            "dispatch": "dispatched", "return": "submitted", "acknowledge": "acknowledged", "resolve": "resolved",
            "close": "closed"}[action]


# The cases: state, the route that builds it, and its facts (who filed it, where it is routed).
LOCAL = {"handler": "工矿商贸安全专委会", "lead": None, "assisting": ()}
COUNTY = {"handler": None, "lead": "应急管理局", "assisting": ("自然资源局",)}
NONE = {"handler": None, "lead": None, "assisting": ()}
STATES = {
    "draft": ("draft", [], NONE),
    "submitted": ("submitted", ["submit"], NONE),
    "handling": ("handling", ["submit", "assign"], LOCAL),
    "escalated": ("escalated", ["submit", "escalate"], NONE),
    "rejected": ("rejected", ["submit", "reject"], NONE),
    "dispatched": ("dispatched", ["submit", "escalate", "dispatch"], COUNTY),
    "acknowledged": ("acknowledged", ["submit", "escalate", "dispatch", "acknowledge"], COUNTY),
    "resolved_local": ("resolved", ["submit", "assign", "resolve"], LOCAL),
    "resolved_dispatched": ("resolved", ["submit", "escalate", "dispatch", "acknowledge", "resolve"], COUNTY),
    "closed_local": ("closed", ["submit", "assign", "resolve", "close"], LOCAL),
    "closed_dispatched": ("closed", ["submit", "escalate", "dispatch", "acknowledge", "resolve", "close"], COUNTY),
}
# Who takes each step while building a case
BUILDER = {"submit": "grid_a", "assign": "township", "escalate": "township", "reject": "township",
           "dispatch": "county", "acknowledge": "dept_a"}


class Cases:
    """Valid bodies for every action and cases built to a given state through the API."""

    def __init__(self, app, api):
        self.app, self.api = app, api
        self.body = case_body(app)
        committee, dept_a, dept_b = (org_id(app, n) for n in ("工矿商贸安全专委会", "应急管理局", "自然资源局"))
        day = self.body["discovered_on"]
        self.bodies = {
            "submit": {},
            "assign": {"handler_id": committee},
            "escalate": {"opinion": "超出乡镇职权，请县安委办转办"},
            "reject": {"reason": "经核查不属于非法生产经营行为"},
            "dispatch": {"lead_department_id": dept_a, "assisting_department_ids": [dept_b]},
            "return": {"reason": "属乡镇职权范围，请乡镇处置"},
            "acknowledge": {},
            "resolve": {"measures": "已责令停止并清理现场", "result": "已取缔", "water_cut_on": day,
                        "power_cut_on": day},
            "close": {"comment": "经核查已整改到位"},
            "reopen": {"reason": "复查发现仍在经营"},
        }

    def build(self, name: str) -> tuple[int, dict]:
        state, route, facts = STATES[name]
        response = self.api("grid_a", "POST", "/report/", self.body)
        assert response.status_code == 201, response.get_data(as_text=True)
        rid = response.json["id"]
        local = "assign" in route
        for action in route:
            if action == "resolve":
                user = "committee" if local else "dept_a"
            elif action == "close":
                user = "township" if local else "county"
            else:
                user = BUILDER[action]
            self.api.act(user, rid, action, self.bodies[action])
        case = {"state": state, "owner": "沙沟村", "village": "沙沟村", **facts}
        assert self.snapshot(rid)[0] == state
        return rid, case

    def snapshot(self, rid: int) -> tuple:
        """Everything an action may change."""
        with self.app.app_context():
            report = db.session.get(Report, rid)
            return (report.state, report.handling_unit_id, report.due_on, report.handler_id,
                    report.lead_department_id, report.closed_at,
                    db.session.query(ReportEvent).filter_by(report_id=rid).count(),
                    db.session.query(Notification).filter_by(report_id=rid).count())


@pytest.fixture
def cases(app, client, auth):
    return Cases(app, Api(client, auth))


def test_the_expected_table_is_not_trivial():
    """The derived table exercises every outcome, so the matrix can catch each kind of mistake."""
    outcomes = {}
    for name, (state, _route, facts) in STATES.items():
        case = {"state": state, "owner": "沙沟村", "village": "沙沟村", **facts}
        for user in USERS:
            for action in ACTIONS:
                outcomes.setdefault(expected_status(user, action, case), set()).add((name, user, action))
    assert set(outcomes) == {200, 403, 404, 409}
    allowed = outcomes[200]
    assert ("draft", "grid_a", "submit") in allowed and ("draft", "head_a", "submit") in allowed
    assert ("dispatched", "dept_a", "acknowledge") in allowed
    assert ("dispatched", "dept_b", "acknowledge") not in allowed  # assisting departments do not report in
    assert ("resolved_local", "county", "close") not in allowed
    assert ("resolved_dispatched", "township", "close") not in allowed
    assert len(allowed) == 15


@pytest.mark.parametrize("state_name", list(STATES))
def test_every_user_and_action_on_a_case(cases, state_name):
    rid, case = cases.build(state_name)
    before = cases.snapshot(rid)
    mistakes, allowed = [], []
    for user in USERS:
        for action in ACTIONS:
            expected = expected_status(user, action, case)
            if expected == 200:
                allowed.append((user, action))
                continue
            response = cases.api(user, "POST", f"/report/{rid}/{action}", cases.bodies[action])
            if response.status_code != expected:
                mistakes.append(f"{user} {action} on {state_name}: expected {expected}, got "
                                f"{response.status_code} {response.json}")
            after = cases.snapshot(rid)
            if after != before:
                mistakes.append(f"{user} {action} on {state_name} was refused but changed the case: "
                                f"{before} → {after}")
                before = after

    for user, action in allowed:  # each on a fresh case in the same state
        fresh, _case = cases.build(state_name)
        events = cases.snapshot(fresh)[6]
        response = cases.api(user, "POST", f"/report/{fresh}/{action}", cases.bodies[action])
        if response.status_code != 200:
            mistakes.append(f"{user} {action} on {state_name}: expected 200, got "
                            f"{response.status_code} {response.json}")
            continue
        to_state = next_state(action, case)
        if response.json["result"]["state"] != to_state or cases.snapshot(fresh)[6] != events + 1:
            mistakes.append(f"{user} {action} on {state_name}: expected {to_state} and one new event, got "
                            f"{response.json['result']['state']} and {cases.snapshot(fresh)[6] - events}")
    assert not mistakes, "\n".join(mistakes)


@pytest.mark.parametrize("user, action, status", [
    ("grid_a", "assign", 403),  # a village may not assign, whatever the body
    ("grid_a", "reopen", 403),
    ("township", "dispatch", 403),
    ("county", "escalate", 403),
])
def test_a_refusal_does_not_depend_on_the_body(cases, user, action, status):
    """The role check answers before the body is read: an empty body gives the same 403, never a 500."""
    rid, _case = cases.build("submitted")
    before = cases.snapshot(rid)
    response = cases.api(user, "POST", f"/report/{rid}/{action}", {})
    assert response.status_code == status, response.get_data(as_text=True)
    assert cases.snapshot(rid) == before
