"""The ticket state machine (S1–S3, S8) and who may take each action. docs/service-desk.md draws it.

Two actions have a target decided by the service: ``resume`` returns to the status the ticket was
paused from (``resume_status``; the table names ``accepted`` as the usual one), and dispatching
without an engineer found is the ``offer`` action (the order waits for a grab)."""

from __future__ import annotations

from yikatong.core.actor import Role
from yikatong.core.statemachine import StateMachine
from yikatong.servicedesk.models import TicketStatus as S

HOLDABLE = (S.accepted, S.assigned, S.waiting_grab, S.dispatched, S.appointed, S.on_site)
CANCELLABLE = (S.new, S.accepted, S.escalated, S.assigned, S.waiting_grab, S.dispatched, S.appointed, S.pending)

_TRANSITIONS = {
    (S.new, "accept"): S.accepted,
    (S.escalated, "accept"): S.accepted,
    (S.accepted, "answer"): S.answered,
    (S.accepted, "transfer"): S.transferred,
    (S.accepted, "escalate"): S.escalated,
    (S.accepted, "assign"): S.assigned,
    (S.assigned, "assign"): S.assigned,
    (S.waiting_grab, "assign"): S.assigned,
    (S.assigned, "dispatch"): S.dispatched,
    (S.assigned, "offer"): S.waiting_grab,
    (S.waiting_grab, "dispatch"): S.dispatched,
    (S.waiting_grab, "grab"): S.dispatched,
    (S.dispatched, "redispatch"): S.dispatched,
    (S.appointed, "redispatch"): S.dispatched,
    (S.dispatched, "offer"): S.waiting_grab,
    (S.appointed, "offer"): S.waiting_grab,
    (S.dispatched, "appoint"): S.appointed,
    (S.appointed, "appoint"): S.appointed,
    (S.appointed, "arrive"): S.on_site,
    (S.on_site, "resolve"): S.resolved,
    (S.resolved, "reply"): S.replied,
    (S.answered, "rate"): S.rated,
    (S.replied, "rate"): S.rated,
    (S.answered, "reopen"): S.accepted,
    (S.replied, "reopen"): S.accepted,
    (S.answered, "close"): S.closed,
    (S.replied, "close"): S.closed,
    (S.rated, "close"): S.closed,
    (S.transferred, "close"): S.closed,
    (S.pending, "resume"): S.accepted,
    **{(s, "hold"): S.pending for s in HOLDABLE},
    **{(s, "cancel"): S.cancelled for s in CANCELLABLE},
}
TICKET_STATES = StateMachine("ticket", _TRANSITIONS)

AGENTS = (Role.agent_l1, Role.agent_l2)
TIER_STAFF = (Role.agent_l1, Role.agent_l2, Role.tech_support)
CUSTOMERS = (Role.member, Role.enterprise_admin)
OP = (Role.operator,)

# Who may take each action (anyone else: 403). Further checks in the service: tier staff act only
# on their own tier's orders; engineers only on orders dispatched to them (or open in their team);
# customers only on their own orders.
ACTION_ROLES: dict[str, tuple[Role, ...]] = {
    "accept": TIER_STAFF + OP,
    "answer": TIER_STAFF + OP,
    "transfer": AGENTS + OP,
    "escalate": AGENTS + OP,
    "assign": AGENTS + OP,
    "dispatch": AGENTS + OP,
    "grab": (Role.field_engineer,),
    "appoint": (Role.field_engineer,),
    "arrive": (Role.field_engineer,),
    "resolve": (Role.field_engineer,),
    "reply": AGENTS + OP,
    "rate": CUSTOMERS + AGENTS,
    "reopen": CUSTOMERS + AGENTS + OP,
    "close": AGENTS + OP,
    "cancel": CUSTOMERS + AGENTS + OP,
    "hold": TIER_STAFF + OP + (Role.field_engineer,),
    "resume": TIER_STAFF + OP + (Role.field_engineer,) + CUSTOMERS,
    "comment": TIER_STAFF + OP + (Role.field_engineer,) + CUSTOMERS + (Role.account_manager,),
}
# Actions a tier's staff may take only on orders of their own tier.
TIER_BOUND = frozenset({"accept", "answer", "escalate"})
