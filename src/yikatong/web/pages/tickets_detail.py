"""One work order in the console (S1–S8): every field, the customer, the SLA clocks in Beijing
time, the history, and a form for each step the reader may take now (tickets.allowed_actions).
A refusal is the same page with the desk's reason and a 4xx status; cancelling asks first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.core.actor import Role
from yikatong.core.errors import Forbidden, NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.servicedesk import service as desk
from yikatong.servicedesk.matrix import INTERNAL_CATEGORIES, RESPONSIBILITY
from yikatong.servicedesk.models import TicketCategory
from yikatong.servicedesk.teams import STAFF_READERS
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.i18n import N_, translator_for
from yikatong.web.labels import label
from yikatong.web.pages import engineer
from yikatong.web.pages.common import FormFailure
from yikatong.web.pages.tickets_actions import ACTIONS, run_action
from yikatong.web.pages.tickets_common import (
    CLOCK_NAMES, STATUS_BADGES, WORKBENCH, actions_for, clocks, customer, describe, load_ticket, local_input, team_name, user_name,
    warning_lead,
)
from yikatong.web.session import Console, CurrentConsole
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/console/tickets", route_class=ConsoleRoute, include_in_schema=False)

BASE = "/console/tickets"
DONE = N_("%(action)s: done. The order is now “%(status)s”.")
READERS = (*WORKBENCH, Role.field_engineer)


def _reader(console: Console) -> None:
    if console.role not in READERS:
        raise Forbidden("members follow their orders in the personal portal", code="role_not_allowed")


def done_notice(request: Request, status: str) -> str | None:
    action = request.query_params.get("done", "")
    if action not in ACTIONS and action not in ("create", "redispatch", "offer"):
        return None
    t = translator_for(request)
    return t.gettext(DONE, action=label(t, "ticket_action", action), status=label(t, "ticket_status", status))


def _view(request: Request, db: Session, console: Console, ticket_id: int, *, failure: FormFailure | None = None,
          values: dict[str, str] | None = None) -> Response:
    ticket = load_ticket(db, console.actor, ticket_id)
    actions = actions_for(console.actor, ticket)
    staff = console.role in STAFF_READERS
    teams = desk.list_teams(db, actor=console.actor) if staff and "assign" in actions else []
    engineers = (desk.list_engineers(db, actor=console.actor, team_id=ticket.team_id)
                 if staff and "dispatch" in actions and ticket.team_id else [])
    category = TicketCategory(ticket.category)
    return render(request, "tickets/detail.html", {
        "ticket": ticket, "customer": customer(db, ticket), "CLOCK_NAMES": CLOCK_NAMES,
        "clocks": clocks(ticket, warning_lead(request)),
        "events": desk.history(db, ticket_id=ticket.id), "actions": actions, "teams": teams, "engineers": engineers,
        "team": team_name(db, ticket.team_id), "engineer": user_name(db, ticket.engineer_id),
        "handler": user_name(db, ticket.handler_id), "badges": STATUS_BADGES, "failure": failure,
        "values": values or {}, "done": None if failure else done_notice(request, ticket.status),
        "department": RESPONSIBILITY[category].department if category in INTERNAL_CATEGORIES else None,
        "appointment_value": local_input(ticket.appointment_at), "base": BASE,
        "nav": "engineer" if console.role == Role.field_engineer else "tickets",
    }, status_code=failure.status_code if failure else 200)


@router.get("/{ticket_id}")
def ticket_page(request: Request, ticket_id: PathId, console: CurrentConsole, db: DB) -> Response:
    _reader(console)
    return _view(request, db, console, ticket_id)


@router.get("/{ticket_id}/cancel")
def confirm_cancel(request: Request, ticket_id: PathId, console: CurrentConsole, db: DB) -> Response:
    _reader(console)
    ticket = load_ticket(db, console.actor, ticket_id)
    return render(request, "tickets/cancel.html", {"ticket": ticket, "base": BASE, "nav": "tickets",
                                                   "failure": None})


@router.post("/{ticket_id}/{action}", dependencies=[Csrf])
def act(request: Request, ticket_id: PathId, action: str, console: CurrentConsole, db: DB, form: Fields) -> Response:
    """Any step of the order; the service decides whether this reader may take it now."""
    _reader(console)
    if action not in ACTIONS:
        raise NotFound("no such page", code="not_found")
    if action != "grab":  # a grab names an order of the engineer's team; the service checks that
        load_ticket(db, console.actor, ticket_id)  # not visible: 404 (X5)
    try:
        run_action(db, actor=console.actor, ticket_id=ticket_id, action=action, form=form)
    except YktError as exc:
        failure = describe(request, db, exc, action=action)
        if action == "cancel" and exc.code == "invalid_input":
            return redirect(request, f"{BASE}/{ticket_id}/cancel")
        try:
            return _view(request, db, console, ticket_id, failure=failure, values=dict(form))
        except NotFound:
            if console.role != Role.field_engineer:
                raise
            # A lost grab: the order went to another engineer and is no longer this one's to see.
            return engineer.engineer_view(request, db, console, failure=failure)
    return redirect(request, f"{BASE}/{ticket_id}?done={action}")
