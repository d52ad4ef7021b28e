"""Issuing cards and the card lifecycle flows of seed 000 §7.3. Each flow validates first (a
refusal tells the requester why and changes nothing), then changes state through the card state
machine, writes the blacklist, emits events to every affected enterprise and tells the holder.

    active ──report_loss──► lost ──unfreeze──► active
    active | lost ──replace──► replaced        active | lost ──cancel──► cancelled
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth import person
from yikatong.cards import blacklist, events, stock
from yikatong.cards.access import AGENTS, applications, ensure_may_act, load_card
from yikatong.cards.schemas import CardIdentifiers
from yikatong.cards.models import (
    LIVE, AppMode, AppStatus, AppType, Card, CardApplication, CardKind, CardStatus,
)
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from yikatong.core.statemachine import StateMachine
from yikatong.core.validation import validated
from yikatong.members import service as members
from yikatong.members.models import MemberStatus

C = CardStatus
CARD_STATES = StateMachine("card", {
    (C.active, "report_loss"): C.lost,
    (C.lost, "unfreeze"): C.active,
    (C.active, "replace"): C.replaced,
    (C.lost, "replace"): C.replaced,
    (C.active, "cancel"): C.cancelled,
    (C.lost, "cancel"): C.cancelled,
})
APP_STATES = StateMachine("application", {
    (AppStatus.active, "delete"): AppStatus.deleted,
    (AppStatus.active, "revoke"): AppStatus.revoked,
})
AUDITED = ["card_no", "kind", "phone", "status", "iccid", "imsi", "uid"]
ISSUERS = (Role.operator, Role.enterprise_admin)
CARD_NO_PREFIX = "8688"


def _luhn_digit(digits: str) -> str:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def _new_card_no(db: Session) -> str:
    """16 digits: prefix, 11 random digits (numbers reveal nothing about volume), Luhn check digit."""
    while True:
        body = CARD_NO_PREFIX + f"{secrets.randbelow(10**11):011d}"
        card_no = body + _luhn_digit(body)
        if db.scalar(select(Card.id).where(Card.card_no == card_no)) is None:
            return card_no


def _live_card_for_phone(db: Session, phone: str) -> Card | None:
    return db.scalar(select(Card).where(Card.phone == phone, Card.status.in_(LIVE)))


def _new_card(db: Session, *, actor: Actor, phone: str, holder_name: str, kind: CardKind, iccid: str | None,
              imsi: str | None, uid: str | None, replaces: Card | None = None,
              restored_from: str | None = None) -> Card:
    if _live_card_for_phone(db, phone) is not None:
        raise Conflict(f"the number {phone} already holds a card; one card per number (M2)",
                       code="one_card_per_number", details={"phone": phone})
    item = stock.take_from_stock(db, kind=kind, iccid=iccid, imsi=imsi, uid=uid)
    at = clock.now()
    card = Card(card_no=_new_card_no(db), kind=kind.value, phone=phone, holder_name=holder_name,
                stock_id=item.id if item else None, iccid=iccid, imsi=imsi, uid=uid.upper() if uid else None,
                status=C.active.value, issued_at=at, status_changed_at=at,
                replaces_card_id=replaces.id if replaces else None, restored_from=restored_from)
    db.add(card)
    db.flush()
    audit.record(db, actor=actor, action="card.issue", entity_type="card", entity_id=card.id, enterprise_id=None,
                 after=audit.snapshot(card, AUDITED))
    return card


def _check_kind(kind: CardKind, iccid: str | None, imsi: str | None, uid: str | None) -> None:
    """The identifiers fit the card kind and their formats (ICCID, IMSI, UID), whatever the entry point."""
    validated(CardIdentifiers, iccid=iccid, imsi=imsi, uid=uid)
    if kind == CardKind.rfid_sim and uid:
        raise InvalidInput("an RFID-SIM is identified by ICCID/IMSI, not a UID", code="invalid_identifiers")
    if kind == CardKind.ic and (iccid or imsi):
        raise InvalidInput("an IC card is identified by its UID, not ICCID/IMSI", code="invalid_identifiers")


def issue_card(db: Session, *, actor: Actor, member_id: int, kind: CardKind, iccid: str | None = None,
               imsi: str | None = None, uid: str | None = None) -> Card:
    """C2/M2/M3: issue a card to a member's number: an RFID-SIM bound to the phone, or an IC card
    for a non-subscriber. One live card per number (409 ``one_card_per_number``); a suspended
    member gets none (409 ``member_suspended``)."""
    member = members.get_member(db, actor=actor, member_id=member_id)
    if actor.role not in (None, *ISSUERS):
        raise Forbidden("only operators and enterprise admins issue cards", code="role_not_allowed")
    if member.status != MemberStatus.active.value:
        raise Conflict("a suspended member cannot be issued a card", code="member_suspended")
    _check_kind(kind, iccid, imsi, uid)
    card = _new_card(db, actor=actor, phone=member.phone, holder_name=member.name, kind=kind,
                     iccid=iccid, imsi=imsi, uid=uid)
    events.announce(db, card, kind="card.issued", enterprise_ids=[member.enterprise_id])
    return card


def open_application(db: Session, *, actor: Actor, card_id: int, enterprise_id: int, type: AppType,
                     mode: AppMode) -> CardApplication:
    """C4: an enterprise opens one of its sub-applications on a card its member holds — over the
    air (RFID-SIM only) or locally at an issuing terminal. The platform checks the enterprise is
    legitimate and authorised: the admin's own enterprise, a current member with the card's number."""
    card = load_card(db, card_id, lock=True)
    ensure_may_act(db, actor, card, roles=ISSUERS)
    if actor.role == Role.enterprise_admin and actor.enterprise_id != enterprise_id:
        raise NotFound("no such enterprise", code="enterprise_not_found")
    holder = next((m for m in members.members_for_phone(db, phone=card.phone) if m.enterprise_id == enterprise_id),
                  None)
    if holder is None:
        raise Conflict("the card holder is not a member of this enterprise", code="not_a_member")
    if holder.status != MemberStatus.active.value:
        raise Conflict("the member's service is suspended", code="member_suspended")
    if card.status != C.active.value:
        raise Conflict(f"the card is {card.status}", code=f"card_{card.status}")
    if mode == AppMode.ota and card.kind == CardKind.ic.value:
        raise Conflict("an IC card has no over-the-air channel; open it locally at an issuing terminal",
                       code="ota_needs_rfid_sim")
    if any(a.enterprise_id == enterprise_id and a.type == type.value for a in applications(db, card, active_only=True)):
        raise Conflict(f"the {type.value} application of this enterprise is already open", code="application_exists")
    app = CardApplication(card_id=card.id, enterprise_id=enterprise_id, member_id=holder.id, type=type.value,
                          mode=mode.value, status=AppStatus.active.value, opened_at=clock.now())
    db.add(app)
    db.flush()
    audit.record(db, actor=actor, action="card.application_open", entity_type="card_application", entity_id=app.id,
                 enterprise_id=enterprise_id, after={"card_no": card.card_no, "type": app.type, "mode": app.mode})
    events.announce(db, card, kind="card.application_opened", enterprise_ids=[enterprise_id],
                    application={"id": app.id, "type": app.type, "mode": app.mode})
    return app


def _transition(db: Session, *, actor: Actor, card: Card, action: str) -> dict:
    before = audit.snapshot(card, AUDITED)
    card.status = CARD_STATES.next_state(C(card.status), action).value
    card.status_changed_at = clock.now()
    return before


def _record(db: Session, *, actor: Actor, card: Card, action: str, before: dict, enterprise_ids: set[int]) -> None:
    after = audit.snapshot(card, AUDITED)
    for enterprise_id in sorted(enterprise_ids) or [None]:
        audit.record(db, actor=actor, action=f"card.{action}", entity_type="card", entity_id=card.id,
                     enterprise_id=enterprise_id, before=before, after=after)


def _app_enterprises(db: Session, card: Card) -> set[int]:
    return {a.enterprise_id for a in applications(db, card, active_only=True)}


def _blacklist(db: Session, card: Card, enterprise_ids: set[int], *, change: str, reason: str) -> dict[int, int]:
    return {eid: blacklist.record_change(db, enterprise_id=eid, card_no=card.card_no, change=change, reason=reason)
            for eid in sorted(enterprise_ids)}


def report_loss(db: Session, *, actor: Actor, card_id: int, service_password: str | None = None) -> Card:
    """C5 挂失: by the enterprise admin, the member (portal/STK) or a hall/hotline agent — an agent
    acting for the member needs the member's service password first (X3). The card goes ``lost``,
    onto the blacklist of every enterprise with a sub-application on it; subsystems and the member
    are told."""
    card = load_card(db, card_id, lock=True)
    ensure_may_act(db, actor, card, roles=(*ISSUERS, Role.member, *AGENTS))
    if actor.role in AGENTS:
        person.verify_service_password(db, phone=card.phone, password=service_password)
    before = _transition(db, actor=actor, card=card, action="report_loss")
    enterprise_ids = _app_enterprises(db, card)
    versions = _blacklist(db, card, enterprise_ids, change=blacklist.ADDED, reason="lost")
    _record(db, actor=actor, card=card, action="report_loss", before=before, enterprise_ids=enterprise_ids)
    for eid, version in versions.items():
        events.announce(db, card, kind="card.lost", enterprise_ids=[eid], blacklist_version=version)
    events.tell_holder(db, card, what="挂失成功", enterprise_ids=enterprise_ids)
    return card


def unfreeze(db: Session, *, actor: Actor, card_id: int) -> Card:
    """C6 解挂: by the enterprise admin (or an operator). The card is ``active`` again and leaves
    the blacklists; subsystems and the member are told."""
    card = load_card(db, card_id, lock=True)
    ensure_may_act(db, actor, card, roles=ISSUERS)
    before = _transition(db, actor=actor, card=card, action="unfreeze")
    enterprise_ids = {eid for eid in _app_enterprises(db, card)
                      if blacklist.is_blacklisted(db, enterprise_id=eid, card_no=card.card_no)}
    versions = _blacklist(db, card, enterprise_ids, change=blacklist.REMOVED, reason="unfrozen")
    _record(db, actor=actor, card=card, action="unfreeze", before=before, enterprise_ids=enterprise_ids)
    for eid, version in versions.items():
        events.announce(db, card, kind="card.unfrozen", enterprise_ids=[eid], blacklist_version=version)
    events.tell_holder(db, card, what="解挂成功，可正常使用", enterprise_ids=_app_enterprises(db, card))
    return card


def _close_applications(db: Session, card: Card, *, reason: str) -> list[CardApplication]:
    closed = []
    at = clock.now()
    for app in applications(db, card, active_only=True):
        app.status = APP_STATES.next_state(AppStatus(app.status), "revoke").value
        app.closed_at, app.closed_reason = at, reason
        closed.append(app)
    return closed


def replace_card(db: Session, *, actor: Actor, card_id: int, kind: CardKind, old_card_readable: bool,
                 iccid: str | None = None, imsi: str | None = None, uid: str | None = None) -> Card:
    """C7 补换卡: the old card's sub-applications are revoked and it is blacklisted; a new card is
    issued to the same number and the same sub-applications are written to it — from the old card's
    backup when it was readable, else from the platform's records. The number does not change."""
    old = load_card(db, card_id, lock=True)
    ensure_may_act(db, actor, old, roles=ISSUERS)
    _check_kind(kind, iccid, imsi, uid)
    before = _transition(db, actor=actor, card=old, action="replace")
    db.flush()  # the old card leaves the live set before the new one joins it (M2)
    closed = _close_applications(db, old, reason="replaced")
    enterprise_ids = {a.enterprise_id for a in closed}
    versions = _blacklist(db, old, enterprise_ids, change=blacklist.ADDED, reason="replaced")
    new = _new_card(db, actor=actor, phone=old.phone, holder_name=old.holder_name, kind=kind, iccid=iccid,
                    imsi=imsi, uid=uid, replaces=old,
                    restored_from="card_backup" if old_card_readable else "platform_records")
    for app in closed:
        db.add(CardApplication(card_id=new.id, enterprise_id=app.enterprise_id, member_id=app.member_id,
                               type=app.type, mode=AppMode.local.value, status=AppStatus.active.value,
                               opened_at=clock.now()))
    db.flush()
    _record(db, actor=actor, card=old, action="replace", before=before, enterprise_ids=enterprise_ids)
    for eid in sorted(enterprise_ids):
        events.announce(db, old, kind="card.replaced", enterprise_ids=[eid], blacklist_version=versions[eid],
                        new_card_no=new.card_no)
    events.tell_holder(db, new, what="补换卡成功，原卡已作废", enterprise_ids=enterprise_ids)
    return new


