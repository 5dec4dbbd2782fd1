"""Configuration of 打非通, read from environment variables only (DESIGN §10)."""
import os
import secrets
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))

# Secret keys that must never reach production (documentation examples, old demo values).
KNOWN_SECRETS = {"", "change-me", "dev", "secret", "changeme"}


def database_url(url: str | None) -> str:
    """The SQLAlchemy URL for DATABASE_URL: SQLite under instance/ by default, psycopg 3 for PostgreSQL."""
    if not url:
        return f"sqlite:///{INSTANCE / 'dafei.db'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(env: str) -> str:
    """SECRET_KEY from the environment; development keeps a generated one under instance/."""
    key = os.environ.get("SECRET_KEY", "")
    if key and key not in KNOWN_SECRETS:
        return key
    if env == "production":
        raise RuntimeError(
            "SECRET_KEY 未设置或使用了默认值，生产环境拒绝启动。"
            " (SECRET_KEY is missing or a known default; refusing to start in production.)"
        )
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def ratelimit_storage(redis_url: str | None) -> str:
    """The login limiter's store: the Redis server if there is one (a unix socket is spelt redis+unix)."""
    if not redis_url:
        return "memory://"
    return "redis+" + redis_url if redis_url.startswith("unix://") else redis_url


def flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings for every environment; `APP_ENV` is production unless it says otherwise."""

    APP_ENV = os.environ.get("APP_ENV", "production")
    APP_NAME = "打非通"
    APP_ICON = None
    APP_THEME = ""

    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    REDIS_URL = os.environ.get("REDIS_URL") or None

    # Without MAIL_SERVER, e-mail is kept in the outbox view (发件箱) instead of sent.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = flag("MAIL_USE_TLS")
    MAIL_USE_SSL = flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "打非通 <noreply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "20"))  # seconds; Flask-Mail sets none
    # Links in e-mails: jobs have no request to take the host from.
    APP_BASE_URL = os.environ.get("APP_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}")

    # The outbox: waits before retry number 1, 2, … (seconds); after the last one a row is failed.
    OUTBOX_RETRY_SECONDS = [int(s) for s in os.environ.get("OUTBOX_RETRY_SECONDS",
                                                            "30,60,120,300,600,1800,3600").split(",")]
    # A claim older than this means its job died (SIGKILL, lost machine): the relay sends again.
    OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
    # How often the scheduler looks at the periodic jobs, and how often the relay sweeps the outbox.
    SCHEDULER_TICK_SECONDS = float(os.environ.get("SCHEDULER_TICK_SECONDS", "5"))
    OUTBOX_RELAY_SECONDS = int(os.environ.get("OUTBOX_RELAY_SECONDS", "15"))

    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "dafei-demo-2026")

    # Chinese first, English second. An absolute path: a relative one resolves against the package.
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    LANGUAGES = {
        "zh": {"flag": "cn", "name": "简体中文"},
        "en": {"flag": "gb", "name": "English"},
    }

    # Flask-AppBuilder: our security manager and user model; Alembic owns the schema and
    # `flask sync-roles` owns the permissions, so FAB creates neither at start-up.
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_RATE_LIMITED = True
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per 20 second")  # per address, HTML and API login
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = ratelimit_storage(os.environ.get("REDIS_URL"))
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: logins still work, limited per process
    RATELIMIT_SWALLOW_ERRORS = True
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.SecurityManager"
    FAB_INDEX_VIEW = "app.views.index.HomeView"
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = False
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = flag("FAB_API_SWAGGER_UI")
    FAB_API_MAX_PAGE_SIZE = 100
    FAB_BASE_TEMPLATE = "layout.html"  # FAB's layout plus the app's scripts
    FAB_PASSWORD_HASH_METHOD = "scrypt"

    WTF_CSRF_ENABLED = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    UPLOAD_MAX_ROWS = 20000
    # Case photos and PDFs: outside any static folder, served only through a scope check.
    ATTACHMENT_FOLDER = os.environ.get("ATTACHMENT_FOLDER", str(INSTANCE / "attachments"))
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_MB", "10")) * 1024 * 1024
    # Rendered ledgers, case files and exports: served only through a scope check.
    DOCUMENT_FOLDER = os.environ.get("DOCUMENT_FOLDER", str(INSTANCE / "documents"))
    DOCUMENT_KEEP_DAYS = int(os.environ.get("DOCUMENT_KEEP_DAYS", "30"))  # then the nightly clean-up removes them
    # Behind HTTPS in production; set SESSION_COOKIE_SECURE=false to serve plain HTTP on an intranet.
    SESSION_COOKIE_SECURE = APP_ENV == "production" and flag("SESSION_COOKIE_SECURE", True)
    SECRET_KEY = None  # resolved by `secret_key()` once the app knows its environment
