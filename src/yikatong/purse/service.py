"""The purse (P1–P6, P9) on the ledger (P8). A purse is the account of one purse sub-application
on one card: the card's balance lives there, carries over to a replacement card (C7) and is
settled on cancellation (C9). The airtime balance of the phone is never involved (P2): no account
here represents it and no transfer kind reaches it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Row, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from yikatong.audit import service as audit
from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.cards import service as cards
from yikatong.cards.models import AppStatus, AppType, Card, CardApplication, CardStatus
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Conflict, NotFound
from yikatong.core.money import format_yuan
from yikatong.core.validation import validated
from yikatong.members import service as members
from yikatong.members.models import Member, MemberStatus
from yikatong.notify import service as notify
from yikatong.ota import service as ota
from yikatong.purse import ledger
from yikatong.purse.models import Account, AccountKind, BillMode, PurseSettings, Transfer, TransferKind
from yikatong.purse.schemas import PurseSettingsIn
from yikatong.terminals import service as terminals
from yikatong.terminals.models import TerminalType


def settings_of(db: Session, *, enterprise_id: int) -> PurseSettings:
    found = db.get(PurseSettings, enterprise_id)
    return found or PurseSettings(enterprise_id=enterprise_id, validity_days=None, expiry_rule="to_enterprise",
                                  bill_mode=BillMode.per_transaction.value)


def set_settings(db: Session, *, actor: Actor, enterprise_id: int, validity_days: int | None, expiry_rule: str,
                 bill_mode: str) -> PurseSettings:
    """P5/P6: the enterprise admin sets the balance validity period, the expiry rule and how
    members get consumption bills (per transaction or a daily digest)."""
    ensure_enterprise_scope(actor, enterprise_id)
    require_role(actor, [Role.enterprise_admin, Role.operator])
    data = validated(PurseSettingsIn, validity_days=validity_days, expiry_rule=expiry_rule, bill_mode=bill_mode)
    validity_days, expiry_rule, bill_mode = data.validity_days, data.expiry_rule.value, data.bill_mode.value
    row = db.get(PurseSettings, enterprise_id)
    before = None if row is None else {"validity_days": row.validity_days, "expiry_rule": row.expiry_rule,
                                       "bill_mode": row.bill_mode}
    if row is None:
        row = PurseSettings(enterprise_id=enterprise_id)
        db.add(row)
    row.validity_days, row.expiry_rule, row.bill_mode = validity_days, expiry_rule, bill_mode
    audit.record(db, actor=actor, action="purse.settings", entity_type="enterprise", entity_id=enterprise_id,
                 enterprise_id=enterprise_id, before=before,
                 after={"validity_days": validity_days, "expiry_rule": expiry_rule, "bill_mode": bill_mode})
    return row


def purse_account(db: Session, *, app: CardApplication) -> Account:
    return ledger.account(db, enterprise_id=app.enterprise_id, kind=AccountKind.purse, owner_id=app.id)


_cards, _apps, _members = Card.__table__, CardApplication.__table__, Member.__table__
_purses, _counters, _settings = Account.__table__.alias("purse"), Account.__table__.alias("counter"), PurseSettings.__table__
# Everything a terminal needs to decide a sale or a top-up, in one prebuilt statement (each row
# comes through its primary key or a unique index): the card, the enterprise's open purse
# sub-application on it and its member's state; the purse account and the account on the other
# side of the movement (the merchant's, or the funding account), None until their first use; the
# enterprise's purse settings, None until set. It reads the cards domain's tables, which only
# cards.service writes, because this is the hot path of every purchase (three ORM lookups cost
# several times the whole statement).
_HOLDER = (
    select(_cards.c.card_no, _cards.c.phone, _cards.c.status.label("card_status"), _apps.c.id.label("app_id"),
           _members.c.status.label("member_status"), _purses.c.id.label("purse_id"), _purses.c.expires_at,
           _counters.c.id.label("counter_id"), _settings.c.validity_days, _settings.c.bill_mode)
    .select_from(_cards)
    .outerjoin(_apps, and_(_apps.c.card_id == _cards.c.id, _apps.c.enterprise_id == bindparam("enterprise_id"),
                           _apps.c.type == AppType.purse.value, _apps.c.status == AppStatus.active.value))
    .outerjoin(_members, _members.c.id == _apps.c.member_id)
    .outerjoin(_purses, and_(_purses.c.enterprise_id == bindparam("enterprise_id"),
                             _purses.c.kind == AccountKind.purse.value, _purses.c.owner_id == _apps.c.id))
    .outerjoin(_counters, and_(_counters.c.enterprise_id == bindparam("enterprise_id"),
                               _counters.c.kind == bindparam("counter_kind"),
                               _counters.c.owner_id == bindparam("counter_owner")))
    .outerjoin(_settings, _settings.c.enterprise_id == bindparam("enterprise_id"))
    .where(_cards.c.card_no == bindparam("card_no")))
_VALID_UNTIL = update(Account.__table__).where(Account.__table__.c.id == bindparam("account_id")).values(
    expires_at=bindparam("until"))


def usable_card(db: Session, *, card_no: str, enterprise_id: int,
                counter: tuple[AccountKind, int] = (AccountKind.funding, 0)) -> Row:
    """The checks every terminal makes: a known card, active, its holder not suspended, holding this
    enterprise's purse sub-application (P3: else ``no_application``). Returns the card's purse
    row: ``card_no``, ``phone``, ``app_id``, ``purse_id`` and ``expires_at`` (the purse account),
    ``counter_id`` (the account of kind and owner ``counter``, the other side of the movement),
    ``validity_days`` and ``bill_mode`` (None: the defaults of ``settings_of``)."""
    found = db.execute(_HOLDER, {"card_no": card_no, "enterprise_id": enterprise_id, "counter_kind": counter[0].value,
                                 "counter_owner": counter[1]}).first()
    if found is None:
        raise NotFound("no card with this number", code="card_not_found")
    if found.card_status == CardStatus.lost.value:
        raise Conflict("the card is reported lost", code="card_lost")
    if found.card_status != CardStatus.active.value:
        raise Conflict(f"the card is {found.card_status}", code="card_inactive", details={"status": found.card_status})
    if found.app_id is None:
        raise Conflict("the card holds no purse of this enterprise (IC卡无应用)", code="no_application")
    if found.member_status != MemberStatus.active.value:
        raise Conflict("the member's service is suspended", code="card_inactive", details={"status": "suspended"})
    return found


def _purse_id(db: Session, holder: Row, enterprise_id: int) -> int:
    return holder.purse_id or ledger.account_id(db, enterprise_id=enterprise_id, kind=AccountKind.purse,
                                                owner_id=holder.app_id)


def credit_purse(db: Session, *, actor: Actor, holder: Row, enterprise_id: int, amount_fen: int, reference: str,
                 terminal_id: int | None = None) -> Transfer:
    """Top up the purse of ``holder`` (a ``usable_card`` row) from the enterprise's funding account."""
    purse_id = _purse_id(db, holder, enterprise_id)
    ensure_purse_open(db, account_id=purse_id)
    funding_id = holder.counter_id or ledger.account_id(db, enterprise_id=enterprise_id, kind=AccountKind.funding)
    transfer = ledger.move(db, actor=actor, enterprise_id=enterprise_id, kind=TransferKind.topup, debit_id=funding_id,
                           credit_id=purse_id, amount_fen=amount_fen, reference=reference, terminal_id=terminal_id)
    if holder.validity_days:
        # P5: the validity period runs from the latest top-up.
        until = clock.now() + dt.timedelta(days=holder.validity_days)
        db.execute(_VALID_UNTIL, {"account_id": purse_id, "until": until})
        loaded = db.identity_map.get(identity_key(Account, purse_id))
        if loaded is not None:  # keep an Account this session already holds in step
            set_committed_value(loaded, "expires_at", until)
    return transfer


