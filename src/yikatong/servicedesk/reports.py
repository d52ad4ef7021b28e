"""S9: service reports — volumes, first-contact resolution, SLA attainment and satisfaction, by
channel, category, team or period, over a range of Beijing calendar days.

The measures, as the service managers read them:
- volume: work orders created in the range;
- first-contact resolution: of those, the share answered by the tier the customer reached (first
  line for 10086, hall, website and account managers; second line for 400 and the portal) without
  escalating, transferring or sending anyone on site;
- SLA attainment: of the clocks that have an outcome (first response, arrival, resolution), the
  share met; a clock still running counts in neither;
- satisfaction: the number of ratings, their average (1–5) and the share of 4s and 5s.

The rows are aggregated here rather than in SQL: the Beijing calendar day of a UTC timestamp is
computed differently by each engine, and a report covers at most ``MAX_DAYS`` days of orders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import InvalidInput
from yikatong.core.spreadsheets import write_table
from yikatong.servicedesk.matrix import TIER_OF_CHANNEL
from yikatong.servicedesk.models import Team, Ticket, TicketType

MAX_DAYS = 366
SLA_COLUMNS = (Ticket.first_response_sla, Ticket.arrive_sla, Ticket.resolve_sla)
READERS = (Role.operator, Role.account_manager, Role.agent_l1, Role.agent_l2, Role.tech_support,
           Role.enterprise_admin)


class GroupBy(StrEnum):
    channel = "channel"
    category = "category"
    type = "type"
    team = "team"
    day = "day"
    week = "week"
    month = "month"


class ReportRow(BaseModel):
    key: str
    label: str
    volume: int = 0
    first_contact_resolved: int = 0
    first_contact_rate: float | None = None
    sla_met: int = 0
    sla_breached: int = 0
    sla_attainment: float | None = None
    ratings: int = 0
    rating_average: float | None = None
    satisfied_rate: float | None = None


class ServiceReport(BaseModel):
    start: dt.date
    end: dt.date
    group_by: GroupBy
    enterprise_id: int | None
    rows: list[ReportRow]
    total: ReportRow


def _first_contact(ticket) -> bool:
    """Answered by the tier the customer reached, with no escalation and no visit."""
    reached = 1 if ticket.type == TicketType.supervision.value else TIER_OF_CHANNEL.get(ticket.channel)
    return ticket.answered_tier == reached and ticket.max_tier == reached and ticket.team_id is None


class _Tally:
    def __init__(self) -> None:
        self.volume = self.fcr = self.met = self.breached = self.ratings = self.rating_sum = self.satisfied = 0

    def add(self, ticket) -> None:
        self.volume += 1
        if _first_contact(ticket):
            self.fcr += 1
        for outcome in (ticket.first_response_sla, ticket.arrive_sla, ticket.resolve_sla):
            if outcome == "met":
                self.met += 1
            elif outcome == "breached":
                self.breached += 1
        if ticket.rating is not None:
            self.ratings += 1
            self.rating_sum += ticket.rating
            self.satisfied += ticket.rating >= 4

    def row(self, key: str, label: str) -> ReportRow:
        def share(part: int, whole: int) -> float | None:
            return round(part / whole, 4) if whole else None

        return ReportRow(key=key, label=label, volume=self.volume, first_contact_resolved=self.fcr,
                         first_contact_rate=share(self.fcr, self.volume), sla_met=self.met,
                         sla_breached=self.breached, sla_attainment=share(self.met, self.met + self.breached),
                         ratings=self.ratings,
                         rating_average=round(self.rating_sum / self.ratings, 2) if self.ratings else None,
                         satisfied_rate=share(self.satisfied, self.ratings))


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    if end < start:
        raise InvalidInput("the report ends before it starts", code="invalid_period")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days", code="period_too_long")
    first = dt.datetime.combine(start, dt.time.min, tzinfo=clock.SHANGHAI)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
    return first.astimezone(dt.timezone.utc), last.astimezone(dt.timezone.utc)


def _key(ticket, group_by: GroupBy) -> str:
    if group_by in (GroupBy.channel, GroupBy.category, GroupBy.type):
        return getattr(ticket, group_by.value)
    if group_by == GroupBy.team:
        return str(ticket.team_id) if ticket.team_id is not None else ""
    day = clock.local(ticket.created_at).date()
    if group_by == GroupBy.day:
        return day.isoformat()
    if group_by == GroupBy.week:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def service_report(db: Session, *, actor: Actor, start: dt.date, end: dt.date, group_by: GroupBy | str,
                   enterprise_id: int | None = None) -> ServiceReport:
    """S9: the service report of the orders created from ``start`` to ``end`` (Beijing days,
    inclusive). Service staff see every enterprise's orders or one enterprise's; an enterprise
    admin sees only their own enterprise's (X5)."""
    require_role(actor, READERS)
    group_by = GroupBy(group_by)
    if actor.role == Role.enterprise_admin:
        enterprise_id = actor.enterprise_id if enterprise_id is None else enterprise_id
        ensure_enterprise_scope(actor, enterprise_id)
    since, until = _bounds(start, end)
    stmt = (select(Ticket.id, Ticket.channel, Ticket.category, Ticket.type, Ticket.team_id, Ticket.created_at,
                   Ticket.answered_tier, Ticket.max_tier, *SLA_COLUMNS, Ticket.rating)
            .where(Ticket.created_at >= since, Ticket.created_at < until))
    if enterprise_id is not None:
        stmt = stmt.where(Ticket.enterprise_id == enterprise_id)
    groups: dict[str, _Tally] = defaultdict(_Tally)
    total = _Tally()
    for ticket in db.execute(stmt):
        groups[_key(ticket, group_by)].add(ticket)
        total.add(ticket)
    labels = _team_names(db, groups) if group_by == GroupBy.team else {}
    rows = [groups[key].row(key, labels.get(key, key)) for key in sorted(groups)]
    return ServiceReport(start=start, end=end, group_by=group_by, enterprise_id=enterprise_id, rows=rows,
                         total=total.row("total", "total"))


def _team_names(db: Session, keys: Iterable[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k]
    names = {str(t.id): t.name for t in db.scalars(select(Team).where(Team.id.in_(ids)))} if ids else {}
    return names | {"": "—"}


XLSX_HEADER = ["分组", "工单量", "首问解决", "首问解决率", "SLA 达标", "SLA 超时", "SLA 达标率", "评价数", "平均评分",
               "满意率"]


def to_xlsx(report: ServiceReport, *, labels: dict[str, str] | None = None) -> bytes:
    """The report as an Excel sheet (rates as fractions formatted as percentages by Excel users)."""
    labels = labels or {}

    def line(row: ReportRow, label: str) -> list:
        return [label, row.volume, row.first_contact_resolved, row.first_contact_rate, row.sla_met, row.sla_breached,
                row.sla_attainment, row.ratings, row.rating_average, row.satisfied_rate]

    rows = [line(r, labels.get(r.key, r.label)) for r in report.rows] + [line(report.total, "合计")]
    return write_table(title=f"服务报表 {report.start.isoformat()}", header=XLSX_HEADER, rows=rows,
                       widths=(18, 10, 10, 12, 10, 10, 12, 10, 10, 10),
                       number_formats={"D": "0.0%", "G": "0.0%", "J": "0.0%"})
