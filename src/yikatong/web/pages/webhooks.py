"""An enterprise's subsystem webhooks (C11): its subscriptions — add one (the signing secret is
shown once), deactivate one after a confirmation — and the deliveries of its events, filtered by
status, with a replay for dead or delivered ones. Another enterprise's are 404 (X5)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core.errors import NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.core.pagination import PageParams
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.notify import webhooks
from yikatong.notify.models import DeliveryStatus, WebhookSubscription
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.common import FormFailure, Pager, form_failure, page_params
from yikatong.web.security import safe_next
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/webhooks", route_class=ConsoleRoute,
                   include_in_schema=False)

PER_PAGE = 20
STATUSES = [s.value for s in DeliveryStatus]
REPLAYABLE = (DeliveryStatus.dead.value, DeliveryStatus.delivered.value)


def _base(enterprise_id: int) -> str:
    return f"/console/enterprises/{enterprise_id}/webhooks"


def _subscriptions(db, console: Console, enterprise_id: int) -> list[WebhookSubscription]:
    return webhooks.list_subscriptions(db, actor=console.actor, enterprise_id=enterprise_id,
                                       page=PageParams(limit=500)).items


def _page(request: Request, db, console: Console, enterprise_id: int, *, url: str = "",
          failure: FormFailure | None = None) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    subscriptions = _subscriptions(db, console, enterprise_id)
    status_text = request.query_params.get("status", "")
    status = DeliveryStatus(status_text) if status_text in STATUSES else None
    page = webhooks.list_deliveries(db, actor=console.actor, enterprise_id=enterprise_id,
                                    page=page_params(request, PER_PAGE), status=status)
    filters = {"status": status.value if status else ""}
    return render(request, "notify/webhooks.html", {
        "enterprise": enterprise, "base": _base(enterprise_id), "subscriptions": subscriptions,
        "by_id": {s.id: s for s in subscriptions}, "pager": Pager(page, _base(enterprise_id), filters),
        "filters": filters, "statuses": STATUSES, "replayable": REPLAYABLE, "url": url, "failure": failure,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "nav": "webhooks" if console.is_admin else "enterprises",
    }, status_code=failure.status_code if failure else 200)


@router.get("")
def webhook_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    return _page(request, db, console, enterprise_id)


@router.post("", dependencies=[Csrf])
def subscribe(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """Register a subsystem endpoint; its secret is shown on the answer and never again."""
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    url = form.get("url", "")
    try:
        subscription = webhooks.create_subscription(db, actor=console.actor, enterprise_id=enterprise_id, url=url)
    except YktError as exc:
        return _page(request, db, console, enterprise_id, url=url, failure=form_failure(request, db, exc))
    return render(request, "notify/webhook_created.html", {
        "enterprise": enterprise, "base": _base(enterprise_id), "subscription": subscription,
        "nav": "webhooks" if console.is_admin else "enterprises",
    }, status_code=201)


def _subscription(db, console: Console, enterprise_id: int, subscription_id: int) -> WebhookSubscription:
    found = next((s for s in _subscriptions(db, console, enterprise_id) if s.id == subscription_id), None)
    if found is None:
        raise NotFound("no such subscription", code="subscription_not_found")
    return found


@router.get("/{subscription_id}/deactivate")
def confirm_deactivate(request: Request, enterprise_id: PathId, subscription_id: PathId, console: CurrentConsole,
                       db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    return render(request, "notify/webhook_deactivate.html", {
        "enterprise": enterprise, "base": _base(enterprise_id),
        "subscription": _subscription(db, console, enterprise_id, subscription_id),
        "nav": "webhooks" if console.is_admin else "enterprises",
    })


@router.post("/{subscription_id}/deactivate", dependencies=[Csrf])
def deactivate(request: Request, enterprise_id: PathId, subscription_id: PathId, console: CurrentConsole, db: DB,
               form: Fields) -> Response:
    """Stop sending to the endpoint; its open deliveries become dead (replayable)."""
    _subscription(db, console, enterprise_id, subscription_id)
    if form.get("confirm") != "yes":
        return redirect(request, f"{_base(enterprise_id)}/{subscription_id}/deactivate")
    subscription = webhooks.deactivate_subscription(db, actor=console.actor, subscription_id=subscription_id)
    return redirect(request, _base(enterprise_id), flash="webhook_deactivated", arg=subscription.url)


@router.post("/deliveries/{delivery_id}/replay", dependencies=[Csrf])
def replay(request: Request, enterprise_id: PathId, delivery_id: PathId, console: CurrentConsole, db: DB,
           form: Fields) -> Response:
    """Send a dead or delivered delivery again (attempts reset), before the card's later events."""
    enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    delivery = webhooks.replay_delivery(db, actor=console.actor, delivery_id=delivery_id)
    if delivery.enterprise_id != enterprise_id:
        raise NotFound("no such delivery", code="delivery_not_found")  # rolled back: nothing replayed
    back = safe_next(form.get("back"), _base(enterprise_id))
    back = back if back.split("?")[0] == _base(enterprise_id) else _base(enterprise_id)
    return redirect(request, back, flash="delivery_replayed", arg=str(delivery.id))