def delete_application(db: Session, *, actor: Actor, card_id: int, application_id: int,
                       service_password: str | None = None) -> CardApplication:
    """C8 应用删除: the member chooses one sub-application (STK menu/portal) and confirms with the
    service password (X3: wrong tries lock it for a while); an enterprise admin may remove their
    own enterprise's. It is removed over the air and its enterprise is told."""
    card = load_card(db, card_id, lock=True)
    ensure_may_act(db, actor, card, roles=(*ISSUERS, Role.member))
    app = db.get(CardApplication, application_id)
    if app is None or app.card_id != card.id or (
            actor.role == Role.enterprise_admin and app.enterprise_id != actor.enterprise_id):
        raise NotFound("no such application on this card", code="application_not_found")
    if card.status != C.active.value:
        raise Conflict(f"the card is {card.status}; nothing can be removed from it over the air",
                       code=f"card_{card.status}")
    if actor.role == Role.member:
        person.verify_service_password(db, phone=card.phone, password=service_password)
    app.status = APP_STATES.next_state(AppStatus(app.status), "delete").value
    app.closed_at, app.closed_reason = clock.now(), "deleted"
    audit.record(db, actor=actor, action="card.application_delete", entity_type="card_application",
                 entity_id=app.id, enterprise_id=app.enterprise_id, before={"status": "active"},
                 after={"status": app.status, "card_no": card.card_no, "type": app.type})
    events.announce(db, card, kind="card.application_deleted", enterprise_ids=[app.enterprise_id],
                    application={"id": app.id, "type": app.type})
    return app


