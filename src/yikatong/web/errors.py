"""How the console fails: as a page in the user's language, never JSON and never a stack trace.

Every console route uses ``ConsoleRoute``: a service error (``YktError``) or anything unexpected is
re-raised as ``ConsoleError``. It is re-raised rather than answered on the spot so it still passes
through the database dependency, which rolls the unit of work back; the app-level handler installed
by ``install`` then draws the page."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import RedirectResponse, Response

from yikatong.core.errors import YktError

log = logging.getLogger("yikatong.web")

REFUSAL_CODES = {"channel_not_allowed", "outside_time_window"}


class ConsoleError(Exception):
    def __init__(self, status_code: int, code: str, error: YktError | None = None):
        super().__init__(code)
        self.status_code = status_code
        self.code = code
        self.error = error

    @classmethod
    def from_service(cls, exc: YktError) -> ConsoleError:
        return cls(exc.status_code, exc.code, exc)


class CsrfRejected(ConsoleError):
    def __init__(self) -> None:
        super().__init__(403, "csrf_failed")


class LoginRequired(Exception):
    """No live web session: go to the login page (and come back afterwards)."""

    def __init__(self, *, clear_cookie: bool) -> None:
        super().__init__("login required")
        self.clear_cookie = clear_cookie


class ConsoleRoute(APIRoute):
    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except (ConsoleError, LoginRequired):
                raise
            except YktError as exc:
                raise ConsoleError.from_service(exc) from exc
            except RequestValidationError as exc:
                raise ConsoleError(400, "invalid_request") from exc
            except StarletteHTTPException as exc:
                raise ConsoleError(exc.status_code, "not_found" if exc.status_code == 404 else "invalid_request") \
                    from exc
            except IntegrityError as exc:
                log.info("integrity conflict on %s: %s", request.url.path, exc.orig)
                raise ConsoleError(409, "conflict") from exc
            except Exception as exc:
                log.exception("unhandled error on %s %s", request.method, request.url.path)
                raise ConsoleError(500, "internal_error") from exc

        return route


def is_portal(request: Request) -> bool:
    """The personal portal (its own layout and login page) rather than the console."""
    return request.url.path == "/portal" or request.url.path.startswith("/portal/")


def _login_redirect(request: Request, exc: LoginRequired) -> Response:
    from yikatong.web.security import clear_session_cookie

    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = "/portal/login" if is_portal(request) else "/login"
    url = login if request.url.path in ("/", "/portal") else f"{login}?next={quote(target, safe='')}"
    if request.headers.get("HX-Request"):
        response: Response = Response(status_code=200, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if exc.clear_cookie:
        clear_session_cookie(request, response)
    return response


def error_page(request: Request, exc: ConsoleError) -> Response:
    from yikatong.web import messages
    from yikatong.web.i18n import translator_for
    from yikatong.web.security import csrf_for_session, session_token
    from yikatong.web.templating import render

    t = translator_for(request)
    if exc.error is not None:
        text = messages.describe(t, exc.error)
    else:
        text = messages.code_text(t, exc.code)
    refused = exc.code in REFUSAL_CODES
    token = session_token(request)
    return render(request, "portal/error.html" if is_portal(request) else "error.html", {
        "status": exc.status_code, "title": messages.title(t, exc.status_code), "message": text,
        "refused": refused, "logout_csrf": csrf_for_session(request, token) if token else "",
    }, status_code=exc.status_code, flash=False)


def install(app: FastAPI) -> None:
    async def on_console_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ConsoleError)
        return error_page(request, exc)

    async def on_login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return _login_redirect(request, exc)

    app.add_exception_handler(ConsoleError, on_console_error)
    app.add_exception_handler(LoginRequired, on_login_required)
