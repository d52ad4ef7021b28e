"""Home, login and logout. The login form names the channel the user works through (X1): the
service refuses a user bound to other channels, and every later page checks it again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.auth import service as auth
from yikatong.core.actor import Channel, Role
from yikatong.core.errors import Forbidden, NotAuthenticated, YktError
from yikatong.deps import DB
from yikatong.web import messages
from yikatong.web.errors import ConsoleRoute, CsrfRejected
from yikatong.web.forms import Fields
from yikatong.web.i18n import translator_for
from yikatong.web.labels import LOGIN_CHANNELS
from yikatong.web.security import (
    check_login_csrf, check_session_csrf, clear_session_cookie, csrf_for_session, login_csrf, login_nonce, safe_next,
    session_token, set_login_cookie, set_session_cookie,
)
from yikatong.web.session import CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


@router.get("/")
def home(request: Request, console: CurrentConsole) -> Response:
    """Each role's start page; roles without console pages get a short explanation."""
    if console.home:
        return redirect(request, console.home)
    return render(request, "home.html")


def login_page(request: Request, *, values: dict[str, str] | None = None, error: str | None = None,
               status_code: int = 200, portal: bool = False) -> Response:
    """The console's login form, or the personal portal's (same form handler, channel ``portal``)."""
    nonce, new = login_nonce(request)
    values = values or {}
    response = render(request, "portal/login.html" if portal else "login.html", {
        "values": {"username": values.get("username", ""), "channel": values.get("channel", "website")},
        "next": safe_next(values.get("next") or request.query_params.get("next"), ""),
        "login_csrf": login_csrf(request, nonce), "error": error,
    }, status_code=status_code)
    if new:
        set_login_cookie(request, response, nonce)
    return response


@router.get("/login")
def login_form(request: Request, db: DB) -> Response:
    token = session_token(request)
    if token:
        try:
            auth.session_for_token(db, token=token, kind="web")
            return redirect(request, safe_next(request.query_params.get("next")))
        except NotAuthenticated:
            pass
    return login_page(request)


@router.post("/login")
def login(request: Request, db: DB, form: Fields) -> Response:
    """The console's channels are chosen on the form (X1); the personal portal's form sends the
    channel ``portal``, which only card holders may use. A card holder always works through the
    portal, whichever form they used."""
    t = translator_for(request)
    portal = form.get("channel") == Channel.portal.value
    if not check_login_csrf(request, request.headers.get("X-CSRF-Token") or form.get("csrf_token")):
        return login_page(request, values=form, error=messages.code_text(t, "csrf_failed"), status_code=403,
                          portal=portal)
    channel_value = form.get("channel") or "website"
    if channel_value not in LOGIN_CHANNELS and not portal:
        return login_page(request, values=form, error=messages.code_text(t, "invalid_channel"),
                          status_code=422)
    channel = Channel(channel_value)
    try:
        user = auth.authenticate(db, username=form.get("username", ""), password=form.get("password", ""),
                                 channel=channel)
        if portal and user.role != Role.member.value:
            raise Forbidden("the personal portal is for card holders", code="portal_members_only")
        if user.role == Role.member.value and not portal:
            channel = Channel.portal
            auth.authorize_request(user, channel)
    except YktError as exc:
        db.rollback()  # the service has already committed the failed-login count itself
        return login_page(request, values=form, error=messages.describe(t, exc), status_code=exc.status_code,
                          portal=portal)
    old = session_token(request)
    if old:
        auth.revoke_token(db, token=old)  # a new login never reuses a session (no fixation)
    token = auth.issue_token(db, user=user, kind="web", channel=channel)
    response = redirect(request, safe_next(form.get("next"), "/portal" if channel == Channel.portal else "/"))
    set_session_cookie(request, response, token)
    return response


@router.get("/logout")
def logout_page(request: Request) -> Response:
    token = session_token(request)
    if not token:
        return redirect(request, "/login")
    return render(request, "logout.html", {"logout_csrf": csrf_for_session(request, token)})


@router.post("/logout")
def logout(request: Request, db: DB, form: Fields) -> Response:
    """Works even when the channel or hours refuse every other page, so a refused user can leave."""
    token = session_token(request)
    if token and not check_session_csrf(request, request.headers.get("X-CSRF-Token") or form.get("csrf_token")):
        raise CsrfRejected()
    login = "/portal/login" if form.get("to") == "portal" else "/login"  # back to the form one came from
    response = redirect(request, login, flash="logged_out" if token else None)
    if token:
        auth.revoke_token(db, token=token)
    clear_session_cookie(request, response)
    return response
