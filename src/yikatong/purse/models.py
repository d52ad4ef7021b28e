from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class AccountKind(StrEnum):
    purse = "purse"  # a purse sub-application on a card; never negative
    merchant = "merchant"  # what the enterprise owes a merchant for sales; never negative
    funding = "funding"  # money the enterprise paid in for top-ups: the outside world, may go negative
    expired = "expired"  # expired balances the enterprise holds (P5); never negative, reversible
    refunds = "refunds"  # balances paid back in cash on cancellation: the outside world
    payouts = "payouts"  # settlements paid to merchants: the outside world


OUTSIDE = {AccountKind.funding, AccountKind.refunds, AccountKind.payouts}


class TransferKind(StrEnum):
    topup = "topup"
    purchase = "purchase"
    undo = "undo"
    expiry = "expiry"
    expiry_reversal = "expiry_reversal"
    carry_over = "carry_over"
    refund = "refund"
    payout = "payout"


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "kind", "owner_id"),
        CheckConstraint("allow_negative OR balance_fen >= 0", name="no_negative_balance"),
        # The expiry job (P5) finds purses whose validity has passed without reading every account.
        Index("ix_accounts_expiry", "kind", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The card application (purse) or merchant this account belongs to; 0 for the enterprise's own.
    owner_id: Mapped[int] = mapped_column(BigInteger, default=0)
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    # Purse accounts only: when the balance expires (P5); None = no validity period.
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Transfer(Base):
    """One immutable money movement: debit one account, credit another, same amount (P8)."""

    __tablename__ = "transfers"
    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="positive_amount"),
        CheckConstraint("debit_account_id != credit_account_id", name="two_accounts"),
        Index("ix_transfers_debit", "debit_account_id", "id"),
        Index("ix_transfers_credit", "credit_account_id", "id"),
        Index("ix_transfers_terminal", "terminal_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # At most one reversal per transfer: the unique index is the last word under any race.
    reverses_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(64), default="")
    # The POS or top-up terminal that made it (undo finds a terminal's last sale by this).
    terminal_id: Mapped[int | None] = mapped_column(ForeignKey("terminals.id"))
    merchant_id: Mapped[int | None] = mapped_column(ForeignKey("merchants.id"))
    debit_balance_after_fen: Mapped[int] = mapped_column(BigInteger)
    credit_balance_after_fen: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, index=True)


class ExpiryRule(StrEnum):
    to_enterprise = "to_enterprise"  # expired balance moves to the enterprise's expired-balance account


class BillMode(StrEnum):
    per_transaction = "per_transaction"  # 消费账单短信 after every purchase
    daily_digest = "daily_digest"  # one SMS a day with the day's purchases
    none = "none"


class PurseSettings(Base):
    """An enterprise's purse rules: balance validity period (P5) and consumption bills (P6)."""

    __tablename__ = "purse_settings"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    validity_days: Mapped[int | None] = mapped_column()
    expiry_rule: Mapped[str] = mapped_column(String(16), default=ExpiryRule.to_enterprise.value)
    bill_mode: Mapped[str] = mapped_column(String(16), default=BillMode.per_transaction.value)
