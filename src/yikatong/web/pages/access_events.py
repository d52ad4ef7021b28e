"""Door access reports (A4) in the console: the event log filtered by door, department, card,
outcome (denied attempts) and Beijing period, with paging; and a door's page with its hourly
traffic chart for a day and its latest denied attempts."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from starlette.responses import Response

from yikatong.access import reports
from yikatong.access import service as access
from yikatong.core import clock
from yikatong.core.ids import PathId
from yikatong.core.pagination import PageParams
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.web.charts import bar_chart
from yikatong.web.errors import ConsoleRoute
from yikatong.web.i18n import N_, translator_for
from yikatong.web.pages.access import DIRECTIONS
from yikatong.web.pages.common import Pager, page_params, parse_date
from yikatong.web.session import CurrentConsole
from yikatong.web.templating import render

router = APIRouter(prefix="/console/enterprises/{enterprise_id}/access", route_class=ConsoleRoute,
                   include_in_schema=False)
PER_PAGE = 50
REASONS = {"ok": N_("Opened"), "card_lost": N_("Card lost or blacklisted"), "card_inactive": N_("Card not in use"),
           "no_application": N_("No access application on the card"), "member_suspended": N_("Member suspended"),
           "not_in_group": N_("No access to this door"), "not_yet_valid": N_("Not yet valid"),
           "expired": N_("Access expired"), "outside_time_zone": N_("Outside the time zone"),
           "passback": N_("Anti-passback")}


def _digits(text: str, n: int | None = None) -> str:
    text = text.strip()
    return text if text.isdigit() and (len(text) == n if n else len(text) < 10) else ""


@router.get("/events")
def events_page(request: Request, enterprise_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    q = request.query_params
    today = clock.local(clock.now()).date()
    start = parse_date(q.get("start", ""), default=today - dt.timedelta(days=6), field="start")
    end = parse_date(q.get("end", ""), default=today, field="end")
    door = _digits(q.get("door", ""))
    card_no = _digits(q.get("card_no", "").replace(" ", ""), 16)
    department = q.get("department", "").strip()[:100]
    outcome = q.get("outcome", "")
    outcome = outcome if outcome in ("denied", "allowed") else ""
    page = reports.list_events(db, actor=console.actor, enterprise_id=enterprise_id,
                               page=page_params(request, PER_PAGE), door_id=int(door) if door else None,
                               department=department or None, card_no=card_no or None,
                               allowed={"denied": False, "allowed": True}.get(outcome), start=start, end=end)
    base = f"/console/enterprises/{enterprise_id}/access/events"
    filters = {"start": start.isoformat(), "end": end.isoformat(), "door": door, "card_no": card_no,
               "department": department, "outcome": outcome}
    return render(request, "access/events.html", {
        "enterprise": enterprise, "base": base, "filters": filters, "pager": Pager(page, base, filters),
        "events": reports.events_out(db, enterprise_id=enterprise_id, events=page.items),
        "doors": access.list_doors(db, actor=console.actor, enterprise_id=enterprise_id), "reasons": REASONS,
        "nav": "access" if console.is_admin else "enterprises",
    })


@router.get("/doors/{door_id}")
def door_page(request: Request, enterprise_id: PathId, door_id: PathId, console: CurrentConsole, db: DB) -> Response:
    enterprise = enterprises.get_enterprise(db, actor=console.actor, enterprise_id=enterprise_id)
    door = access.get_door(db, actor=console.actor, door_id=door_id)
    if door.enterprise_id != enterprise_id:
        from yikatong.core.errors import NotFound
        raise NotFound("no such door", code="door_not_found")
    today = clock.local(clock.now()).date()
    day = parse_date(request.query_params.get("day", ""), default=today)
    hours = reports.hourly(db, actor=console.actor, door_id=door.id, day=day)
    t = translator_for(request)
    busy = [h for h in hours if h.allowed or h.denied]
    chart = bar_chart([(f"{h.hour:02d}:00–{h.hour + 1:02d}:00", h.allowed + h.denied) for h in busy],
                      title=t.gettext("Passes by hour"), value_text=lambda v: t.gettext("%(n)s times", n=int(v)))
    denied = reports.list_events(db, actor=console.actor, enterprise_id=enterprise_id, page=PageParams(limit=20),
                                 door_id=door.id, allowed=False, start=day, end=day)
    return render(request, "access/door.html", {
        "enterprise": enterprise, "door": access.door_out(db, door), "day": day, "hours": hours, "chart": chart,
        "total_allowed": sum(h.allowed for h in hours), "total_denied": sum(h.denied for h in hours),
        "denied": reports.events_out(db, enterprise_id=enterprise_id, events=denied.items), "reasons": REASONS,
        "directions": DIRECTIONS, "previous": (day - dt.timedelta(days=1)).isoformat(),
        "next": (day + dt.timedelta(days=1)).isoformat(), "is_today": day >= today,
        "base": f"/console/enterprises/{enterprise_id}/access",
        "nav": "access" if console.is_admin else "enterprises",
    })
