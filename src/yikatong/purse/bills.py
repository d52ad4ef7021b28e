"""P6 consumption bills by SMS. Per-transaction bills go out with each purchase (purse.service);
this job sends the daily digest to members of enterprises that chose it — once per member and day,
however often the job runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yikatong.cards import service as cards
from yikatong.core.money import format_yuan
from yikatong.notify import service as notify
from yikatong.purse import ledger
from yikatong.purse.models import Account, BillMode, PurseSettings, Transfer, TransferKind
from yikatong.purse.settlement import day_bounds


def send_daily_digests(db: Session, *, day: dt.date) -> int:
    """One SMS per purse with purchases on ``day`` (Beijing), for enterprises whose bill mode is
    the daily digest: the number of purchases, their total, the balance now. Returns the number queued."""
    start, end = day_bounds(day)
    digest_enterprises = select(PurseSettings.enterprise_id).where(
        PurseSettings.bill_mode == BillMode.daily_digest.value)
    rows = db.execute(
        select(Account.id, Account.enterprise_id, Account.owner_id, func.count(Transfer.id),
               func.sum(Transfer.amount_fen))
        .join(Transfer, Transfer.debit_account_id == Account.id)
        .where(Account.kind == "purse", Account.enterprise_id.in_(digest_enterprises),
               Transfer.kind == TransferKind.purchase.value, Transfer.created_at >= start, Transfer.created_at < end)
        .group_by(Account.id, Account.enterprise_id, Account.owner_id)).all()
    purpose = f"consumption_digest.{day:%Y%m%d}"
    queued = 0
    for account_id, enterprise_id, app_id, count, total in rows:
        found = cards.application_by_id(db, application_id=app_id)
        if found is None:
            continue
        _, card = found
        if notify.sms_queued(db, phone=card.phone, purpose=purpose):
            continue
        balance = ledger.balance(db, account_id=account_id)
        notify.send_sms(db, phone=card.phone, purpose=purpose, enterprise_id=enterprise_id,
                        text=(f"【一卡通】您{day.month}月{day.day}日共消费{int(count)}笔，合计{format_yuan(int(total))}元，"
                              f"当前余额{format_yuan(balance)}元。"))
        queued += 1
    return queued
