"""On-site and first-response SLAs (S4) as pure functions over a ticket's persisted clocks.

- First response: a target per channel from creation (a hotline answers in minutes, the website
  within hours); it stops at the first accept.
- On site: the clocks start when the order is assigned to a team: arrive by 24 h for an urban
  enterprise, 48 h for a suburban one; resolve by 72 h.
- While the ticket is ``pending`` (waiting on the customer) the running clocks stand still: on
  resume every running deadline moves later by the paused time.
- A clock is "met" when stopped at or before its deadline, "breached" otherwise (or when the
  watch job sees it run out). A warning goes out ``lead`` before the deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yikatong.core.clock import as_utc
from yikatong.enterprises.models import Zone
from yikatong.servicedesk.models import SlaClock, Ticket, TicketChannel

H = dt.timedelta(hours=1)
FIRST_RESPONSE_TARGET: dict[TicketChannel, dt.timedelta] = {
    TicketChannel.hotline_10086: dt.timedelta(minutes=10),
    TicketChannel.hotline_400: dt.timedelta(minutes=10),
    TicketChannel.hall: dt.timedelta(minutes=30),
    TicketChannel.account_manager: 4 * H,
    TicketChannel.website: 4 * H,
    TicketChannel.portal: 4 * H,
}
ARRIVE_WITHIN: dict[Zone, dt.timedelta] = {Zone.urban: 24 * H, Zone.suburban: 48 * H}
RESOLVE_WITHIN = 72 * H
DEFAULT_WARNING_LEAD = 2 * H
MET, BREACHED = "met", "breached"


def first_response_due(created_at: dt.datetime, channel: TicketChannel | str) -> dt.datetime:
    return as_utc(created_at) + FIRST_RESPONSE_TARGET[TicketChannel(channel)]


def onsite_deadlines(start: dt.datetime, zone: Zone | str | None) -> tuple[dt.datetime, dt.datetime]:
    """(arrive_by, resolve_by) from the moment the order goes to a team. An order without an
    enterprise zone is held to the urban target."""
    arrive = ARRIVE_WITHIN[Zone(zone) if zone else Zone.urban]
    return as_utc(start) + arrive, as_utc(start) + RESOLVE_WITHIN


def outcome(due: dt.datetime, done_at: dt.datetime) -> str:
    return MET if as_utc(done_at) <= as_utc(due) else BREACHED


def effective_due(due: dt.datetime, *, paused_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """While paused a deadline moves with the clock: it is the stored one plus the pause so far."""
    due = as_utc(due)
    return due + (as_utc(now) - as_utc(paused_at)) if paused_at else due


def warning_due(due: dt.datetime, *, now: dt.datetime, lead: dt.timedelta) -> bool:
    return as_utc(due) - lead <= as_utc(now) <= as_utc(due)


def breached(due: dt.datetime, *, now: dt.datetime) -> bool:
    return as_utc(now) > as_utc(due)


@dataclass(frozen=True)
class Running:
    clock: SlaClock
    due_at: dt.datetime


def running_clocks(ticket: Ticket) -> list[Running]:
    """Clocks that have a deadline and have not stopped yet (in order of their usual deadline)."""
    out = []
    if ticket.first_response_at is None:
        out.append(Running(SlaClock.first_response, as_utc(ticket.first_response_due_at)))
    if ticket.arrive_due_at is not None and ticket.arrived_at is None:
        out.append(Running(SlaClock.arrive, as_utc(ticket.arrive_due_at)))
    if ticket.resolve_due_at is not None and ticket.resolved_at is None:
        out.append(Running(SlaClock.resolve, as_utc(ticket.resolve_due_at)))
    return out


def start_onsite(ticket: Ticket, *, at: dt.datetime) -> None:
    """Start the on-site clocks once; re-assigning the order does not restart them."""
    if ticket.arrive_due_at is None:
        ticket.arrive_due_at, ticket.resolve_due_at = onsite_deadlines(at, ticket.zone)


def pause(ticket: Ticket, *, at: dt.datetime) -> None:
    ticket.paused_at = at


def resume(ticket: Ticket, *, at: dt.datetime) -> dt.timedelta:
    """End a pause: every running deadline moves later by the paused time, which is also added
    to ``paused_seconds``. Returns the pause."""
    if ticket.paused_at is None:
        return dt.timedelta(0)
    paused = as_utc(at) - as_utc(ticket.paused_at)
    for running in running_clocks(ticket):
        field = f"{running.clock.value}_due_at"
        setattr(ticket, field, running.due_at + paused)
    ticket.paused_seconds = (ticket.paused_seconds or 0) + int(paused.total_seconds())
    ticket.paused_at = None
    return paused


def stop(ticket: Ticket, clock: SlaClock, *, at: dt.datetime) -> None:
    """Record the outcome of a clock when its step happens (unless the watch already found it breached)."""
    due = getattr(ticket, f"{clock.value}_due_at")
    field = f"{clock.value}_sla"
    if due is not None and getattr(ticket, field) is None:
        setattr(ticket, field, outcome(due, at))


def due_at(ticket: Ticket) -> dt.datetime | None:
    """The next deadline the ticket is held to now (first response, then arrival, then resolution)."""
    running = running_clocks(ticket)
    return running[0].due_at if running else None


def overall(ticket: Ticket) -> str | None:
    """The ticket's SLA outcome for reports: breached if any clock breached, met when every clock
    that ran has stopped in time, None while undecided."""
    outcomes = [ticket.first_response_sla, ticket.arrive_sla, ticket.resolve_sla]
    if BREACHED in outcomes:
        return BREACHED
    if running_clocks(ticket):
        return None
    return MET
