"""The worker's two short write transactions per round (C11): *claim* a batch (mark it taken for a
lease) and *settle* it (record what happened). The network calls happen between them, outside any
transaction, so the SQLite writer lock is never held while waiting for a remote host.

Claiming takes rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several ``ykt worker``
processes share the queues without taking the same row; on SQLite ``BEGIN IMMEDIATE`` serialises
claims. A claim increments ``attempts``; settling matches ``(id, status, attempts)``, so a worker
whose lease expired (and whose row another worker re-claimed) cannot overwrite the newer outcome.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from yikatong.core import clock
from yikatong.db import Database
from yikatong.notify.models import (
    Delivery,
    DeliveryStatus,
    OutboxEvent,
    SmsMessage,
    SmsStatus,
    WebhookSubscription,
)
from yikatong.notify.service import envelope
from yikatong.notify.sms import OutgoingSms

D, S = DeliveryStatus, SmsStatus
OPEN = (D.pending.value, D.in_flight.value)


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: ``base · factor^(n-1)`` seconds after the n-th failed
    attempt, capped, stretched by up to ``jitter`` so failures do not retry in lockstep."""

    base_s: float = 2.0
    factor: float = 2.0
    cap_s: float = 3600.0
    jitter: float = 0.25

    def delay(self, attempts: int) -> dt.timedelta:
        raw = min(self.cap_s, self.base_s * self.factor ** min(max(attempts - 1, 0), 64))
        return dt.timedelta(seconds=raw * (1 + random.uniform(0, self.jitter)))


@dataclass(frozen=True)
class Attempt:
    """What one send produced."""

    ok: bool
    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True)
class WebhookJob:
    delivery_id: int
    attempts: int  # including this one
    url: str
    secret: str
    event_id: int
    kind: str
    body: dict[str, Any]


@dataclass(frozen=True)
class SmsJob:
    message: OutgoingSms
    attempts: int


@dataclass
class Tally:
    """Counts of one settle, by outcome: done (delivered/sent), retry, gave_up (dead/failed)."""

    done: int = 0
    retry: int = 0
    gave_up: int = 0
    stale: int = 0  # outcomes dropped because the lease had passed to another worker
    errors: list[str] = field(default_factory=list)


def _skip_locked(session: Session, stmt: Select) -> Select:
    # PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def claim_deliveries(database: Database, *, batch: int, lease_s: float) -> list[WebhookJob]:
    """Take up to ``batch`` due deliveries, each the oldest open one of its (subscription, ordering
    key) chain: later events of a card wait while an earlier one is pending (even when its next
    attempt is hours away) or in flight. A delivery whose lease expired — its worker died — is
    due again."""
    with database.write() as session:
        now = clock.now()
        earlier = aliased(Delivery)
        blocked = exists().where(earlier.subscription_id == Delivery.subscription_id,
                                 earlier.ordering_key == Delivery.ordering_key,
                                 earlier.id < Delivery.id, earlier.status.in_(OPEN))
        due = or_(and_(Delivery.status == D.pending.value, Delivery.next_attempt_at <= now),
                  and_(Delivery.status == D.in_flight.value, Delivery.lease_until <= now))
        stmt = select(Delivery).where(due, ~blocked).order_by(Delivery.id).limit(batch)
        deliveries = list(session.scalars(_skip_locked(session, stmt)))
        if not deliveries:
            return []
        events = {e.id: e for e in session.scalars(
            select(OutboxEvent).where(OutboxEvent.id.in_({d.event_id for d in deliveries})))}
        subscriptions = {s.id: s for s in session.scalars(
            select(WebhookSubscription).where(WebhookSubscription.id.in_({d.subscription_id for d in deliveries})))}
        jobs = []
        for d in deliveries:
            d.status, d.lease_until, d.attempts = D.in_flight.value, now + dt.timedelta(seconds=lease_s), d.attempts + 1
            event, subscription = events[d.event_id], subscriptions[d.subscription_id]
            jobs.append(WebhookJob(delivery_id=d.id, attempts=d.attempts, url=subscription.url,
                                   secret=subscription.secret, event_id=event.id, kind=event.kind,
                                   body=envelope(event)))
        return jobs


def claim_sms(database: Database, *, batch: int, lease_s: float) -> list[SmsJob]:
    """Take up to ``batch`` queued messages that are due and not leased (or whose lease expired)."""
    with database.write() as session:
        now = clock.now()
        stmt = (select(SmsMessage)
                .where(SmsMessage.status == S.queued.value, SmsMessage.next_attempt_at <= now,
                       or_(SmsMessage.lease_until.is_(None), SmsMessage.lease_until <= now))
                .order_by(SmsMessage.id).limit(batch))
        jobs = []
        for m in session.scalars(_skip_locked(session, stmt)):
            m.lease_until, m.attempts = now + dt.timedelta(seconds=lease_s), m.attempts + 1
            jobs.append(SmsJob(OutgoingSms(id=m.id, phone=m.phone, text=m.text, purpose=m.purpose), m.attempts))
        return jobs


def _settle(session: Session, model: type, *, row_id: int, attempts: int, claimed_status: str,
            attempt: Attempt, always: dict, done: dict, retry_status: str, give_up_status: str,
            max_attempts: int, backoff: Backoff, tally: Tally) -> None:
    now = clock.now()
    values: dict[str, Any] = always | {"lease_until": None,
                                       "last_error": attempt.error[:500] if attempt.error else None}
    if attempt.ok:
        values |= done
        outcome = "done"
    elif attempts >= max_attempts:
        values["status"] = give_up_status
        outcome = "gave_up"
    else:
        values |= {"status": retry_status, "next_attempt_at": now + backoff.delay(attempts)}
        outcome = "retry"
    result = session.execute(update(model).where(model.id == row_id, model.status == claimed_status,
                                                 model.attempts == attempts).values(**values))
    if result.rowcount != 1:
        tally.stale += 1
        return
    setattr(tally, outcome, getattr(tally, outcome) + 1)
    if attempt.error:
        tally.errors.append(attempt.error)


def settle_deliveries(database: Database, results: list[tuple[WebhookJob, Attempt]], *, max_attempts: int,
                      backoff: Backoff) -> Tally:
    """2xx → delivered; otherwise pending again after the backoff, or dead once ``max_attempts``
    is reached. A dead delivery stops blocking its chain (receivers order by ``sequence``)."""
    tally = Tally()
    with database.write() as session:
        for job, attempt in results:
            _settle(session, Delivery, row_id=job.delivery_id, attempts=job.attempts, claimed_status=D.in_flight.value,
                    attempt=attempt, always={"last_status_code": attempt.status_code},
                    done={"status": D.delivered.value, "delivered_at": clock.now()},
                    retry_status=D.pending.value, give_up_status=D.dead.value,
                    max_attempts=max_attempts, backoff=backoff, tally=tally)
    return tally


def settle_sms(database: Database, results: list[tuple[SmsJob, Attempt]], *, gateway: str, max_attempts: int,
               backoff: Backoff) -> Tally:
    """Taken by the gateway → sent; otherwise queued again after the backoff, or failed."""
    tally = Tally()
    with database.write() as session:
        for job, attempt in results:
            _settle(session, SmsMessage, row_id=job.message.id, attempts=job.attempts, claimed_status=S.queued.value,
                    attempt=attempt, always={"gateway": gateway},
                    done={"status": S.sent.value, "sent_at": clock.now()},
                    retry_status=S.queued.value, give_up_status=S.failed.value,
                    max_attempts=max_attempts, backoff=backoff, tally=tally)
    return tally
