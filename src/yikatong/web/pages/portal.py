"""The personal portal (个人服务门户) of card holders: first-time set-up with a code sent by SMS,
login with phone number and portal password (the console's login, channel ``portal``), the
holder's cards with their sub-applications (C10), report loss (C5) and the six-digit service
password (X3). Its own simple layout, for phones first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.auth import person
from yikatong.cards import service as cards
from yikatong.core.errors import NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.members.phones import normalize_phone
from yikatong.web import messages
from yikatong.web.errors import ConsoleRoute, CsrfRejected
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import translator_for
from yikatong.web.pages.auth import login_page
from yikatong.web.pages.cards_common import card_views
from yikatong.web.pages.common import FormFailure, form_failure
from yikatong.web.pages.purse_common import holder_purses
from yikatong.web.security import check_login_csrf, login_csrf, login_nonce, set_login_cookie
from yikatong.web.session import Console, CurrentMember
from yikatong.web.templating import card_no, redirect, render

router = APIRouter(prefix="/portal", route_class=ConsoleRoute, include_in_schema=False)


@router.get("/login")
def portal_login(request: Request) -> Response:
    phone = request.query_params.get("phone", "")[:20]
    return login_page(request, values={"username": phone, "next": "/portal"}, portal=True)


def _setup_page(request: Request, *, phone: str = "", sent: bool = False, failure: FormFailure | None = None,
                status_code: int = 200) -> Response:
    nonce, new = login_nonce(request)
    response = render(request, "portal/setup.html", {
        "phone": phone, "sent": sent, "failure": failure, "setup_csrf": login_csrf(request, nonce),
    }, status_code=failure.status_code if failure else status_code)
    if new:
        set_login_cookie(request, response, nonce)
    return response


def _check_setup_csrf(request: Request, form: dict[str, str]) -> None:
    if not check_login_csrf(request, form.get("csrf_token")):
        raise CsrfRejected()


@router.get("/setup")
def setup(request: Request) -> Response:
    phone = request.query_params.get("phone", "").strip()[:20]
    return _setup_page(request, phone=phone, sent=bool(phone))


@router.post("/setup/code")
def send_code(request: Request, db: DB, form: Fields) -> Response:
    """Step 1: a one-time code by SMS. The answer is the same whether or not the number belongs to
    a card holder (the service sends nothing to strangers), so membership is not revealed."""
    _check_setup_csrf(request, form)
    phone = form.get("phone", "")
    try:
        phone = normalize_phone(phone)
        person.request_portal_code(db, phone=phone)
    except YktError as exc:
        return _setup_page(request, phone=form.get("phone", ""), sent=exc.code == "code_recently_sent",
                           failure=form_failure(request, db, exc))
    return redirect(request, f"/portal/setup?phone={phone}")


@router.post("/setup")
def set_password(request: Request, db: DB, form: Fields) -> Response:
    """Step 2: the code and the new portal password; then the holder logs in with them."""
    _check_setup_csrf(request, form)
    phone = form.get("phone", "")
    t = translator_for(request)
    if form.get("password", "") != form.get("password2", ""):
        failure = FormFailure(message=messages.code_text(t, "passwords_differ"),
                              fields={"password2": messages.code_text(t, "passwords_differ")}, status_code=422)
        return _setup_page(request, phone=phone, sent=True, failure=failure)
    try:
        person.set_portal_password(db, phone=phone, code=form.get("code", ""), password=form.get("password", ""))
    except YktError as exc:
        failure = form_failure(request, db, exc, aliases={"admin_password": "password"})
        return _setup_page(request, phone=phone, sent=True, failure=failure)
    return redirect(request, f"/portal/login?phone={normalize_phone(phone)}", flash="portal_password_set")


def _views(db, member: Console):
    return card_views(db, member.actor, cards.my_cards(db, actor=member.actor))


@router.get("")
def portal_home(request: Request, member: CurrentMember, db: DB) -> Response:
    """The holder's cards (C10): each live card with its purses' balances and latest records."""
    views = _views(db, member)
    purses = {v.card.id: holder_purses(db, member.actor, v) for v in views if v.live}
    return render(request, "portal/home.html", {"cards": views, "purses": purses, "nav": "cards"})


def own_card(db, member: Console, card_id: int):
    """One of the holder's own cards (anyone else's: 404)."""
    card = next((c for c in cards.my_cards(db, actor=member.actor) if c.id == card_id), None)
    if card is None:
        raise NotFound("no such card", code="card_not_found")
    return card


def _loss_page(request: Request, db, member: Console, card_id: int, failure: FormFailure | None = None) -> Response:
    return render(request, "portal/loss.html", {"card": own_card(db, member, card_id), "failure": failure,
                                                "nav": "cards"},
                  status_code=failure.status_code if failure else 200)


@router.get("/cards/{card_id}/loss")
def confirm_loss(request: Request, card_id: PathId, member: CurrentMember, db: DB) -> Response:
    return _loss_page(request, db, member, card_id)


@router.post("/cards/{card_id}/loss", dependencies=[Csrf])
def report_loss(request: Request, card_id: PathId, member: CurrentMember, db: DB, form: Fields) -> Response:
    """C5 挂失 by the holder: at once, from anywhere — the card is blocked everywhere."""
    own_card(db, member, card_id)
    if form.get("confirm") != "yes":
        return redirect(request, f"/portal/cards/{card_id}/loss")
    try:
        card = cards.report_loss(db, actor=member.actor, card_id=card_id)
    except YktError as exc:
        return _loss_page(request, db, member, card_id, form_failure(request, db, exc))
    return redirect(request, "/portal", flash="card_lost", arg=card_no(card.card_no))


def change_service_password(request: Request, db, member: Console, form: dict[str, str]) -> FormFailure | None:
    """Set or change the six-digit service password (the STK menu uses it too); None when saved."""
    t = translator_for(request)
    if form.get("new_password", "") != form.get("new_password2", ""):
        text = messages.code_text(t, "passwords_differ")
        return FormFailure(message=text, fields={"new_password2": text}, status_code=422)
    try:
        person.set_service_password(db, actor=member.actor, new_password=form.get("new_password", ""),
                                    old_password=form.get("old_password") or None)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        if exc.code in ("service_password_required", "wrong_service_password", "service_password_locked"):
            failure.fields.setdefault("old_password", failure.message)
        return failure
    return None


@router.get("/service-password")
def service_password_form(request: Request, member: CurrentMember) -> Response:
    return render(request, "portal/service_password.html", {"failure": None, "nav": "password"})


@router.post("/service-password", dependencies=[Csrf])
def service_password(request: Request, member: CurrentMember, db: DB, form: Fields) -> Response:
    failure = change_service_password(request, db, member, form)
    if failure is not None:
        return render(request, "portal/service_password.html", {"failure": failure, "nav": "password"},
                      status_code=failure.status_code)
    return redirect(request, "/portal", flash="service_password_set")
