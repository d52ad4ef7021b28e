"""The console's language: Simplified Chinese by default, English on request (Babel catalogues
compiled in memory), every Chinese message translated, and the catalogues up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from factories import make_enterprise, make_member
from web_helpers import logged_in

from yikatong.web.i18n import LANG_COOKIE, LOCALE_DIR, Translator, translations

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalog(locale: str):
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def _ids(catalog) -> set:
    return {m.id for m in catalog if m.id}


def test_every_zh_hans_message_has_a_translation():
    missing = []
    for message in _catalog("zh_Hans"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings) or message.fuzzy:
            missing.append(message.id)
    assert missing == []


def test_zh_hans_translations_keep_every_placeholder():
    for message in _catalog("zh_Hans"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == wanted, message.id


def test_both_catalogues_hold_every_message_of_the_sources():
    """`pybabel extract -F babel.cfg` finds no message missing from the catalogues."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    extracted = {msgid for _, _, msgid, _, _ in extract_from_dir(str(ROOT), method_map, options_map)}
    assert extracted, "babel.cfg extracted nothing"
    for locale in ("zh_Hans", "en"):
        assert extracted - _ids(_catalog(locale)) == set(), locale
    assert _ids(_catalog("zh_Hans")) == _ids(_catalog("en"))


def test_catalogues_compile_in_memory():
    assert translations("zh_Hans").gettext("Members") == "成员"
    assert translations("en").gettext("Members") == "Members"
    assert Translator("zh_Hans").ngettext("%(num)s error in the file: nothing was imported.",
                                          "%(num)s errors in the file: nothing was imported.", 3) \
        == "文件中有 3 处错误，未导入任何成员。"
    assert not list(LOCALE_DIR.rglob("*.mo")), "compiled catalogues are not kept in the repository"


def test_login_page_is_chinese_by_default(client, db_engine):
    r = client.get("/login")
    assert r.status_code == 200
    assert '<html lang="zh-CN">' in r.text
    assert "登录企业端管理系统" in r.text and "用户名" in r.text and "密码" in r.text
    assert "一卡通业务平台" in r.text
    assert "Log in" not in r.text


def test_login_page_is_english_with_lang_en_and_remembers_it(client, db_engine):
    r = client.get("/login", params={"lang": "en"})
    assert '<html lang="en">' in r.text
    assert "Log in to the console" in r.text and "Username" in r.text and "Yikatong business platform" in r.text
    assert "登录企业端管理系统" not in r.text
    assert r.cookies.get(LANG_COOKIE) == "en"
    assert "Log in to the console" in client.get("/login").text  # the cookie keeps the choice
    back = client.get("/login", params={"lang": "zh_Hans"})
    assert "登录企业端管理系统" in back.text and back.cookies.get(LANG_COOKIE) == "zh_Hans"


def test_unknown_language_falls_back_to_chinese(client, db_engine):
    r = client.get("/login", params={"lang": "fr"})
    assert '<html lang="zh-CN">' in r.text
    assert LANG_COOKIE not in r.cookies


def test_language_switch_links_keep_the_page_and_its_query(client, database):
    eid, admin = make_enterprise(database)
    make_member(database, enterprise_id=eid, name="李雷")
    logged_in(client, admin)
    path = f"/console/enterprises/{eid}/members"
    html = client.get(path, params={"q": "李"}).text
    assert f'href="{path}?q=%E6%9D%8E&amp;lang=en"' in html
    english = client.get(path, params={"q": "李", "lang": "en"}).text
    assert "Members" in english and "Add member" in english and "李雷" in english
    assert "Page 1 of 1 · 1 in total" in english
    assert "Enterprise admin · Website" in english


@pytest.mark.parametrize("lang,text", [("zh_Hans", "用户名或密码错误"), ("en", "Wrong username or password.")])
def test_service_errors_are_shown_in_the_reader_s_language(client, database, lang, text):
    from web_helpers import login

    _, admin = make_enterprise(database)
    client.get("/login", params={"lang": lang})
    assert text in login(client, admin, password="wrong-password").text
