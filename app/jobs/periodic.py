"""Periodic jobs, declared as data in one place, and the scheduler that enqueues each run once.

A later reminder is one more line in PERIODIC. Every run has a slot (the cron time it belongs to,
or the interval it falls in); the scheduler claims a slot in Redis with SET NX before enqueueing,
so restarting the scheduler, or running two, never enqueues a slot twice. The jobs are also
idempotent themselves (their notifications carry de-duplication keys).
"""
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import croniter
from flask import current_app
from redis.exceptions import RedisError

from app import clock
from app.jobs import enqueue_once, redis_connection

log = logging.getLogger(__name__)
EPOCH = datetime(2000, 1, 1)
CATCH_UP = timedelta(hours=12)  # a cron run missed while the scheduler was down still runs within this


@dataclass(frozen=True)
class Periodic:
    name: str  # stable: part of the slot keys and job ids
    func: str  # dotted path of the job function
    cron: str | None = None  # China time
    every: int | str | None = None  # seconds, or the config key that holds them
    queue: str = "default"
    timeout: int = 600


PERIODIC = (
    Periodic("outbox-relay", "app.jobs.outbox.relay", every="OUTBOX_RELAY_SECONDS"),
    Periodic("document-relay", "app.jobs.documents.relay", every=60),
    Periodic("overdue-scan", "app.jobs.reminders.scan_overdue", cron="0 8-18 * * *"),  # hourly, office hours
    Periodic("township-digest", "app.jobs.reminders.daily_digests", cron="30 7 * * *"),  # 07:30 every day
    Periodic("document-cleanup", "app.jobs.housekeeping.remove_old_documents", cron="15 3 * * *"),
    Periodic("attachment-cleanup", "app.jobs.housekeeping.remove_orphan_attachments", cron="30 3 * * *"),
)


def slot(job: Periodic, now: datetime) -> datetime | None:
    """The run `now` belongs to, or None when the last cron time is too long ago to catch up."""
    if job.every is not None:
        seconds = job.every if isinstance(job.every, int) else int(current_app.config[job.every])
        return EPOCH + timedelta(seconds=(now - EPOCH) // timedelta(seconds=seconds) * seconds)
    last = croniter(job.cron, now).get_prev(datetime)
    return last if now - last <= CATCH_UP else None


def tick(now: datetime | None = None, jobs=PERIODIC) -> list[str]:
    """Enqueue every job whose current slot has not been claimed yet; returns the job ids enqueued."""
    now = now or clock.now()
    connection = redis_connection()
    enqueued = []
    for job in jobs:
        run = slot(job, now)
        if run is None:
            continue
        job_id = f"periodic-{job.name}-{run:%Y%m%dT%H%M%S}"
        if connection.set(f"dafei:{job_id}", 1, nx=True, ex=int(timedelta(days=2).total_seconds())):
            try:
                enqueue_once(job.func, job_id=job_id, queue=job.queue, timeout=job.timeout)
            except RedisError:
                connection.delete(f"dafei:{job_id}")
                raise
            enqueued.append(job_id)
    return enqueued


def run_scheduler() -> None:
    """`flask scheduler`: tick forever; a Redis outage is waited out, not fatal."""
    pause = current_app.config["SCHEDULER_TICK_SECONDS"]
    log.info("scheduler: %d periodic job(s): %s", len(PERIODIC), ", ".join(j.name for j in PERIODIC))
    while True:
        try:
            for job_id in tick():
                log.info("scheduler: enqueued %s", job_id)
        except RedisError as exc:
            log.warning("scheduler: Redis unavailable, trying again: %s", exc)
        time.sleep(pause)
