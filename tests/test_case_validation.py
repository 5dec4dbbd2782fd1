"""Invalid input: 422 with field errors in Chinese and nothing saved; a non-object body: 400 (DESIGN §10)."""
from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.models import Enforcement, Notification, Organization, Report, ReportEvent
from tests.conftest import org_id
from tests.workflow_helpers import Api, case_body


@pytest.fixture
def api(client, auth):
    return Api(client, auth)


def chinese(text) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in str(text))


def assert_field_errors(response, *fields):
    """A 422 naming each of `fields`, every message in Chinese."""
    assert response.status_code == 422, response.get_data(as_text=True)
    errors = response.json["message"]
    assert isinstance(errors, dict), errors
    for field in fields:
        assert field in errors, (field, errors)
        assert errors[field] and all(chinese(message) for message in errors[field]), (field, errors[field])


def counts(app):
    with app.app_context():
        return (db.session.query(Report).count(), db.session.query(ReportEvent).count(),
                db.session.query(Notification).count(), db.session.query(Enforcement).count())


# ----------------------------------------------------------------------------- the case's own fields

def days(n: int) -> str:
    return (clock.today() + timedelta(days=n)).isoformat()


BAD_CASES = {
    "discovery_in_the_future": ({"discovered_on": days(1)}, ["discovered_on"]),
    "report_before_discovery": ({"discovered_on": days(-3), "reported_on": days(-5)}, ["reported_on"]),
    "bad_phone": ({"reporter_phone": "打电话给我"}, ["reporter_phone"]),
    "latitude_out_of_range": ({"latitude": 91.5, "longitude": 117.0}, ["latitude"]),
    "longitude_out_of_range": ({"latitude": 36.0, "longitude": -181}, ["longitude"]),
    "blank_required_text": ({"activity": "  ", "address": "", "reporter": " "}, ["activity", "address", "reporter"]),
}


def field_errors(response, *fields) -> str | None:
    """Why `response` is not a 422 naming `fields` in Chinese, or None."""
    try:
        assert_field_errors(response, *fields)
    except AssertionError as error:
        return f"{response.status_code} {error}"
    return None


def test_an_invalid_new_case_is_refused_in_chinese_and_not_saved(app, api):
    mistakes = []
    for name, (changes, fields) in BAD_CASES.items():
        before = counts(app)
        problem = field_errors(api("grid_a", "POST", "/report/", case_body(app, **changes)), *fields)
        if problem:
            mistakes.append(f"{name}: {problem}")
        if counts(app) != before:
            mistakes.append(f"{name}: something was saved")
    assert not mistakes, "\n".join(mistakes)


def test_an_invalid_edit_of_a_draft_is_refused_and_not_saved(app, api):
    rid = api.create(app)
    body = case_body(app)
    mistakes = []
    for name, (changes, fields) in BAD_CASES.items():
        problem = field_errors(api("grid_a", "PUT", f"/report/{rid}", changes), *fields)
        if problem:
            mistakes.append(f"{name}: {problem}")
        with app.app_context():
            report = db.session.get(Report, rid)
            saved = (report.activity, report.address, report.reporter, report.reporter_phone,
                     report.discovered_on.isoformat(), report.reported_on, report.latitude, report.longitude)
        if saved != (body["activity"], body["address"], body["reporter"], body["reporter_phone"],
                     body["discovered_on"], None, None, None):
            mistakes.append(f"{name}: the draft changed: {saved}")
    assert not mistakes, "\n".join(mistakes)


