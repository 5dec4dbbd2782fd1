"""The case journey in a real browser: Debian's Chromium, driven by Playwright, against a real WSGI server.

Each demo account signs in through the login page in its own browser context and clicks what a
person would: the village files and submits, the township escalates, the county dispatches, the
department reports in and resolves, the county closes. It proves the pages' JavaScript works
(select2 and the paged look-up of app/static/js/lookup.js), which the test client cannot.

Chromium comes from apt (`chromium fonts-wqy-microhei`, see .ci/run); `playwright install` is never
run. Without /usr/bin/chromium the test is skipped locally and fails in CI.
"""
import os
import re
import threading
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import PASSWORD, Auth
from tests.services import Background, RedisServer, unavailable
from tests.workflow_helpers import Api

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
ACTIVITY = "村东废弃猪场内非法储存液化气钢瓶约30只"
TIMEOUT_MS = 10_000


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request and static file is noise; errors still log
        pass


@contextmanager
def serving(app):
    """`app` on 127.0.0.1 and a free port, served by werkzeug in a background thread; its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# As deployed: CSRF on, plain-HTTP cookies, the host taken from the request.
DEPLOYED = {"WTF_CSRF_ENABLED": True, "SESSION_COOKIE_SECURE": False, "SERVER_NAME": None}


@pytest.fixture
def live_server(make_app):
    with serving(make_app(**DEPLOYED)) as base_url:
        yield base_url


@pytest.fixture
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-wqy-microhei)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class Person:
    """One demo account in its own browser context (its own cookies), with the page's JavaScript errors."""

    def __init__(self, browser, base_url, username):
        self.context = browser.new_context(base_url=base_url, locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors = []  # console messages of type "error" and uncaught exceptions
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"{self.page.url}: {exc}"))
        self.page.goto("/login/")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url(re.compile(r"/inbox/list/"))  # users land on 我的待办

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"{self.page.url}: {message.text} ({message.location.get('url')})")

    def open_case_from_queue(self):
        """The list on the page (我的待办) has the case; its show link leads to the case page."""
        row = self.page.locator("table tr", has_text=ACTIVITY)
        row.locator("a[href*='/show/']").first.click()
        self.page.wait_for_url(re.compile(r"/report/show/\d+"))

    def act(self, action, **fields):
        """Fill an action's form on the case page and press its button; back on the case page, done."""
        panel = self.page.locator(f"#action-{action}")
        for name, value in fields.items():
            panel.locator(f"[name={name}]").fill(value)
        label = panel.locator("button[type=submit]").inner_text().strip()
        with self.page.expect_navigation():
            panel.locator("button[type=submit]").click()
        assert self.page.locator(".alert-success", has_text=label).count() == 1, self.flashes()
        assert self.page.locator(f"#action-{action}").count() == 0  # the step is done, its form gone

    def flashes(self):
        return self.page.locator(".alert").all_inner_texts()

    def close(self):
        self.context.close()


def query(url) -> dict:
    return parse_qs(urlsplit(url).query)


def pick(page, select_id, typed, choice):
    """Open a select2 box, type into its search field and click the result called `choice`."""
    page.locator(f"#{select_id} + .select2-container .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-container--open .select2-results__option", has_text=re.compile(f"^{choice}$")).click()
    assert page.locator(f"#{select_id} option:checked").inner_text() == choice


