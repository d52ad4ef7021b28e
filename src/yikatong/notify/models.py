"""Tables of the transactional outbox (C11) and the SMS queue (P6, C5, C6, C9)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime

# Every kind a domain may emit. A subscription filters on these names, so a new kind is added here
# first: an unlisted kind is a programming error that emit() refuses loudly instead of never matching.
EVENT_KINDS = (
    "card.issued",
    "card.lost",
    "card.unfrozen",
    "card.replaced",
    "card.cancelled",
    "card.application_opened",
    "card.application_deleted",
    "member.phone_changed",
    "blacklist.changed",
    "ticket.sla_warning",
    "ticket.sla_breached",
)


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its turn or its next attempt
    in_flight = "in_flight"  # claimed by a worker until lease_until
    delivered = "delivered"  # the receiver answered 2xx
    dead = "dead"  # gave up after max_attempts (or the subscription was deactivated); replayable


class SmsStatus(StrEnum):
    queued = "queued"  # waiting for the worker (claimed while lease_until is in the future)
    sent = "sent"  # handed to the gateway
    failed = "failed"  # the gateway refused it max_attempts times


class OutboxEvent(Base):
    """One state change's notification, written in the transaction of the change (C11)."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("uq_outbox_events_sequence", "enterprise_id", "ordering_key", "sequence", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    # No foreign key: cards live in a later migration, and an event outlives what it describes.
    card_id: Mapped[int | None] = mapped_column(Integer)
    ordering_key: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class OutboxSequence(Base):
    """The last sequence number handed out per (enterprise, ordering key). Incremented with an
    upsert, so on PostgreSQL the row lock orders concurrent emitters for one card until commit."""

    __tablename__ = "outbox_sequences"

    enterprise_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ordering_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer)


class WebhookSubscription(Base):
    """An application subsystem's endpoint registered by its enterprise."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    # Kept in clear: the worker needs it to sign every request.
    secret: Mapped[str] = mapped_column(String(128))
    kinds: Mapped[list] = mapped_column(JSON, default=list)  # empty: every kind
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One event for one subscription. The worker sends the oldest open delivery of each
    (subscription, ordering key) chain only, which keeps a card's events in order."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("ix_deliveries_chain", "subscription_id", "ordering_key", "id"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outbox_events.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id"))
    ordering_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)

    event: Mapped[OutboxEvent] = relationship(lazy="raise")


class SmsMessage(Base):
    """A text message to a member. With the development gateway this table is the inbox."""

    __tablename__ = "sms_messages"
    __table_args__ = (Index("ix_sms_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null for messages to people outside any enterprise's scope (e.g. a portal sign-up code).
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    text: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=SmsStatus.queued.value)
    gateway: Mapped[str | None] = mapped_column(String(16))  # the gateway that sent it: dev, http
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
