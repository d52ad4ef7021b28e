"""Helpers of the console's page tests: log in through the form, read CSRF tokens, query the data
back through the services."""

from __future__ import annotations

import re
from types import SimpleNamespace

from factories import PASSWORD
from yikatong.core.actor import SYSTEM
from yikatong.core.pagination import PageParams
from yikatong.db import Database
from yikatong.members import service as members

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD, channel: str = "website", next_: str | None = None):
    """Log in through the login form; returns the POST's response (a 303 on success)."""
    page = client.get("/login")
    data = {"username": username, "password": password, "channel": channel, "csrf_token": csrf_from(page.text)}
    if next_:
        data["next"] = next_
    return client.post("/login", data=data, follow_redirects=False)


def logged_in(client, username: str, **kwargs) -> None:
    r = login(client, username, **kwargs)
    assert r.status_code == 303, r.text


def csrf(client, path: str = "/console/audit") -> str:
    """The session's CSRF token, read from any signed-in page (the logout form carries it)."""
    r = client.get(path)
    return csrf_from(r.text)


def member_rows(db: Database, enterprise_id: int, q: str | None = None) -> list[SimpleNamespace]:
    """The enterprise's current members, as plain values read through the service."""
    with db.read() as s:
        page = members.search_members(s, actor=SYSTEM, enterprise_id=enterprise_id, page=PageParams(limit=500), q=q)
        return [SimpleNamespace(**{k: getattr(m, k) for k in ("id", "name", "phone", "staff_no", "department",
                                                                  "status")}) for m in page.items]


def card_rows(db: Database, phone: str) -> list[SimpleNamespace]:
    """The cards under a number, newest first, with their sub-applications, as plain values."""
    from sqlalchemy import select

    from yikatong.cards.access import applications
    from yikatong.cards.models import Card

    with db.read() as s:
        cards = s.scalars(select(Card).where(Card.phone == phone).order_by(Card.id.desc()))
        return [SimpleNamespace(id=c.id, card_no=c.card_no, kind=c.kind, status=c.status, uid=c.uid,
                                restored_from=c.restored_from,
                                apps=[SimpleNamespace(id=a.id, type=a.type, mode=a.mode, status=a.status,
                                                      enterprise_id=a.enterprise_id) for a in applications(s, c)])
                for c in cards]


def blacklisted(db: Database, enterprise_id: int) -> list[str]:
    from yikatong.cards import blacklist

    with db.read() as s:
        return blacklist.delta_since(s, enterprise_id=enterprise_id, since=0).added


def sms_texts(db: Database, phone: str) -> list[str]:
    from sqlalchemy import select

    from yikatong.notify.models import SmsMessage

    with db.read() as s:
        return [m.text for m in s.scalars(select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id))]


def spaced(card_no: str) -> str:
    """A card number as the pages show it: 8688 0123 4567 8901."""
    return " ".join(card_no[i:i + 4] for i in range(0, len(card_no), 4))


def purse_balance(db: Database, member_id: int) -> int:
    """The member's purse balance in fen, read through the purse service."""
    from yikatong.purse import service as purse

    with db.read() as s:
        return purse.member_purse(s, actor=SYSTEM, member_id=member_id)["balance_fen"]


def card_no_of(db: Database, card_id: int) -> str:
    from yikatong.cards.models import Card

    with db.read() as s:
        return s.get(Card, card_id).card_no


def notice(html: str, kind: str = "error") -> str:
    """The text of the page's ok or error notice."""
    match = re.search(rf'class="notice notice-{kind}" role="(?:alert|status)">([^<]*)<', html)
    return match.group(1).strip() if match else ""
