"""Alembic builds the schema from nothing, on SQLite and PostgreSQL, and agrees with the models."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from tests.conftest import config
from tests.services import postgres_admin_url, recreate_database

TABLES = {"organization", "ab_user", "ab_role", "category", "routing_rule", "routing_rule_assisting", "setting"}


@pytest.fixture(scope="module")
def postgres():
    url, stop = postgres_admin_url()
    yield url
    stop()


def check_schema(url):
    """Upgrade from nothing, compare with the models, downgrade to nothing, upgrade again."""
    app = create_app(config(url))
    with app.app_context():
        try:
            upgrade()
            assert TABLES <= set(inspect(db.engine).get_table_names())
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                diff = compare_metadata(context, Model.metadata)
            assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"
            downgrade(revision="base")
            assert "organization" not in inspect(db.engine).get_table_names()
            upgrade()
        finally:
            db.session.remove()
            db.engine.dispose()


def test_migrations_build_the_schema_on_empty_sqlite(tmp_path):
    check_schema(f"sqlite:///{tmp_path / 'empty.db'}")


def test_migrations_build_the_schema_on_empty_postgresql(postgres):
    check_schema(recreate_database(postgres, "dafei_migrations"))
