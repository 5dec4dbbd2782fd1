"""Chinese first: complete catalogue, every template string marked, FAB's gaps filled, people's formats."""
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import flask_appbuilder
import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment

from app.i18n import human

ROOT = Path(__file__).resolve().parent.parent
ZH = ROOT / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
FAB = Path(flask_appbuilder.__file__).parent


def catalogue(path):
    with open(path, "rb") as f:
        return read_po(f)


def extract(tmp_path, *paths) -> set[str]:
    """Messages pybabel finds in `paths` (our code, or FAB's)."""
    pot = tmp_path / "messages.pot"
    subprocess.run([Path(sys.executable).parent / "pybabel", "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), *map(str, paths)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {m.id for m in catalogue(pot) if m.id}


def translated(cat) -> set[str]:
    return {m.id for m in cat if m.id and m.string and not m.fuzzy}


def test_every_message_of_ours_has_a_chinese_translation(tmp_path):
    zh = catalogue(ZH)
    untranslated = {m.id for m in zh if m.id and (not m.string or m.fuzzy)}
    assert not untranslated
    missing = extract(tmp_path, ROOT / "app", ROOT / "templates") - translated(zh)
    assert not missing, f"not in the zh catalogue (run `make extract-messages`): {sorted(missing)}"


def test_flask_appbuilder_strings_are_all_translated(tmp_path):
    fab_zh = catalogue(FAB / "translations" / "zh" / "LC_MESSAGES" / "messages.po")
    missing = extract(tmp_path, FAB) - translated(fab_zh) - translated(catalogue(ZH))
    assert not missing, f"FAB strings without Chinese (add to app/fab_messages.py): {sorted(missing)}"


def text_outside_translation(source: str) -> list[str]:
    """Words in a template's literal HTML text that no {{ _() }} or {% trans %} covers."""
    tokens = Environment(extensions=["jinja2.ext.i18n"]).lex(source)
    literal = "".join(value if kind == "data" else " " for _, kind, value in tokens)
    text = re.sub(r"<[^>]*>", " ", literal)  # tags and their attributes are markup, not text
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return re.findall(r"[A-Za-z]{2,}|[\u4e00-\u9fff]+", text)


# E-mails and printed forms are Chinese documents whatever the reader's language: not translated.
CHINESE_ONLY = ("email", "pdf")
PAGES = sorted(p for p in (ROOT / "templates").rglob("*.html")
               if p.relative_to(ROOT / "templates").parts[0] not in CHINESE_ONLY)


@pytest.mark.parametrize("template", PAGES, ids=lambda p: p.name)
def test_templates_mark_every_string_for_translation(template):
    assert text_outside_translation(template.read_text(encoding="utf-8")) == []


def test_the_check_finds_an_unmarked_string():
    assert text_outside_translation("<p>{{ _('Fine') }}</p><p>未翻译 text</p>") == ["未翻译", "text"]


def test_the_login_page_is_chinese_and_english_is_switchable(client):
    page = client.get("/login/").get_data(as_text=True)
    assert "登录" in page and "用户名" in page and "密码" in page
    client.get("/lang/en")
    assert "Sign In" in client.get("/login/").get_data(as_text=True)


def test_pages_titles_and_menus_are_chinese(client, auth):
    auth.login("admin")
    page = client.get("/organization/village/list/").get_data(as_text=True)
    for text in ("村居", "上级机构", "主要负责人", "机构", "系统配置", "新增"):
        assert text in page
    assert "List Village" not in page and "Add Village" not in page
    assert "新增村居" in client.get("/organization/village/add").get_data(as_text=True)


def test_dates_are_formatted_for_people(app):
    with app.test_request_context():
        assert human(datetime(2026, 12, 4, 15, 39, 13, 379229)) == "2026-12-04 15:39"
        assert human(None) == ""