def cancel_card(db: Session, *, actor: Actor, card_id: int, refund: str, refunded_fen: int = 0) -> tuple[Card, int]:
    """C9 注销: the personalisation data (every sub-application) is removed, the card is
    blacklisted, and subsystems and the member are told. The purse balance is settled first by
    ``cards.flows.cancel_card`` (``refund``: cash or transfer), which passes ``refunded_fen``."""
    card = load_card(db, card_id, lock=True)
    ensure_may_act(db, actor, card, roles=ISSUERS)
    if refund not in ("cash", "transfer"):
        raise InvalidInput("refund is cash or transfer", code="invalid_refund")
    before = _transition(db, actor=actor, card=card, action="cancel")
    closed = _close_applications(db, card, reason="cancelled")
    enterprise_ids = {a.enterprise_id for a in closed}
    versions = _blacklist(db, card, enterprise_ids, change=blacklist.ADDED, reason="cancelled")
    _record(db, actor=actor, card=card, action="cancel", before=before | {"refund": refund, "refunded_fen": refunded_fen},
            enterprise_ids=enterprise_ids)
    for eid in sorted(enterprise_ids):
        events.announce(db, card, kind="card.cancelled", enterprise_ids=[eid], blacklist_version=versions[eid],
                        refunded_fen=refunded_fen)
    events.tell_holder(db, card, what="注销成功", enterprise_ids=enterprise_ids)
    return card, refunded_fen


