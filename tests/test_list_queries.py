"""The case list costs the same number of SQL statements for 10 cases as for 100 (no N+1 queries)."""
import pytest
from sqlalchemy import event

from app import clock
from app.extensions import db
from app.models import Category, OrgUser, Organization, Report
from app.services import workflow
from tests.workflow_helpers import Api


def add_cases(app, count: int, start: int) -> None:
    """`count` cases from both demo villages, submitted through the workflow; every third assigned
    to a committee and every third escalated, so the rows differ in what they refer to."""
    with app.app_context():
        users = [db.session.query(OrgUser).filter_by(username=name).one() for name in ("grid_a", "grid_b")]
        township = db.session.query(OrgUser).filter_by(username="township").one()
        committee = db.session.query(Organization).filter_by(name="工矿商贸安全专委会").one()
        categories = [c for (c,) in db.session.query(Category.id)]
        for i in range(start, start + count):
            user = users[i % 2]
            report = Report(category_id=categories[i % len(categories)], activity=f"非法储存液化气钢瓶 {i}",
                            discovered_on=clock.today(), address=f"村东第{i}号院", reporter="王网格",
                            reporter_phone="13800138000")
            workflow.prepare_draft(report, user, new=True)
            db.session.add(report)
            db.session.flush()
            workflow.submit(report, user)
            if i % 3 == 1:
                workflow.assign(report, township, committee.id)
            elif i % 3 == 2:
                workflow.escalate(report, township, "超出乡镇职权")
        db.session.commit()


class StatementCounter:
    def __init__(self, app):
        self.app, self.count = app, 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1

    def __enter__(self):
        with self.app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self)


def list_statements(app, api, user) -> tuple[int, int]:
    """(rows listed, SQL statements run) for one page of up to 100 cases."""
    api(user, "GET", "/report/?q=(page_size:1)")  # warm up: token, user and role lookups cached alike
    with StatementCounter(app) as counter:
        response = api(user, "GET", "/report/?q=(page_size:100)")
    assert response.status_code == 200, response.get_data(as_text=True)
    return len(response.json["result"]), counter.count


@pytest.mark.parametrize("user", ["township", "county"])
def test_listing_100_cases_takes_as_many_statements_as_listing_10(app, client, auth, user):
    api = Api(client, auth)
    add_cases(app, 10, 0)
    rows_10, statements_10 = list_statements(app, api, user)
    add_cases(app, 90, 10)
    rows_100, statements_100 = list_statements(app, api, user)
    assert (rows_10, rows_100) == (10, 100)
    assert statements_100 == statements_10, f"{statements_10} statements for 10 cases, {statements_100} for 100"
    assert 0 < statements_10 < 20


def page_statements(app, client, url) -> tuple[int, int]:
    """(case rows shown, SQL statements run) for one HTML list page."""
    client.get(url)  # warm up alike
    with StatementCounter(app) as counter:
        response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True).count("非法储存液化气钢瓶"), counter.count


def test_the_case_list_page_takes_as_many_statements_for_100_rows_as_for_10(app, client, auth):
    auth.login("township")
    url = "/report/list/?psize_ReportView=100"
    add_cases(app, 10, 0)
    rows_10, statements_10 = page_statements(app, client, url)
    add_cases(app, 90, 10)
    rows_100, statements_100 = page_statements(app, client, url)
    assert (rows_10, rows_100) == (10, 100)
    assert statements_100 == statements_10, f"{statements_10} statements for 10 cases, {statements_100} for 100"
