"""An enterprise's blacklist (黑名单, T3): the cards its terminals refuse, at the current version;
with ``?since=V`` the changes after version V, as a terminal fetches them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.cards import blacklist
from yikatong.core.errors import YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.web.errors import ConsoleRoute
from yikatong.web.pages.common import form_failure
from yikatong.web.session import CurrentConsole
from yikatong.web.templating import render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/blacklist", route_class=ConsoleRoute,
                   include_in_schema=False)


@router.get("")
def blacklist_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    since_text = request.query_params.get("since", "").strip()
    since = int(since_text) if since_text.isdigit() and len(since_text) < 10 else 0
    failure = None
    try:
        delta = blacklist.delta_since(db, enterprise_id=enterprise_id, since=since)
    except YktError as exc:
        failure = form_failure(request, db, exc)
        since, delta = 0, blacklist.delta_since(db, enterprise_id=enterprise_id, since=0)
    return render(request, "cards/blacklist.html", {
        "enterprise": enterprise, "delta": delta, "since": since, "since_text": since_text, "failure": failure,
        "nav": "blacklist" if console.is_admin else "enterprises",
    })