def topup_member(db: Session, *, actor: Actor, member_id: int, amount_fen: int) -> Transfer:
    """P1 空中充值: the enterprise admin tops up a member's purse over the air."""
    member = members.get_member(db, actor=actor, member_id=member_id)
    require_role(actor, [Role.enterprise_admin, Role.operator])
    card = cards.live_card_of_phone(db, phone=member.phone)
    if card is None:
        raise Conflict("the member has no card", code="no_card")
    holder = usable_card(db, card_no=card.card_no, enterprise_id=member.enterprise_id)
    transfer = credit_purse(db, actor=actor, holder=holder, enterprise_id=member.enterprise_id, amount_fen=amount_fen,
                            reference=f"ota:{member.id}")
    # C4: a chip purse is credited after the ledger, in the same transaction: a card that refuses or
    # does not answer raises and the ledger credit rolls back (docs/ota.md). No chip purse: ledger only.
    chip = ota.load_chip(db, actor=actor, card=card, enterprise_id=member.enterprise_id, amount_fen=amount_fen)
    audit.record(db, actor=actor, action="purse.topup", entity_type="member", entity_id=member.id,
                 enterprise_id=member.enterprise_id, after={"amount_fen": amount_fen, "transfer_id": transfer.id}
                 | ({"chip_tac": chip.tac} if chip else {}))
    return transfer


