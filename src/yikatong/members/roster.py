"""Bulk, read-only views of an enterprise's members for the domains that derive lists from them
(access permission lists, A1/T3; the console's member pickers) — a few queries for 50,000 members
instead of one look-up per member."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.core.bulk import chunks
from yikatong.members.models import Member, MemberStatus

_CHUNK = 5_000  # values per IN (…) list: inside both engines' parameter limits
_members = Member.__table__
_COLUMNS = (_members.c.id, _members.c.phone, _members.c.department, _members.c.status, _members.c.name)


@dataclass(frozen=True, slots=True)
class RosterMember:
    id: int
    phone: str
    department: str | None
    status: str
    name: str


def current_members(db: Session, *, enterprise_id: int, phones: Iterable[str] | None = None) -> list[RosterMember]:
    """The enterprise's members that are not removed (all, or those with these phones)."""
    base = select(*_COLUMNS).where(_members.c.enterprise_id == enterprise_id,
                                   _members.c.status != MemberStatus.removed.value)
    if phones is None:
        return [RosterMember(*row) for row in db.execute(base)]
    out = []
    for part in chunks(sorted(set(phones)), _CHUNK):
        out.extend(RosterMember(*row) for row in db.execute(base.where(_members.c.phone.in_(part))))
    return out


def members_by_ids(db: Session, *, enterprise_id: int, member_ids: Iterable[int]) -> dict[int, RosterMember]:
    """The enterprise's members with these ids (removed ones too: events keep naming them)."""
    out = {}
    for part in chunks(sorted(set(member_ids)), _CHUNK):
        for row in db.execute(select(*_COLUMNS).where(_members.c.enterprise_id == enterprise_id,
                                                      _members.c.id.in_(part))):
            out[row.id] = RosterMember(*row)
    return out


def staff_numbers(db: Session, *, enterprise_id: int) -> dict[int, str]:
    """member id → staff number of the current members that have one (the console's pickers)."""
    return dict(db.execute(select(_members.c.id, _members.c.staff_no).where(
        _members.c.enterprise_id == enterprise_id, _members.c.status != MemberStatus.removed.value,
        _members.c.staff_no.is_not(None))).all())
