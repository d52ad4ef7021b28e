"""Verified offline purchases (P7, T1, T2): a POS uploads the records its SAM made while offline;
each is checked (the card and its purse, the TAC re-derived with the enterprise's keys, uniqueness
of the card's counter and of the SAM's serial), stored, and posted to the ledger exactly once in
the same transaction. The whole batch is checked with a few queries (checks.py and ``_known``) and
the keys service's batch TAC checker, so a re-sent batch costs little and posts nothing twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.cardproto import purse as pp
from yikatong.cards import blacklist
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.bulk import chunks, insert_rows, rows_matching_pairs
from yikatong.core.errors import InvalidInput
from yikatong.core.pagination import Page, PageParams, paginate
from yikatong.keys import service as keys
from yikatong.offline.checks import gaps, listed_at
from yikatong.offline.models import OfflineRecord
from yikatong.offline.schemas import MAX_BATCH, BatchOut, Flag, Outcome, RecordIn, Rejection
from yikatong.purse import service as purse
from yikatong.terminals import service as terminals
from yikatong.terminals.models import TerminalType

_records = OfflineRecord.__table__
_CHUNK = 500  # tuples per IN (…) list: well inside both engines' parameter limits


@dataclass(frozen=True)
class _Rec:
    card_no: str
    counter: int
    amount: int
    tx_type: str
    sam: str
    serial: int
    at: dt.datetime  # aware, Beijing
    tac: str

    @classmethod
    def of(cls, r: RecordIn) -> _Rec:
        return cls(r.card_no, r.offline_counter, r.amount_fen, r.transaction_type, r.terminal_id.upper(),
                   int(r.terminal_serial, 16), r.at, r.tac.upper())

    def content(self) -> tuple:
        return (self.card_no, self.counter, self.amount, self.tx_type, self.sam, self.serial,
                self.at.astimezone(dt.UTC), self.tac)


def _known(db: Session, enterprise_id: int, recs: list[_Rec]):
    """What is stored already, in a handful of queries: rows by (card, counter) and by (SAM,
    serial), the highest counter per card and the highest serial per SAM."""
    by_counter, by_serial, top_counter, top_serial = {}, {}, {}, {}
    cols = (_records.c.card_no, _records.c.offline_counter, _records.c.amount_fen, _records.c.transaction_type,
            _records.c.sam_terminal_id, _records.c.terminal_serial, _records.c.at, _records.c.tac)
    mine = _records.c.enterprise_id == enterprise_id
    for part in chunks(sorted({(r.card_no, r.counter) for r in recs}), _CHUNK):
        for row in rows_matching_pairs(db, cols, first=_records.c.card_no, second=_records.c.offline_counter,
                                       pairs=part, scope=(_records.c.enterprise_id, enterprise_id)):
            by_counter[row[0], row[1]] = tuple(row)
    for part in chunks(sorted({(r.sam, r.serial) for r in recs}), _CHUNK):
        for row in rows_matching_pairs(db, cols, first=_records.c.sam_terminal_id, second=_records.c.terminal_serial,
                                       pairs=part, scope=(_records.c.enterprise_id, enterprise_id)):
            by_serial[row[4], row[5]] = (row[0], row[1])
    for part in chunks(sorted({r.card_no for r in recs}), _CHUNK):
        top_counter.update(db.execute(select(_records.c.card_no, func.max(_records.c.offline_counter))
                                      .where(mine, _records.c.card_no.in_(part)).group_by(_records.c.card_no)).all())
    for part in chunks(sorted({r.sam for r in recs}), _CHUNK):
        top_serial.update(db.execute(select(_records.c.sam_terminal_id, func.max(_records.c.terminal_serial))
                                     .where(mine, _records.c.sam_terminal_id.in_(part))
                                     .group_by(_records.c.sam_terminal_id)).all())
    return by_counter, by_serial, top_counter, top_serial


def upload(db: Session, *, actor: Actor, records: list[RecordIn]) -> BatchOut:
    """P7: a POS (T2: only its own enterprise) uploads offline records. Per record, in this order:
    an exact re-upload is a duplicate (nothing changes); a TAC that no key version of the
    enterprise reproduces is ``bad_tac``; the card's counter already stored with other content is
    ``conflicting_record``, the SAM's serial already stored for another record ``replayed_record``;
    a card unknown or without this enterprise's purse is ``unknown_card`` / ``no_application``.
    Accepted records are stored and posted (purse → the POS's merchant) in this transaction, flagged
    ``counter_gap``, ``serial_gap``, ``after_blacklist`` or ``ledger_short`` (stored, not posted)."""
    terminal = terminals.terminal_of(db, actor=actor, type=TerminalType.pos)
    if len(records) > MAX_BATCH:
        raise InvalidInput(f"at most {MAX_BATCH} records per batch", code="batch_too_large")
    enterprise_id = terminal.enterprise_id
    recs = [_Rec.of(r) for r in records]
    by_counter, by_serial, top_counter, top_serial = _known(db, enterprise_id, recs)
    checker = keys.tac_checker(db, enterprise_id=enterprise_id)
    checker.prepare(sorted({r.card_no for r in recs}))
    codes: dict[int, str] = {}  # index -> rejection
    candidates: list[int] = []
    first_of: dict[tuple[str, int], int] = {}  # (card, counter) -> the batch index that brought it
    repeats: dict[int, int] = {}  # an exact repeat within the batch -> its first index
    for i, r in enumerate(recs):
        content = r.content()
        stored = by_counter.get((r.card_no, r.counter))
        if stored is not None and tuple(stored) == content:
            if (r.card_no, r.counter) in first_of:
                repeats[i] = first_of[r.card_no, r.counter]
            else:
                repeats[i] = -1
            continue
        date, time = pp.encode_datetime(r.at)
        if not checker.purchase(card_serial=r.card_no, key_version=None, algorithm_id=None, amount=r.amount,
                                transaction_type=int(r.tx_type, 16), terminal_id=r.sam, terminal_serial=r.serial,
                                date=date, time=time, tac=r.tac):
            codes[i] = Rejection.bad_tac.value
        elif stored is not None:
            codes[i] = Rejection.conflicting_record.value
        elif by_serial.get((r.sam, r.serial), (r.card_no, r.counter)) != (r.card_no, r.counter):
            codes[i] = Rejection.replayed_record.value
        else:
            by_counter[r.card_no, r.counter] = content
            by_serial[r.sam, r.serial] = (r.card_no, r.counter)
            first_of[r.card_no, r.counter] = i
            candidates.append(i)
    postings = purse.post_offline_purchases(
        db, actor=actor, enterprise_id=enterprise_id, terminal_id=terminal.id, merchant_id=terminal.merchant_id,
        purchases=[(recs[i].card_no, recs[i].amount, f"offline:{recs[i].card_no}:{recs[i].counter}")
                   for i in candidates])
    accepted: dict[int, int | None] = {}  # index -> its transfer id (None: not posted)
    for i, posted in zip(candidates, postings, strict=True):
        if isinstance(posted, str):
            codes[i] = posted
        else:
            accepted[i] = posted
    for i, first in repeats.items():  # a repeat of a record this batch refused is refused alike
        if first in codes:
            codes[i] = codes[first]
    duplicates = sum(1 for i in repeats if i not in codes)
    flags = _flags(db, enterprise_id, recs, list(accepted), top_counter, top_serial)
    now, rows = clock.now(), []
    for i, transfer_id in accepted.items():
        r = recs[i]
        if transfer_id is None:
            flags.setdefault(i, []).append(Flag.ledger_short)
        mine = flags.get(i, [])
        rows.append(dict(enterprise_id=enterprise_id, terminal_id=terminal.id, card_no=r.card_no,
                         offline_counter=r.counter, amount_fen=r.amount, transaction_type=r.tx_type,
                         sam_terminal_id=r.sam, terminal_serial=r.serial, at=r.at.astimezone(dt.UTC), tac=r.tac,
                         transfer_id=transfer_id, flagged=bool(mine),
                         flags=",".join(f.value for f in mine), uploaded_at=now))
    insert_rows(db, _records, rows)
    rejected = [Outcome(index=i, code=codes[i]) for i in sorted(codes)]
    flagged = [Outcome(index=i, code=f.value) for i in sorted(flags) for f in flags[i]]
    if rows or rejected:
        audit.record(db, actor=actor, action="offline.upload", entity_type="terminal", entity_id=terminal.id,
                     enterprise_id=enterprise_id, before=None,
                     after={"accepted": len(rows), "duplicates": duplicates, "rejected": len(rejected),
                            "flagged": len(flags), "posted_fen": sum(recs[i].amount for i, t in accepted.items() if t)})
    return BatchOut(accepted=len(rows), duplicates=duplicates, rejected=rejected, flagged=flagged)


def _flags(db: Session, enterprise_id: int, recs: list[_Rec], accepted: list[int], top_counter: dict,
           top_serial: dict) -> dict[int, list[Flag]]:
    out: dict[int, list[Flag]] = {}
    # A card starts at offline counter 0; a SAM's first serial is its vendor's, so only later jumps count.
    for i in sorted(gaps(((i, recs[i].card_no, recs[i].counter) for i in accepted), top_counter, first=0)):
        out.setdefault(i, []).append(Flag.counter_gap)
    for i in sorted(gaps(((i, recs[i].sam, recs[i].serial) for i in accepted), top_serial, first=None)):
        out.setdefault(i, []).append(Flag.serial_gap)
    history = blacklist.listings(db, enterprise_id=enterprise_id, card_nos=sorted({recs[i].card_no for i in accepted}))
    for i in accepted:
        if listed_at(history.get(recs[i].card_no, ()), recs[i].at):
            out.setdefault(i, []).append(Flag.after_blacklist)
    return out


def list_records(db: Session, *, actor: Actor, enterprise_id: int, page: PageParams, flagged: bool | None = None,
                 flag: Flag | None = None, card_no: str | None = None) -> Page[OfflineRecord]:
    """P7: the enterprise's offline records, newest first — for the admin and operators to follow up
    the flagged ones (X5: another enterprise's list is a 404)."""
    ensure_enterprise_scope(actor, enterprise_id)
    require_role(actor, [Role.enterprise_admin, Role.operator])
    stmt = select(OfflineRecord).where(OfflineRecord.enterprise_id == enterprise_id)
    if flagged is not None:
        stmt = stmt.where(OfflineRecord.flagged.is_(flagged))
    if flag is not None:
        stmt = stmt.where(OfflineRecord.flags.contains(flag.value))
    if card_no:
        stmt = stmt.where(OfflineRecord.card_no == card_no)
    return paginate(db, stmt.order_by(OfflineRecord.id.desc()), page)
