"""P5: expired purse balances move to the enterprise's expired-balance account — recorded as
transfers, never silently lost — and an admin can give one back (a linked reversal, at most once)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor, Role
from yikatong.core.errors import Forbidden, NotFound
from yikatong.purse import ledger
from yikatong.purse.service import ensure_purse_open
from yikatong.purse.models import Account, AccountKind, Transfer, TransferKind


def expire_balances(db: Session, *, actor: Actor, enterprise_id: int | None = None) -> tuple[int, int]:
    """Move every expired, non-zero purse balance to its enterprise's expired account. Returns
    (purses, fen). Safe to run again: an emptied purse has nothing left to move. The nightly job
    runs it as SYSTEM for every enterprise; a person runs it for their own enterprise only."""
    if actor != SYSTEM:
        if enterprise_id is None:
            raise Forbidden("only the platform's job expires every enterprise's balances", code="forbidden")
        ensure_enterprise_scope(actor, enterprise_id)
        require_role(actor, [Role.enterprise_admin, Role.operator])
    at = clock.now()
    stmt = select(Account).where(Account.kind == AccountKind.purse.value, Account.expires_at.is_not(None),
                                 Account.expires_at <= at, Account.balance_fen > 0)
    if enterprise_id is not None:
        stmt = stmt.where(Account.enterprise_id == enterprise_id)
    count = total = 0
    for purse in db.scalars(stmt.order_by(Account.id).with_for_update()).all():
        amount = ledger.balance(db, account_id=purse.id)
        if amount <= 0:
            continue
        expired = ledger.account(db, enterprise_id=purse.enterprise_id, kind=AccountKind.expired)
        ledger.move(db, actor=actor, enterprise_id=purse.enterprise_id, kind=TransferKind.expiry, debit_id=purse.id,
                    credit_id=expired.id, amount_fen=amount, reference=f"expired:{purse.expires_at.isoformat()}")
        count, total = count + 1, total + amount
    return count, total


def reverse_expiry(db: Session, *, actor: Actor, transfer_id: int, extend_days: int = 30) -> Transfer:
    """An admin gives an expired balance back: the expiry transfer is reversed in full (once), and
    the purse's validity is extended so it does not expire again at once. Not into a purse whose
    card has since been replaced or cancelled (409 ``purse_closed``)."""
    original = db.get(Transfer, transfer_id)
    if original is None or original.kind != TransferKind.expiry.value:
        raise NotFound("no such expiry", code="expiry_not_found")
    ensure_enterprise_scope(actor, original.enterprise_id, not_found="expiry_not_found")
    require_role(actor, [Role.enterprise_admin, Role.operator])
    ledger.ensure_not_reversed(db, transfer_id=original.id)  # the first answer to give, if both apply
    ensure_purse_open(db, account_id=original.debit_account_id)
    reversal = ledger.reverse(db, actor=actor, original=original, kind=TransferKind.expiry_reversal)
    purse = db.get(Account, original.debit_account_id)
    purse.expires_at = clock.now() + dt.timedelta(days=extend_days)
    audit.record(db, actor=actor, action="purse.expiry_reversal", entity_type="transfer", entity_id=original.id,
                 enterprise_id=original.enterprise_id, after={"reversal_id": reversal.id,
                                                               "amount_fen": reversal.amount_fen})
    return reversal


def list_expiries(db: Session, *, actor: Actor, enterprise_id: int) -> list[Transfer]:
    ensure_enterprise_scope(actor, enterprise_id)
    return list(db.scalars(select(Transfer).where(Transfer.enterprise_id == enterprise_id,
                                                  Transfer.kind == TransferKind.expiry.value)
                           .order_by(Transfer.id.desc()).limit(500)))


def already_reversed(db: Session, *, transfer_id: int) -> bool:
    return db.scalar(select(Transfer.id).where(Transfer.reverses_transfer_id == transfer_id)) is not None


