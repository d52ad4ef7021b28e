from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from yikatong.purse.ledger import MAX_AMOUNT_FEN
from yikatong.purse.models import BillMode, ExpiryRule

AmountFen = Field(gt=0, le=MAX_AMOUNT_FEN, strict=True, description="whole fen (100 fen = 1 yuan); a JSON integer")


class TopupIn(BaseModel):
    amount_fen: int = AmountFen


class TerminalAmountIn(BaseModel):
    card_no: str = Field(min_length=1, max_length=16, pattern=r"^\d{16}$")
    amount_fen: int = AmountFen


class MoneyOut(BaseModel):
    transfer_id: int
    amount_fen: int
    balance_fen: int


class UndoOut(MoneyOut):
    reversed_transfer_id: int


class PurseTransaction(BaseModel):
    id: int
    kind: str
    amount_fen: int = Field(description="signed: + into the purse, − out of it")
    balance_after_fen: int
    at: dt.datetime
    reference: str = ""


class PurseOut(BaseModel):
    has_purse: bool = Field(description="the member's live card holds this enterprise's purse sub-application")
    balance_fen: int
    expires_at: dt.datetime | None
    card_no: str | None
    transactions: list[PurseTransaction]


class PurseSettingsIn(BaseModel):
    validity_days: int | None = Field(default=None, ge=1, le=3650, description="null: the balance never expires")
    expiry_rule: ExpiryRule = ExpiryRule.to_enterprise
    bill_mode: BillMode = BillMode.per_transaction


class PurseSettingsOut(PurseSettingsIn):
    enterprise_id: int


class SettlementRow(BaseModel):
    merchant_id: int
    merchant_name: str
    purchases: int
    purchases_fen: int
    undos: int
    undos_fen: int
    net_fen: int


class SettlementOut(BaseModel):
    enterprise_id: int
    day: dt.date
    rows: list[SettlementRow]
    total_net_fen: int
