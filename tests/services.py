"""Real services for tests: a PostgreSQL server, started here when none is given.

POSTGRES_URL names a running server (CI starts one). Without it, a throw-away server is
started from the machine's PostgreSQL binaries. When neither is possible the test is
skipped on a developer's machine and fails in CI (CI=true), where nothing may be skipped.
"""
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest


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