def terminal_topup(db: Session, *, actor: Actor, card_no: str, amount_fen: int) -> Transfer:
    """P1: a top-up terminal of the enterprise tops up the presented card — the ledger and, when the
    card carries the enterprise's purse on its chip, the chip with it, through the card channel
    (C4; a chip that refuses or does not answer rolls the credit back), so the two never part."""
    terminal = terminals.terminal_of(db, actor=actor, type=TerminalType.topup)
    # The card first (locked), then the accounts: the order of a cancellation, so the two queue
    # on the card instead of deadlocking on PostgreSQL.
    card = cards.card_by_no(db, card_no=card_no)
    holder = usable_card(db, card_no=card_no, enterprise_id=terminal.enterprise_id)
    transfer = credit_purse(db, actor=actor, holder=holder, enterprise_id=terminal.enterprise_id,
                            amount_fen=amount_fen, reference=f"terminal:{terminal.id}", terminal_id=terminal.id)
    ota.load_chip(db, actor=actor, card=card, enterprise_id=terminal.enterprise_id, amount_fen=amount_fen)
    return transfer


def _bill(db: Session, *, holder: Row, enterprise_id: int, transfer: Transfer, merchant_name: str) -> None:
    if (holder.bill_mode or BillMode.per_transaction.value) != BillMode.per_transaction.value:
        return
    at = clock.local(transfer.created_at).strftime("%m-%d %H:%M")
    notify.send_sms(db, phone=holder.phone, purpose="consumption_bill", enterprise_id=enterprise_id,
                    text=(f"【一卡通】您尾号{holder.card_no[-4:]}的卡于{at}在{merchant_name}消费"
                          f"{format_yuan(transfer.amount_fen)}元，余额{format_yuan(transfer.debit_balance_after_fen)}元。"))


def purchase(db: Session, *, actor: Actor, card_no: str, amount_fen: int) -> Transfer:
    """P3 online purchase at the enterprise's POS: the purse pays the POS's merchant. Refusals:
    ``card_lost``, ``card_inactive``, ``no_application``, ``balance_expired``, ``insufficient_funds``."""
    terminal = terminals.terminal_of(db, actor=actor, type=TerminalType.pos)
    enterprise_id = terminal.enterprise_id
    sale = usable_card(db, card_no=card_no, enterprise_id=enterprise_id,
                       counter=(AccountKind.merchant, terminal.merchant_id or 0))
    if sale.expires_at is not None and sale.expires_at <= clock.now():
        raise Conflict("the purse balance has expired", code="balance_expired",
                       details={"expired_at": sale.expires_at.isoformat()})
    merchant_id = sale.counter_id or ledger.account_id(db, enterprise_id=enterprise_id, kind=AccountKind.merchant,
                                                       owner_id=terminal.merchant_id or 0)
    transfer = ledger.move(db, actor=actor, enterprise_id=enterprise_id, kind=TransferKind.purchase,
                           debit_id=_purse_id(db, sale, enterprise_id), credit_id=merchant_id, amount_fen=amount_fen,
                           reference=f"terminal:{terminal.id}", terminal_id=terminal.id,
                           merchant_id=terminal.merchant_id)
    _bill(db, holder=sale, enterprise_id=enterprise_id, transfer=transfer,
          merchant_name=terminal.merchant_name or terminal.name)
    return transfer


_LOCK_PURSE = select(Account.__table__.c.id).where(Account.__table__.c.id == bindparam("account_id")).with_for_update()
_PURSE_APP_STATUS = (select(_apps.c.status).join(Account.__table__, Account.__table__.c.owner_id == _apps.c.id)
                     .where(Account.__table__.c.id == bindparam("account_id"),
                            Account.__table__.c.kind == AccountKind.purse.value))


def ensure_purse_open(db: Session, *, account_id: int) -> None:
    """Before money goes into a purse (a top-up, an undo, an expiry given back): the purse must be
    open. A purse whose card was replaced (C7: its balance went to the new card) or cancelled
    (C9: refunded) is closed, and money put there would be stranded: 409 ``purse_closed``.

    On PostgreSQL the purse row is locked first and its card read afterwards, in a statement of
    its own: a replacement or cancellation that emptied the purse meanwhile (it locks the purse to
    read the balance it moves) has then committed and is seen. Taking the purse first is also the
    order of a purchase (purse, then merchant), so an undo and a sale cannot deadlock."""
    db.execute(_LOCK_PURSE, {"account_id": account_id})
    if db.execute(_PURSE_APP_STATUS, {"account_id": account_id}).scalar() != AppStatus.active.value:
        raise Conflict("the card of this purse was replaced or cancelled; the purse is closed", code="purse_closed")


