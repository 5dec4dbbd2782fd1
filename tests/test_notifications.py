"""Notifications without a queue: what is recorded, the e-mail it becomes, the inbox, 催办, reminders, outbox."""
from datetime import timedelta

import pytest

from app import clock
from app.extensions import db
from app.jobs.outbox import deliver, due_rows
from app.models import Notification, NotificationRead, Organization, OrgUser, Report
from app.services import notifications
from tests.conftest import mail_config, org_id
from tests.services import subject_of
from tests.workflow_helpers import Api


@pytest.fixture
def api(client, auth):
    return Api(client, auth)


def rows(app, **filters) -> list[Notification]:
    with app.app_context():
        found = db.session.query(Notification).filter_by(**filters).order_by(Notification.id).all()
        db.session.expunge_all()
        return found


def test_a_submission_emails_the_township_in_chinese_with_a_link(make_app, sink):
    app = make_app(**mail_config(sink), APP_BASE_URL="https://dafei.example.org")
    api = Api(app.test_client(), __import__("tests.conftest", fromlist=["Auth"]).Auth(app.test_client()))
    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid, kind="submit")
    with app.app_context():
        assert deliver(notification.id) == "sent"
        number = db.session.get(Report, rid).number
    (rcpts, message), = sink.messages
    assert sorted(rcpts) == ["leader@demo.invalid", "township@demo.invalid"]  # the township's users
    assert subject_of(message) == f"【打非通】新上报：{number} 沙沟村"
    text, html = (part.get_payload(decode=True).decode() for part in message.walk()
                  if part.get_content_type() in ("text/plain", "text/html"))
    assert "村东废弃猪场内非法储存液化气钢瓶约30只" in text and number in html
    assert f"https://dafei.example.org/report/show/{rid}" in text
    assert message["Message-ID"] == f"<notification-{notification.id}@example.org>"
    (after,) = rows(app, id=notification.id)
    assert (after.status, after.attempts, after.recipients) == ("sent", 1, "leader@demo.invalid, township@demo.invalid")


def test_delivering_twice_sends_once(make_app, sink, auth):
    app = make_app(**mail_config(sink))
    api = Api(app.test_client(), type(auth)(app.test_client()))
    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid)
    with app.app_context():
        assert deliver(notification.id) == "sent"
        assert deliver(notification.id) == "skipped"
    assert len(sink.messages) == 1


def test_without_a_mail_server_mail_is_kept_in_the_outbox(app, api, client, auth):
    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid)
    with app.app_context():
        assert deliver(notification.id) == "kept"
    auth.login("admin")
    page = client.get("/outbox/list/").get_data(as_text=True)
    assert "新上报" in page and "未配置邮件服务器" in page
    client.post(f"/outbox/{notification.id}/resend")
    assert rows(app, id=notification.id)[0].status == "pending"


def test_a_unit_without_addresses_is_marked_so(app, api):
    with app.app_context():
        db.session.query(OrgUser).filter(OrgUser.organization_id == org_id(app, "沙沟镇")).update({"active": False})
        db.session.commit()
    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid)
    with app.app_context():
        assert deliver(notification.id) == "unaddressed"


def test_a_refusing_server_is_retried_later_then_marked_failed(make_app, sink, auth):
    app = make_app(**mail_config(sink), OUTBOX_RETRY_SECONDS=[60, 600])
    api = Api(app.test_client(), type(auth)(app.test_client()))
    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid)
    sink.refuse = 10
    with app.app_context():
        with pytest.raises(Exception):
            deliver(notification.id)
        row = db.session.get(Notification, notification.id)
        assert (row.status, row.attempts) == ("pending", 1) and "451" in row.last_error
        assert row.retry_at > clock.now() + timedelta(seconds=50)
        assert notification.id not in [nid for nid, _ in due_rows()]  # waits for its retry time
        assert deliver(notification.id) == "skipped"  # even a stray job keeps the back-off
        for _ in range(2):
            row.retry_at = clock.now() - timedelta(seconds=1)
            db.session.commit()
            with pytest.raises(Exception):
                deliver(notification.id)
            row = db.session.get(Notification, notification.id)
        db.session.expire_all()
        row = db.session.get(Notification, notification.id)
        assert (row.status, row.attempts) == ("failed", 3)
        assert deliver(notification.id) == "skipped"  # failed stays failed until resent
    assert sink.messages == []