def test_missing_required_fields_are_named_and_nothing_saved(app, api):
    before = counts(app)
    required = ("activity", "address", "category", "discovered_on", "reporter", "reporter_phone")
    response = api("grid_a", "POST", "/report/", {"party": "张某"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(required) <= set(response.json["message"])
    assert counts(app) == before


def test_missing_required_fields_are_explained_in_chinese(app, api):
    """FAB's schema answers these before pre_add; its English messages must be translated too."""
    response = api("grid_a", "POST", "/report/", {"party": "张某"})
    assert_field_errors(response, "activity", "address", "reporter", "reporter_phone")


def test_a_report_date_in_the_future_is_refused(app, api):
    before = counts(app)
    response = api("grid_a", "POST", "/report/", case_body(app, reported_on=days(2)))
    assert_field_errors(response, "reported_on")
    assert counts(app) == before


# ----------------------------------------------------------------------------- action bodies

class Steps:
    def __init__(self, app, api):
        self.app, self.api = app, api

    def case(self, *route, **extra) -> int:
        rid = self.api.create(self.app, **extra)
        for action in route:
            user, body = {
                "submit": ("grid_a", {}),
                "assign": ("township", {"handler_id": org_id(self.app, "工矿商贸安全专委会")}),
                "escalate": ("township", {"opinion": "请县安委办转办"}),
                "dispatch": ("county", {"lead_department_id": org_id(self.app, "应急管理局")}),
                "acknowledge": ("dept_a", {}),
                "resolve": ("committee", {"measures": "已责令停止经营"}),
            }[action]
            self.api.act(user, rid, action, body)
        return rid

    def snapshot(self, rid) -> tuple:
        with self.app.app_context():
            report = db.session.get(Report, rid)
            return (report.state, report.handling_unit_id, report.due_on, report.escalation_opinion,
                    report.rejection_reason, report.measures, report.lead_department_id, report.handler_id,
                    len(report.events), report.enforcement is not None,
                    db.session.query(Notification).filter_by(report_id=rid).count())


@pytest.fixture
def steps(app, api):
    return Steps(app, api)


def neighbour_department(app) -> int:
    """A department of another county (邻县应急管理局)."""
    with app.app_context():
        county = Organization(name="邻县", kind="county")
        db.session.add(county)
        db.session.flush()
        department = Organization(name="邻县应急管理局", kind="department", parent=county)
        db.session.add(department)
        db.session.commit()
        return department.id


ACTION_CASES = {
    # name: (route to the state, user, action, body, fields named)
    "escalate_blank_opinion": (["submit"], "township", "escalate", {"opinion": "  "}, ["opinion"]),
    "reject_blank_reason": (["submit"], "township", "reject", {"reason": ""}, ["reason"]),
    "reject_duplicate_of_unknown_case": (["submit"], "township", "reject", {"reason": "重复", "duplicate_of_id": 999999},
                                         ["duplicate_of_id"]),
    "assign_to_a_village": (["submit"], "township", "assign", {"handler_id": "前湖村"}, ["handler_id"]),
    "dispatch_to_a_committee": (["submit", "escalate"], "county", "dispatch",
                                {"lead_department_id": "工矿商贸安全专委会"}, ["lead_department_id"]),
    "dispatch_to_the_township": (["submit", "escalate"], "county", "dispatch",
                                 {"lead_department_id": "沙沟镇"}, ["lead_department_id"]),
    "dispatch_with_a_non_department_assisting": (["submit", "escalate"], "county", "dispatch",
                                                 {"lead_department_id": "应急管理局",
                                                  "assisting_department_ids": ["沙沟村"]},
                                                 ["assisting_department_ids"]),
    "dispatch_with_a_past_deadline": (["submit", "escalate"], "county", "dispatch",
                                      {"lead_department_id": "应急管理局", "ack_due": days(-1)}, ["ack_due"]),
    "return_blank_reason": (["submit", "escalate"], "county", "return", {"reason": " "}, ["reason"]),
    "resolve_blank_measures": (["submit", "assign"], "committee", "resolve", {"measures": ""}, ["measures"]),
    "department_resolve_blank_measures": (["submit", "escalate", "dispatch", "acknowledge"], "dept_a", "resolve",
                                          {"measures": "", "result": "已取缔"}, ["measures"]),
    "department_resolve_without_result": (["submit", "escalate", "dispatch", "acknowledge"], "dept_a", "resolve",
                                          {"measures": "依法取缔", "water_cut_on": days(0)}, ["result"]),
    "enforcement_date_before_discovery": (["submit", "escalate", "dispatch", "acknowledge"], "dept_a", "resolve",
                                          {"measures": "依法取缔", "result": "已取缔", "water_cut_on": days(-10)},
                                          ["water_cut_on"]),
    "enforcement_date_in_the_future": (["submit", "escalate", "dispatch", "acknowledge"], "dept_a", "resolve",
                                       {"measures": "依法取缔", "result": "已取缔", "power_cut_on": days(3)},
                                       ["power_cut_on"]),
    "enforcement_evidence_without_date": (["submit", "escalate", "dispatch", "acknowledge"], "dept_a", "resolve",
                                          {"measures": "依法取缔", "result": "已取缔", "site_cleared_evidence": "照片"},
                                          ["site_cleared_on"]),
    "enforcement_negative_fine": (["submit", "escalate", "dispatch", "acknowledge"], "dept_a", "resolve",
                                  {"measures": "依法取缔", "result": "已取缔", "fine_yuan": "-5"}, ["fine_yuan"]),
    "enforcement_bad_date": (["submit", "escalate", "dispatch", "acknowledge"], "dept_a", "resolve",
                             {"measures": "依法取缔", "result": "已取缔", "water_cut_on": "昨天"}, ["water_cut_on"]),
    "reopen_blank_reason": (["submit", "assign", "resolve"], "township", "reopen", {"reason": ""}, ["reason"]),
}


def named_ids(app, body: dict) -> dict:
    """Replace unit names in the body by their ids."""
    def to_id(value):
        if isinstance(value, str) and value and not value.isascii():
            unit = org_id(app, value)
            return unit if unit is not None else value
        return value
    resolved = {}
    for key, value in body.items():
        if key.endswith("_id"):
            resolved[key] = to_id(value)
        elif key.endswith("_ids"):
            resolved[key] = [to_id(v) for v in value]
        else:
            resolved[key] = value
    return resolved


ROUTES = sorted({tuple(route) for route, *_rest in ACTION_CASES.values()}, key=len)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: "-".join(route))
def test_an_invalid_action_body_is_refused_in_chinese_and_changes_nothing(app, api, steps, route):
    """Every bad body for the actions open in the state `route` leads to (one case per state)."""
    rid = steps.case(*route, discovered_on=days(-5))
    before = steps.snapshot(rid)
    mistakes = []
    for name, (case_route, user, action, body, fields) in ACTION_CASES.items():
        if tuple(case_route) != route:
            continue
        problem = field_errors(api(user, "POST", f"/report/{rid}/{action}", named_ids(app, body)), *fields)
        if problem:
            mistakes.append(f"{name}: {problem}")
        if steps.snapshot(rid) != before:
            mistakes.append(f"{name}: the case changed: {before} → {steps.snapshot(rid)}")
            before = steps.snapshot(rid)
    assert not mistakes, "\n".join(mistakes)


@pytest.mark.parametrize("field", ["lead_department_id", "assisting_department_ids"])
def test_a_department_of_another_county_cannot_be_dispatched_to(app, api, steps, field):
    rid = steps.case("submit", "escalate")
    foreign = neighbour_department(app)
    body = ({"lead_department_id": foreign} if field == "lead_department_id"
            else {"lead_department_id": org_id(app, "应急管理局"), "assisting_department_ids": [foreign]})
    before = steps.snapshot(rid)
    assert_field_errors(api("county", "POST", f"/report/{rid}/dispatch", body), field)
    assert steps.snapshot(rid) == before


def test_the_lead_department_cannot_also_assist(app, api, steps):
    rid = steps.case("submit", "escalate")
    dept = org_id(app, "应急管理局")
    before = steps.snapshot(rid)
    response = api("county", "POST", f"/report/{rid}/dispatch",
                   {"lead_department_id": dept, "assisting_department_ids": [dept]})
    assert_field_errors(response, "assisting_department_ids")
    assert steps.snapshot(rid) == before


MISSING_FIELD = {
    # name: (route, user, action, body without the required field, field)
    "escalate_without_opinion": (["submit"], "township", "escalate", {}, "opinion"),
    "reject_without_reason": (["submit"], "township", "reject", {"comment": "重复上报"}, "reason"),
    "assign_without_handler": (["submit"], "township", "assign", {}, "handler_id"),
    "dispatch_without_department": (["submit", "escalate"], "county", "dispatch", {}, "lead_department_id"),
    "return_without_reason": (["submit", "escalate"], "county", "return", {}, "reason"),
    "resolve_without_measures": (["submit", "assign"], "committee", "resolve", {}, "measures"),
    "reopen_without_reason": (["submit", "assign", "resolve"], "township", "reopen", {}, "reason"),
}


@pytest.mark.parametrize("name", list(MISSING_FIELD))
def test_an_action_body_missing_its_required_field_is_422(app, api, steps, name):
    """An absent field is as invalid as a blank one (it once raised TypeError: 500)."""
    route, user, action, body, field = MISSING_FIELD[name]
    rid = steps.case(*route)
    before = steps.snapshot(rid)
    assert_field_errors(api(user, "POST", f"/report/{rid}/{action}", body), field)
    assert steps.snapshot(rid) == before


def test_an_action_body_that_is_not_an_object_is_400(app, api, steps):
    rid = steps.case("submit")
    before = steps.snapshot(rid)
    for body in ([], [{"opinion": "x"}], "请转办", 42):
        response = api("township", "POST", f"/report/{rid}/escalate", body)
        assert response.status_code == 400, (body, response.get_data(as_text=True))
        assert chinese(response.json["message"]), response.json
        assert steps.snapshot(rid) == before