def refuse_transfer(db: Session, *, actor: Actor, card_id: int) -> None:
    """M4 过户: a card or number cannot pass to another person; the request is always refused."""
    card = load_card(db, card_id)
    ensure_may_act(db, actor, card, roles=(*ISSUERS, Role.member, *AGENTS))
    raise Conflict("a card or number cannot be transferred to another person (过户不支持); the new holder "
                   "applies for their own card", code="transfer_not_supported")


def change_phone(db: Session, *, actor: Actor, member_id: int, new_phone: str, kind: CardKind,
                 iccid: str | None = None, imsi: str | None = None, uid: str | None = None) -> Card:
    """M5: the member changes number. This enterprise's sub-applications on the old number's card
    are cancelled (and that card blacklisted for it); the new number gets a card — issued now, or the
    one it already holds — with the same sub-applications opened again."""
    member = members.get_member(db, actor=actor, member_id=member_id)
    if actor.role not in (None, *ISSUERS):
        raise Forbidden("only operators and enterprise admins change a member's number", code="role_not_allowed")
    enterprise_id = member.enterprise_id
    old_card = _live_card_for_phone(db, member.phone)
    member, old_phone = members.change_phone(db, actor=actor, member_id=member_id, new_phone=new_phone)
    moved: list[CardApplication] = []
    if old_card is not None:
        at = clock.now()
        for app in applications(db, old_card, active_only=True):
            if app.enterprise_id == enterprise_id:
                app.status = APP_STATES.next_state(AppStatus(app.status), "revoke").value
                app.closed_at, app.closed_reason = at, "phone_changed"
                moved.append(app)
        if moved:
            version = blacklist.record_change(db, enterprise_id=enterprise_id, card_no=old_card.card_no,
                                              change=blacklist.ADDED, reason="phone_changed")
            events.announce(db, old_card, kind="card.application_deleted", enterprise_ids=[enterprise_id],
                            reason="phone_changed", blacklist_version=version)
    card = _live_card_for_phone(db, member.phone)
    if card is None:
        _check_kind(kind, iccid, imsi, uid)
        card = _new_card(db, actor=actor, phone=member.phone, holder_name=member.name, kind=kind,
                         iccid=iccid, imsi=imsi, uid=uid)
    existing = {a.type for a in applications(db, card, active_only=True) if a.enterprise_id == enterprise_id}
    for app in moved:
        if app.type not in existing:
            db.add(CardApplication(card_id=card.id, enterprise_id=enterprise_id, member_id=member.id, type=app.type,
                                   mode=app.mode if card.kind == CardKind.rfid_sim.value else AppMode.local.value,
                                   status=AppStatus.active.value, opened_at=clock.now()))
    db.flush()
    events.announce(db, card, kind="member.phone_changed", enterprise_ids=[enterprise_id], old_phone=old_phone,
                    old_card_no=old_card.card_no if old_card else None)
    return card


