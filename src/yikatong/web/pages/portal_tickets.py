"""My work orders in the personal portal (我的工单, S3, S6, S8): a card holder reports a fault, asks
a question or complains (channel ``portal``, which is second line), follows the progress, rates
an answered or resolved order (1–5 stars), and files a service-supervision complaint (服务监督)
about one of their orders. Only the holder's own orders exist here (anyone else's: 404)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from yikatong.core.actor import SYSTEM
from yikatong.core.errors import InvalidInput, NotFound, YktError
from yikatong.core.ids import PathId
from yikatong.deps import DB
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.servicedesk import service as desk
from yikatong.servicedesk.models import TicketCategory, TicketChannel, TicketType
from yikatong.web.errors import ConsoleRoute
from yikatong.web.forms import Csrf, Fields
from yikatong.web.pages.common import FormFailure, Pager, page_params
from yikatong.web.pages.tickets import create_from
from yikatong.web.pages.tickets_actions import run_action
from yikatong.web.pages.tickets_common import (
    CLOCK_NAMES, STATUS_BADGES, actions_for, clocks, customer, describe, load_ticket, team_name, warning_lead,
)
from yikatong.web.pages.tickets_detail import done_notice
from yikatong.web.session import Console, CurrentMember
from yikatong.web.templating import redirect, render

router = APIRouter(prefix="/portal/tickets", route_class=ConsoleRoute, include_in_schema=False)

BASE = "/portal/tickets"
PER_PAGE = 10
TYPES = [TicketType.fault.value, TicketType.consultation.value, TicketType.complaint.value]
CATEGORIES = [c.value for c in TicketCategory]
CUSTOMER_ACTIONS = frozenset({"rate", "reopen", "cancel", "resume", "comment"})


def _memberships(db: Session, member: Console) -> list[tuple[int, str]]:
    out = []
    for m in members.members_for_phone(db, phone=member.username):
        out.append((m.enterprise_id, enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=m.enterprise_id).name))
    return out


@router.get("")
def my_tickets(request: Request, member: CurrentMember, db: DB) -> Response:
    page = desk.list_tickets(db, actor=member.actor, page=page_params(request, PER_PAGE))
    return render(request, "portal_tickets/list.html", {
        "pager": Pager(page, BASE, {}), "badges": STATUS_BADGES, "base": BASE, "nav": "tickets"})


def _form(request: Request, db: Session, member: Console, values: dict[str, str],
          failure: FormFailure | None = None) -> Response:
    return render(request, "portal_tickets/new.html", {
        "values": values, "failure": failure, "types": TYPES, "categories": CATEGORIES,
        "enterprises": _memberships(db, member), "base": BASE, "nav": "tickets",
    }, status_code=failure.status_code if failure else 200)


@router.get("/new")
def new_form(request: Request, member: CurrentMember, db: DB) -> Response:
    kind = request.query_params.get("type", "")
    return _form(request, db, member, {"type": kind if kind in TYPES else TicketType.fault.value,
                                       "category": TicketCategory.terminal.value})


def _values(form: dict[str, str], *, phone: str) -> dict[str, str]:
    return {"type": form.get("type", ""), "category": form.get("category", ""), "channel": TicketChannel.portal.value,
            "enterprise_id": form.get("enterprise_id", "")[:9], "phone": phone, "title": form.get("title", "")[:300],
            "description": form.get("description", "")[:5000], "linked_ticket_id": ""}


@router.post("/new", dependencies=[Csrf])
def create(request: Request, member: CurrentMember, db: DB, form: Fields) -> Response:
    """S8: the holder's own order, for their own number, through the portal (second line)."""
    values = _values(form, phone=member.username)
    if values["type"] not in TYPES:
        values["type"] = ""  # a supervision complaint is filed from the order it is about
    try:
        ticket = create_from(db, member, values)
    except YktError as exc:
        return _form(request, db, member, values, describe(request, db, exc))
    return redirect(request, f"{BASE}/{ticket.id}?done=create")


def _view(request: Request, db: Session, member: Console, ticket_id: int, *,
          failure: FormFailure | None = None) -> Response:
    ticket = load_ticket(db, member.actor, ticket_id)
    actions = [a for a in actions_for(member.actor, ticket) if a in CUSTOMER_ACTIONS]
    return render(request, "portal_tickets/detail.html", {
        "ticket": ticket, "customer": customer(db, ticket), "clocks": clocks(ticket, warning_lead(request)),
        "CLOCK_NAMES": CLOCK_NAMES, "events": desk.history(db, ticket_id=ticket.id), "actions": actions,
        "team": team_name(db, ticket.team_id), "badges": STATUS_BADGES, "failure": failure,
        "done": None if failure else done_notice(request, ticket.status), "base": BASE, "nav": "tickets",
        "can_supervise": ticket.type != TicketType.supervision.value,
    }, status_code=failure.status_code if failure else 200)


@router.get("/{ticket_id}")
def ticket_page(request: Request, ticket_id: PathId, member: CurrentMember, db: DB) -> Response:
    return _view(request, db, member, ticket_id)


@router.get("/{ticket_id}/cancel")
def confirm_cancel(request: Request, ticket_id: PathId, member: CurrentMember, db: DB) -> Response:
    return render(request, "portal_tickets/cancel.html", {"ticket": load_ticket(db, member.actor, ticket_id),
                                                          "base": BASE, "nav": "tickets"})


@router.post("/{ticket_id}/supervise", dependencies=[Csrf])
def supervise(request: Request, ticket_id: PathId, member: CurrentMember, db: DB, form: Fields) -> Response:
    """S6 服务监督: a complaint about the service on one of my orders, its own order, linked."""
    original = load_ticket(db, member.actor, ticket_id)
    values = {"type": TicketType.supervision.value, "category": original.category,
              "channel": TicketChannel.portal.value, "enterprise_id": str(original.enterprise_id or ""),
              "phone": member.username, "title": f"服务监督：工单 #{original.id}",
              "description": form.get("description", "")[:5000], "linked_ticket_id": str(original.id)}
    try:
        if not values["description"].strip():
            raise InvalidInput("description: required", code="invalid_input",
                               details={"errors": [{"field": "description", "type": "missing"}]})
        ticket = create_from(db, member, values)
    except YktError as exc:
        return _view(request, db, member, ticket_id, failure=describe(request, db, exc))
    return redirect(request, f"{BASE}/{ticket.id}?done=create")


@router.post("/{ticket_id}/{action}", dependencies=[Csrf])
def act(request: Request, ticket_id: PathId, action: str, member: CurrentMember, db: DB, form: Fields) -> Response:
    """The customer's steps: rate, not satisfied (reopen), cancel (confirmed), resume, comment."""
    if action not in CUSTOMER_ACTIONS:
        raise NotFound("no such page", code="not_found")
    load_ticket(db, member.actor, ticket_id)
    try:
        run_action(db, actor=member.actor, ticket_id=ticket_id, action=action, form=form)
    except YktError as exc:
        if action == "cancel" and exc.code == "invalid_input":
            db.rollback()
            return redirect(request, f"{BASE}/{ticket_id}/cancel")
        return _view(request, db, member, ticket_id, failure=describe(request, db, exc, action=action))
    return redirect(request, f"{BASE}/{ticket_id}?done={action}")
