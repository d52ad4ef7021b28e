"""The tiers' steps (S1–S3, S8): accept, answer directly, transfer to a department, escalate,
wait on the customer, reply, the customer's rating, reopen, close, cancel, comment."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Conflict, Forbidden, InvalidInput
from yikatong.servicedesk import access, sla
from yikatong.servicedesk.matrix import INTERNAL_CATEGORIES, RESPONSIBILITY, TOP_TIER
from yikatong.servicedesk.models import SlaClock, Ticket, TicketCategory, TicketStatus, TicketType
from yikatong.servicedesk.states import TICKET_STATES
from yikatong.servicedesk.steps import authorize, move, record, step, tell_customer

S = TicketStatus
RATE_INVITATION = "请在个人服务门户“我的工单”中为本次服务评分。"


def _short(text: str, n: int = 120) -> str:
    """A quotable piece of ``text`` for an SMS, without its closing stop (the SMS adds its own)."""
    text = text.strip().rstrip("。.！!")
    return text if len(text) <= n else text[:n] + "…"


def accept(db: Session, *, actor: Actor, ticket_id: int, note: str | None = None) -> Ticket:
    """S8 受理: an agent of the order's tier takes it. The first accept is the first response (S4)."""
    def apply(t: Ticket) -> None:
        t.handler_id = actor.user_id
        if t.first_response_at is None:
            t.first_response_at = clock.now()
            sla.stop(t, SlaClock.first_response, at=t.first_response_at)

    return step(db, actor=actor, ticket_id=ticket_id, action="accept", note=note, apply=apply)


def answer(db: Session, *, actor: Actor, ticket_id: int, answer: str) -> Ticket:
    """S1/S3: the tier answers directly and records the answer; the customer is told by SMS and
    asked for their opinion (the order waits for the rating). Tech support's answer flows back
    to second line (the order returns to tier 2) and to the customer."""
    def apply(t: Ticket) -> None:
        t.answer, t.answered_at, t.answered_tier = answer, clock.now(), t.tier
        if t.tier == TOP_TIER:
            t.tier = 2

    ticket = step(db, actor=actor, ticket_id=ticket_id, action="answer", note=answer, apply=apply)
    tell_customer(db, ticket, f"您的工单{ticket.id}已答复：{_short(answer)}。{RATE_INVITATION}",
                  purpose="ticket.answered")
    return ticket


def transfer(db: Session, *, actor: Actor, ticket_id: int, department: str | None = None,
             note: str | None = None) -> Ticket:
    """S2: a network or billing cause leaves the desk as a work order to the responsible internal
    department (the department is recorded; the order is then ``transferred``). Other categories
    are the desk's own: 409 ``not_an_internal_cause``."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    authorize(actor, ticket, "transfer")
    TICKET_STATES.next_state(ticket.status, "transfer")
    if ticket.category not in INTERNAL_CATEGORIES:
        raise Conflict(f"a '{ticket.category}' question is handled by the desk, not a department",
                       code="not_an_internal_cause")
    department = department or RESPONSIBILITY[TicketCategory(ticket.category)].department
    return move(db, actor=actor, ticket=ticket, action="transfer", note=note, data={"department": department},
                apply=lambda t: setattr(t, "department", department))


def escalate(db: Session, *, actor: Actor, ticket_id: int, note: str | None = None) -> Ticket:
    """S2/S3: first line passes a yikatong problem to second line; second line to back-end
    technical support (tier 3). Supervision complaints stay with first line and the supervisors."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    authorize(actor, ticket, "escalate")
    TICKET_STATES.next_state(ticket.status, "escalate")
    if ticket.tier >= TOP_TIER:
        raise Conflict("back-end technical support is the last tier", code="ticket_top_tier")
    if ticket.type == TicketType.supervision.value:
        raise Conflict("a supervision complaint is not passed to the service it is about",
                       code="supervision_not_escalated")

    def apply(t: Ticket) -> None:
        t.tier += 1
        t.max_tier = max(t.max_tier, t.tier)
        t.handler_id = None

    return move(db, actor=actor, ticket=ticket, action="escalate", note=note, apply=apply,
                data={"from_tier": ticket.tier, "to_tier": ticket.tier + 1})


