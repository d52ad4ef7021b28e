"""Cookies, CSRF tokens and safe redirects of the console.

A signed-in page's CSRF token is HMAC-SHA256(secret_key, session token), sent back as the form
field ``csrf_token`` or the header ``X-CSRF-Token`` (htmx sends the header, set on <body>). The login
form, which has no session yet, uses a signed double-submit cookie: a random nonce in an HttpOnly
cookie and HMAC(secret_key, "login:" + nonce) in the form (the personal portal's login and set-up forms too)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "ykt_session"
LOGIN_COOKIE = "ykt_login"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def _secret(request: Request) -> bytes:
    return request.app.state.settings.secret_key.encode()


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.cookie_secure)


def _sign(request: Request, value: str) -> str:
    return hmac.new(_secret(request), value.encode(), hashlib.sha256).hexdigest()


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def csrf_for_session(request: Request, token: str) -> str:
    return _sign(request, token)


def check_session_csrf(request: Request, sent: str | None) -> bool:
    token = session_token(request)
    if not token or not sent:
        return False
    return hmac.compare_digest(sent, csrf_for_session(request, token))


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/")


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))


def login_nonce(request: Request) -> tuple[str, bool]:
    """The login form's nonce, and whether it is new (and so must be set as a cookie)."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    if nonce and 16 <= len(nonce) <= 64:
        return nonce, False
    return secrets.token_urlsafe(24), True


def login_csrf(request: Request, nonce: str) -> str:
    return _sign(request, f"login:{nonce}")


def check_login_csrf(request: Request, sent: str | None) -> bool:
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not sent:
        return False
    return hmac.compare_digest(sent, login_csrf(request, nonce))


def set_login_cookie(request: Request, response: Response, nonce: str) -> None:
    """Path "/": the portal's set-up forms (no session yet either) share the login form's nonce."""
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="lax", secure=_secure(request), path="/")


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site: never another host (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
