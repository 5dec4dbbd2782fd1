"""Background work on RQ (DESIGN §9): the Redis connection, the queues and enqueueing under stable ids.

Queue names and job timeouts live here. Jobs are plain functions that take ids, run inside the
app context of `flask worker`, and are safe to run twice.
"""
import logging

from flask import current_app
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus

log = logging.getLogger(__name__)

QUEUES = ("mail", "default", "documents")  # a worker serves them in this order
WAITING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def redis_connection() -> Redis | None:
    """The app's Redis client (REDIS_URL), or None when none is configured (tests, bare web nodes)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("dafei_redis", {})
    if url not in clients:
        # Short timeouts: a web request that records a notification must not hang on a dead Redis.
        clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10, health_check_interval=30)
    return clients[url]


def enqueue_once(func, *args, job_id: str, queue: str = "default", timeout: int = 600) -> Job | None:
    """Enqueue `func(*args)` as `job_id` unless a job of that id is already waiting or running.

    A finished or failed job of the same id is replaced. Returns None without Redis."""
    connection = redis_connection()
    if connection is None:
        return None
    if Job.exists(job_id, connection=connection):
        job = Job.fetch(job_id, connection=connection)
        if job.get_status(refresh=False) in WAITING:
            return job
        job.delete()
    return Queue(queue, connection=connection).enqueue(func, *args, job_id=job_id, job_timeout=timeout,
                                                       result_ttl=3600, failure_ttl=7 * 24 * 3600)
