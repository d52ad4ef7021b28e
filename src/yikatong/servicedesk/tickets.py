"""Work orders at the desk: create, read, list (S1, S3, S6, S8). Every change goes through
steps.py; the tiers' steps are in tiers.py, the on-site steps in dispatch.py."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yikatong.auth.tenancy import require_role
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor, Role
from yikatong.core.errors import Forbidden, InvalidInput, NotFound
from yikatong.core.pagination import Page, PageParams, paginate
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.servicedesk import access, sla
from yikatong.servicedesk.matrix import CHANNELS_OF_ROLE, TIER_OF_CHANNEL, TIER_OF_ROLE
from yikatong.servicedesk.models import Ticket, TicketCategory, TicketChannel, TicketEvent, TicketStatus, TicketType
from yikatong.servicedesk.states import TICKET_STATES
from yikatong.servicedesk.steps import authorize, record

S = TicketStatus
CREATORS = tuple(CHANNELS_OF_ROLE)


# --- create, read, list ----------------------------------------------------------------------

def _customer_scope(db: Session, *, actor: Actor, enterprise_id: int | None,
                    phone: str | None) -> tuple[int | None, str | None, int | None]:
    """(enterprise_id, phone, member_id) of a new order, within what the creator may reach (X5)."""
    if actor.role == Role.member:
        phone = actor.username
        mine = members.members_for_phone(db, phone=phone)
        if enterprise_id is None and len(mine) == 1:
            enterprise_id = mine[0].enterprise_id
        if enterprise_id is not None and enterprise_id not in {m.enterprise_id for m in mine}:
            raise NotFound("no such enterprise", code="enterprise_not_found")
    elif actor.role == Role.enterprise_admin:
        if enterprise_id is not None and enterprise_id != actor.enterprise_id:
            raise NotFound("no such enterprise", code="enterprise_not_found")
        enterprise_id = actor.enterprise_id
    elif enterprise_id is not None and not enterprises.enterprise_exists(db, enterprise_id=enterprise_id):
        raise NotFound("no such enterprise", code="enterprise_not_found")
    member_id = None
    if phone and enterprise_id is not None:
        member_id = next((m.id for m in members.members_for_phone(db, phone=phone)
                          if m.enterprise_id == enterprise_id), None)
    return enterprise_id, phone, member_id


def create_ticket(db: Session, *, actor: Actor, type: TicketType, category: TicketCategory, title: str,
                  description: str, channel: TicketChannel, enterprise_id: int | None = None,
                  phone: str | None = None, linked_ticket_id: int | None = None) -> Ticket:
    """S1/S3/S8: staff record an order for a customer, or the customer creates one in the portal.
    The channel sets the tier (first line: 10086, hall, website, account manager; second line:
    400, portal). S6: a supervision complaint names the order complained about and stays with
    first line and the supervisors. The first-response clock starts (S4)."""
    require_role(actor, CREATORS)
    channel, type, category = TicketChannel(channel), TicketType(type), TicketCategory(category)
    if actor.role is not None and channel not in CHANNELS_OF_ROLE[actor.role]:
        raise InvalidInput(f"the role '{actor.role}' does not take orders through '{channel}'",
                           code="channel_not_for_role",
                           details={"allowed": sorted(c.value for c in CHANNELS_OF_ROLE[actor.role])})
    if type == TicketType.supervision and linked_ticket_id is None:
        raise InvalidInput("a supervision complaint names the order it is about", code="linked_ticket_required")
    if linked_ticket_id is not None:
        access.load(db, actor=actor, ticket_id=linked_ticket_id)
    enterprise_id, phone, member_id = _customer_scope(db, actor=actor, enterprise_id=enterprise_id, phone=phone)
    zone = enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=enterprise_id).zone if enterprise_id else None
    tier = 1 if type == TicketType.supervision else TIER_OF_CHANNEL[channel]
    at = clock.now()
    ticket = Ticket(type=type.value, category=category.value, channel=channel.value, title=title,
                    description=description, status=S.new.value, tier=tier, max_tier=tier,
                    enterprise_id=enterprise_id, member_id=member_id, phone=phone, created_by_id=actor.user_id,
                    created_by_role=actor.role.value if actor.role else None, linked_ticket_id=linked_ticket_id,
                    zone=zone, first_response_due_at=sla.first_response_due(at, channel), paused_seconds=0,
                    created_at=at, updated_at=at)
    db.add(ticket)
    db.flush()
    record(db, actor=actor, ticket=ticket, action="create", from_status=None,
           data={"channel": channel.value, "tier": tier, "linked_ticket_id": linked_ticket_id})
    return ticket


def get_ticket(db: Session, *, actor: Actor, ticket_id: int) -> Ticket:
    return access.load(db, actor=actor, ticket_id=ticket_id)


def history(db: Session, *, ticket_id: int) -> list[TicketEvent]:
    return list(db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)))


def allowed_actions(actor: Actor, ticket: Ticket) -> list[str]:
    """The machine's actions from the current status that this actor's role may take (for UIs)."""
    acts = set(TICKET_STATES.allowed_actions(ticket.status)) - {"offer"}
    if "redispatch" in acts:
        acts = (acts - {"redispatch"}) | {"dispatch"}
    out = []
    for act in sorted(acts):
        try:
            authorize(actor, ticket, act)
        except Forbidden:
            continue
        out.append(act)
    return out


def list_tickets(db: Session, *, actor: Actor, page: PageParams, status: str | None = None,
                 type: str | None = None, category: str | None = None, channel: str | None = None,
                 enterprise_id: int | None = None, tier: int | None = None, team_id: int | None = None,
                 engineer_id: int | None = None, q: str | None = None, queue: bool = True,
                 statuses: list[str] | None = None) -> Page[Ticket]:
    """Orders the actor may see, newest first. With ``queue`` (the default) tier staff see their
    tier's queue plus the orders they recorded; an engineer sees the orders dispatched to them and
    the orders open for their team to grab; customers see only their own (X5)."""
    stmt = access.visible(db, actor, select(Ticket))
    my_tier = TIER_OF_ROLE.get(actor.role) if actor.role else None
    if queue and my_tier is not None:
        stmt = stmt.where(or_(Ticket.tier == my_tier, Ticket.created_by_id == actor.user_id))
    for column, value in ((Ticket.status, status), (Ticket.type, type), (Ticket.category, category),
                          (Ticket.channel, channel), (Ticket.enterprise_id, enterprise_id), (Ticket.tier, tier),
                          (Ticket.team_id, team_id), (Ticket.engineer_id, engineer_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if statuses is not None:  # several at once: the TMF621 facade's coarser statuses
        stmt = stmt.where(Ticket.status.in_(statuses))
    if q:
        stmt = stmt.where(Ticket.title.contains(q.strip(), autoescape=True))
    return paginate(db, stmt.order_by(Ticket.id.desc()), page)


def suggestions(db: Session, *, actor: Actor, ticket_id: int, limit: int = 5) -> list:
    """S1/S7: knowledge-base articles that may answer this order (its title and description)."""
    from yikatong.knowledge import service as knowledge

    ticket = access.load(db, actor=actor, ticket_id=ticket_id)
    return knowledge.suggest(db, actor=actor, text=f"{ticket.title} {ticket.description}"[:4000], limit=limit)
