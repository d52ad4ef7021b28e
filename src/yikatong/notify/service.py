"""The outbox (C11) and the SMS queue (P6): what other domains call, inside their own transaction,
to notify subsystems and members. Nothing here talks to the network; the worker does."""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from yikatong.auth.tenancy import require_role
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.pagination import Page, PageParams, paginate
from yikatong.core.validation import validated
from yikatong.notify.models import (
    EVENT_KINDS,
    Delivery,
    DeliveryStatus,
    OutboxEvent,
    OutboxSequence,
    SmsMessage,
    SmsStatus,
    WebhookSubscription,
)
from yikatong.notify.schemas import SmsCreate


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable in an event payload")


def _next_sequence(db: Session, *, enterprise_id: int, ordering_key: str) -> int:
    """The next number of an (enterprise, ordering key) stream: 1, 2, 3 … without gaps.

    One upsert statement: on PostgreSQL the counter row stays locked until the caller commits, so
    two transactions changing the same card get their numbers (and event ids) in commit order."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(OutboxSequence).values(enterprise_id=enterprise_id, ordering_key=ordering_key,
                                                 last_sequence=1)
    stmt = stmt.on_conflict_do_update(index_elements=["enterprise_id", "ordering_key"],
                                      set_={"last_sequence": OutboxSequence.last_sequence + 1})
    return db.execute(stmt.returning(OutboxSequence.last_sequence)).scalar_one()


def _wants(subscription: WebhookSubscription, kind: str) -> bool:
    return not subscription.kinds or kind in subscription.kinds


def emit(db: Session, *, kind: str, enterprise_id: int, payload: dict, card_id: int | None = None) -> OutboxEvent:
    """Write one event to the outbox in the caller's transaction (C11): an ``outbox_events`` row and
    one pending ``deliveries`` row per active webhook subscription of that enterprise that wants
    this kind. The change and its notification commit or vanish together, so a crash between the
    state change and the delivery loses nothing.

    Ordering key = ``card:{card_id}`` when a card is named (else ``enterprise:{enterprise_id}``);
    each event gets the next ``sequence`` (1, 2, 3 …) of its key within the enterprise, sent in
    the body so receivers can order and spot gaps. An unknown kind is a programming error."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}; add it to notify.models.EVENT_KINDS")
    ordering_key = f"card:{card_id}" if card_id is not None else f"enterprise:{enterprise_id}"
    sequence = _next_sequence(db, enterprise_id=enterprise_id, ordering_key=ordering_key)
    at = clock.now()
    event = OutboxEvent(enterprise_id=enterprise_id, kind=kind, card_id=card_id, ordering_key=ordering_key,
                        sequence=sequence, occurred_at=at,
                        payload=json.loads(json.dumps(payload, default=_json_default)))
    db.add(event)
    db.flush()
    subscriptions = db.scalars(select(WebhookSubscription).where(
        WebhookSubscription.enterprise_id == enterprise_id, WebhookSubscription.active.is_(True))
        .order_by(WebhookSubscription.id))
    db.add_all([Delivery(enterprise_id=enterprise_id, event_id=event.id, subscription_id=sub.id,
                         ordering_key=ordering_key, status=DeliveryStatus.pending.value, attempts=0,
                         next_attempt_at=at, created_at=at)
                for sub in subscriptions if _wants(sub, kind)])
    db.flush()
    return event


def envelope(event: OutboxEvent) -> dict[str, Any]:
    """The JSON body a subscriber receives: the emitter's payload plus the envelope fields, which
    win over payload keys of the same name."""
    return {**event.payload, "event_id": event.id, "kind": event.kind,
            "occurred_at": clock.as_utc(event.occurred_at).isoformat(), "enterprise_id": event.enterprise_id,
            "sequence": event.sequence}


def send_sms(db: Session, *, phone: str, text: str, purpose: str, enterprise_id: int | None = None) -> int:
    """Queue an SMS in the caller's transaction (P6; the member notices of C5, C6, C9); the worker
    hands it to the configured gateway after commit, so a rolled-back change sends nothing.
    Returns the message's id. (A Core insert: a consumption bill rides on every purchase, P3.)"""
    data = validated(SmsCreate, phone=phone, text=text, purpose=purpose)
    at = clock.now()
    return db.execute(_QUEUE_SMS, {"enterprise_id": enterprise_id, "phone": data.phone, "text": data.text,
                                   "purpose": data.purpose, "next_attempt_at": at, "created_at": at}).scalar_one()


_QUEUE_SMS = (insert(SmsMessage.__table__)
              .values(enterprise_id=bindparam("enterprise_id"), phone=bindparam("phone"), text=bindparam("text"),
                      purpose=bindparam("purpose"), status=SmsStatus.queued.value, attempts=0,
                      next_attempt_at=bindparam("next_attempt_at"), created_at=bindparam("created_at"))
              .returning(SmsMessage.__table__.c.id))


def list_sms(db: Session, *, actor: Actor, page: PageParams, phone: str | None = None) -> Page[SmsMessage]:
    """The SMS log, newest first; with the development gateway it is the inbox. Operators read
    every message, an enterprise admin only their enterprise's (X5)."""
    require_role(actor, (Role.operator, Role.enterprise_admin))
    stmt = select(SmsMessage).order_by(SmsMessage.id.desc())
    if actor.role == Role.enterprise_admin:
        stmt = stmt.where(SmsMessage.enterprise_id == actor.enterprise_id)
    if phone:
        stmt = stmt.where(SmsMessage.phone == phone.strip())
    return paginate(db, stmt, page)


def sms_queued(db: Session, *, phone: str, purpose: str) -> bool:
    """Whether a message with this purpose was already queued for this phone (jobs that must send once)."""
    return db.scalar(select(SmsMessage.id).where(SmsMessage.phone == phone, SmsMessage.purpose == purpose)
                     .limit(1)) is not None
