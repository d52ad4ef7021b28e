"""P9: each merchant's daily settlement statement (日结): purchases, undos and the net it is owed,
for one Beijing calendar day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yikatong.auth.tenancy import ensure_enterprise_scope
from yikatong.core.actor import Actor
from yikatong.core.clock import SHANGHAI
from yikatong.purse.models import Transfer, TransferKind
from yikatong.purse.schemas import SettlementOut, SettlementRow
from yikatong.terminals import service as terminals


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)
    return start.astimezone(dt.timezone.utc), (start + dt.timedelta(days=1)).astimezone(dt.timezone.utc)


def daily_statement(db: Session, *, actor: Actor, enterprise_id: int, day: dt.date) -> SettlementOut:
    """One row per merchant with any purchase or undo that day (Asia/Shanghai)."""
    ensure_enterprise_scope(actor, enterprise_id)
    start, end = day_bounds(day)
    is_purchase = Transfer.kind == TransferKind.purchase.value
    rows = db.execute(
        select(Transfer.merchant_id,
               func.sum(case((is_purchase, 1), else_=0)),
               func.sum(case((is_purchase, Transfer.amount_fen), else_=0)),
               func.sum(case((is_purchase, 0), else_=1)),
               func.sum(case((is_purchase, 0), else_=Transfer.amount_fen)))
        .where(Transfer.enterprise_id == enterprise_id, Transfer.merchant_id.is_not(None),
               Transfer.kind.in_([TransferKind.purchase.value, TransferKind.undo.value]),
               Transfer.created_at >= start, Transfer.created_at < end)
        .group_by(Transfer.merchant_id).order_by(Transfer.merchant_id)).all()
    out = []
    for merchant_id, n_purchases, purchases_fen, n_undos, undos_fen in rows:
        merchant = terminals.merchant_by_id(db, merchant_id=merchant_id)
        out.append(SettlementRow(merchant_id=merchant_id, merchant_name=merchant.name if merchant else str(merchant_id),
                                 purchases=int(n_purchases), purchases_fen=int(purchases_fen), undos=int(n_undos),
                                 undos_fen=int(undos_fen), net_fen=int(purchases_fen) - int(undos_fen)))
    return SettlementOut(enterprise_id=enterprise_id, day=day, rows=out, total_net_fen=sum(r.net_fen for r in out))
