"""The one way a ticket changes: the state machine (states.py) decides, then a TicketEvent and an
audit row are written for the step (X4). Used by tickets.py, tiers.py and dispatch.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.tenancy import require_role
from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.errors import Forbidden
from yikatong.notify import service as notify
from yikatong.servicedesk import access
from yikatong.servicedesk.matrix import TIER_OF_ROLE
from yikatong.servicedesk.models import Ticket, TicketEvent
from yikatong.servicedesk.states import ACTION_ROLES, TICKET_STATES, TIER_BOUND

AUDITED = ["status", "tier", "team_id", "engineer_id", "department", "appointment_at", "rating"]


def record(db: Session, *, actor: Actor, ticket: Ticket, action: str, from_status: str | None,
           note: str | None = None, data: dict[str, Any] | None = None, before: dict | None = None) -> TicketEvent:
    """Write the history row and the audit row of one step (X4)."""
    event = TicketEvent(ticket_id=ticket.id, at=clock.now(), actor_id=actor.user_id, actor_username=actor.username,
                        actor_role=actor.role.value if actor.role else None, action=action,
                        from_status=from_status, to_status=ticket.status, note=note, data=data or {})
    db.add(event)
    audit.record(db, actor=actor, action=f"ticket.{action}", entity_type="ticket", entity_id=ticket.id,
                 enterprise_id=ticket.enterprise_id, before=before,
                 after=audit.snapshot(ticket, AUDITED) | ({"note": note} if note else {}))
    db.flush()
    return event


def authorize(actor: Actor, ticket: Ticket, action: str) -> None:
    """403 unless the role may take ``action``; tier staff only on their own tier's orders."""
    require_role(actor, ACTION_ROLES[action])
    tier = TIER_OF_ROLE.get(actor.role) if actor.role else None
    if action in TIER_BOUND and tier is not None and tier != ticket.tier:
        raise Forbidden(f"this order is with tier {ticket.tier}, not tier {tier}", code="not_your_tier")


def move(db: Session, *, actor: Actor, ticket: Ticket, action: str, machine_action: str | None = None,
         note: str | None = None, data: dict[str, Any] | None = None, target: str | None = None,
         apply=None) -> Ticket:
    """Take one step: the machine decides legality (409 ``ticket_<status>``), ``apply`` sets the
    step's fields, then the history and audit rows are written."""
    before = audit.snapshot(ticket, AUDITED)
    from_status = ticket.status
    nxt = TICKET_STATES.next_state(ticket.status, machine_action or action)
    ticket.status = target or nxt.value
    if apply is not None:
        apply(ticket)
    record(db, actor=actor, ticket=ticket, action=action, from_status=from_status, note=note, data=data,
           before=before)
    return ticket


def step(db: Session, *, actor: Actor, ticket_id: int, action: str, **kwargs) -> Ticket:
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    authorize(actor, ticket, action)
    return move(db, actor=actor, ticket=ticket, action=action, **kwargs)


def tell_customer(db: Session, ticket: Ticket, text: str, *, purpose: str) -> None:
    """An SMS to the customer's number, if the order has one."""
    if ticket.phone:
        notify.send_sms(db, phone=ticket.phone, text=f"【一卡通】{text}", purpose=purpose,
                        enterprise_id=ticket.enterprise_id)
