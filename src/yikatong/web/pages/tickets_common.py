"""What the work-order pages share (S1–S8): the desk's refusals in the reader's words, the SLA
clocks as badges (Beijing time, overdue / warning), status badge colours, Beijing datetime-local
input, and the customer and team names an order page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor, Role
from yikatong.core.clock import SHANGHAI, as_utc
from yikatong.core.errors import Forbidden, InvalidInput, NotFound, YktError
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.servicedesk import service as desk
from yikatong.servicedesk import sla
from yikatong.servicedesk.models import FINAL, Ticket
from yikatong.servicedesk.states import ACTION_ROLES
from yikatong.web.i18n import N_, translator_for
from yikatong.web.labels import label
from yikatong.web.pages.common import FormFailure, form_failure

# Who works the workbench (/console/tickets); engineers have their own list, members the portal.
WORKBENCH = (Role.operator, Role.agent_l1, Role.agent_l2, Role.tech_support, Role.account_manager,
             Role.enterprise_admin)

TICKET_ERRORS = {
    "ticket_not_found": N_("No such work order."),
    "not_your_tier": N_("This order is with another tier: only that tier's agents may do this."),
    "not_your_order": N_("This order is dispatched to another engineer."),
    "channel_not_for_role": N_("Your role does not take orders through this channel."),
    "linked_ticket_required": N_("A supervision complaint names the order it is about."),
    "not_an_internal_cause": N_("Only network and billing causes are transferred to a department: "
                                "handle this order at the desk."),
    "no_team_for_territory": N_("No active team covers this customer's territory for this category: "
                                "choose a team."),
    "team_not_found": N_("No such team."),
    "engineer_not_found": N_("No such field engineer."),
    "already_dispatched_to_engineer": N_("The order is already with this engineer."),
    "appointment_in_past": N_("The appointment is in the past: choose a later time."),
    "invalid_rating": N_("A rating is 1 to 5 stars."),
    "ticket_top_tier": N_("Back-end technical support is the last tier: the order cannot be escalated further."),
    "supervision_not_escalated": N_("A supervision complaint stays with first line and the supervisors."),
}
ILLEGAL = N_("This is not possible while the order is “%(status)s”.")
GRAB_LOST = N_("Another engineer has already grabbed this order.")
ENTERPRISE_NOT_FOUND = N_("No such enterprise.")

STATUS_BADGES = {
    "new": "badge-delivery-pending", "escalated": "badge-delivery-pending", "waiting_grab": "badge-delivery-pending",
    "accepted": "badge-delivery-pending", "assigned": "badge-delivery-pending",
    "dispatched": "badge-delivery-pending", "appointed": "badge-delivery-pending",
    "on_site": "badge-delivery-pending", "pending": "badge-suspended", "answered": "badge-active",
    "resolved": "badge-active", "replied": "badge-active", "rated": "badge-active", "closed": "badge-removed",
    "cancelled": "badge-removed", "transferred": "badge-removed",
}

CLOCK_NAMES = {"first_response": N_("First response"), "arrive": N_("Arrive by"), "resolve": N_("Resolve by")}
CLOCK_STATES = {"ok": (N_("Not overdue"), "badge-delivery-pending"),
                "warning": (N_("Due soon"), "badge-suspended"),
                "overdue": (N_("Overdue"), "badge-card-lost"),
                "paused": (N_("Paused"), "badge-removed"),
                "met": (N_("Met"), "badge-active"),
                "breached": (N_("Breached"), "badge-card-lost")}


def describe(request: Request, db: Session, exc: YktError, *, action: str | None = None) -> FormFailure:
    """Undo the unit of work and say what went wrong in the desk's own words (never a 500)."""
    failure = form_failure(request, db, exc)
    t = translator_for(request)
    details = exc.details or {}
    if action == "grab" and exc.code.startswith("ticket_") and exc.code not in TICKET_ERRORS:
        failure.message = t.gettext(GRAB_LOST)
    elif exc.code in TICKET_ERRORS:
        failure.message = t.gettext(TICKET_ERRORS[exc.code])
    elif exc.code.startswith("ticket_") and details.get("machine") == "ticket":
        failure.message = t.gettext(ILLEGAL, status=label(t, "ticket_status", details.get("state", "")))
    elif exc.code == "enterprise_not_found":
        failure.message = t.gettext(ENTERPRISE_NOT_FOUND)
    return failure


def ensure_workbench(actor: Actor) -> None:
    if actor.role not in WORKBENCH:
        raise Forbidden("the work-order workbench is for service staff and enterprise admins",
                        code="role_not_allowed")