def test_a_case_travels_from_the_village_to_the_county_and_back_in_chromium(browser, live_server, tmp_path):
    # 1. The grid worker files the village report and submits it.
    grid = Person(browser, live_server, "grid_a")
    page = grid.page
    page.locator("a.dropdown-toggle", has_text="案件").click()
    grid.errors.clear()  # from here on: the case form page
    page.get_by_role("link", name="新建上报").click()
    page.wait_for_url(re.compile(r"/report/add"))
    page.locator("#village + .select2-container").wait_for()  # lookup.js turned the select into select2
    # 村居名称: the paged look-up. Clear the pre-filled village, then find it again through the server.
    page.locator("#village + .select2-container .select2-selection__clear").click()
    page.keyboard.press("Escape")
    assert page.locator("#village option:checked").count() == 0
    with page.expect_response(lambda r: "/lookup/organization" in r.url and query(r.url).get("q") == ["沙沟"]) as answer:
        page.locator("#village + .select2-container .select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").fill("沙沟")
    assert answer.value.ok
    assert any(unit["text"] == "沙沟村" for unit in answer.value.json()["results"])
    page.locator(".select2-container--open .select2-results__option", has_text=re.compile("^沙沟村$")).click()
    assert page.locator("#village option:checked").inner_text() == "沙沟村"
    pick(page, "category", "危险化学品", "非法存储危险化学品")
    page.fill("#activity", ACTIVITY)
    page.fill("#address", "沙沟村东200米废弃猪场")
    page.fill("#party", "张某某")
    page.fill("#reporter_phone", "13800138000")
    assert page.input_value("#discovered_on") and page.input_value("#reporter")  # pre-filled by the server
    assert grid.errors == [], grid.errors  # no JavaScript error on the case form
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.locator(".alert-danger").count() == 0, grid.flashes()
    grid.open_case_from_queue()  # saved, the draft waits in the grid worker's own queue
    case_url = page.url
    assert "草稿" in page.inner_text("body")
    grid.act("submit")
    grid.close()

    # 2. The township sees it waiting (with the number in the menu) and escalates it to the county.
    township = Person(browser, live_server, "township")
    page = township.page
    assert page.locator("a.dropdown-toggle", has_text="案件").locator(".badge").inner_text() == "1"
    township.open_case_from_queue()
    assert page.url == case_url
    township.act("escalate", opinion="超出乡镇职权，请县安委办转办")
    township.close()

    # 3. The county dispatches to the department the routing rule suggests; it reports in and resolves.
    county = Person(browser, live_server, "county")
    county.open_case_from_queue()
    lead = county.page.locator("#action-dispatch select[name=lead_department_id] option:checked")
    assert lead.inner_text().strip() == "应急管理局"
    county.act("dispatch")
    county.close()

    department = Person(browser, live_server, "dept_a")
    department.open_case_from_queue()
    department.act("acknowledge")
    department.act("resolve", measures="依法取缔，拆除储存设施", result="已断电并清场")
    department.close()

    county = Person(browser, live_server, "county")
    county.page.goto(case_url)
    county.act("close")
    page = county.page
    timeline = page.locator(".panel-heading", has_text="办理过程").locator("xpath=..").inner_text()
    for step in ("提交", "上报县", "转办部门", "报到", "处置完毕", "销号办结"):
        assert step in timeline, step
    text = page.inner_text("body")
    assert "已断电并清场" in text and "超出乡镇职权" in text
    screenshot = tmp_path / "case.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0
    county.close()


def test_the_months_township_ledger_downloads_with_a_moving_progress_bar(browser, make_app, database_url, tmp_path):
    """As a township clerk: 台账 → 乡镇台账, PDF, a progress page, then the file; Excel likewise."""
    redis = RedisServer()
    settings = {**DEPLOYED, "REDIS_URL": redis.url, "DOCUMENT_FOLDER": str(tmp_path / "documents")}
    app = make_app(**settings)
    api = Api(app.test_client(), Auth(app.test_client()))
    for activity in ("村东非法储存液化气钢瓶", "废弃厂房非法加工烟花爆竹"):
        rid = api.create(app, activity=activity)
        api.act("grid_a", rid, "submit")
    worker = Background({**os.environ, "FLASK_APP": "app:create_app", "APP_ENV": "development",
                         "DATABASE_URL": database_url, "SECRET_KEY": app.config["SECRET_KEY"], "REDIS_URL": redis.url,
                         "DOCUMENT_FOLDER": settings["DOCUMENT_FOLDER"]}, tmp_path)
    worker.start("worker", "worker")
    try:
        with serving(app) as base_url:
            clerk = Person(browser, base_url, "township")
            page = clerk.page
            page.locator("a.dropdown-toggle", has_text="台账").click()
            page.get_by_role("link", name="乡镇打非工作台账").click()
            page.wait_for_url(re.compile(r"/ledger/township/"))
            assert page.locator("table.ledger tr").count() == 3  # the headings and this month's two cases
            ledger_url = page.url
            for button, extension in (("下载 PDF", ".pdf"), ("下载 Excel", ".xlsx")):
                page.get_by_role("button", name=button).click()
                page.wait_for_url(re.compile(r"/documents/\d+$"))
                assert page.locator("#document-progress .progress-bar").count() == 1
                link = page.locator(".document-download")
                link.wait_for(state="visible", timeout=60_000)  # documents.js saw the job finish
                assert page.locator(".progress-bar").inner_text() == "100%"
                with page.expect_download() as download:
                    link.click()
                saved = tmp_path / ("ledger" + extension)
                download.value.save_as(saved)
                assert download.value.suggested_filename.startswith("乡镇安全生产打非工作台账-沙沟镇")
                assert saved.read_bytes()[:4] == (b"%PDF" if extension == ".pdf" else b"PK\x03\x04")
                page.goto(ledger_url)
            assert clerk.errors == [], clerk.errors
            clerk.close()
    finally:
        worker.stop()
        redis.stop()
