"""Babel catalogues, compiled in memory at first use (no .mo files in the repository), and the
locale of a request: ``?lang=`` (remembered in the ``ykt_lang`` cookie), else the cookie, else
Simplified Chinese."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request
from starlette.responses import Response

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "zh_Hans"
LOCALES = ("zh_Hans", "en")
LANG_COOKIE = "ykt_lang"
LANGUAGE_NAMES = {"zh_Hans": "中文", "en": "English"}
_HTML_LANG = {"zh_Hans": "zh-CN", "en": "en"}


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, where the locale is known."""
    return message


@lru_cache(maxsize=None)
def translations(locale: str) -> Translations:
    """The catalogue of ``locale``: the .po file read and compiled into memory once per process."""
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po, locale=locale, domain="messages")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


@dataclass(frozen=True)
class Translator:
    """Translates for one request; ``params`` are %-formatted into the translated text."""

    locale: str

    @property
    def catalogue(self) -> Translations:
        return translations(self.locale)

    @property
    def html_lang(self) -> str:
        return _HTML_LANG[self.locale]

    def gettext(self, message: str, **params: object) -> str:
        text = self.catalogue.gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self.catalogue.ngettext(singular, plural, n)
        return text % {"num": n, **params}


def _valid(value: str | None) -> str | None:
    return value if value in LOCALES else None


def locale_for(request: Request) -> str:
    settings = getattr(request.app.state, "settings", None)
    default = _valid(getattr(settings, "default_locale", None)) or DEFAULT_LOCALE
    return _valid(request.query_params.get("lang")) or _valid(request.cookies.get(LANG_COOKIE)) or default


def translator_for(request: Request) -> Translator:
    return Translator(locale_for(request))


def remember_locale(request: Request, response: Response) -> None:
    """``?lang=en`` switches the console's language for the following pages too."""
    chosen = _valid(request.query_params.get("lang"))
    if chosen and chosen != request.cookies.get(LANG_COOKIE):
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, path="/", samesite="lax",
                            httponly=True)