def actions_for(actor: Actor, ticket: Ticket) -> list[str]:
    """The steps the reader may take now, plus a comment (not a transition: any open order)."""
    acts = desk.allowed_actions(actor, ticket)
    if ticket.status not in FINAL and actor.role in ACTION_ROLES["comment"] and "comment" not in acts:
        acts.append("comment")
    return acts


def load_ticket(db: Session, actor: Actor, ticket_id: int) -> Ticket:
    """The order if this reader may see it; anyone else gets the plain page 404 (X5)."""
    try:
        return desk.get_ticket(db, actor=actor, ticket_id=ticket_id)
    except NotFound:
        raise NotFound("no such work order", code="ticket_not_found") from None


@dataclass(frozen=True)
class ClockView:
    name: str
    due: dt.datetime | None
    done: dt.datetime | None
    state: str | None  # a key of CLOCK_STATES, None when the clock never started

    @property
    def text(self) -> str:
        return CLOCK_STATES[self.state][0] if self.state else ""

    @property
    def css(self) -> str:
        return CLOCK_STATES[self.state][1] if self.state else ""


def warning_lead(request: Request) -> dt.timedelta:
    settings = getattr(request.app.state, "settings", None)
    minutes = getattr(settings, "sla_warning_lead_minutes", None)
    return dt.timedelta(minutes=minutes) if minutes else sla.DEFAULT_WARNING_LEAD


def clocks(ticket: Ticket, lead: dt.timedelta) -> list[ClockView]:
    """The three SLA clocks of an order (S4): a stopped clock shows its outcome; a running one its
    deadline (moving with the clock while paused) and whether it is near or past."""
    now = clock.now()
    out = []
    for name, due, done, outcome in (
        ("first_response", ticket.first_response_due_at, ticket.first_response_at, ticket.first_response_sla),
        ("arrive", ticket.arrive_due_at, ticket.arrived_at, ticket.arrive_sla),
        ("resolve", ticket.resolve_due_at, ticket.resolved_at, ticket.resolve_sla),
    ):
        if due is None:
            out.append(ClockView(name, None, None, None))
            continue
        if done is not None:
            out.append(ClockView(name, as_utc(due), as_utc(done), outcome or sla.outcome(due, done)))
            continue
        if ticket.status in ("closed", "cancelled"):
            out.append(ClockView(name, as_utc(due), None, outcome))
            continue
        effective = sla.effective_due(due, paused_at=ticket.paused_at, now=now)
        if ticket.paused_at is not None:
            state = "paused"
        elif sla.breached(effective, now=now):
            state = "overdue"
        elif sla.warning_due(effective, now=now, lead=lead):
            state = "warning"
        else:
            state = "ok"
        out.append(ClockView(name, effective, None, state))
    return out


def next_clock(ticket: Ticket, lead: dt.timedelta) -> ClockView | None:
    """The deadline the order is held to now, for the queue's SLA column."""
    running = [c for c in clocks(ticket, lead) if c.done is None and c.state in ("ok", "warning", "overdue", "paused")]
    return running[0] if running else None


def parse_local(text: str, field: str = "at") -> dt.datetime:
    """A ``datetime-local`` value (``2026-03-03T14:30``), read as Beijing time."""
    try:
        value = dt.datetime.fromisoformat(text.strip()[:19])
    except ValueError:
        raise InvalidInput(f"{field}: a date and time", code="invalid_input",
                           details={"errors": [{"field": field, "type": "datetime_parsing"}]}) from None
    if value.tzinfo is not None or not 2000 <= value.year <= 2100:
        raise InvalidInput(f"{field}: a date and time", code="invalid_input",
                           details={"errors": [{"field": field, "type": "datetime_parsing"}]})
    return value.replace(tzinfo=SHANGHAI)


def local_input(value: dt.datetime | None) -> str:
    """A UTC datetime as the value of a Beijing ``datetime-local`` input."""
    return clock.local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@dataclass(frozen=True)
class Customer:
    enterprise: str | None
    member: str | None
    phone: str | None


def customer(db: Session, ticket: Ticket) -> Customer:
    """Who the order is for; the order's own visibility check has already passed."""
    name = None
    if ticket.enterprise_id is not None:
        try:
            name = enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=ticket.enterprise_id).name
        except NotFound:
            name = None
    member = None
    if ticket.phone:
        member = next((m.name for m in members.members_for_phone(db, phone=ticket.phone)
                       if m.enterprise_id == ticket.enterprise_id), None)
    return Customer(name, member, ticket.phone)


def team_name(db: Session, team_id: int | None) -> str | None:
    if team_id is None:
        return None
    try:
        return desk.get_team(db, team_id=team_id).name
    except NotFound:
        return None


def user_name(db: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    from yikatong.auth import service as auth

    try:
        user = auth.get_user(db, user_id=user_id)
    except NotFound:
        return None
    return user.display_name or user.username