def hold(db: Session, *, actor: Actor, ticket_id: int, note: str | None = None) -> Ticket:
    """S4: waiting on the customer — the running SLA clocks stop until ``resume``."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    authorize(actor, ticket, "hold")
    if actor.role == Role.field_engineer and ticket.engineer_id != actor.user_id:
        raise Forbidden("this order is dispatched to another engineer", code="not_your_order")
    resume_to = ticket.status

    def apply(t: Ticket) -> None:
        t.resume_status = resume_to
        sla.pause(t, at=clock.now())

    return move(db, actor=actor, ticket=ticket, action="hold", note=note, apply=apply)


def resume(db: Session, *, actor: Actor, ticket_id: int, note: str | None = None) -> Ticket:
    """S4: the customer is back: the order returns to where it was paused and every running
    deadline moves later by the paused time."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    authorize(actor, ticket, "resume")
    paused: dict[str, int] = {}

    def apply(t: Ticket) -> None:
        paused["seconds"] = int(sla.resume(t, at=clock.now()).total_seconds())
        t.resume_status = None

    return move(db, actor=actor, ticket=ticket, action="resume", note=note, apply=apply,
                target=ticket.resume_status or S.accepted.value, data=paused)


def reply(db: Session, *, actor: Actor, ticket_id: int, note: str) -> Ticket:
    """S8 回复: after an on-site resolution the agent tells the customer (SMS) and asks for a rating."""
    def apply(t: Ticket) -> None:
        t.replied_at = clock.now()

    ticket = step(db, actor=actor, ticket_id=ticket_id, action="reply", note=note, apply=apply)
    tell_customer(db, ticket, f"您的工单{ticket.id}已处理完毕：{_short(note)}。{RATE_INVITATION}",
                  purpose="ticket.replied")
    return ticket


def rate(db: Session, *, actor: Actor, ticket_id: int, rating: int, comment: str | None = None) -> Ticket:
    """S3/S8 满意度: the customer's rating (1–5) and comment, given in the portal or to an agent."""
    if not 1 <= rating <= 5:
        raise InvalidInput("a rating is 1 to 5", code="invalid_rating")

    def apply(t: Ticket) -> None:
        t.rating, t.rating_comment, t.rated_at = rating, comment, clock.now()

    return step(db, actor=actor, ticket_id=ticket_id, action="rate", note=comment, apply=apply,
                data={"rating": rating})


def reopen(db: Session, *, actor: Actor, ticket_id: int, note: str | None = None) -> Ticket:
    """The customer is not satisfied with the answer: the order goes back to its tier."""
    return step(db, actor=actor, ticket_id=ticket_id, action="reopen", note=note)


def close(db: Session, *, actor: Actor, ticket_id: int, note: str | None = None) -> Ticket:
    """S8 关闭: after the rating (or once answered/replied/transferred, when no rating comes)."""
    return step(db, actor=actor, ticket_id=ticket_id, action="close", note=note,
                apply=lambda t: setattr(t, "closed_at", clock.now()))


def cancel(db: Session, *, actor: Actor, ticket_id: int, note: str | None = None) -> Ticket:
    """The customer withdraws the order, or staff cancel a duplicate; never after resolution."""
    def apply(t: Ticket) -> None:
        t.closed_at = clock.now()
        t.paused_at = None

    return step(db, actor=actor, ticket_id=ticket_id, action="cancel", note=note, apply=apply)


def comment(db: Session, *, actor: Actor, ticket_id: int, note: str) -> Ticket:
    """A note in the history without a change of status (any party who sees the order)."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    authorize(actor, ticket, "comment")
    if ticket.status in (S.closed.value, S.cancelled.value):
        raise Conflict(f"ticket in state '{ticket.status}' cannot comment", code=f"ticket_{ticket.status}")
    record(db, actor=actor, ticket=ticket, action="comment", from_status=ticket.status, note=note)
    return ticket