def get_card(db: Session, *, actor: Actor, card_id: int) -> Card:
    """C10: the card as the actor may see it (operators, agents, the holder, the admins of the
    holder's enterprises)."""
    card = load_card(db, card_id)
    ensure_may_act(db, actor, card, roles=(*ISSUERS, Role.member, *AGENTS))
    return card


def my_cards(db: Session, *, actor: Actor) -> list[Card]:
    """C10: a member's own cards, newest first (the portal and the STK menu)."""
    if actor.role != Role.member:
        raise Forbidden("only card holders have a card list", code="role_not_allowed")
    return list(db.scalars(select(Card).where(Card.phone == actor.username).order_by(Card.id.desc())))


def cards_of_member(db: Session, *, actor: Actor, member_id: int) -> list[Card]:
    """The cards held under a member's number, newest first — for the console's member page."""
    member = members.get_member(db, actor=actor, member_id=member_id)
    return list(db.scalars(select(Card).where(Card.phone == member.phone).order_by(Card.id.desc())))


def find_cards(db: Session, *, actor: Actor, card_no: str | None = None, phone: str | None = None) -> list[Card]:
    """Card lookup by number or phone for operators and hall/hotline agents (read-only, S1/C5);
    an enterprise admin finds only cards their members hold. Newest first, at most 20."""
    if not card_no and not phone:
        raise InvalidInput("give a card number or a phone number", code="lookup_needs_key")
    stmt = select(Card).order_by(Card.id.desc()).limit(20)
    if card_no:
        stmt = stmt.where(Card.card_no == card_no.strip())
    if phone:
        stmt = stmt.where(Card.phone == members.normalize_phone(phone))
    found = list(db.scalars(stmt))
    visible = []
    for card in found:
        try:
            ensure_may_act(db, actor, card, roles=(*ISSUERS, *AGENTS))
        except (NotFound, Forbidden):
            continue
        visible.append(card)
    return visible


def card_by_no(db: Session, *, card_no: str) -> Card | None:
    """For other domains (terminals, purse): the card with this number, whatever its state, locked
    for the rest of the transaction — so money moving on the card and a cancellation or replacement
    of it (which lock the card first too) run one after the other, never interleaved."""
    return db.scalar(select(Card).where(Card.card_no == card_no).with_for_update()
                     .execution_options(populate_existing=True))  # re-read under the lock, not from the session


def active_application(db: Session, *, card: Card, enterprise_id: int, type: AppType) -> CardApplication | None:
    """The enterprise's open sub-application of this type on the card, if any."""
    return db.scalar(select(CardApplication).where(
        CardApplication.card_id == card.id, CardApplication.enterprise_id == enterprise_id,
        CardApplication.type == type.value, CardApplication.status == AppStatus.active.value))


def live_card_of_phone(db: Session, *, phone: str) -> Card | None:
    return _live_card_for_phone(db, phone)


def applications_of(db: Session, *, card: Card) -> list[CardApplication]:
    """For other domains: every sub-application the card has had."""
    return applications(db, card)


def application_by_id(db: Session, *, application_id: int) -> tuple[CardApplication, Card] | None:
    """For other domains' jobs (the purse's daily bills): a sub-application and its card."""
    app = db.get(CardApplication, application_id)
    return None if app is None else (app, db.get(Card, app.card_id))
