"""The SLA watch (S4): a job that warns before a deadline and records breaches, each once per
clock. Run it every few minutes: ``ykt servicedesk sla`` (cron) or the worker loop."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.core import clock
from yikatong.core.actor import SYSTEM
from yikatong.notify import service as notify
from yikatong.servicedesk import sla
from yikatong.servicedesk.models import FINAL, Engineer, Ticket, TicketSlaFlag, TicketStatus

WARNING, BREACH = "warning", "breach"
CLOCK_NAMES = {"first_response": "首次响应", "arrive": "上门到场", "resolve": "解决"}


@dataclass
class WatchResult:
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (ticket id, clock)
    breaches: list[tuple[int, str]] = field(default_factory=list)


def _flagged(db: Session, ticket_ids: list[int]) -> set[tuple[int, str, str]]:
    if not ticket_ids:
        return set()
    rows = db.execute(select(TicketSlaFlag.ticket_id, TicketSlaFlag.clock, TicketSlaFlag.kind)
                      .where(TicketSlaFlag.ticket_id.in_(ticket_ids)))
    return {tuple(r) for r in rows}


def _raise(db: Session, ticket: Ticket, clock_name: str, kind: str, due: dt.datetime, at: dt.datetime) -> None:
    db.add(TicketSlaFlag(ticket_id=ticket.id, clock=clock_name, kind=kind, due_at=due, at=at))
    event = "ticket.sla_warning" if kind == WARNING else "ticket.sla_breached"
    payload = {"ticket_id": ticket.id, "clock": clock_name, "due_at": due, "status": ticket.status,
               "team_id": ticket.team_id, "engineer_id": ticket.engineer_id}
    if ticket.enterprise_id is not None:
        notify.emit(db, kind=event, enterprise_id=ticket.enterprise_id, payload=payload)
    audit.record(db, actor=SYSTEM, action=event, entity_type="ticket", entity_id=ticket.id,
                 enterprise_id=ticket.enterprise_id, after={"clock": clock_name, "due_at": due})
    engineer = db.get(Engineer, ticket.engineer_id) if ticket.engineer_id else None
    if kind == WARNING and engineer is not None and engineer.phone:
        notify.send_sms(db, phone=engineer.phone, purpose="ticket.sla_warning", enterprise_id=ticket.enterprise_id,
                        text=f"【一卡通】工单{ticket.id}的{CLOCK_NAMES[clock_name]}时限"
                             f"{clock.local(due):%m-%d %H:%M}即将到期，请尽快处理。")


def check_sla(db: Session, *, now: dt.datetime | None = None, lead: dt.timedelta = sla.DEFAULT_WARNING_LEAD,
              limit: int = 5000) -> WatchResult:
    """S4: for every open, running (not paused) clock: a ``ticket.sla_warning`` once when it is
    within ``lead`` of its deadline, a ``ticket.sla_breached`` once when it has run out (the
    clock's outcome becomes "breached"). Each is a flag row (the in-app flag), an outbox event
    for the enterprise's systems and an audit row; a warning also texts the dispatched engineer."""
    now = now or clock.now()
    tickets = list(db.scalars(select(Ticket).where(Ticket.status.not_in(FINAL),
                                                   Ticket.status != TicketStatus.pending.value)
                              .order_by(Ticket.id).limit(limit)))
    flagged = _flagged(db, [t.id for t in tickets])
    result = WatchResult()
    for ticket in tickets:
        for running in sla.running_clocks(ticket):
            name, due = running.clock.value, running.due_at
            if sla.breached(due, now=now):
                if (ticket.id, name, BREACH) not in flagged:
                    _raise(db, ticket, name, BREACH, due, now)
                    setattr(ticket, f"{name}_sla", sla.BREACHED)
                    result.breaches.append((ticket.id, name))
            elif sla.warning_due(due, now=now, lead=lead) and (ticket.id, name, WARNING) not in flagged:
                _raise(db, ticket, name, WARNING, due, now)
                result.warnings.append((ticket.id, name))
    db.flush()
    return result


def flags(db: Session, *, ticket_id: int) -> list[TicketSlaFlag]:
    return list(db.scalars(select(TicketSlaFlag).where(TicketSlaFlag.ticket_id == ticket_id)
                           .order_by(TicketSlaFlag.id)))
