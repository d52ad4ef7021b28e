"""The per-door permission lists (A1, A2, T3), materialised so a door terminal is sent only what
changed since the version it holds.

What a card may do at a door is derived from data several domains own: access groups, doors and
time zones (here), members (status, department), cards (number, state, access application of
this enterprise) and validity dates. Rather than hooks in every domain, ``refresh`` recomputes
the enterprise's desired rows (a few bulk reads), diffs them against the materialised ones, and
gives every row that changed the enterprise's next permission version — at each sync, after each
change made here, and (for one card) at each online decision. A row no longer wanted stays as a
tombstone (``removed``) so a terminal behind it learns to drop the card."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from yikatong.access.models import (
    AccessGroup, Door, GroupDepartment, GroupDoor, GroupMember, MemberValidity, Permission, PermissionVersion,
)
from yikatong.access.rules import Reason
from yikatong.access.schemas import PermissionDelta, PermissionOut
from yikatong.cards import roster as card_roster
from yikatong.cards.models import CardStatus
from yikatong.core.errors import InvalidInput
from yikatong.members import roster as member_roster
from yikatong.members.models import MemberStatus

_perms = Permission.__table__


@dataclass(frozen=True, slots=True)
class Want:
    member_id: int
    status: str
    time_zone_ids: str
    valid_from: object
    valid_until: object


def _status(member: member_roster.RosterMember, card: card_roster.RosterCard) -> str:
    if card.status == CardStatus.lost.value:
        return Reason.card_lost.value
    if card.status != CardStatus.active.value:
        return Reason.card_inactive.value
    if not card.has_access:
        return Reason.no_application.value
    if member.status == MemberStatus.suspended.value:
        return Reason.member_suspended.value
    return Reason.ok.value


@dataclass
class Inputs:
    """What the rows are derived from (proportional to people, not to people × doors)."""

    zone_of_group: dict[int, int]
    doors_of: dict[int, list[int]]
    groups_of: dict[int, set[int]]  # member id → groups, by name or by department
    members: list[member_roster.RosterMember]
    cards_by_phone: dict[str, list[card_roster.RosterCard]]
    validity: dict[int, tuple]

    def digest(self) -> str:
        """A digest of every input, so an unchanged enterprise skips the expansion and the diff."""
        h = hashlib.sha256()
        for part in (sorted(self.zone_of_group.items()), sorted((g, sorted(d)) for g, d in self.doors_of.items()),
                     sorted((m, sorted(g)) for m, g in self.groups_of.items()),
                     sorted((m.id, m.phone, m.status) for m in self.members),
                     sorted((c.card_no, c.phone, c.status, c.has_access)
                            for cards in self.cards_by_phone.values() for c in cards),
                     sorted((m, str(v)) for m, v in self.validity.items())):
            h.update(repr(part).encode())
        return h.hexdigest()[:32]


def inputs(db: Session, *, enterprise_id: int, card_no: str | None = None) -> Inputs | None:
    """The inputs for the whole enterprise or one card; None when no group gives anyone a door."""
    zone_of_group = dict(db.execute(select(AccessGroup.id, AccessGroup.time_zone_id)
                                    .where(AccessGroup.enterprise_id == enterprise_id)).all())
    if not zone_of_group:
        return None
    ids = list(zone_of_group)
    doors_of: dict[int, list[int]] = defaultdict(list)
    for gid, did in db.execute(select(GroupDoor.group_id, GroupDoor.door_id).join(Door, Door.id == GroupDoor.door_id)
                               .where(GroupDoor.group_id.in_(ids), Door.removed_at.is_(None))):
        doors_of[gid].append(did)
    by_member: dict[int, set[int]] = defaultdict(set)
    for gid, mid in db.execute(select(GroupMember.group_id, GroupMember.member_id).where(GroupMember.group_id.in_(ids))):
        by_member[mid].add(gid)
    by_department: dict[str, set[int]] = defaultdict(set)
    for gid, dept in db.execute(select(GroupDepartment.group_id, GroupDepartment.department)
                                .where(GroupDepartment.group_id.in_(ids))):
        by_department[dept].add(gid)

    if card_no is None:
        members = member_roster.current_members(db, enterprise_id=enterprise_id)
    else:
        phone = card_roster.phone_of_card(db, card_no=card_no)
        members = [] if phone is None else member_roster.current_members(db, enterprise_id=enterprise_id, phones=[phone])
    groups_of = {}
    for m in members:
        found = by_member.get(m.id, set()) | by_department.get(m.department or "", set())
        if found:
            groups_of[m.id] = found
    members = [m for m in members if m.id in groups_of]
    cards_by_phone: dict[str, list[card_roster.RosterCard]] = defaultdict(list)
    if members:
        phones = {m.phone for m in members}
        for c in card_roster.cards_for_phones(db, enterprise_id=enterprise_id, phones=phones):
            if c.phone in phones and (card_no is None or c.card_no == card_no):
                cards_by_phone[c.phone].append(c)
    wanted = set(groups_of)
    validity = {mid: (vf, vu) for mid, vf, vu in db.execute(
        select(MemberValidity.member_id, MemberValidity.valid_from, MemberValidity.valid_until)
        .where(MemberValidity.enterprise_id == enterprise_id,
               *([MemberValidity.member_id.in_(sorted(wanted))] if card_no else []))) if mid in wanted}
    return Inputs(zone_of_group, doors_of, groups_of, members, cards_by_phone, validity)


def expand(given: Inputs | None) -> dict[tuple[int, str], Want]:
    """(door_id, card_no) → what the row should say."""
    out: dict[tuple[int, str], Want] = {}
    if given is None:
        return out
    for m in given.members:
        cards = given.cards_by_phone.get(m.phone)
        if not cards:
            continue
        zones_at: dict[int, set[int]] = defaultdict(set)
        for gid in given.groups_of[m.id]:
            for did in given.doors_of.get(gid, ()):
                zones_at[did].add(given.zone_of_group[gid])
        zones_text = {did: ",".join(str(z) for z in sorted(zones)) for did, zones in zones_at.items()}
        vf, vu = given.validity.get(m.id, (None, None))
        for c in cards:
            status = _status(m, c)
            for did, text in zones_text.items():
                out[did, c.card_no] = Want(m.id, status, text, vf, vu)
    return out


def desired(db: Session, *, enterprise_id: int, card_no: str | None = None) -> dict[tuple[int, str], Want]:
    """(door_id, card_no) → what the row should say, for the whole enterprise or one card."""
    return expand(inputs(db, enterprise_id=enterprise_id, card_no=card_no))


def current_version(db: Session, *, enterprise_id: int) -> int:
    return db.scalar(select(PermissionVersion.version).where(PermissionVersion.enterprise_id == enterprise_id)) or 0


def _lock_version(db: Session, enterprise_id: int) -> int:
    """Serialise refreshes of one enterprise: the version row is locked (PostgreSQL; SQLite has a
    single writer) before the materialised rows are read, so two syncs never diff the same rows."""
    version = db.scalar(select(PermissionVersion.version).where(PermissionVersion.enterprise_id == enterprise_id)
                        .with_for_update())
    if version is None:
        db.add(PermissionVersion(enterprise_id=enterprise_id, version=0))
        db.flush()
        return 0
    return version


def ensure_version_row(db: Session, *, enterprise_id: int) -> None:
    """Created with the enterprise's first access object, so refreshes only ever lock it."""
    if db.get(PermissionVersion, enterprise_id) is None:
        db.add(PermissionVersion(enterprise_id=enterprise_id, version=0))
        db.flush()


