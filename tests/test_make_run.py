"""`make run` as a newcomer starts it: migrated, seeded, serving a Chinese login page."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, data=None):
    request = urllib.request.Request(url, data=data and json.dumps(data).encode(),
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_make_run_serves_the_demo_in_chinese(tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DEMO_PASSWORD": "Run#check-2026",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}"}
    env.pop("REDIS_URL", None)
    with open(tmp_path / "run.log", "w") as log:
        process = subprocess.Popen(["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        base, status, page = f"http://127.0.0.1:{port}", None, ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, page = get(base + "/login/")
                break
            except OSError:
                time.sleep(0.5)
        output = (tmp_path / "run.log").read_text()
        assert status == 200, output
        assert "登录" in page and "打非通" in page
        status, body = get(base + "/api/v1/security/login",
                           {"username": "township", "password": "Run#check-2026", "provider": "db"})
        assert status == 200 and "access_token" in body
        assert "grid_a" in output and base in output  # the demo logins and the address are printed
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
