"""`make run` as a newcomer starts it: migrated, seeded, serving a Chinese login page, mailing the township."""
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from app import clock

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, data=None, token=None):
    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=None if data is None else json.dumps(data).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_make_run_serves_the_demo_in_chinese_and_mails_the_township(tmp_path, sink):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DEMO_PASSWORD": "Run#check-2026",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}", "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(sink.port), "MAIL_DEFAULT_SENDER": "dafei@example.org"}
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

        # The embedded Redis, worker and scheduler deliver a submission's e-mail to the township.
        _, body = get(base + "/api/v1/security/login",
                      {"username": "grid_a", "password": "Run#check-2026", "provider": "db"})
        token = json.loads(body)["access_token"]
        _, body = get(base + "/api/v1/category/", token=token)
        category = json.loads(body)["result"][0]["id"]
        status, body = get(base + "/api/v1/report/", {
            "village": 0, "category": category, "activity": "废弃厂房内非法加工烟花爆竹", "address": "村西废弃厂房",
            "discovered_on": clock.today().isoformat(), "reporter": "王网格", "reporter_phone": "13800138000"}, token)
        assert status == 201, body
        status, body = get(base + f"/api/v1/report/{json.loads(body)['id']}/submit", {}, token)
        assert status == 200, body
        sink.wait_for(1, timeout=60)
        rcpts, message = sink.messages[0]
        assert "township@demo.invalid" in rcpts and str(message["Subject"]).startswith("【打非通】新上报")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    # flask serve stops its children, the embedded Redis last, and removes the Redis folder.
    socket = re.search(r"embedded Redis on unix://(\S+)", (tmp_path / "run.log").read_text()).group(1)
    deadline = time.monotonic() + 30
    while os.path.exists(os.path.dirname(socket)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not os.path.exists(os.path.dirname(socket)), (tmp_path / "run.log").read_text()[-2000:]
