"""The STK menu (C10, C5, C8) as a page shaped like a phone screen: the SIM toolkit menu a card
holder reaches from the phone — 1 card information, 2 balance, 3 report loss, 4 delete an
application (with the service password), 5 service password. Each item is a small screen."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.cards import service as cards
from yikatong.cards.models import Card
from yikatong.core.errors import InvalidInput, NotFound, YktError
from yikatong.deps import DB
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import N_, translator_for
from yikatong.web.pages.cards_common import CardView, app_name, card_views
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.pages.purse_common import holder_purses
from yikatong.web.pages.portal import change_service_password
from yikatong.web.session import Console, CurrentMember
from yikatong.web.templating import card_no, redirect, render

router = APIRouter(prefix="/portal/stk", route_class=ConsoleRoute, include_in_schema=False)

MENU = (
    ("info", N_("Card information")),
    ("balance", N_("Balance")),
    ("loss", N_("Report loss")),
    ("delete", N_("Delete application")),
    ("password", N_("Service password")),
)
SCREENS = dict(MENU)


def _card(db, member: Console) -> CardView | None:
    """The card in the phone: the holder's live card (active or lost), else none."""
    views = card_views(db, member.actor, cards.my_cards(db, actor=member.actor))
    return next((v for v in views if v.live), None)


def _screen(request: Request, db, member: Console, screen: str, *, failure: FormFailure | None = None,
            values: dict[str, str] | None = None) -> Response:
    view = _card(db, member)
    purses = holder_purses(db, member.actor, view) if screen == "balance" else []
    return render(request, "portal/stk.html", {
        "screen": screen, "title": SCREENS.get(screen, ""), "menu": MENU, "view": view, "purses": purses,
        "card": view.card if view else None, "failure": failure, "values": values or {}, "nav": "stk",
    }, status_code=failure.status_code if failure else 200)


@router.get("")
def menu(request: Request, member: CurrentMember, db: DB) -> Response:
    return _screen(request, db, member, "menu")


@router.get("/{screen}")
def item(request: Request, screen: str, member: CurrentMember, db: DB) -> Response:
    if screen not in SCREENS:
        raise NotFound("no such menu item", code="not_found")
    return _screen(request, db, member, screen)


def _live_card(db, member: Console) -> Card:
    view = _card(db, member)
    if view is None:
        raise NotFound("no card", code="card_not_found")
    return view.card


@router.post("/loss", dependencies=[Csrf])
def report_loss(request: Request, member: CurrentMember, db: DB) -> Response:
    """C5 挂失 from the STK menu."""
    try:
        card = cards.report_loss(db, actor=member.actor, card_id=_live_card(db, member).id)
    except YktError as exc:
        return _screen(request, db, member, "loss", failure=form_failure(request, db, exc))
    return redirect(request, "/portal/stk", flash="card_lost", arg=card_no(card.card_no))


@router.post("/delete", dependencies=[Csrf])
def delete_application(request: Request, member: CurrentMember, db: DB, form: Fields) -> Response:
    """C8 应用删除: the holder picks one sub-application and confirms with the service password;
    a wrong password is refused (and counts towards its lock, X3)."""
    values = {"application": form.get("application", "")}
    try:
        card = _live_card(db, member)
        view = _card(db, member)
        chosen = next((row.app for row in view.open_apps if str(row.app.id) == values["application"]), None) \
            if view else None
        if chosen is None:
            raise InvalidInput("choose the application to delete", code="choose_application")
        name = app_name(translator_for(request), chosen)
        cards.delete_application(db, actor=member.actor, card_id=card.id, application_id=chosen.id,
                                 service_password=form.get("service_password") or None)
    except YktError as exc:
        return _screen(request, db, member, "delete", failure=form_failure(request, db, exc), values=values)
    return redirect(request, "/portal/stk", flash="application_deleted", arg=name)


@router.post("/password", dependencies=[Csrf])
def service_password(request: Request, member: CurrentMember, db: DB, form: Fields) -> Response:
    failure = change_service_password(request, db, member, form)
    if failure is not None:
        return _screen(request, db, member, "password", failure=failure)
    return redirect(request, "/portal/stk", flash="service_password_set")