def undo_last_purchase(db: Session, *, actor: Actor) -> Transfer:
    """P4 撤消: the POS undoes its own last transaction, in full, once. Nothing to undo, or the last
    one already undone, is 409; so is a sale whose card has since been replaced or cancelled
    (``purse_closed``)."""
    terminal = terminals.terminal_of(db, actor=actor, type=TerminalType.pos)
    last = db.scalar(select(Transfer).where(Transfer.terminal_id == terminal.id,
                                            Transfer.kind.in_([TransferKind.purchase.value, TransferKind.undo.value]))
                     .order_by(Transfer.id.desc()).limit(1).with_for_update())
    if last is None:
        raise Conflict("this terminal has no transaction to undo", code="nothing_to_undo")
    if last.kind == TransferKind.undo.value:
        raise Conflict("the last transaction was already undone", code="already_undone")
    ensure_purse_open(db, account_id=last.debit_account_id)
    return ledger.reverse(db, actor=actor, original=last, kind=TransferKind.undo, terminal_id=terminal.id)


def _signed(transfer: Transfer, account_id: int) -> tuple[int, int]:
    if transfer.credit_account_id == account_id:
        return transfer.amount_fen, transfer.credit_balance_after_fen
    return -transfer.amount_fen, transfer.debit_balance_after_fen


def member_purse(db: Session, *, actor: Actor, member_id: int, limit: int = 50) -> dict:
    """C10/P1: a member's purse: balance, validity and the latest transactions (signed amounts)."""
    if actor.role == Role.member:
        member = members.member_by_id(db, member_id=member_id)
        if member is None or member.phone != actor.username:
            raise NotFound("no such member", code="member_not_found")
    else:
        member = members.get_member(db, actor=actor, member_id=member_id)
    card = cards.live_card_of_phone(db, phone=member.phone)
    app = cards.active_application(db, card=card, enterprise_id=member.enterprise_id, type=AppType.purse) if card else None
    if app is None:
        return {"has_purse": False, "balance_fen": 0, "expires_at": None, "card_no": card.card_no if card else None,
                "transactions": []}
    purse = purse_account(db, app=app)
    rows = db.scalars(select(Transfer).where(or_(Transfer.debit_account_id == purse.id,
                                                 Transfer.credit_account_id == purse.id))
                      .order_by(Transfer.id.desc()).limit(limit))
    transactions = []
    for t in rows:
        amount, after = _signed(t, purse.id)
        transactions.append({"id": t.id, "kind": t.kind, "amount_fen": amount, "balance_after_fen": after,
                             "at": t.created_at, "reference": t.reference})
    return {"has_purse": True, "balance_fen": ledger.balance(db, account_id=purse.id), "expires_at": purse.expires_at,
            "card_no": card.card_no, "transactions": transactions}


def _purse_apps(db: Session, card: Card, *, status: str | None = None) -> list[CardApplication]:
    return [a for a in cards.applications_of(db, card=card) if a.type == AppType.purse.value
            and (status is None or a.status == status)]


def settle_card(db: Session, *, actor: Actor, card: Card, refund: str) -> int:
    """C9: before a card is cancelled every purse on it is emptied to the refunds account (the
    money goes back to the member in cash or by bank transfer, as ``refund`` says). Returns fen."""
    total = 0
    for app in _purse_apps(db, card, status="active"):
        purse = purse_account(db, app=app)
        amount = ledger.balance(db, account_id=purse.id, lock=True)  # what a racing credit put in too
        if amount > 0:
            refunds = ledger.account(db, enterprise_id=app.enterprise_id, kind=AccountKind.refunds)
            ledger.move(db, actor=actor, enterprise_id=app.enterprise_id, kind=TransferKind.refund, debit_id=purse.id,
                        credit_id=refunds.id, amount_fen=amount, reference=f"cancel:{card.card_no}:{refund}")
            total += amount
    return total


