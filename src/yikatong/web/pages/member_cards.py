"""One member's page (M1–M5, C4–C6): the member, the cards under their number with their
sub-applications, and the actions that need no confirmation — issue a card, open a sub-application,
unfreeze. The destructive ones confirm first (``card_actions``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.cards import flows as card_flows
from yikatong.cards import service as cards
from yikatong.cards.models import Card
from yikatong.core.errors import NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members.models import Member
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import translator_for
from yikatong.web.pages.cards_common import (
    APP_MODES, APP_TYPES, app_name, application_choice, card_form, card_identifiers, card_views, live_view,
)
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.pages.members import member_of
from yikatong.web.pages.purse_common import purse_context
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import card_no, redirect, render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/members/{member_id}", route_class=ConsoleRoute,
                   include_in_schema=False)


def member_path(enterprise_id: int, member_id: int) -> str:
    return f"/console/enterprises/{enterprise_id}/members/{member_id}"


def card_of(db, console: Console, member: Member, card_id: int) -> Card:
    """A card under the member's number, only at the member's address (any other: 404, X5)."""
    card = cards.get_card(db, actor=console.actor, card_id=card_id)
    if card.phone != member.phone:
        raise NotFound("no such card", code="card_not_found")
    return card


def detail_page(request: Request, db, console: Console, enterprise_id: int, member_id: int, *,
                failure: FormFailure | None = None, values: dict[str, str] | None = None,
                failed_card: int | None = None, purse_failure: FormFailure | None = None,
                purse_values: dict[str, str] | None = None) -> Response:
    """The member's page; after a refusal it is drawn again with the reason and what was typed."""
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    member = member_of(db, console, enterprise_id, member_id)
    views = card_views(db, console.actor, cards.cards_of_member(db, actor=console.actor, member_id=member_id),
                       enterprise_id=enterprise_id)
    live = live_view(views)
    status = (failure or purse_failure).status_code if (failure or purse_failure) else 200
    return render(request, "members/detail.html", {
        "enterprise": enterprise, "member": member, "cards": views, "live": live,
        "base": f"/console/enterprises/{enterprise_id}/members", "here": member_path(enterprise_id, member_id),
        "values": values or card_form({}), "failure": failure, "failed_card": failed_card,
        "app_types": APP_TYPES, "app_modes": APP_MODES, "nav": "members",
        **purse_context(request, db, console, enterprise_id, member_id, live, purse_failure, purse_values),
    }, status_code=status)


@router.get("")
def member_detail(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole,
                  db: DB) -> Response:
    return detail_page(request, db, console, enterprise_id, member_id)


@router.post("/cards", dependencies=[Csrf])
def issue(request: Request, enterprise_id: PathId, member_id: PathId, console: CurrentConsole, db: DB,
          form: Fields) -> Response:
    """C2/M2/M3: an RFID-SIM bound to the member's number, or an IC card for a non-subscriber."""
    enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    member_of(db, console, enterprise_id, member_id)
    values = card_form(form)
    try:
        kind, iccid, imsi, uid = card_identifiers(values)
        card = card_flows.issue_card(db, actor=console.actor, member_id=member_id, kind=kind, iccid=iccid,
                                     imsi=imsi, uid=uid)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return detail_page(request, db, console, enterprise_id, member_id, failure=failure, values=values)
    return redirect(request, member_path(enterprise_id, member_id), flash="card_issued", arg=card_no(card.card_no))


@router.post("/cards/{card_id}/applications", dependencies=[Csrf])
def open_application(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId,
                     console: CurrentConsole, db: DB, form: Fields) -> Response:
    """C4: this enterprise's sub-application, over the air (RFID-SIM) or locally."""
    member = member_of(db, console, enterprise_id, member_id)
    card_of(db, console, member, card_id)
    try:
        app_type, mode = application_choice(form)
        app = card_flows.open_application(db, actor=console.actor, card_id=card_id,
                                          enterprise_id=enterprise_id, type=app_type, mode=mode)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return detail_page(request, db, console, enterprise_id, member_id, failure=failure, failed_card=card_id)
    return redirect(request, member_path(enterprise_id, member_id), flash="application_opened",
                    arg=app_name(translator_for(request), app))


@router.post("/cards/{card_id}/unfreeze", dependencies=[Csrf])
def unfreeze(request: Request, enterprise_id: PathId, member_id: PathId, card_id: PathId,
             console: CurrentConsole, db: DB) -> Response:
    """C6 解挂: the card is active again and leaves the blacklists."""
    member = member_of(db, console, enterprise_id, member_id)
    card_of(db, console, member, card_id)
    try:
        card = cards.unfreeze(db, actor=console.actor, card_id=card_id)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        return detail_page(request, db, console, enterprise_id, member_id, failure=failure, failed_card=card_id)
    return redirect(request, member_path(enterprise_id, member_id), flash="card_unfrozen", arg=card_no(card.card_no))
