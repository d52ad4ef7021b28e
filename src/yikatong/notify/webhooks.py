"""Webhook subscriptions and their deliveries, as the console and the API manage them (C11): an
enterprise admin registers its subsystems' endpoints, watches deliveries and replays dead ones.
Another enterprise's subscriptions and deliveries are 404 (X5)."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from yikatong.audit import service as audit
from yikatong.auth.tenancy import ensure_enterprise_scope
from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.errors import Conflict, NotFound
from yikatong.core.pagination import Page, PageParams, paginate
from yikatong.core.statemachine import StateMachine
from yikatong.core.validation import validated
from yikatong.enterprises import service as enterprises
from yikatong.notify.models import Delivery, DeliveryStatus, WebhookSubscription
from yikatong.notify.schemas import SubscriptionCreate

SUBSCRIPTION_AUDITED = ["url", "kinds", "active"]  # never the secret
DELIVERY_AUDITED = ["status", "attempts", "last_status_code", "last_error"]
OPEN = (DeliveryStatus.pending.value, DeliveryStatus.in_flight.value)

D = DeliveryStatus
DELIVERY_STATES = StateMachine("delivery", {
    (D.dead, "replay"): D.pending,
    (D.delivered, "replay"): D.pending,
})


def _ensure_enterprise(db: Session, *, actor: Actor, enterprise_id: int) -> None:
    """Its admin (another enterprise's admin: 404) or an operator; anyone else 403."""
    ensure_enterprise_scope(actor, enterprise_id)
    if not enterprises.enterprise_exists(db, enterprise_id=enterprise_id):
        raise NotFound("no such enterprise", code="enterprise_not_found")


def create_subscription(db: Session, *, actor: Actor, enterprise_id: int, url: str, secret: str | None = None,
                        kinds: list[str] | None = None) -> WebhookSubscription:
    """C11: register a subsystem endpoint for the enterprise's events (all kinds when ``kinds`` is
    empty). The URL must be http(s); the HMAC secret is generated when not given."""
    _ensure_enterprise(db, actor=actor, enterprise_id=enterprise_id)
    data = validated(SubscriptionCreate, url=url, secret=secret, kinds=kinds or [])
    subscription = WebhookSubscription(enterprise_id=enterprise_id, url=data.url,
                                       secret=data.secret or secrets.token_urlsafe(32),
                                       kinds=sorted(set(data.kinds)), active=True, created_at=clock.now())
    db.add(subscription)
    db.flush()
    audit.record(db, actor=actor, action="webhook.subscribe", entity_type="webhook_subscription",
                 entity_id=subscription.id, enterprise_id=enterprise_id,
                 after=audit.snapshot(subscription, SUBSCRIPTION_AUDITED))
    return subscription


def list_subscriptions(db: Session, *, actor: Actor, enterprise_id: int, page: PageParams) -> Page[WebhookSubscription]:
    _ensure_enterprise(db, actor=actor, enterprise_id=enterprise_id)
    stmt = select(WebhookSubscription).where(WebhookSubscription.enterprise_id == enterprise_id)
    return paginate(db, stmt.order_by(WebhookSubscription.id), page)


def deactivate_subscription(db: Session, *, actor: Actor, subscription_id: int) -> WebhookSubscription:
    """C11: stop sending to an endpoint. Its open deliveries become dead (visible, replayable if
    it is registered again) instead of waiting forever. Deactivating twice changes nothing."""
    subscription = db.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise NotFound("no such subscription", code="subscription_not_found")
    ensure_enterprise_scope(actor, subscription.enterprise_id, not_found="subscription_not_found")
    if not subscription.active:
        return subscription
    before = audit.snapshot(subscription, SUBSCRIPTION_AUDITED)
    subscription.active = False
    subscription.deactivated_at = clock.now()
    closed = db.execute(update(Delivery).where(Delivery.subscription_id == subscription.id, Delivery.status.in_(OPEN))
                        .values(status=D.dead.value, lease_until=None, last_error="subscription deactivated")).rowcount
    audit.record(db, actor=actor, action="webhook.unsubscribe", entity_type="webhook_subscription",
                 entity_id=subscription.id, enterprise_id=subscription.enterprise_id, before=before,
                 after=audit.snapshot(subscription, SUBSCRIPTION_AUDITED) | {"deliveries_closed": closed})
    return subscription


def list_deliveries(db: Session, *, actor: Actor, enterprise_id: int, page: PageParams,
                    status: DeliveryStatus | None = None) -> Page[Delivery]:
    """An enterprise's deliveries with their events, newest first (the dead-letter view with
    ``status=dead``)."""
    _ensure_enterprise(db, actor=actor, enterprise_id=enterprise_id)
    stmt = select(Delivery).where(Delivery.enterprise_id == enterprise_id).options(selectinload(Delivery.event))
    if status is not None:
        stmt = stmt.where(Delivery.status == status.value)
    return paginate(db, stmt.order_by(Delivery.id.desc()), page)


def replay_delivery(db: Session, *, actor: Actor, delivery_id: int) -> Delivery:
    """C11: send a dead (or already delivered) delivery again: back to pending with its attempts
    reset. Being the oldest of its (subscription, card) chain again, it goes before later open ones."""
    delivery = db.get(Delivery, delivery_id, options=[selectinload(Delivery.event)])
    if delivery is None:
        raise NotFound("no such delivery", code="delivery_not_found")
    ensure_enterprise_scope(actor, delivery.enterprise_id, not_found="delivery_not_found")
    if not db.get(WebhookSubscription, delivery.subscription_id).active:
        raise Conflict("the subscription of this delivery is deactivated", code="subscription_inactive")
    before = audit.snapshot(delivery, DELIVERY_AUDITED)
    delivery.status = DELIVERY_STATES.next_state(D(delivery.status), "replay").value
    delivery.attempts = 0
    delivery.next_attempt_at = clock.now()
    delivery.lease_until = delivery.delivered_at = delivery.last_status_code = delivery.last_error = None
    audit.record(db, actor=actor, action="webhook.replay", entity_type="delivery", entity_id=delivery.id,
                 enterprise_id=delivery.enterprise_id, before=before, after=audit.snapshot(delivery, DELIVERY_AUDITED))
    return delivery
