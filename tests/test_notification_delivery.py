"""Delivery against real services: Redis, RQ worker and scheduler processes, an SMTP server.

What must hold (DESIGN §7): a notification is never lost when Redis, the mail server or a worker
is down, and never sent twice when a job is retried.
"""
import os
import time

import pytest

from app.extensions import db
from app.jobs import periodic
from app.models import Notification
from tests.conftest import PASSWORD, Auth, mail_config, org_id
from tests.services import Background, RedisServer, subject_of
from tests.workflow_helpers import Api


@pytest.fixture
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def services(make_app, database_url, redis_server, sink, tmp_path):
    """(app for requests, background processes, Redis, SMTP sink) sharing one database."""
    settings = {**mail_config(sink), "REDIS_URL": redis_server.url, "OUTBOX_LEASE_SECONDS": 3,
                "OUTBOX_RETRY_SECONDS": [1, 1, 1, 1], "OUTBOX_RELAY_SECONDS": 1, "SCHEDULER_TICK_SECONDS": 0.3}
    app = make_app(**settings)
    env = {**os.environ, "FLASK_APP": "app:create_app", "APP_ENV": "development", "DATABASE_URL": database_url,
           "SECRET_KEY": app.config["SECRET_KEY"], "REDIS_URL": redis_server.url, "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(sink.port), "MAIL_DEFAULT_SENDER": "dafei@example.org", "MAIL_TIMEOUT": "5",
           "OUTBOX_LEASE_SECONDS": "3", "OUTBOX_RETRY_SECONDS": "1,1,1,1", "OUTBOX_RELAY_SECONDS": "1",
           "SCHEDULER_TICK_SECONDS": "0.3", "DEMO_PASSWORD": PASSWORD}
    background = Background(env, tmp_path)
    yield app, background, redis_server, sink
    background.stop()


def message_ids(sink) -> list[str]:
    return [message["Message-ID"] for _, message in sink.messages]


