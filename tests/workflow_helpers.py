"""Building blocks for case tests: a valid case body, API calls as demo users, moving a case along."""
from app import clock
from app.extensions import db
from app.models import Category, Organization

TODAY = clock.today  # the app's (China) date, not the server's


def case_body(app, village="沙沟村", **extra) -> dict:
    """A complete, valid village report (附件2) for the API or the HTML form."""
    with app.app_context():
        village_id = db.session.query(Organization.id).filter_by(name=village).scalar()
        category_id = db.session.query(Category.id).filter_by(name="非法存储危险化学品").scalar()
    return {
        "village": village_id,
        "category": category_id,
        "activity": "村东废弃猪场内非法储存液化气钢瓶约30只",
        "discovered_on": TODAY().isoformat(),
        "address": "沙沟村东200米废弃猪场",
        "party": "张某某",
        "reporter": "王网格",
        "reporter_phone": "13800138000",
        **extra,
    }


class Api:
    """JSON calls to /api/v1 as one demo user at a time (tokens cached per user)."""

    def __init__(self, client, auth):
        self.client = client
        self.auth = auth
        self.tokens = {}

    def __call__(self, user, method, path, body=None, **kwargs):
        if user not in self.tokens:
            self.tokens[user] = self.auth.token(user)
        headers = {"Authorization": f"Bearer {self.tokens[user]}"}
        return self.client.open("/api/v1" + path, method=method, json=body, headers=headers, **kwargs)

    def create(self, app, user="grid_a", **extra) -> int:
        response = self("grid_a" if user is None else user, "POST", "/report/", case_body(app, **extra))
        assert response.status_code == 201, response.get_data(as_text=True)
        return response.json["id"]

    def submitted(self, app, user="grid_a", **extra) -> int:
        """A new case, filed and submitted by `user`."""
        report_id = self.create(app, user=user, **extra)
        self.act(user, report_id, "submit")
        return report_id

    def act(self, user, report_id, action, body=None, status=200):
        response = self(user, "POST", f"/report/{report_id}/{action}", body or {})
        assert response.status_code == status, (action, user, response.get_data(as_text=True))
        return response
