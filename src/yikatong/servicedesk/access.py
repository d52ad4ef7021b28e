"""Who sees which work order (X5 and the desk's roles). Anyone who may not see an order gets 404.

- operator: every order (operators are the supervisors of S6);
- first-line agents: every order; second line and tech support: every order but supervision
  complaints (those are about second-line service);
- a field engineer: orders dispatched to them, and orders of their team open for a grab;
- an account manager: the orders they recorded;
- an enterprise admin: their enterprise's orders; a member: the orders for their own number.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import Session

from yikatong.core.actor import Actor, Role
from yikatong.core.errors import NotFound
from yikatong.servicedesk.models import Engineer, Ticket, TicketStatus, TicketType


def not_found() -> NotFound:
    return NotFound("no such work order", code="ticket_not_found")


def team_of(db: Session, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    return db.scalar(select(Engineer.team_id).where(Engineer.user_id == user_id))


def visible(db: Session, actor: Actor, stmt: Select) -> Select:
    """``stmt`` (over Ticket) restricted to what ``actor`` may see."""
    role = actor.role
    if role is None or role in (Role.operator, Role.agent_l1):
        return stmt
    if role in (Role.agent_l2, Role.tech_support):
        return stmt.where(Ticket.type != TicketType.supervision.value)
    if role == Role.field_engineer:
        team_id = team_of(db, actor.user_id)
        grab = and_(Ticket.status == TicketStatus.waiting_grab.value, Ticket.team_id == team_id) \
            if team_id is not None else false()
        return stmt.where(or_(Ticket.engineer_id == actor.user_id, grab))
    if role == Role.account_manager:
        return stmt.where(Ticket.created_by_id == actor.user_id)
    if role == Role.enterprise_admin:
        return stmt.where(Ticket.enterprise_id == actor.enterprise_id)
    if role == Role.member:
        return stmt.where(or_(Ticket.phone == actor.username, Ticket.created_by_id == actor.user_id))
    return stmt.where(false())


def load(db: Session, *, actor: Actor, ticket_id: int, lock: bool = False) -> Ticket:
    stmt = visible(db, actor, select(Ticket).where(Ticket.id == ticket_id))
    ticket = db.scalar(stmt.with_for_update(of=Ticket) if lock else stmt)
    if ticket is None:
        raise not_found()
    return ticket
