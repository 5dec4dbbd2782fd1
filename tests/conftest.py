"""Fixtures: an app on a fresh copy of a migrated, seeded database per test; clients; demo users.

The database is built once per run (migrations, roles, demo data) and copied for each test:
a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL (TEST_DATABASE_URL).
"""
import os
import shutil

import pytest

from app import create_app
from config import database_url as sqlalchemy_url
from app.extensions import db
from tests.services import recreate_database

PASSWORD = "Test#demo-2026"
# Demo accounts by role (DESIGN §10)
USERS = {
    "Admin": "admin", "GridWorker": "grid_a", "VillageHead": "head_a", "TownshipOffice": "township",
    "Handler": "committee", "CountyOffice": "county", "Department": "dept_a", "Leader": "leader",
}
POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


def config(database_url: str, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(database_url),
        "SECRET_KEY": "test-secret-key-of-a-sensible-length-0123456789",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "DEMO_PASSWORD": PASSWORD,
        "SERVER_NAME": "localhost",
        **extra,
    }


def build_database(url: str) -> None:
    """Migrate an empty database, sync the roles and load the demo."""
    from flask_migrate import upgrade

    from app.demo import seed

    app = create_app(config(url))
    with app.app_context():
        upgrade()
        app.appbuilder.sm.sync_roles()
        seed(PASSWORD)
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated and seeded database to copy: a file path (SQLite) or a template name (PostgreSQL)."""
    if POSTGRES:
        admin = os.environ["TEST_DATABASE_URL"]
        url = recreate_database(admin, "dafei_template")
        build_database(url)
        return "dafei_template"
    path = tmp_path_factory.mktemp("template") / "template.db"
    build_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(database_template, tmp_path):
    if POSTGRES:
        return recreate_database(os.environ["TEST_DATABASE_URL"], "dafei_test", template=database_template)
    path = tmp_path / "app.db"
    shutil.copy(database_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build apps on the test's database with extra settings; their connections close afterwards."""
    apps = []

    def make(**extra):
        extra.setdefault("ATTACHMENT_FOLDER", str(tmp_path / "attachments"))
        extra.setdefault("DOCUMENT_FOLDER", str(tmp_path / "documents"))
        apps.append(create_app(config(database_url, **extra)))
        return apps[-1]

    yield make
    for built in apps:
        with built.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """The app, with no context pushed: each request gets its own, as in production.

    Tests that read or change the database directly do it inside `with app.app_context():`.
    """
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Sign in through the HTML login form or the API, as a person or a script would."""

    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        return self.client.post("/login/", data={"username": username, "password": password})

    def logout(self):
        return self.client.get("/logout/")

    def token(self, username: str, password: str = PASSWORD) -> str:
        response = self.client.post("/api/v1/security/login",
                                    json={"username": username, "password": password, "provider": "db"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json["access_token"]

    def headers(self, username: str) -> dict:
        return {"Authorization": f"Bearer {self.token(username)}"}


@pytest.fixture
def auth(client):
    return Auth(client)


def org_id(app, name: str) -> int:
    """The id of the demo unit called `name`."""
    from app.models import Organization

    with app.app_context():
        return db.session.query(Organization.id).filter_by(name=name).scalar()


@pytest.fixture
def sink():
    """A real SMTP server on 127.0.0.1 for this test."""
    from tests.services import SmtpSink

    server = SmtpSink()
    yield server
    server.stop()


def mail_config(sink) -> dict:
    """Settings that send e-mail to `sink` (Flask-Mail sends nothing under TESTING otherwise)."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": sink.port, "MAIL_SUPPRESS_SEND": False,
            "MAIL_DEFAULT_SENDER": "打非通 <dafei@example.org>", "MAIL_TIMEOUT": 5.0}
