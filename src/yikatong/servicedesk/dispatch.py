"""On-site work (S8, seed 003 工单派工): assign to a team by territory, dispatch (manual, automatic
by the enterprise's rules, re-dispatch, or open for a grab), the grab race, the appointment with
the customer (changeable), arrival and resolution. The on-site SLA clocks start at assignment."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yikatong.auth.tenancy import require_role
from yikatong.core import clock
from yikatong.core.actor import SYSTEM, Actor, Role
from yikatong.core.errors import Conflict, Forbidden, IllegalTransition, InvalidInput
from yikatong.enterprises import service as enterprises
from yikatong.notify import service as notify
from yikatong.servicedesk import access, sla, teams
from yikatong.servicedesk.matrix import RESPONSIBILITY
from yikatong.servicedesk.models import (
    DispatchRules, Engineer, SlaClock, Ticket, TicketCategory, TicketStatus,
)
from yikatong.servicedesk.states import TICKET_STATES
from yikatong.servicedesk.steps import authorize, move, record, tell_customer

S = TicketStatus
ON_ENGINEER = (S.dispatched.value, S.appointed.value)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def assign(db: Session, *, actor: Actor, ticket_id: int, team_id: int | None = None,
           required_skill: str | None = None, note: str | None = None) -> Ticket:
    """S8 分配网点 / S5: without a team named, the responsible kind of team (terminal → vendor,
    engineering → integrator, business → outlet) covering the enterprise's city and zone; 409
    ``no_team_for_territory`` when none does. Starts the on-site clocks (S4)."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    authorize(actor, ticket, "assign")
    TICKET_STATES.next_state(ticket.status, "assign")
    if team_id is not None:
        team = teams.get_team(db, team_id=team_id)
    else:
        responsible = RESPONSIBILITY[TicketCategory(ticket.category)]
        city = (enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=ticket.enterprise_id).city
                if ticket.enterprise_id else None)
        team = teams.team_for_territory(db, kind=responsible.team_kind, city=city, zone=ticket.zone)
        if team is None:
            raise Conflict("no active team covers this customer's territory for this category",
                           code="no_team_for_territory", details={"city": city, "zone": ticket.zone})

    def apply(t: Ticket) -> None:
        at = clock.now()
        t.team_id, t.required_skill = team.id, required_skill or t.required_skill
        t.assigned_at = t.assigned_at or at
        sla.start_onsite(t, at=at)

    return move(db, actor=actor, ticket=ticket, action="assign", note=note, apply=apply,
                data={"team_id": team.id, "team": team.name, "required_skill": required_skill})


def pick_engineer(db: Session, *, ticket: Ticket, rules: DispatchRules, exclude: int | None = None) -> Engineer | None:
    """The enterprise's rules (S8 自动派工), deterministic: an engineer of the order's team (chosen by
    territory), on duty if the rules say so, with the skill the order (or the rules, by category)
    requires, under the open-order cap; then the lowest open load, the longest idle, the lowest id."""
    stmt = select(Engineer).where(Engineer.team_id == ticket.team_id)
    if rules.require_on_duty:
        stmt = stmt.where(Engineer.on_duty.is_(True))
    candidates = [e for e in db.scalars(stmt) if e.user_id != exclude]
    skill = ticket.required_skill or (rules.category_skills or {}).get(ticket.category)
    if skill:
        candidates = [e for e in candidates if skill in (e.skills or [])]
    load = teams.open_load(db, [e.user_id for e in candidates])
    if rules.max_open_per_engineer:
        candidates = [e for e in candidates if load.get(e.user_id, 0) < rules.max_open_per_engineer]
    if not candidates:
        return None
    return min(candidates, key=lambda e: (load.get(e.user_id, 0),
                                          clock.as_utc(e.last_dispatched_at) if e.last_dispatched_at else EPOCH,
                                          e.user_id))


def _give_to(db: Session, ticket: Ticket, engineer: Engineer, mode: str) -> None:
    at = clock.now()
    ticket.engineer_id, ticket.dispatched_at, ticket.dispatch_mode = engineer.user_id, at, mode
    ticket.appointment_at = None
    engineer.last_dispatched_at = at
    if engineer.phone:
        notify.send_sms(db, phone=engineer.phone, text=f"【一卡通】工单{ticket.id}已派给您：{ticket.title[:60]}",
                        purpose="ticket.dispatched", enterprise_id=ticket.enterprise_id)


