"""P9: each merchant's daily settlement statement (日结): purchases, undos and the net it is owed,
for one Beijing calendar day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yikatong.auth.tenancy import ensure_enterprise_scope
from yikatong.core.actor import Actor
from yikatong.core.clock import SHANGHAI
from yikatong.core.spreadsheets import write_table
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


XLSX_HEADER = ["商户编号", "商户", "消费笔数", "消费金额(元)", "撤消笔数", "撤消金额(元)", "应结金额(元)"]


def to_xlsx(statement: SettlementOut) -> bytes:
    """The statement as an Excel sheet for the merchants' accountants: the API's columns in yuan
    and a total row (P9)."""
    rows = [[r.merchant_id, r.merchant_name, r.purchases, r.purchases_fen / 100, r.undos, r.undos_fen / 100,
             r.net_fen / 100] for r in statement.rows]
    rows.append(["合计", "", "", "", "", "", statement.total_net_fen / 100])
    return write_table(title=f"日结 {statement.day.isoformat()}", header=XLSX_HEADER, rows=rows,
                       widths=(10, 20, 10, 14, 10, 14, 14))
