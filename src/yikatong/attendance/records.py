"""Clock records (打卡记录, A3): an attendance terminal uploads the cards presented to it, in batches,
whenever it is online. A card is taken for the member its attendance sub-application of the
terminal's enterprise belongs to; a re-upload (the same card at the same second) adds nothing."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from yikatong.attendance.models import ClockRecord
from yikatong.attendance.schemas import MAX_BATCH, ClockBatchOut, ClockRecordIn, Rejected
from yikatong.audit import service as audit
from yikatong.cards import roster as card_roster
from yikatong.cards.models import AppStatus, AppType
from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.bulk import rows_matching_pairs
from yikatong.core.errors import InvalidInput
from yikatong.terminals import service as terminals
from yikatong.terminals.models import TerminalType

# A terminal's clock may run a little ahead of the platform's; beyond this a record is refused.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
_CHUNK = 400
_records = ClockRecord.__table__


class ClockRejection(StrEnum):
    unknown_card = "unknown_card"  # no card with this number
    no_application = "no_application"  # the card holds no attendance sub-application of this enterprise
    future_time = "future_time"  # later than the platform's clock (plus 10 minutes)


def _holders(db: Session, enterprise_id: int, card_nos: set[str]) -> dict[str, tuple[int | None, str, dt.datetime | None]]:
    """Per card: (member id, rejection code, the time the application closed — None while open)."""
    found = card_roster.applications_for_cards(db, card_nos=card_nos, enterprise_id=enterprise_id,
                                               type=AppType.attendance)
    out = {}
    for card_no in card_nos:
        if card_no not in found:
            out[card_no] = (None, ClockRejection.unknown_card.value, None)
            continue
        apps = found[card_no]
        if not apps:
            out[card_no] = (None, ClockRejection.no_application.value, None)
            continue
        live = [a for a in apps if a.status == AppStatus.active.value]
        app = live[-1] if live else apps[-1]
        closed = None if live else (clock.as_utc(app.closed_at) if app.closed_at else None)
        out[card_no] = (app.member_id, "", closed)
    return out


def upload(db: Session, *, actor: Actor, records: list[ClockRecordIn]) -> ClockBatchOut:
    """A3: an attendance terminal (T2: its own enterprise only) uploads clock records. Per record: a
    card unknown is ``unknown_card``; one without this enterprise's attendance sub-application (or
    whose sub-application was closed before the record's time) ``no_application``; a time more than
    10 minutes after the platform's clock ``future_time``; a card and second already stored (or
    earlier in the batch) is a duplicate. The rest are stored. The answer is 200 with the rejected
    indexes whatever they are; only a malformed batch is 422 (nothing stored)."""
    terminal = terminals.terminal_of(db, actor=actor, type=TerminalType.attendance)
    if len(records) > MAX_BATCH:
        raise InvalidInput(f"at most {MAX_BATCH} records per batch", code="batch_too_large")
    enterprise_id = terminal.enterprise_id
    now = clock.now()
    holders = _holders(db, enterprise_id, {r.card_no for r in records})
    keys = sorted({(r.card_no, r.at.astimezone(dt.UTC)) for r in records})
    stored: set[tuple[str, dt.datetime]] = set()
    for i in range(0, len(keys), _CHUNK):
        part = keys[i:i + _CHUNK]
        rows = rows_matching_pairs(db, [_records.c.card_no, _records.c.at], first=_records.c.card_no,
                                   second=_records.c.at, pairs=part, scope=(_records.c.enterprise_id, enterprise_id))
        stored |= {(no, clock.as_utc(at)) for no, at in rows}
    rejected: list[Rejected] = []
    rows, duplicates = [], 0
    for index, r in enumerate(records):
        at = r.at.astimezone(dt.UTC)
        member_id, code, closed_at = holders[r.card_no]
        if not code and closed_at is not None and closed_at <= at:
            code = ClockRejection.no_application.value
        if not code and at > now + FUTURE_TOLERANCE:
            code = ClockRejection.future_time.value
        if code:
            rejected.append(Rejected(index=index, code=code))
            continue
        if (r.card_no, at) in stored:
            duplicates += 1
            continue
        stored.add((r.card_no, at))
        rows.append(dict(enterprise_id=enterprise_id, terminal_id=terminal.id, card_no=r.card_no,
                         member_id=member_id, at=at, uploaded_at=now))
    if rows:
        db.execute(insert(_records), rows)
    if rows or rejected:
        audit.record(db, actor=actor, action="attendance.clock_upload", entity_type="terminal",
                     entity_id=terminal.id, enterprise_id=enterprise_id, before=None,
                     after={"accepted": len(rows), "duplicates": duplicates, "rejected": len(rejected)})
    return ClockBatchOut(accepted=len(rows), duplicates=duplicates, rejected=rejected)


def punches_between(db: Session, *, enterprise_id: int, start: dt.datetime, end: dt.datetime,
                    member_id: int | None = None) -> dict[int, list[dt.datetime]]:
    """Every stored punch from ``start`` (inclusive) to ``end`` (exclusive) per member, sorted."""
    stmt = select(ClockRecord.member_id, ClockRecord.at).where(
        ClockRecord.enterprise_id == enterprise_id, ClockRecord.at >= start, ClockRecord.at < end)
    if member_id is not None:
        stmt = stmt.where(ClockRecord.member_id == member_id)
    out: dict[int, list[dt.datetime]] = {}
    for mid, at in db.execute(stmt.order_by(ClockRecord.member_id, ClockRecord.at)):
        out.setdefault(mid, []).append(clock.as_utc(at))
    return out