def dispatch(db: Session, *, actor: Actor, ticket_id: int, engineer_id: int | None = None,
             note: str | None = None) -> Ticket:
    """S8 派工 (API: POST /tickets/{id}/dispatch {engineer_id?}). With an engineer: that one (manual;
    again on a dispatched order it is a re-dispatch, 改派). Without: the enterprise's rules pick one
    if rules are set and someone fits; otherwise the order waits for an engineer to grab it."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    authorize(actor, ticket, "dispatch")
    again = ticket.status in ON_ENGINEER
    action = "redispatch" if again else "dispatch"
    TICKET_STATES.next_state(ticket.status, action)
    previous = ticket.engineer_id
    if engineer_id is not None:
        engineer = teams.get_engineer(db, user_id=engineer_id)
        if again and engineer_id == previous:
            raise Conflict("the order is already with this engineer", code="already_dispatched_to_engineer")
        mode = "redispatch" if again else "manual"
    else:
        rules = db.get(DispatchRules, ticket.enterprise_id) if ticket.enterprise_id else None
        engineer = pick_engineer(db, ticket=ticket, rules=rules, exclude=previous) \
            if rules is not None and rules.enabled else None
        mode = "auto"
    data = {"previous_engineer_id": previous} if again else {}
    if engineer is None:
        def open_up(t: Ticket) -> None:
            t.engineer_id, t.dispatch_mode, t.appointment_at = None, "grab", None

        return move(db, actor=actor, ticket=ticket, action="offer", note=note, apply=open_up, data=data)
    return move(db, actor=actor, ticket=ticket, action=action, note=note,
                apply=lambda t: _give_to(db, t, engineer, mode),
                data=data | {"engineer_id": engineer.user_id, "mode": mode})


def grab(db: Session, *, actor: Actor, ticket_id: int) -> Ticket:
    """S8 抢单: an engineer of the order's team takes an order open for grabs. One conditional UPDATE
    (``WHERE status = 'waiting_grab'``) decides the race on both databases: the first wins, every
    later grab is 409 ``ticket_dispatched``."""
    require_role(actor, (Role.field_engineer,))
    ticket = db.get(Ticket, ticket_id)
    team_id = access.team_of(db, actor.user_id)
    if ticket is None or (ticket.engineer_id != actor.user_id and (team_id is None or ticket.team_id != team_id)):
        raise access.not_found()
    engineer = teams.get_engineer(db, user_id=actor.user_id)
    at = clock.now()
    won = db.execute(update(Ticket).where(Ticket.id == ticket_id, Ticket.status == S.waiting_grab.value)
                     .values(status=S.dispatched.value, engineer_id=actor.user_id, dispatched_at=at,
                             dispatch_mode="grab", updated_at=at)
                     .execution_options(synchronize_session=False)).rowcount
    db.refresh(ticket)
    if won != 1:
        raise IllegalTransition(f"ticket in state '{ticket.status}' cannot grab", code=f"ticket_{ticket.status}",
                                details={"machine": "ticket", "state": ticket.status, "action": "grab"})
    engineer.last_dispatched_at = at
    record(db, actor=actor, ticket=ticket, action="grab", from_status=S.waiting_grab.value,
           data={"engineer_id": actor.user_id})
    return ticket


def _own(actor: Actor, ticket: Ticket, action: str) -> None:
    authorize(actor, ticket, action)
    if actor.role == Role.field_engineer and ticket.engineer_id != actor.user_id:
        raise Forbidden("this order is dispatched to another engineer", code="not_your_order")


def appoint(db: Session, *, actor: Actor, ticket_id: int, at: dt.datetime, note: str | None = None) -> Ticket:
    """S8 预约: the engineer books the visit with the customer; booking again changes it (each
    booking stays in the history). The customer gets an SMS with the time."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    _own(actor, ticket, "appoint")
    TICKET_STATES.next_state(ticket.status, "appoint")
    if at.tzinfo is None:
        raise InvalidInput("give the time with its UTC offset", code="invalid_input")
    if clock.as_utc(at) < clock.now():
        raise InvalidInput("the appointment is in the past", code="appointment_in_past")
    previous = ticket.appointment_at

    def apply(t: Ticket) -> None:
        t.appointment_at = clock.as_utc(at)

    move(db, actor=actor, ticket=ticket, action="appoint", note=note, apply=apply,
         data={"at": clock.as_utc(at).isoformat(),
               "previous": clock.as_utc(previous).isoformat() if previous else None})
    tell_customer(db, ticket, f"您的工单{ticket.id}已预约上门服务，时间：{clock.local(at):%Y-%m-%d %H:%M}。",
                  purpose="ticket.appointment")
    return ticket


def arrive(db: Session, *, actor: Actor, ticket_id: int, note: str | None = None) -> Ticket:
    """The engineer records arrival on site; stops the arrive-by clock (S4)."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    _own(actor, ticket, "arrive")

    def apply(t: Ticket) -> None:
        t.arrived_at = clock.now()
        sla.stop(t, SlaClock.arrive, at=t.arrived_at)

    return move(db, actor=actor, ticket=ticket, action="arrive", note=note, apply=apply)


def resolve(db: Session, *, actor: Actor, ticket_id: int, resolution: str) -> Ticket:
    """The engineer resolves and records how; stops the resolve-by clock (S4). The agent replies next."""
    ticket = access.load(db, actor=actor, ticket_id=ticket_id, lock=True)
    _own(actor, ticket, "resolve")

    def apply(t: Ticket) -> None:
        t.resolution, t.resolved_at = resolution, clock.now()
        sla.stop(t, SlaClock.resolve, at=t.resolved_at)

    return move(db, actor=actor, ticket=ticket, action="resolve", note=resolution, apply=apply)

