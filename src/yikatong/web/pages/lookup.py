"""Card lookup for the service desk (S1, C5, X3): a hall or hotline agent finds the caller's card by
card number or phone number, reads its state and sub-applications, and reports it lost for the
caller — after the caller has given their service password, which the service checks."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.auth.tenancy import require_role
from yikatong.cards import service as cards
from yikatong.core.actor import Role
from yikatong.core.errors import YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import translator_for
from yikatong.web.pages.cards_common import card_views
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.session import AGENTS, Console, CurrentConsole
from yikatong.web.templating import card_no, redirect, render

router = APIRouter(prefix="/console/cards", route_class=ConsoleRoute, include_in_schema=False)

LOOKUP_ROLES = (Role.operator, Role.enterprise_admin, *AGENTS)
CARD_NO = re.compile(r"^\d{16}$")
_SEPARATORS = re.compile(r"[\s\-]")


def _lookup_url(q: str) -> str:
    return f"/console/cards/lookup?q={quote(q)}" if q else "/console/cards/lookup"


def _find(db, console: Console, q: str):
    """A 16-digit card number, or else a phone number (with or without spaces, +86)."""
    key = _SEPARATORS.sub("", q)
    if CARD_NO.match(key):
        return cards.find_cards(db, actor=console.actor, card_no=key)
    return cards.find_cards(db, actor=console.actor, phone=q)


@router.get("/lookup")
def lookup(request: Request, console: CurrentConsole, db: DB) -> Response:
    require_role(console.actor, LOOKUP_ROLES)
    q = request.query_params.get("q", "").strip()[:32]
    failure, views = None, None
    if q:
        try:
            views = card_views(db, console.actor, _find(db, console, q))
        except YktError as exc:
            failure = form_failure(request, db, exc)
            if exc.code == "invalid_phone":
                failure.message = translator_for(request).gettext(
                    "Enter a 16-digit card number or an 11-digit mobile number.")
    return render(request, "cards/lookup.html", {
        "q": q, "views": views, "failure": failure, "nav": "lookup",
    })


def _loss_page(request: Request, db, console: Console, card_id: int, q: str, *,
               failure: FormFailure | None = None) -> Response:
    card = cards.get_card(db, actor=console.actor, card_id=card_id)
    return render(request, "cards/agent_loss.html", {
        "card": card, "q": q or card.card_no, "back": _lookup_url(q or card.card_no), "failure": failure,
        "needs_password": console.role in AGENTS, "nav": "lookup",
    }, status_code=failure.status_code if failure else 200)


@router.get("/{card_id}/loss")
def confirm_loss(request: Request, card_id: PathId, console: CurrentConsole, db: DB) -> Response:
    require_role(console.actor, LOOKUP_ROLES)
    return _loss_page(request, db, console, card_id, request.query_params.get("q", "").strip()[:32])


@router.post("/{card_id}/loss", dependencies=[Csrf])
def report_loss(request: Request, card_id: PathId, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """C5 挂失 for a caller: an agent needs the caller's service password first (X3); wrong tries
    count towards its lock even though the request fails."""
    require_role(console.actor, LOOKUP_ROLES)
    q = form.get("q", "")[:32]
    if form.get("confirm") != "yes":
        return redirect(request, f"/console/cards/{card_id}/loss")
    try:
        card = cards.report_loss(db, actor=console.actor, card_id=card_id,
                                 service_password=form.get("service_password") or None)
    except YktError as exc:
        return _loss_page(request, db, console, card_id, q, failure=form_failure(request, db, exc))
    return redirect(request, _lookup_url(q or card.card_no), flash="card_lost", arg=card_no(card.card_no))
