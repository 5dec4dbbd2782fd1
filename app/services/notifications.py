"""Who is told what (DESIGN §7): notification rows for actions, 催办, overdue reminders and digests.

Rows are only recorded here, in the caller's transaction; `app.jobs.outbox` delivers them.
"""
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import exists, func
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.mailer import header_text
from app.models import OPEN_STATES, STATES, Notification, NotificationRead, Organization, Report
from app.models.notification import KINDS
from app.security.scope import scoped


def subject_for(kind: str, report: Report | None, unit: Organization) -> str:
    """The one-line subject, in Chinese: 【打非通】新上报：SG-2026-000123 甲村."""
    with force_locale("zh"):
        about = (f"{report.number or STATES['draft']} {report.village.name}" if report is not None
                 else f"{unit.name} {clock.today():%Y-%m-%d}")
        return header_text(f"【{current_app.config['APP_NAME']}】{KINDS[kind]}：{about}", limit=200)


def record(unit: Organization, kind: str, *, report: Report | None = None, event=None,
           comment: str | None = None, dedup_key: str | None = None) -> Notification:
    """Add one notification for `unit` to the session; the caller's commit makes it durable."""
    notification = Notification(organization=unit, kind=kind, report=report, event=event, comment=comment,
                                dedup_key=dedup_key, subject=subject_for(kind, report, unit))
    db.session.add(notification)
    return notification


# ----------------------------------------------------------------------------- reminders (催办)

def responsible_unit(report: Report) -> Organization | None:
    """Whose turn it is: the handling unit, or the filing village for a draft."""
    return report.handling_unit or (report.owner if report.state == "draft" else None)


def supervisor_of(report: Report) -> Organization | None:
    """Who answers for the responsible unit's delay: the township over handlers, the county over the
    township and departments. Nobody over a draft: it is the village's own until submitted."""
    if report.state == "handling":
        return report.village.ancestor("township")
    if report.state in ("submitted", "escalated", "dispatched", "acknowledged"):
        return report.village.ancestor("county")
    return None


def scan_overdue(today: date | None = None) -> int:
    """逾期催办: one reminder per overdue case, stage, day and unit (the responsible one and its
    supervisor), however often the scan runs. Returns how many were recorded; commits."""
    today = today or clock.today()
    wanted = {}
    for report in db.session.query(Report).filter(Report.overdue_condition()).order_by(Report.id):
        for unit in (responsible_unit(report), supervisor_of(report)):
            if unit is not None:
                wanted[f"overdue:{report.id}:{report.state}:{today:%Y%m%d}:{unit.id}"] = (unit, report)
    return _record_once("overdue", wanted)


def create_digests(today: date | None = None) -> int:
    """Daily summary (每日汇总) for every township office with open cases; once a day. Commits."""
    today = today or clock.today()
    wanted = {}
    for township in db.session.query(Organization).filter_by(kind="township", active=True).order_by(Organization.id):
        if open_cases(township).count():
            wanted[f"digest:{township.id}:{today:%Y%m%d}"] = (township, None)
    return _record_once("digest", wanted)


def _record_once(kind: str, wanted: dict) -> int:
    """Record the notifications whose keys are new; a concurrent run that wins the race leaves us none."""
    if not wanted:
        return 0
    seen = {key for (key,) in db.session.query(Notification.dedup_key).filter(Notification.dedup_key.in_(wanted))}
    for key, (unit, report) in wanted.items():
        if key not in seen:
            record(unit, kind, report=report, dedup_key=key)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return 0
    return len(wanted) - len(seen)


def open_cases(unit: Organization):
    """Open (not draft) cases of villages under `unit` or routed to it."""
    return (db.session.query(Report).filter(Report.in_scope(unit), Report.state.in_(OPEN_STATES),
                                            Report.state != "draft"))


def digest_context(township: Organization, today: date | None = None) -> dict:
    """What the township's daily summary lists: counts by state, overdue cases, yesterday's new reports."""
    today = today or clock.today()
    cases = open_cases(township)
    counts = dict(cases.with_entities(Report.state, func.count()).group_by(Report.state).all())
    overdue = cases.filter(Report.overdue_condition()).order_by(Report.due_on, Report.id)
    midnight = datetime.combine(today, time.min)
    yesterdays = db.session.query(Report).filter(Report.in_scope(township),
                                                 Report.submitted_at >= midnight - timedelta(days=1),
                                                 Report.submitted_at < midnight)
    new, new_count = yesterdays.order_by(Report.id).limit(50).all(), yesterdays.count()
    return {"township": township, "today": today, "new": new, "overdue": overdue.limit(50).all(),
            "overdue_count": overdue.count(), "new_count": new_count,
            "counts": [(STATES[state], counts[state]) for state in OPEN_STATES if counts.get(state)]}


# ----------------------------------------------------------------------------- the in-app inbox

def own_unit(user):
    """Notifications to the user's own unit: an inbox (an administrator's too; the outbox shows all)."""
    return Notification.organization_id == getattr(user, "organization_id", None)


def inbox(user):
    """The notifications of the user's own unit, newest first (an administrator's too: the outbox
    is where all of them are seen)."""
    return (scoped(db.session.query(Notification), Notification, user)
            .filter(own_unit(user))
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def _read_by(user):
    return exists().where(NotificationRead.notification_id == Notification.id, NotificationRead.user_id == user.id)


def unread(user):
    return inbox(user).filter(~_read_by(user))


def read_ids(user, notifications) -> set[int]:
    ids = [n.id for n in notifications]
    rows = db.session.query(NotificationRead.notification_id).filter(
        NotificationRead.user_id == user.id, NotificationRead.notification_id.in_(ids))
    return {nid for (nid,) in rows}


def mark_read(user, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those with `ids`) as read; commits. Returns how many."""
    query = unread(user)
    if ids is not None:
        query = query.filter(Notification.id.in_(ids))
    fresh = [nid for (nid,) in query.with_entities(Notification.id)]
    db.session.add_all(NotificationRead(notification_id=nid, user_id=user.id) for nid in fresh)
    try:
        db.session.commit()
    except IntegrityError:  # the same user marking in two tabs at once
        db.session.rollback()
    return len(fresh)


def resend(ids: list[int]) -> int:
    """Put failed or kept e-mails back in the outbox (发件箱 › 重新发送); commits. Returns how many."""
    rows = db.session.query(Notification).filter(Notification.id.in_(ids),
                                                 Notification.status.in_(("failed", "kept", "unaddressed")))
    count = 0
    for notification in rows:
        notification.status, notification.attempts, notification.retry_at = "pending", 0, None
        count += 1
    db.session.commit()
    return count
