"""The field engineer's list (我的工单, S8): the orders dispatched to me with the next step of each
(book or change the appointment in Beijing time, arrive, resolve with the resolution), the
orders open for my team to grab — a lost race says so instead of failing — and my duty switch
(off duty takes no automatic dispatch)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.core.actor import Role
from yikatong.core.errors import Forbidden, NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.core.pagination import PageParams
from yikatong.deps import DB
from yikatong.servicedesk import service as desk
from yikatong.servicedesk.models import TicketStatus as S
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import translator_for
from yikatong.web.labels import label
from yikatong.web.pages.common import FormFailure
from yikatong.web.pages.tickets_actions import run_action
from yikatong.web.pages.tickets_common import (
    STATUS_BADGES, customer, describe, local_input, next_clock, team_name, warning_lead,
)
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/engineer", route_class=ConsoleRoute, include_in_schema=False)

BASE = "/console/engineer"
MINE = [S.dispatched.value, S.appointed.value, S.on_site.value, S.pending.value]
ENGINEER_ACTIONS = frozenset({"grab", "appoint", "arrive", "resolve", "hold", "resume", "comment"})
LIMIT = PageParams(limit=100)


def _engineer(console: Console) -> None:
    if console.role != Role.field_engineer:
        raise Forbidden("this list is the field engineers'", code="role_not_allowed")


def engineer_view(request: Request, db: Session, console: Console, *, failure: FormFailure | None = None) -> Response:
    _engineer(console)
    actor = console.actor
    mine = desk.list_tickets(db, actor=actor, page=LIMIT, engineer_id=actor.user_id, statuses=MINE).items
    open_ = desk.list_tickets(db, actor=actor, page=LIMIT, status=S.waiting_grab.value).items
    open_ = [t for t in open_ if t.engineer_id is None]
    lead = warning_lead(request)
    try:
        profile = desk.get_engineer(db, user_id=actor.user_id)
    except NotFound:
        profile = None  # a login not yet linked to a team: nothing to grab, no duty to set
    done = None
    action = request.query_params.get("done", "")
    if failure is None and action in ENGINEER_ACTIONS:
        t = translator_for(request)
        done = t.gettext("%(action)s: done.", action=label(t, "ticket_action", action))
    return render(request, "tickets/engineer.html", {
        "mine": mine, "open": open_, "due": {t.id: next_clock(t, lead) for t in [*mine, *open_]},
        "customers": {t.id: customer(db, t) for t in [*mine, *open_]},
        "actions": {t.id: desk.allowed_actions(actor, t) for t in mine},
        "appointment": {t.id: local_input(t.appointment_at) for t in mine},
        "badges": STATUS_BADGES, "failure": failure, "done": done, "base": BASE, "nav": "engineer",
        "profile": profile, "team": team_name(db, profile.team_id) if profile else None,
    }, status_code=failure.status_code if failure else 200)


@router.get("")
def my_orders(request: Request, console: CurrentConsole, db: DB) -> Response:
    return engineer_view(request, db, console)


@router.post("/{ticket_id}/{action}", dependencies=[Csrf])
def act(request: Request, ticket_id: PathId, action: str, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """S8: grab, book or change the appointment, arrive, resolve — back to this list either way."""
    _engineer(console)
    if action not in ENGINEER_ACTIONS:
        raise NotFound("no such page", code="not_found")
    try:
        run_action(db, actor=console.actor, ticket_id=ticket_id, action=action, form=form)
    except YktError as exc:
        return engineer_view(request, db, console, failure=describe(request, db, exc, action=action))
    return redirect(request, f"{BASE}?done={action}")


@router.post("/duty", dependencies=[Csrf])
def set_duty(request: Request, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """S8: on duty (automatic dispatch may pick me) or off duty."""
    _engineer(console)
    try:
        desk.set_duty(db, actor=console.actor, user_id=console.actor.user_id, on_duty=form.get("on_duty") == "1")
    except YktError as exc:
        return engineer_view(request, db, console, failure=describe(request, db, exc))
    return redirect(request, BASE)
