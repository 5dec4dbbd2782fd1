"""Benchmark (not a test): e-mails per second from the outbox to a real SMTP server with one and two
RQ workers, and the time from a submission to its e-mail arriving (median, p95).

    .venv/bin/python bench/notifications.py [--count 300] [--samples 40]

Uses a throw-away SQLite database, a real Redis server and an aiosmtpd server on 127.0.0.1.
"""
import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import RedisServer, SmtpSink  # noqa: E402  (real servers, as the tests use them)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300, help="e-mails per throughput run")
    parser.add_argument("--samples", type=int, default=40, help="submissions timed one by one")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="dafei-bench-"))
    redis, sink = RedisServer(), SmtpSink()
    env = {**os.environ, "FLASK_APP": "app:create_app", "APP_ENV": "development",
           "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "SECRET_KEY": "bench-" * 8,
           "REDIS_URL": redis.url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(sink.port),
           "MAIL_DEFAULT_SENDER": "dafei@example.org", "DEMO_PASSWORD": "Bench#2026-demo"}
    os.environ.update(env)
    flask = [sys.executable, "-m", "flask"]
    for command in (["db", "upgrade"], ["sync-roles"], ["seed-demo"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)

    from app import clock, create_app
    from app.extensions import db
    from app.models import Category, OrgUser, Organization, Report
    from app.services import workflow

    app = create_app()
    logging.getLogger("app.jobs.outbox").setLevel(logging.ERROR)  # "Redis down" warnings are the point here
    with app.app_context():
        grid = db.session.query(OrgUser).filter_by(username="grid_a").one()
        village = db.session.query(Organization).filter_by(name="沙沟村").one()
        category = db.session.query(Category).first()

        def draft() -> int:
            report = Report(village=village, category=category, activity="非法储存液化气钢瓶", address="村东",
                            discovered_on=clock.today(), reporter="王网格", reporter_phone="13800138000",
                            owner=village)
            workflow.prepare_draft(report, grid, new=True)
            db.session.add(report)
            db.session.commit()
            return report.id

        def submit(report_id: int) -> None:
            workflow.perform("submit", report_id, grid, {})

        workers = []

        def start_workers(n):
            for _ in range(n):
                workers.append(subprocess.Popen([*flask, "worker"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL))
            time.sleep(2)  # let them start before the clock runs

        def stop_workers():
            while workers:
                process = workers.pop()
                process.terminate()
                process.wait()

        for n in (1, 2):
            ids = [draft() for _ in range(args.count)]
            redis.stop()  # the submissions wait in the outbox table, as after an outage
            for report_id in ids:
                submit(report_id)
            redis.start()
            start_workers(n)
            before = len(sink.messages)
            t0 = time.perf_counter()
            from app.jobs.outbox import relay
            relay()
            while len(sink.messages) - before < args.count:
                time.sleep(0.01)
            elapsed = time.perf_counter() - t0
            print(f"{n} worker(s): {args.count} e-mails in {elapsed:.1f} s = {args.count / elapsed:.1f} e-mails/s")
            stop_workers()

        start_workers(1)
        latencies = []
        for _ in range(args.samples):
            report_id = draft()
            before = len(sink.messages)
            t0 = time.perf_counter()
            submit(report_id)
            while len(sink.messages) == before:
                time.sleep(0.002)
            latencies.append(time.perf_counter() - t0)
        stop_workers()
    latencies.sort()
    p95 = latencies[max(int(len(latencies) * 0.95) - 1, 0)]
    print(f"submission → e-mail arrived ({args.samples} samples, 1 worker): "
          f"median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    redis.stop()
    sink.stop()


if __name__ == "__main__":
    main()