def wait_until(condition, timeout=30, background=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out" + ("\n" + background.log() if background else ""))


def sent_ids(app, report_ids=None) -> dict[int, str]:
    with app.app_context():
        query = db.session.query(Notification.id, Notification.status)
        if report_ids is not None:
            query = query.filter(Notification.report_id.in_(report_ids))
        return dict(query.all())


def expected(notification_ids) -> set[str]:
    return {f"<notification-{nid}@example.org>" for nid in notification_ids}


def test_the_journey_notifications_arrive_once_in_chinese(services):
    app, background, _, sink = services
    background.start("worker", "worker")
    api = Api(app.test_client(), Auth(app.test_client()))
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    api.act("township", rid, "escalate", {"opinion": "涉及危险化学品，报县处置"})
    api.act("county", rid, "dispatch", {"lead_department_id": org_id(app, "应急管理局")})
    api.act("dept_a", rid, "acknowledge")
    api.act("dept_a", rid, "resolve", {"measures": "已查封并清运液化气钢瓶", "result": "已取缔，钢瓶已清运"})
    api.act("county", rid, "close")
    wanted = sent_ids(app, [rid])
    wait_until(lambda: expected(wanted) <= set(message_ids(sink)), background=background)
    time.sleep(0.5)
    assert sorted(message_ids(sink)) == sorted(expected(wanted))  # each exactly once
    subjects = sink.subjects()
    for kind in ("新上报", "报县", "转办", "部门已报到", "已处置待销号", "已销号"):
        assert any(kind in s for s in subjects), (kind, subjects)
    assert set(sent_ids(app, [rid]).values()) == {"sent"}
    to_township = [m for rcpts, m in sink.messages if "township@demo.invalid" in rcpts]
    (new_report,) = [m for m in to_township if "新上报" in subject_of(m)]
    (form,) = new_report.iter_attachments()  # 附件2, filled in
    assert form.get_filename().startswith("安全生产打非村居上报表") and form.get_content().startswith(b"%PDF")
    (escalation,) = [m for rcpts, m in sink.messages if "报县" in subject_of(m)]
    assert "county@demo.invalid" in next(r for r, m in sink.messages if m is escalation)
    assert len(list(escalation.iter_attachments())) == 2  # 乡镇上报表 and 附件2


def test_redis_down_during_100_submissions_loses_nothing(services):
    app, background, redis, sink = services
    api = Api(app.test_client(), Auth(app.test_client()))
    drafts = [api.create(app) for _ in range(100)]
    redis.stop()
    for rid in drafts:
        api.act("grid_a", rid, "submit")  # every submission succeeds while Redis is down
    wanted = sent_ids(app, drafts)
    assert len(wanted) == 100 and set(wanted.values()) == {"pending"}
    redis.start()  # empty: whatever was queued before is gone; the outbox table is the truth
    background.start("worker", "worker")
    background.start("scheduler", "scheduler")
    wait_until(lambda: expected(wanted) <= set(message_ids(sink)), timeout=60, background=background)
    time.sleep(1)
    ours = [mid for mid in message_ids(sink) if mid in expected(wanted)]
    assert len(ours) == 100 == len(set(ours))
    assert set(sent_ids(app, drafts).values()) == {"sent"}


def test_a_refusing_mail_server_is_retried_and_delivers_once(services):
    app, background, _, sink = services
    sink.refuse = 2
    background.start("worker", "worker")
    background.start("scheduler", "scheduler")
    api = Api(app.test_client(), Auth(app.test_client()))
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    wanted = sent_ids(app, [rid])
    wait_until(lambda: expected(wanted) <= set(message_ids(sink)), background=background)
    time.sleep(1.5)
    assert message_ids(sink).count(expected(wanted).pop()) == 1
    with app.app_context():
        row = db.session.query(Notification).filter_by(report_id=rid).one()
        assert (row.status, row.attempts) == ("sent", 3)


def test_a_worker_killed_mid_job_delivers_once(services):
    app, background, _, sink = services
    sink.hold.set()  # the SMTP conversation stops after RCPT TO: the job is in the middle of sending
    background.start("worker", "worker")
    background.start("scheduler", "scheduler")
    api = Api(app.test_client(), Auth(app.test_client()))
    rid = api.create(app)
    api.act("grid_a", rid, "submit")
    wait_until(sink.held.is_set, background=background)
    background.kill("worker")  # SIGKILL to the worker and its job
    sink.hold.clear()
    (nid,) = sent_ids(app, [rid])
    with app.app_context():
        assert db.session.get(Notification, nid).status == "sending"  # claimed by the dead job
    background.start("worker", "worker")
    wait_until(lambda: expected([nid]) <= set(message_ids(sink)), background=background)
    time.sleep(1.5)
    assert message_ids(sink) == list(expected([nid]))
    with app.app_context():
        row = db.session.get(Notification, nid)
        assert (row.status, row.attempts) == ("sent", 2)


def test_the_scheduler_enqueues_each_slot_once_across_restarts(services):
    app, _, redis, _ = services
    from redis import Redis
    from rq import Queue

    moment = periodic.EPOCH.replace(year=2026, month=12, day=4, hour=7, minute=45)
    with app.app_context():
        first = periodic.tick(moment)
        assert "periodic-township-digest-20261204T073000" in first
        assert periodic.tick(moment) == []  # a second scheduler, or the same one restarted
        assert "periodic-township-digest-20261204T073000" not in periodic.tick(moment.replace(hour=8, minute=1))
        assert periodic.tick(moment.replace(day=6, hour=7, minute=31)) != []  # next day's slot
    queued = Queue("default", connection=Redis.from_url(redis.url)).job_ids
    assert queued.count("periodic-township-digest-20261204T073000") == 1


def test_a_cron_slot_missed_too_long_ago_is_not_run(app):
    with app.app_context():
        digest = next(j for j in periodic.PERIODIC if j.name == "township-digest")
        moment = periodic.EPOCH.replace(year=2026, month=12, day=4, hour=23)
        assert periodic.slot(digest, moment) is None
        assert periodic.slot(digest, moment.replace(hour=9)) == moment.replace(hour=7, minute=30)
