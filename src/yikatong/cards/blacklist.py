"""The per-enterprise, versioned blacklist (黑名单, T3). Every loss, cancellation or replacement adds
the card to the blacklist of each enterprise with a sub-application on it; every unfreeze removes
it. Each change takes the next version, so a terminal asks only for what changed since the version
it holds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yikatong.cards.models import BlacklistChange, BlacklistVersion
from yikatong.cards.schemas import BlacklistDelta
from yikatong.core import clock
from yikatong.core.errors import InvalidInput

ADDED, REMOVED = "added", "removed"


def _next_version(db: Session, enterprise_id: int) -> int:
    # The UPDATE takes the row lock on PostgreSQL, so two changes never share a version.
    bumped = db.execute(update(BlacklistVersion).where(BlacklistVersion.enterprise_id == enterprise_id)
                        .values(version=BlacklistVersion.version + 1).returning(BlacklistVersion.version)).scalar()
    if bumped is None:
        db.add(BlacklistVersion(enterprise_id=enterprise_id, version=1))
        db.flush()
        return 1
    return bumped


def record_change(db: Session, *, enterprise_id: int, card_no: str, change: str, reason: str) -> int:
    """Append one change; returns the enterprise's new blacklist version."""
    version = _next_version(db, enterprise_id)
    db.add(BlacklistChange(enterprise_id=enterprise_id, version=version, card_no=card_no, change=change,
                           reason=reason, at=clock.now()))
    return version


def current_version(db: Session, *, enterprise_id: int) -> int:
    return db.scalar(select(BlacklistVersion.version).where(BlacklistVersion.enterprise_id == enterprise_id)) or 0


def delta_since(db: Session, *, enterprise_id: int, since: int) -> BlacklistDelta:
    """T3: the net changes after version ``since`` (0 = the whole list): a card added and removed
    again in between appears in neither list."""
    version = current_version(db, enterprise_id=enterprise_id)
    if since < 0:
        raise InvalidInput("since is a version number ≥ 0", code="invalid_version")
    if since > version:
        raise InvalidInput(f"version {since} is newer than the current version {version}", code="unknown_version",
                           details={"version": version})
    # The cards changed after ``since`` come from the (enterprise, version) index; then only their
    # own history is read, through the card_no index (``enterprise_id + 0`` keeps SQLite from
    # walking the enterprise's whole history instead). A sync with a few changes costs a few rows.
    changed = sorted(set(db.scalars(select(BlacklistChange.card_no).where(
        BlacklistChange.enterprise_id == enterprise_id, BlacklistChange.version > since))))
    final: dict[str, str] = {}
    before: dict[str, str] = {}
    for i in range(0, len(changed), 500):
        for no, v, change in db.execute(
                select(BlacklistChange.card_no, BlacklistChange.version, BlacklistChange.change)
                .where(BlacklistChange.card_no.in_(changed[i:i + 500]),
                       BlacklistChange.enterprise_id + 0 == enterprise_id)
                .order_by(BlacklistChange.version)):
            final[no] = change  # ascending versions: the last one written wins
            if v <= since:
                before[no] = change
    added = sorted(no for no, change in final.items() if change == ADDED and before.get(no) != ADDED)
    removed = sorted(no for no, change in final.items() if change == REMOVED and before.get(no) == ADDED)
    return BlacklistDelta(version=version, added=added, removed=removed)


def is_blacklisted(db: Session, *, enterprise_id: int, card_no: str) -> bool:
    last = db.scalar(select(BlacklistChange.change).where(BlacklistChange.enterprise_id == enterprise_id,
                                                          BlacklistChange.card_no == card_no)
                     .order_by(BlacklistChange.version.desc()).limit(1))
    return last == ADDED


def blacklisted_at(db: Session, *, enterprise_id: int, card_no: str, at: dt.datetime) -> bool:
    """P7: was the card on this enterprise's blacklist at time ``at`` (its last change up to then
    was an addition)? An offline record from such a card is accepted — the card paid — but flagged."""
    last = db.scalar(select(BlacklistChange.change).where(
        BlacklistChange.enterprise_id == enterprise_id, BlacklistChange.card_no == card_no, BlacklistChange.at <= at)
        .order_by(BlacklistChange.version.desc()).limit(1))
    return last == ADDED


def listings(db: Session, *, enterprise_id: int, card_nos: list[str]) -> dict[str, list[tuple[dt.datetime, bool]]]:
    """P7, for a batch: each card's blacklist history in this enterprise, ``(when, on the list
    after it)`` in version order (cards never listed are absent) — ``blacklisted_at`` for many
    records in one query per 500 cards."""
    out: dict[str, list[tuple[dt.datetime, bool]]] = {}
    for i in range(0, len(card_nos), 500):
        for no, at, change in db.execute(select(BlacklistChange.card_no, BlacklistChange.at, BlacklistChange.change)
                                         .where(BlacklistChange.enterprise_id == enterprise_id,
                                                BlacklistChange.card_no.in_(card_nos[i:i + 500]))
                                         .order_by(BlacklistChange.version)):
            out.setdefault(no, []).append((at, change == ADDED))
    return out
