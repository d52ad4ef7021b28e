"""The ledger rules of ARCHITECTURE §3 (P8): every movement is one immutable transfer plus the two
balance updates, in the caller's transaction; an account that must not go negative is debited
with ``UPDATE … WHERE balance_fen >= :amount`` so no race can overdraw it; a reversal points at the
transfer it reverses, at most once; the sum of all balances never changes."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.errors import Conflict, InvalidInput
from yikatong.purse.models import OUTSIDE, Account, AccountKind, Transfer, TransferKind

MAX_AMOUNT_FEN = 10_000_000  # 100,000 yuan: far above any purse, far below any overflow


class InsufficientFunds(Conflict):
    code = "insufficient_funds"


def account(db: Session, *, enterprise_id: int, kind: AccountKind, owner_id: int = 0) -> Account:
    """The account, created on first use (outside-world accounts may go negative)."""
    found = db.scalar(select(Account).where(Account.enterprise_id == enterprise_id, Account.kind == kind.value,
                                            Account.owner_id == owner_id))
    if found is None:
        found = Account(enterprise_id=enterprise_id, kind=kind.value, owner_id=owner_id, balance_fen=0,
                        allow_negative=kind in OUTSIDE, created_at=clock.now())
        db.add(found)
        db.flush()
    return found


def balance(db: Session, *, account_id: int) -> int:
    return db.scalar(select(Account.balance_fen).where(Account.id == account_id).execution_options(
        populate_existing=True)) or 0


def move(db: Session, *, actor: Actor, enterprise_id: int, kind: TransferKind, debit: Account, credit: Account,
         amount_fen: int, reference: str = "", reverses: Transfer | None = None, terminal_id: int | None = None,
         merchant_id: int | None = None) -> Transfer:
    """Move ``amount_fen`` from ``debit`` to ``credit`` (P8). Refuses amounts that are not positive
    whole fen (422 ``invalid_amount``) and overdrafts (409 ``insufficient_funds``)."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or not 0 < amount_fen <= MAX_AMOUNT_FEN:
        raise InvalidInput(f"an amount is a whole number of fen between 1 and {MAX_AMOUNT_FEN}", code="invalid_amount")
    if debit.id == credit.id:
        raise InvalidInput("a transfer needs two different accounts", code="same_account")
    debit_after = db.execute(update(Account).where(Account.id == debit.id, or_(
        Account.allow_negative.is_(True), Account.balance_fen >= amount_fen))
        .values(balance_fen=Account.balance_fen - amount_fen).returning(Account.balance_fen)
        .execution_options(synchronize_session=False)).scalar()
    if debit_after is None:
        raise InsufficientFunds("the balance is not enough for this amount",
                                details={"balance_fen": balance(db, account_id=debit.id), "amount_fen": amount_fen})
    credit_after = db.execute(update(Account).where(Account.id == credit.id)
                              .values(balance_fen=Account.balance_fen + amount_fen).returning(Account.balance_fen)
                              .execution_options(synchronize_session=False)).scalar()
    transfer = Transfer(enterprise_id=enterprise_id, kind=kind.value, debit_account_id=debit.id,
                        credit_account_id=credit.id, amount_fen=amount_fen, reference=reference,
                        reverses_transfer_id=reverses.id if reverses else None, actor=actor.username,
                        channel=actor.channel.value, created_at=clock.now(), terminal_id=terminal_id,
                        merchant_id=merchant_id, debit_balance_after_fen=debit_after,
                        credit_balance_after_fen=credit_after)
    db.add(transfer)
    db.flush()
    return transfer


def reverse(db: Session, *, actor: Actor, original: Transfer, kind: TransferKind, reference: str = "",
            terminal_id: int | None = None) -> Transfer:
    """Reverse a transfer in full, once: a second reversal is 409 ``already_reversed``."""
    if db.scalar(select(Transfer.id).where(Transfer.reverses_transfer_id == original.id)) is not None:
        raise Conflict("this transaction was already undone", code="already_reversed")
    debit, credit = db.get(Account, original.credit_account_id), db.get(Account, original.debit_account_id)
    return move(db, actor=actor, enterprise_id=original.enterprise_id, kind=kind, debit=debit, credit=credit,
                amount_fen=original.amount_fen, reference=reference or f"reverses:{original.id}", reverses=original,
                terminal_id=terminal_id, merchant_id=original.merchant_id)


def total_of_all_balances(db: Session) -> int:
    """Zero, always: the invariant the property tests check."""
    return db.scalar(select(func.coalesce(func.sum(Account.balance_fen), 0))) or 0