def test_line_breaks_in_names_and_comments_cannot_add_headers(make_app, sink, auth):
    app = make_app(**mail_config(sink))
    api = Api(app.test_client(), type(auth)(app.test_client()))
    evil = "沙沟村\r\nBcc: thief@evil.example\r\nX-Injected: yes"
    with app.app_context():
        village = db.session.get(Organization, org_id(app, "沙沟村"))
        village.name = evil
        township = db.session.get(Organization, org_id(app, "沙沟镇"))
        township.email = "office@example.org\r\nBcc: thief@evil.example"
        db.session.commit()
    rid = api.submitted(app, village=evil)
    api.act("township", rid, "assign", {"handler_id": org_id(app, "工矿商贸安全专委会")})
    response = api("township", "POST", f"/report/{rid}/urge", {"comment": "请尽快处置\r\nBcc: thief@evil.example"})
    assert response.status_code == 200
    with app.app_context():
        for notification in db.session.query(Notification).filter_by(report_id=rid):
            deliver(notification.id)
    assert len(sink.messages) == 3
    for rcpts, message in sink.messages:
        assert "thief@evil.example" not in " ".join(rcpts)
        assert message["Bcc"] is None and message["X-Injected"] is None
        assert "\n" not in subject_of(message) and "沙沟村 Bcc: thief@evil.example" in subject_of(message)


def test_the_inbox_shows_the_units_messages_with_an_unread_count(app, api, client, auth):
    rid = api.submitted(app)
    auth.login("township")
    page = client.get("/messages/").get_data(as_text=True)
    assert "新上报" in page and "message-unread" in page
    assert '<span class="badge badge-unread">1</span>' in client.get("/inbox/list/").get_data(as_text=True)
    (notification,) = rows(app, report_id=rid)
    response = client.post(f"/messages/{notification.id}/open")
    assert response.status_code == 302 and response.location.endswith(f"/report/show/{rid}")
    assert "badge-unread" not in client.get("/messages/").get_data(as_text=True)
    auth.logout()
    auth.login("leader")  # same township, own read state
    assert '<span class="badge badge-unread">1</span>' in client.get("/messages/").get_data(as_text=True)
    auth.logout()
    auth.login("grid_b")
    assert client.post(f"/messages/{notification.id}/open").status_code == 404
    assert "新上报" not in client.get("/messages/").get_data(as_text=True)


def test_the_notification_api_is_scoped_and_marks_read(app, api):
    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid)
    listed = api("township", "GET", "/notification/").json
    assert [r["id"] for r in listed["result"]] == [notification.id]
    assert listed["result"][0]["subject"].startswith("【打非通】新上报")
    assert api("grid_b", "GET", "/notification/").json["count"] == 0
    assert api("grid_b", "GET", f"/notification/{notification.id}").status_code == 404
    assert api("township", "GET", "/notification/unread").json == {"count": 1, "ids": [notification.id]}
    assert api("township", "POST", "/notification/read", {"ids": ["x"]}).status_code == 422
    assert api("township", "POST", "/notification/read", {"ids": [notification.id]}).json["marked"] == 1
    assert api("township", "GET", "/notification/unread").json["count"] == 0
    assert api("leader", "GET", "/notification/unread").json["count"] == 1


def test_urging_reminds_the_unit_holding_the_case(app, api, client, auth):
    rid = api.submitted(app)
    api.act("township", rid, "assign", {"handler_id": org_id(app, "工矿商贸安全专委会")})
    assert api("grid_a", "POST", f"/report/{rid}/urge", {}).status_code == 403
    assert api("committee", "POST", f"/report/{rid}/urge", {}).status_code == 403  # its own case
    assert api("grid_b", "POST", f"/report/{rid}/urge", {}).status_code == 404
    assert api("township", "POST", f"/report/{rid}/urge", {"comment": "x" * 501}).status_code == 422
    auth.login("township")
    assert "action-urge" in client.get(f"/report/show/{rid}").get_data(as_text=True)
    client.post(f"/report/{rid}/urge", data={"comment": "请今天内处置"})
    client.post(f"/report/{rid}/urge", data={"comment": "请今天内处置"})  # a double click
    (urged,) = rows(app, report_id=rid, kind="urge")
    assert urged.organization_id == org_id(app, "工矿商贸安全专委会") and urged.comment == "请今天内处置"
    assert urged.subject.startswith("【打非通】催办")


def test_a_closed_case_cannot_be_urged(app, api):
    rid = api.submitted(app)
    api.act("township", rid, "reject", {"reason": "不属于打非范围"})
    assert api("township", "POST", f"/report/{rid}/urge", {}).status_code == 409


def freeze(monkeypatch, moment):
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_the_overdue_scan_reminds_once_per_case_stage_and_day(app, api, monkeypatch):
    rid = api.submitted(app)
    with app.app_context():
        due = db.session.get(Report, rid).due_on
    late = clock.datetime.combine(due + timedelta(days=1), clock.datetime.min.time()).replace(hour=9)
    freeze(monkeypatch, late)
    with app.app_context():
        assert notifications.scan_overdue() == 2  # the township, and the county over it
        assert notifications.scan_overdue() == 0
    freeze(monkeypatch, late.replace(hour=17))
    with app.app_context():
        assert notifications.scan_overdue() == 0
    reminded = {n.organization_id for n in rows(app, report_id=rid, kind="overdue")}
    assert reminded == {org_id(app, "沙沟镇"), org_id(app, "示范县")}
    freeze(monkeypatch, late + timedelta(days=1))
    with app.app_context():
        assert notifications.scan_overdue() == 2  # a new day, a new reminder


