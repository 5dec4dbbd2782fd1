"""The factory and configuration from the environment."""
import pytest

import config


def test_each_app_is_separate(make_app):
    first, second = make_app(), make_app()
    assert first is not second
    assert first.config["TESTING"] and first.config["APP_NAME"] == "打非通"
    assert first.config["BABEL_DEFAULT_LOCALE"] == "zh"


def test_production_refuses_a_missing_or_default_secret_key(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    for value in ("", "change-me", "dev"):
        monkeypatch.setenv("SECRET_KEY", value)
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            config.secret_key("production")
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_a_key_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = config.secret_key("development")
    assert len(first) >= 32
    assert config.secret_key("development") == first
    assert (tmp_path / "secret_key").read_text().strip() == first


def test_a_real_secret_key_is_used_as_given(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-value-1234567890")
    assert config.secret_key("production") == "a-long-random-production-value-1234567890"


@pytest.mark.parametrize("given, expected", [
    (None, "sqlite:///"),
    ("postgresql://u:p@db/dafei", "postgresql+psycopg://u:p@db/dafei"),
    ("postgres://u:p@db/dafei", "postgresql+psycopg://u:p@db/dafei"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_url(given, expected):
    assert config.database_url(given).startswith(expected)