def refresh(db: Session, *, enterprise_id: int, card_no: str | None = None) -> int:
    """A1/T3: bring the materialised rows (all, or one card's) in line with what groups, members,
    cards and validity say now; every changed row takes the next version. Returns the version.

    A whole-enterprise refresh first digests its inputs (people, not people × doors): when they
    are what the last refresh saw, the rows are current and nothing more is read — what most
    syncs of a large enterprise find."""
    given = inputs(db, enterprise_id=enterprise_id, card_no=card_no)
    digest = given.digest() if (card_no is None and given is not None) else None
    if card_no is None:
        held = db.execute(select(PermissionVersion.version, PermissionVersion.inputs_digest)
                          .where(PermissionVersion.enterprise_id == enterprise_id)).first()
        if held is not None and digest is not None and held.inputs_digest == digest:
            return held.version
    version = _lock_version(db, enterprise_id)
    want = expand(given)
    stmt = select(_perms.c.id, _perms.c.door_id, _perms.c.card_no, _perms.c.member_id, _perms.c.status,
                  _perms.c.time_zone_ids, _perms.c.valid_from, _perms.c.valid_until, _perms.c.removed).where(
        _perms.c.enterprise_id == enterprise_id)
    if card_no is not None:
        stmt = stmt.where(_perms.c.card_no == card_no)
    have = {(r.door_id, r.card_no): r for r in db.execute(stmt)}
    inserts, updates = [], []
    for key, w in want.items():
        row = have.get(key)
        if row is None:
            inserts.append({"enterprise_id": enterprise_id, "door_id": key[0], "card_no": key[1],
                            "member_id": w.member_id, "status": w.status, "time_zone_ids": w.time_zone_ids,
                            "valid_from": w.valid_from, "valid_until": w.valid_until, "removed": False})
        elif row.removed or Want(row.member_id, row.status, row.time_zone_ids, row.valid_from, row.valid_until) != w:
            updates.append({"b_id": row.id, "b_member": w.member_id, "b_status": w.status,
                            "b_zones": w.time_zone_ids, "b_from": w.valid_from, "b_until": w.valid_until})
    gone = [r.id for key, r in have.items() if not r.removed and key not in want]
    if card_no is None:
        db.execute(update(PermissionVersion).where(PermissionVersion.enterprise_id == enterprise_id)
                   .values(inputs_digest=digest))
    if not (inserts or updates or gone):
        return version
    version += 1
    # A one-card refresh leaves the other rows as they were: the digest no longer describes the
    # whole table, so the next whole refresh must not be skipped.
    extra = {"inputs_digest": None} if card_no is not None else {}
    db.execute(update(PermissionVersion).where(PermissionVersion.enterprise_id == enterprise_id)
               .values(version=version, **extra))
    if inserts:
        db.execute(insert(Permission), [dict(i, version=version) for i in inserts])
    if updates:
        db.execute(update(_perms).where(_perms.c.id == bindparam("b_id")).values(
            member_id=bindparam("b_member"), status=bindparam("b_status"), time_zone_ids=bindparam("b_zones"),
            valid_from=bindparam("b_from"), valid_until=bindparam("b_until"), removed=False, version=version),
            updates)
    for i in range(0, len(gone), 500):
        db.execute(update(_perms).where(_perms.c.id.in_(gone[i:i + 500])).values(removed=True, version=version))
    return version


