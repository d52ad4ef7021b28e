"""The ledger rules of ARCHITECTURE §3 (P8): every movement is one immutable transfer plus the two
balance updates, in the caller's transaction; an account that must not go negative is debited
with ``UPDATE … WHERE balance_fen >= :amount`` so no race can overdraw it; a reversal points at the
transfer it reverses, at most once; the sum of all balances never changes."""

from __future__ import annotations

from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.bulk import insert_rows, placeholder
from yikatong.core.errors import Conflict, InvalidInput
from yikatong.purse.models import OUTSIDE, Account, AccountKind, Transfer, TransferKind

MAX_AMOUNT_FEN = 10_000_000  # 100,000 yuan: far above any purse, far below any overflow


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


_accounts, _transfers = Account.__table__, Transfer.__table__
# The statements of every movement, built once (building an expression costs more than running it).
_ACCOUNT_ID = select(_accounts.c.id).where(_accounts.c.enterprise_id == bindparam("enterprise_id"),
                                           _accounts.c.kind == bindparam("kind"),
                                           _accounts.c.owner_id == bindparam("owner_id"))
# The guard is in the statement itself: no race can overdraw an account that must not go negative.
_DEBIT = (update(_accounts).where(_accounts.c.id == bindparam("account_id"),
                                  or_(_accounts.c.allow_negative.is_(True), _accounts.c.balance_fen >= bindparam("amount")))
          .values(balance_fen=_accounts.c.balance_fen - bindparam("amount")).returning(_accounts.c.balance_fen))
_CREDIT = (update(_accounts).where(_accounts.c.id == bindparam("account_id"))
           .values(balance_fen=_accounts.c.balance_fen + bindparam("amount")).returning(_accounts.c.balance_fen))
_RECORD = insert(_transfers).returning(_transfers.c.id)
_REVERSAL_OF = select(_transfers.c.id).where(_transfers.c.reverses_transfer_id == bindparam("transfer_id"))


def account(db: Session, *, enterprise_id: int, kind: AccountKind, owner_id: int = 0) -> Account:
    """The account, created on first use (outside-world accounts may go negative). Two first uses
    at once (two POS selling for a new merchant) do not collide: the row is inserted unless it
    exists — PostgreSQL makes the second insert wait for the first to commit — then read."""
    stmt = select(Account).where(Account.enterprise_id == enterprise_id, Account.kind == kind.value,
                                 Account.owner_id == owner_id)
    found = db.scalar(stmt)
    if found is None:
        dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
        db.execute(dialect.insert(_accounts).values(
            enterprise_id=enterprise_id, kind=kind.value, owner_id=owner_id, balance_fen=0,
            allow_negative=kind in OUTSIDE, created_at=clock.now(),
        ).on_conflict_do_nothing(index_elements=["enterprise_id", "kind", "owner_id"]))
        found = db.scalar(stmt)
    return found


def account_id(db: Session, *, enterprise_id: int, kind: AccountKind, owner_id: int = 0) -> int:
    """``account(…).id`` in one prebuilt statement when the account exists (the usual case)."""
    found = db.execute(_ACCOUNT_ID, {"enterprise_id": enterprise_id, "kind": kind.value, "owner_id": owner_id}).scalar()
    return found if found is not None else account(db, enterprise_id=enterprise_id, kind=kind, owner_id=owner_id).id


def balance(db: Session, *, account_id: int, lock: bool = False) -> int:
    """The balance now; ``lock`` holds the row until commit (PostgreSQL), to move all of it."""
    stmt = select(Account.balance_fen).where(Account.id == account_id)
    return db.scalar((stmt.with_for_update() if lock else stmt).execution_options(populate_existing=True)) or 0


def _check_transfer(debit_id: int, credit_id: int, amount_fen: int) -> None:
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or not 0 < amount_fen <= MAX_AMOUNT_FEN:
        raise InvalidInput(f"an amount is a whole number of fen between 1 and {MAX_AMOUNT_FEN}", code="invalid_amount")
    if debit_id == credit_id:
        raise InvalidInput("a transfer needs two different accounts", code="same_account")


def move(db: Session, *, actor: Actor, enterprise_id: int, kind: TransferKind, debit_id: int, credit_id: int,
         amount_fen: int, reference: str = "", reverses_id: int | None = None, terminal_id: int | None = None,
         merchant_id: int | None = None) -> Transfer:
    """Move ``amount_fen`` from account ``debit_id`` to account ``credit_id`` (P8). Refuses amounts
    that are not positive whole fen (422 ``invalid_amount``) and overdrafts (409
    ``insufficient_funds``). Returns the transfer as written (a detached, read-only object)."""
    _check_transfer(debit_id, credit_id, amount_fen)
    conn = db.connection()
    debit_after = conn.execute(_DEBIT, {"account_id": debit_id, "amount": amount_fen}).scalar()
    if debit_after is None:
        raise InsufficientFunds("the balance is not enough for this amount",
                                details={"balance_fen": balance(db, account_id=debit_id), "amount_fen": amount_fen})
    credit_after = conn.execute(_CREDIT, {"account_id": credit_id, "amount": amount_fen}).scalar()
    if credit_after is None:
        raise LookupError(f"no account {credit_id} to credit")  # a programming error: ids come from account()
    row = dict(enterprise_id=enterprise_id, kind=kind.value, debit_account_id=debit_id, credit_account_id=credit_id,
               amount_fen=amount_fen, reference=reference, reverses_transfer_id=reverses_id, actor=actor.username,
               channel=actor.channel.value, created_at=clock.now(), terminal_id=terminal_id, merchant_id=merchant_id,
               debit_balance_after_fen=debit_after, credit_balance_after_fen=credit_after)
    return Transfer(id=conn.execute(_RECORD, row).scalar_one(), **row)


