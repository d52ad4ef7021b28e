from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yikatong.core.ids import PathId
from yikatong.core.pagination import PageOut, PageParams, page_params
from yikatong.deps import DB, CurrentActor
from yikatong.notify import service, webhooks
from yikatong.notify.models import Delivery, DeliveryStatus
from yikatong.notify.schemas import DeliveryOut, SmsOut, SubscriptionCreate, SubscriptionCreated, SubscriptionOut

router = APIRouter(tags=["notifications"])
Page = Annotated[PageParams, Depends(page_params)]


def _delivery_out(delivery: Delivery) -> DeliveryOut:
    event = delivery.event
    return DeliveryOut(id=delivery.id, event_id=event.id, subscription_id=delivery.subscription_id, kind=event.kind,
                       ordering_key=delivery.ordering_key, sequence=event.sequence, status=delivery.status,
                       attempts=delivery.attempts, next_attempt_at=delivery.next_attempt_at,
                       last_status_code=delivery.last_status_code, last_error=delivery.last_error,
                       delivered_at=delivery.delivered_at, created_at=delivery.created_at,
                       payload=service.envelope(event))


@router.post("/enterprises/{enterprise_id}/subscriptions", response_model=SubscriptionCreated, status_code=201,
             summary="Register a subsystem webhook (C11); the secret is shown only here")
def subscribe(enterprise_id: PathId, body: SubscriptionCreate, actor: CurrentActor, db: DB) -> SubscriptionCreated:
    subscription = webhooks.create_subscription(db, actor=actor, enterprise_id=enterprise_id, **body.model_dump())
    return SubscriptionCreated.model_validate(subscription)


@router.get("/enterprises/{enterprise_id}/subscriptions", response_model=PageOut[SubscriptionOut])
def subscriptions(enterprise_id: PathId, actor: CurrentActor, db: DB, page: Page) -> PageOut[SubscriptionOut]:
    result = webhooks.list_subscriptions(db, actor=actor, enterprise_id=enterprise_id, page=page)
    return PageOut(items=[SubscriptionOut.model_validate(s) for s in result.items], total=result.total)


@router.delete("/subscriptions/{subscription_id}", status_code=204,
               summary="Deactivate a webhook; its open deliveries become dead")
def unsubscribe(subscription_id: PathId, actor: CurrentActor, db: DB) -> None:
    webhooks.deactivate_subscription(db, actor=actor, subscription_id=subscription_id)


@router.get("/enterprises/{enterprise_id}/deliveries", response_model=PageOut[DeliveryOut],
            summary="Webhook deliveries with their events, newest first (status=dead: the dead letters)")
def deliveries(enterprise_id: PathId, actor: CurrentActor, db: DB, page: Page,
               status: DeliveryStatus | None = None) -> PageOut[DeliveryOut]:
    result = webhooks.list_deliveries(db, actor=actor, enterprise_id=enterprise_id, page=page, status=status)
    return PageOut(items=[_delivery_out(d) for d in result.items], total=result.total)


@router.post("/deliveries/{delivery_id}/replay", response_model=DeliveryOut,
             summary="Send a dead or delivered delivery again (attempts reset)")
def replay(delivery_id: PathId, actor: CurrentActor, db: DB) -> DeliveryOut:
    return _delivery_out(webhooks.replay_delivery(db, actor=actor, delivery_id=delivery_id))


@router.get("/sms", response_model=PageOut[SmsOut],
            summary="The SMS log (the development inbox with YKT_SMS_GATEWAY=dev), newest first")
def sms(actor: CurrentActor, db: DB, page: Page,
        phone: Annotated[str | None, Query(max_length=20, description="exact phone number")] = None) -> PageOut[SmsOut]:
    result = service.list_sms(db, actor=actor, page=page, phone=phone)
    return PageOut(items=[SmsOut.model_validate(m) for m in result.items], total=result.total)