def _out(row) -> PermissionOut:
    return PermissionOut(card_no=row.card_no, status=row.status,
                         time_zones=[int(z) for z in row.time_zone_ids.split(",") if z],
                         valid_from=row.valid_from, valid_until=row.valid_until)


def delta_since(db: Session, *, enterprise_id: int, door_id: int, since: int) -> PermissionDelta:
    """T3: the door's rows changed after version ``since`` (0: the whole list, ``full`` true —
    the terminal replaces what it holds). ``changed`` rows are added or replace the terminal's
    row for that card; ``removed`` cards are to be dropped. A version newer than the platform's is
    422 ``unknown_version`` (the terminal starts again from 0)."""
    version = current_version(db, enterprise_id=enterprise_id)
    if since > version:
        raise InvalidInput(f"permissions version {since} is newer than the current version {version}",
                           code="unknown_version", details={"permissions_version": version})
    stmt = select(_perms.c.card_no, _perms.c.status, _perms.c.time_zone_ids, _perms.c.valid_from,
                  _perms.c.valid_until, _perms.c.removed).where(_perms.c.door_id == door_id)
    if since == 0:
        rows = db.execute(stmt.where(_perms.c.removed.is_(False)).order_by(_perms.c.card_no)).all()
        return PermissionDelta(version=version, full=True, changed=[_out(r) for r in rows], removed=[])
    rows = db.execute(stmt.where(_perms.c.version > since).order_by(_perms.c.card_no)).all()
    return PermissionDelta(version=version, full=False, changed=[_out(r) for r in rows if not r.removed],
                           removed=[r.card_no for r in rows if r.removed])


def entry_row(db: Session, *, door_id: int, card_no: str):
    """The live materialised row of this card at this door, or None."""
    return db.execute(select(_perms.c.status, _perms.c.time_zone_ids, _perms.c.valid_from, _perms.c.valid_until,
                             _perms.c.member_id)
                      .where(_perms.c.door_id == door_id, _perms.c.card_no == card_no,
                             _perms.c.removed.is_(False))).first()


def members_of_cards(db: Session, *, enterprise_id: int, card_nos: list[str]) -> dict[str, int]:
    """card_no → the member the enterprise's permission rows name (for events and reports)."""
    out: dict[str, int] = {}
    for i in range(0, len(card_nos), 500):
        out.update(db.execute(select(_perms.c.card_no, _perms.c.member_id).where(
            _perms.c.enterprise_id == enterprise_id, _perms.c.card_no.in_(card_nos[i:i + 500]))).all())
    return out
