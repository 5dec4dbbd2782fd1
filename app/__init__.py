"""打非通: the back office for “村居上报、乡镇吹哨、部门报到” (安全生产打非)."""
from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from flask_appbuilder import AppBuilder

from config import ROOT, Config, secret_key
from app.extensions import csrf, db, mail, migrate


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application; `test_config` overrides the environment's configuration."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secret_key(app.config["APP_ENV"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    mail.init_app(app)

    with app.app_context():
        from app import models  # noqa: F401  (register every table with the metadata)
        from app.jobs import outbox  # noqa: F401  (hands committed notifications to the queue)
        from app.views import register_views

        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        register_views(appbuilder)

    from app.cli import register_commands
    from app.i18n import register_template_helpers

    register_commands(app)
    register_template_helpers(app)
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.ico"))
    return app