# The guarded debit of ``move``, as the driver's executemany (one round of the driver's C loop for
# the batch, not SQLAlchemy's per-row parameter handling); placeholders are the driver's own.
_DEBIT_MANY_SQL = ("UPDATE accounts SET balance_fen = balance_fen - {m} "
                   "WHERE id = {m} AND (allow_negative OR balance_fen >= {m})")
_BALANCES = select(_accounts.c.id, _accounts.c.balance_fen, _accounts.c.allow_negative).where(
    _accounts.c.id.in_(bindparam("ids", expanding=True)))
_CHUNK = 500  # ids per IN (…) list: inside both engines' parameter limits


def move_many(db: Session, *, actor: Actor, enterprise_id: int, kind: TransferKind, credit_id: int,
              debits: list[tuple[int, int, str]], terminal_id: int | None = None,
              merchant_id: int | None = None) -> list[int | None]:
    """Many transfers into one account at once — a POS's offline batch (P7) — under the rules of
    ``move`` (P8): each ``(debit_id, amount_fen, reference)`` is one balanced transfer (references
    unique within the batch: 422 ``duplicate_reference`` otherwise), taken in order
    while its account covers it; one it does not cover moves nothing (None in its place). Returns the
    transfer ids. The caller must hold the debit accounts locked (SELECT … FOR UPDATE, or SQLite's
    single writer): the balances are read once, every account is then debited once by its total
    with the usual guard, the credit account once, and the transfers are inserted in multi-row
    statements — a handful of statements for the batch instead of three per transfer."""
    for debit_id, amount_fen, _ in debits:
        _check_transfer(debit_id, credit_id, amount_fen)
    if len({reference for _, _, reference in debits}) != len(debits):
        raise InvalidInput("each transfer of a batch needs its own reference", code="duplicate_reference")
    if not debits:
        return []
    conn = db.connection()
    ids = sorted({d for d, _, _ in debits})
    running: dict[int, int] = {}
    may_go_negative: set[int] = set()
    for i in range(0, len(ids), _CHUNK):
        for account_id, balance_fen, allow_negative in conn.execute(_BALANCES, {"ids": ids[i:i + _CHUNK]}):
            running[account_id] = balance_fen
            if allow_negative:
                may_go_negative.add(account_id)
    planned: list[tuple[int, int, str, int] | None] = []
    totals: dict[int, int] = {}
    for debit_id, amount_fen, reference in debits:
        if debit_id not in running:
            raise LookupError(f"no account {debit_id} to debit")  # a programming error: ids come from account()
        after = running[debit_id] - amount_fen
        if after < 0 and debit_id not in may_go_negative:
            planned.append(None)
            continue
        running[debit_id] = after
        totals[debit_id] = totals.get(debit_id, 0) + amount_fen
        planned.append((debit_id, amount_fen, reference, after))
    if not totals:
        return [None] * len(debits)
    debited = conn.exec_driver_sql(_DEBIT_MANY_SQL.format(m=placeholder(conn.dialect)),
                                   [(t, a, t) for a, t in sorted(totals.items())])
    # The guard cannot refuse under the caller's lock; should a caller forget the lock and an account
    # fall short meanwhile, the batch is abandoned rather than posted wrong (both drivers sum the
    # rows an executemany changed).
    if debited.rowcount != len(totals):
        raise RuntimeError("a debit account changed during a batch: the debit accounts must be locked")
    total = sum(totals.values())
    credit_after = conn.execute(_CREDIT, {"account_id": credit_id, "amount": total}).scalar()
    if credit_after is None:
        raise LookupError(f"no account {credit_id} to credit")
    credit_running, now, rows = credit_after - total, clock.now(), []
    for step in planned:
        if step is None:
            continue
        debit_id, amount_fen, reference, debit_after = step
        credit_running += amount_fen
        rows.append(dict(enterprise_id=enterprise_id, kind=kind.value, debit_account_id=debit_id,
                         credit_account_id=credit_id, amount_fen=amount_fen, reference=reference,
                         reverses_transfer_id=None, actor=actor.username, channel=actor.channel.value,
                         created_at=now, terminal_id=terminal_id, merchant_id=merchant_id,
                         debit_balance_after_fen=debit_after, credit_balance_after_fen=credit_running))
    new_ids = dict(insert_rows(db, _transfers, rows, returning=[_transfers.c.reference, _transfers.c.id]))
    return [None if step is None else new_ids[step[2]] for step in planned]


def ensure_not_reversed(db: Session, *, transfer_id: int) -> None:
    if db.execute(_REVERSAL_OF, {"transfer_id": transfer_id}).first() is not None:
        raise Conflict("this transaction was already undone", code="already_reversed")


def reverse(db: Session, *, actor: Actor, original: Transfer, kind: TransferKind, reference: str = "",
            terminal_id: int | None = None) -> Transfer:
    """Reverse a transfer in full, once: a second reversal is 409 ``already_reversed`` (and the
    unique ``reverses_transfer_id`` refuses a racing one)."""
    ensure_not_reversed(db, transfer_id=original.id)
    return move(db, actor=actor, enterprise_id=original.enterprise_id, kind=kind, debit_id=original.credit_account_id,
                credit_id=original.debit_account_id, amount_fen=original.amount_fen,
                reference=reference or f"reverses:{original.id}", reverses_id=original.id, terminal_id=terminal_id,
                merchant_id=original.merchant_id)


def total_of_all_balances(db: Session) -> int:
    """Zero, always: the invariant the property tests check."""
    return db.scalar(select(func.coalesce(func.sum(Account.balance_fen), 0))) or 0
