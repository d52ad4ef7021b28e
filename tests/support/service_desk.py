"""Work orders with known outcomes for the S9 report tests (API and dashboard): rows written
directly, so every figure in the report can be checked by hand."""

from __future__ import annotations

import datetime as dt

from factories import make_enterprise
from yikatong.core.clock import SHANGHAI
from yikatong.servicedesk.models import Team, Ticket


def beijing(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=SHANGHAI).astimezone(dt.timezone.utc)


def ticket(s, *, enterprise_id: int, at: dt.datetime, channel: str = "hotline_10086", category: str = "business",
           type: str = "consultation", tier: int = 1, answered_tier: int | None = None, team_id: int | None = None,
           rating: int | None = None, sla: tuple[str | None, str | None, str | None] = (None, None, None)) -> None:
    s.add(Ticket(type=type, category=category, channel=channel, title="门禁打不开", description="", status="closed",
                 tier=tier, max_tier=tier, answered_tier=answered_tier, enterprise_id=enterprise_id, team_id=team_id,
                 first_response_due_at=at + dt.timedelta(hours=1), first_response_sla=sla[0], arrive_sla=sla[1],
                 resolve_sla=sla[2], rating=rating, created_at=at, paused_seconds=0))


def seed_report_tickets(database) -> tuple[int, int, str]:
    eid, admin = make_enterprise(database, name="西湖科技")
    other, _ = make_enterprise(database, name="青山湖制造")
    with database.write() as s:
        team = Team(name="杭州厂家驻地组", kind="vendor", city="杭州", covers_urban=True, covers_suburban=True)
        s.add(team)
        s.flush()
        # 2 March: three hotline orders — two answered at first contact, one escalated to the vendor on site.
        ticket(s, enterprise_id=eid, at=beijing(2), answered_tier=1, rating=5, sla=("met", None, None))
        ticket(s, enterprise_id=eid, at=beijing(2, 23), answered_tier=1, rating=3, sla=("breached", None, None))
        ticket(s, enterprise_id=eid, at=beijing(2), category="terminal", type="fault", tier=2, team_id=team.id,
               rating=4, sla=("met", "met", "breached"))
        # 3 March 00:30 Beijing is still 2 March in UTC: it belongs to the 3rd.
        ticket(s, enterprise_id=eid, at=beijing(3, 0) + dt.timedelta(minutes=30), channel="portal", tier=2,
               answered_tier=2, sla=("met", None, None))
        # Another enterprise's order, and one outside the range.
        ticket(s, enterprise_id=other, at=beijing(2), channel="website", answered_tier=1, rating=1)
        ticket(s, enterprise_id=eid, at=beijing(20), answered_tier=1)
    return eid, team.id, admin