def carry_over(db: Session, *, actor: Actor, old_card_id: int, new_card: Card) -> int:
    """C7: each enterprise's purse balance on the replaced card moves, exactly, to that enterprise's
    purse on the new card, with its validity date. Returns the fen moved."""
    old = cards.load_card(db, old_card_id)
    moved = 0
    new_apps = {a.enterprise_id: a for a in _purse_apps(db, new_card, status="active")}
    for old_app in _purse_apps(db, old):
        target = new_apps.get(old_app.enterprise_id)
        source = purse_account(db, app=old_app)
        amount = ledger.balance(db, account_id=source.id, lock=True)  # what a racing credit put in too
        if target is None or amount <= 0:
            continue
        destination = purse_account(db, app=target)
        ledger.move(db, actor=actor, enterprise_id=old_app.enterprise_id, kind=TransferKind.carry_over,
                    debit_id=source.id, credit_id=destination.id, amount_fen=amount,
                    reference=f"replace:{old.card_no}->{new_card.card_no}")
        destination.expires_at = source.expires_at
        moved += amount
    return moved



# The purse of each card of an offline batch in one statement (the hot path of P7, like _HOLDER):
# every sub-application on the card with its purse account (None until first used). The enterprise
# and type are picked in Python: with them in the join SQLite walks the enterprise's index — every
# application of the enterprise for each card — instead of the card's few.
_OFFLINE_PURSES = (
    select(_cards.c.card_no, _apps.c.id.label("app_id"), _apps.c.enterprise_id, _apps.c.type, _apps.c.status,
           _purses.c.id.label("purse_id"))
    .select_from(_cards)
    .outerjoin(_apps, _apps.c.card_id == _cards.c.id)
    .outerjoin(_purses, and_(_purses.c.enterprise_id == _apps.c.enterprise_id,
                             _purses.c.kind == AccountKind.purse.value, _purses.c.owner_id == _apps.c.id))
    .where(_cards.c.card_no.in_(bindparam("card_nos", expanding=True))))


def post_offline_purchases(db: Session, *, actor: Actor, enterprise_id: int, terminal_id: int,
                           merchant_id: int | None, purchases: list[tuple[str, int, str]]) -> list[int | str | None]:
    """P7/P8: post verified offline purchases — each ``(card_no, amount_fen, reference)`` — from the
    card's purse of this enterprise to the uploading POS's merchant, in the caller's transaction, as
    one ``ledger.move_many``. The card has already paid, so neither its state nor the balance's
    validity is asked (a card replaced since pays from its old, usually emptied, purse). Per
    purchase: the transfer id; ``"unknown_card"`` or ``"no_application"`` (nothing moved); or None when
    the ledger purse cannot cover it (the ledger and the card disagree; nothing moved)."""
    purses: dict[str, tuple[int, int | None, tuple] | str] = {}
    card_nos = sorted({p[0] for p in purchases})
    for i in range(0, len(card_nos), 500):
        for row in db.execute(_OFFLINE_PURSES, {"card_nos": card_nos[i:i + 500]}):
            if row.enterprise_id != enterprise_id or row.type != AppType.purse.value:
                purses.setdefault(row.card_no, "no_application")
                continue
            best = purses.get(row.card_no)
            rank = (row.status == AppStatus.active.value, row.app_id)
            if not isinstance(best, tuple) or rank > best[2]:
                purses[row.card_no] = (row.app_id, row.purse_id, rank)
    for card_no, found in purses.items():
        if isinstance(found, tuple) and found[1] is None:
            app_id, _, rank = found
            purses[card_no] = (app_id, ledger.account_id(db, enterprise_id=enterprise_id, kind=AccountKind.purse,
                                                         owner_id=app_id), rank)
    # Every purse of the batch first, in id order, then the merchant: the order of a purchase
    # (purse, then merchant), so a batch and an online sale, or two batches, cannot deadlock.
    purse_ids = sorted({found[1] for found in purses.values() if isinstance(found, tuple)})
    for i in range(0, len(purse_ids), 500):
        db.execute(select(Account.id).where(Account.id.in_(purse_ids[i:i + 500])).order_by(Account.id)
                   .with_for_update())
    merchant = ledger.account_id(db, enterprise_id=enterprise_id, kind=AccountKind.merchant, owner_id=merchant_id or 0)
    out: list[int | str | None] = []
    postable: list[int] = []  # positions in ``out`` that go to the ledger
    debits: list[tuple[int, int, str]] = []
    for card_no, amount_fen, reference in purchases:
        found = purses.get(card_no, "unknown_card")
        if isinstance(found, str):
            out.append(found)
            continue
        postable.append(len(out))
        out.append(None)
        debits.append((found[1], amount_fen, reference))
    posted = ledger.move_many(db, actor=actor, enterprise_id=enterprise_id, kind=TransferKind.purchase,
                              credit_id=merchant, debits=debits, terminal_id=terminal_id, merchant_id=merchant_id)
    for position, transfer_id in zip(postable, posted, strict=True):
        out[position] = transfer_id
    return out
