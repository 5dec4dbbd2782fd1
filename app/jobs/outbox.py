"""Delivering the outbox (DESIGN §7): a relay hands pending rows to RQ, one idempotent job per e-mail.

A notification row is committed with the change that causes it. After the commit it is handed to
RQ at once (`kick`); whatever that misses (Redis down, a worker killed, a retry that is due) the
periodic `relay` finds in the table. A job first claims its row in one UPDATE, so two jobs never
send the same row; a claim that grows stale (the worker died) is taken over after
OUTBOX_LEASE_SECONDS. Retries and their back-off are kept in the row, not in Redis, so they
survive a Redis restart. Delivery is at-least-once only if a worker dies between the server's
acceptance and the commit that follows; the deterministic Message-ID makes such a copy recognisable.
"""
import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, event, or_, update

from app import clock
from app.extensions import db
from app.jobs import enqueue_once
from app.mailer import build_message, recipients_of, send
from app.models import Notification

log = logging.getLogger(__name__)
DELIVERY_TIMEOUT = 120  # seconds of one attempt: rendering plus SMTP; well under the lease


def deliver(notification_id: int) -> str:
    """Send one notification's e-mail unless it was sent or is being sent; returns the new status."""
    if not _claim(notification_id):
        return "skipped"
    notification = db.session.get(Notification, notification_id)
    try:
        addresses = recipients_of(notification.organization)
        notification.recipients = ", ".join(addresses) or None
        if not addresses:
            return _finish(notification, "unaddressed")
        if not current_app.config.get("MAIL_SERVER"):
            return _finish(notification, "kept")
        message = build_message(notification, addresses, attachments_for(notification),
                                **letter_context(notification))
        send(message)
    except Exception as exc:
        db.session.rollback()
        _record_failure(notification_id, exc)
        raise  # RQ records the failed attempt; the row says when to try again
    notification.message_id, notification.sent_at = message.msgId, clock.now()
    return _finish(notification, "sent")


def _claim(notification_id: int) -> bool:
    """Take the row for this attempt, atomically; False if it is sent, failed, waiting for its retry
    time or held by a live job."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, _due())
        .values(status="sending", claimed_at=clock.now(), attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _due():
    """Rows a job may take now: pending and due, or claimed by a job that died and still with tries left."""
    now = clock.now()
    stale = now - timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    return or_(and_(Notification.status == "pending",
                    or_(Notification.retry_at.is_(None), Notification.retry_at <= now)),
               and_(Notification.status == "sending", Notification.claimed_at < stale,
                    Notification.attempts <= len(current_app.config["OUTBOX_RETRY_SECONDS"])))


def _finish(notification: Notification, status: str) -> str:
    notification.status, notification.claimed_at, notification.retry_at = status, None, None
    notification.last_error = None
    db.session.commit()
    return status


def _record_failure(notification_id: int, exc: Exception) -> None:
    """Back to pending with the next retry time, or failed once the retries are used up."""
    notification = db.session.get(Notification, notification_id)
    delays = current_app.config["OUTBOX_RETRY_SECONDS"]
    notification.claimed_at = None
    notification.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    if notification.attempts > len(delays):
        notification.status, notification.retry_at = "failed", None
    else:
        notification.status = "pending"
        notification.retry_at = clock.now() + timedelta(seconds=delays[notification.attempts - 1])
    db.session.commit()
    log.warning("notification %s: attempt %s failed: %s", notification_id, notification.attempts, exc)


def attachments_for(notification: Notification) -> list[tuple[str, str, bytes]]:
    """The filled-in forms that travel with a notification: (file name, MIME type, bytes)."""
    from app.services.documents import notification_attachments

    return notification_attachments(notification)


def letter_context(notification: Notification) -> dict:
    """Extra template data a kind of notification needs (the digest's counts and lists)."""
    if notification.kind == "digest":
        from app.services.notifications import digest_context

        return digest_context(notification.organization, notification.created_at.date())
    return {}


# ----------------------------------------------------------------------------- handing rows to RQ

def enqueue_delivery(notification_id: int, attempts: int):
    """One job id per attempt: a retry after a failure or a dead worker is a new job, never a lost one."""
    return enqueue_once(deliver, notification_id, job_id=f"notification-{notification_id}-{attempts}",
                        queue="mail", timeout=DELIVERY_TIMEOUT)


def due_rows(limit: int = 500):
    """(id, attempts) of rows to hand to RQ now."""
    return (db.session.query(Notification.id, Notification.attempts).filter(_due())
            .order_by(Notification.id).limit(limit).all())


def give_up_on_dying_jobs() -> int:
    """Rows whose every attempt died with its worker (a crash in rendering, say) are marked failed."""
    stale = clock.now() - timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    result = db.session.execute(
        update(Notification)
        .where(Notification.status == "sending", Notification.claimed_at < stale,
               Notification.attempts > len(current_app.config["OUTBOX_RETRY_SECONDS"]))
        .values(status="failed", claimed_at=None, last_error="每次发送时工作进程都意外中断")
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def relay() -> int:
    """The periodic sweep: hand every due row to RQ (rows already queued are left alone)."""
    give_up_on_dying_jobs()
    rows = due_rows()
    db.session.rollback()  # end the read transaction; nothing was changed
    for notification_id, attempts in rows:
        enqueue_delivery(notification_id, attempts)
    return len(rows)


def kick(rows: dict[int, int]) -> None:
    """Right after a commit: hand its new pending rows to RQ. Failing here loses nothing (the relay)."""
    try:
        for notification_id, attempts in rows.items():
            enqueue_delivery(notification_id, attempts)
    except Exception as exc:  # Redis down or unreachable: the rows wait in the table
        log.warning("outbox: %d notification(s) wait for the relay: %s", len(rows), exc)


@event.listens_for(db.session, "after_flush")
def _collect(session, flush_context):
    now = clock.now()
    for obj in (*session.new, *session.dirty):
        if (isinstance(obj, Notification) and obj.status == "pending"
                and (obj.retry_at is None or obj.retry_at <= now)):
            session.info.setdefault("outbox", {})[obj.id] = obj.attempts or 0


@event.listens_for(db.session, "after_commit")
def _kick_after_commit(session):
    rows = session.info.pop("outbox", None)
    if rows:
        kick(rows)


@event.listens_for(db.session, "after_soft_rollback")
def _forget(session, previous_transaction):
    session.info.pop("outbox", None)

