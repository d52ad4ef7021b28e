"""The SMS log (P6): with the development gateway it is the inbox where a developer reads what the
platform sent — card notices and the portal's one-time codes. Operators read every message, an
enterprise admin only their enterprise's (the service enforces it). Newest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.core.errors import YktError
from yikatong.deps import DB
from yikatong.members.phones import normalize_phone
from yikatong.notify import service as notify
from yikatong.web.errors import ConsoleRoute
from yikatong.web.pages.common import Pager, form_failure, page_params
from yikatong.web.session import CurrentConsole
from yikatong.web.templating import render

router = APIRouter(prefix="/console/sms", route_class=ConsoleRoute, include_in_schema=False)

PER_PAGE = 30


@router.get("")
def sms_inbox(request: Request, console: CurrentConsole, db: DB) -> Response:
    phone_text = request.query_params.get("phone", "").strip()[:20]
    phone, failure = None, None
    if phone_text:
        try:
            phone = normalize_phone(phone_text)
        except YktError as exc:
            failure = form_failure(request, db, exc)
    page = notify.list_sms(db, actor=console.actor, page=page_params(request, PER_PAGE), phone=phone)
    return render(request, "notify/sms.html", {
        "pager": Pager(page, "/console/sms", {"phone": phone_text}), "phone": phone_text, "failure": failure,
        "nav": "sms",
    })