def test_the_daily_digest_goes_once_to_each_township_with_open_cases(make_app, sink, auth):
    app = make_app(**mail_config(sink))
    api = Api(app.test_client(), type(auth)(app.test_client()))
    rid = api.submitted(app)
    with app.app_context():
        assert notifications.create_digests() == 1
        assert notifications.create_digests() == 0
        (digest,) = db.session.query(Notification).filter_by(kind="digest").all()
        assert digest.organization.name == "沙沟镇"
        deliver(digest.id)
        number = db.session.get(Report, rid).number
    (_, message), = sink.messages
    assert subject_of(message).startswith("【打非通】每日汇总：沙沟镇")
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "已上报" in body and "1 件" in body


def test_reading_is_recorded_per_user(app, api):
    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid)
    for body in (None, {}, {"all": "yes"}):  # marking everything read takes an explicit request
        assert api("township", "POST", "/notification/read", body).status_code == 422
    with app.app_context():
        assert db.session.query(NotificationRead).count() == 0
    api("township", "POST", "/notification/read", {"all": True})
    with app.app_context():
        readers = {r.user_id for r in db.session.query(NotificationRead).filter_by(notification_id=notification.id)}
        township = db.session.query(OrgUser.id).filter_by(username="township").scalar()
    assert readers == {township}


@pytest.mark.parametrize("user", ["township", "county", "grid_a", "leader"])
def test_only_administrators_open_the_outbox(client, auth, user):
    auth.login(user)
    assert client.get("/outbox/list/").status_code == 403
    assert "发件箱" not in client.get("/messages/").get_data(as_text=True)


def test_the_outbox_resends_failed_mail_only(app, api, client, auth):
    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid)
    auth.login("admin")
    client.post(f"/outbox/{notification.id}/resend")  # still pending: nothing to resend
    assert rows(app, id=notification.id)[0].status == "pending"
    with app.app_context():
        db.session.get(Notification, notification.id).status = "failed"
        db.session.commit()
    assert "重新发送全部失败邮件" in client.get("/outbox/list/").get_data(as_text=True)
    client.post("/outbox/resend-failed")
    assert (rows(app, id=notification.id)[0].status, rows(app, id=notification.id)[0].attempts) == ("pending", 0)


def test_an_overdue_draft_reminds_only_its_village(app, api, monkeypatch):
    rid = api.create(app)
    with app.app_context():
        due = db.session.get(Report, rid).due_on
    freeze(monkeypatch, clock.datetime.combine(due + timedelta(days=1), clock.datetime.min.time()))
    with app.app_context():
        assert notifications.scan_overdue() == 1
    (reminder,) = rows(app, report_id=rid)
    assert reminder.organization_id == org_id(app, "沙沟村")  # the township cannot see a draft
    assert api("township", "GET", "/notification/").json["count"] == 0


def test_a_quit_that_fails_after_acceptance_is_still_a_delivery(make_app, sink, auth, monkeypatch):
    import smtplib

    app = make_app(**mail_config(sink))
    api = Api(app.test_client(), type(auth)(app.test_client()))
    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid)

    def dropped(self):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(smtplib.SMTP, "quit", dropped)
    with app.app_context():
        assert deliver(notification.id) == "sent"
        assert deliver(notification.id) == "skipped"
    assert len(sink.messages) == 1


def test_a_row_whose_every_attempt_killed_its_worker_is_given_up(app, api, monkeypatch):
    from app.jobs.outbox import relay

    rid = api.submitted(app)
    (notification,) = rows(app, report_id=rid)
    tries = len(app.config["OUTBOX_RETRY_SECONDS"]) + 1
    with app.app_context():
        row = db.session.get(Notification, notification.id)
        row.status, row.attempts, row.claimed_at = "sending", tries, clock.now() - timedelta(hours=1)
        db.session.commit()
        assert notification.id not in [nid for nid, _ in due_rows()]
        relay()
        row = db.session.get(Notification, notification.id)
        assert (row.status, row.last_error) == ("failed", "每次发送时工作进程都意外中断")


def test_an_administrators_messages_are_their_units_not_everyones(app, api, client, auth):
    api.submitted(app)  # a notification for the township
    auth.login("admin")  # the demo administrator belongs to the county
    page = client.get("/messages/")
    assert page.status_code == 200 and "新上报" not in page.get_data(as_text=True)
    assert api("admin", "GET", "/notification/").json["count"] == 0
    assert api("admin", "GET", "/notification/unread").json["count"] == 0
    assert "新上报" in client.get("/outbox/list/").get_data(as_text=True)


def test_an_inactive_unit_sees_no_messages(app, api):
    api.submitted(app)
    with app.app_context():
        db.session.get(Organization, org_id(app, "沙沟镇")).active = False
        db.session.commit()
    assert api("township", "GET", "/notification/unread").json == {"count": 0, "ids": []}
    assert api("township", "GET", "/notification/").json["count"] == 0


def test_marking_read_refuses_ids_no_database_holds(app, api):
    response = api("township", "POST", "/notification/read", {"ids": [2**70]})
    assert response.status_code == 422
