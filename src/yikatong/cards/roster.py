"""Bulk, read-only views of cards for the domains that derive lists from them (access permission
lists, A1/T3): every card of many phone numbers with whether it holds a live access sub-application
of an enterprise, in a few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.cards.models import AppStatus, AppType, Card, CardApplication
from yikatong.core.bulk import chunks

_CHUNK = 5_000  # values per IN (…) list: inside both engines' parameter limits
_cards, _apps = Card.__table__, CardApplication.__table__


@dataclass(frozen=True, slots=True)
class RosterCard:
    card_no: str
    phone: str
    status: str
    has_access: bool  # a live access sub-application of the enterprise asked about


def cards_for_phones(db: Session, *, enterprise_id: int, phones: Iterable[str]) -> list[RosterCard]:
    """Every card the phones hold or held, and whether it has a live access sub-application of
    ``enterprise_id``."""
    rows = []
    for part in chunks(sorted(set(phones)), _CHUNK):
        rows.extend(db.execute(select(_cards.c.id, _cards.c.card_no, _cards.c.phone, _cards.c.status)
                               .where(_cards.c.phone.in_(part))).all())
    with_access: set[int] = set()
    for part in chunks([r.id for r in rows], _CHUNK):
        with_access.update(db.scalars(select(_apps.c.card_id).where(
            _apps.c.card_id.in_(part), _apps.c.enterprise_id == enterprise_id, _apps.c.type == AppType.access.value,
            _apps.c.status == AppStatus.active.value)))
    return [RosterCard(r.card_no, r.phone, r.status, r.id in with_access) for r in rows]


def phone_of_card(db: Session, *, card_no: str) -> str | None:
    return db.scalar(select(_cards.c.phone).where(_cards.c.card_no == card_no))


@dataclass(frozen=True, slots=True)
class RosterApplication:
    card_no: str
    member_id: int
    status: str
    closed_at: dt.datetime | None


def applications_for_cards(db: Session, *, card_nos: Iterable[str], enterprise_id: int,
                           type: AppType) -> dict[str, list[RosterApplication]]:
    """Each card's sub-applications of one type and enterprise, oldest first (cards unknown are
    absent; a known card without one maps to an empty list) — a batch upload's look-up in a few
    queries instead of one per card."""
    out: dict[str, list[RosterApplication]] = {}
    for part in chunks(sorted(set(card_nos)), _CHUNK):
        for card_no, member_id, status, closed_at in db.execute(
                select(_cards.c.card_no, _apps.c.member_id, _apps.c.status, _apps.c.closed_at)
                .select_from(_cards.outerjoin(_apps, (_apps.c.card_id == _cards.c.id)
                                              & (_apps.c.enterprise_id == enterprise_id)
                                              & (_apps.c.type == type.value)))
                .where(_cards.c.card_no.in_(part)).order_by(_cards.c.card_no, _apps.c.id)):
            found = out.setdefault(card_no, [])
            if member_id is not None:
                found.append(RosterApplication(card_no, member_id, status, closed_at))
    return out
