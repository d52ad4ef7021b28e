"""Tables of the customer-service desk (S1–S8): work orders, their history, SLA flags, teams,
engineers and per-enterprise dispatch rules. Each ticket keeps what reports (S9) and the TMF621
facade need without joins: channel, type, category, tier, team, engineer, the timestamps of each
step, the outcome of each SLA clock and the rating."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class TicketType(StrEnum):
    consultation = "consultation"  # 咨询
    complaint = "complaint"  # 投诉
    fault = "fault"  # 报障
    supervision = "supervision"  # 服务监督 (S6): a complaint about second-line service


class TicketCategory(StrEnum):
    business = "business"  # 业务类: tiers 1/2
    terminal = "terminal"  # 终端类: vendor team
    engineering = "engineering"  # 工程类: integrator team
    network = "network"  # operator-internal: network department
    billing = "billing"  # operator-internal: billing department


class TicketChannel(StrEnum):
    """Where the customer reached us (S1, S3). ``hall``, ``website``, ``account_manager`` and ``portal``
    are the request channels of core.actor.Channel; the two hotlines are told apart because they
    are different tiers."""

    hotline_10086 = "hotline_10086"
    hall = "hall"
    website = "website"
    account_manager = "account_manager"
    hotline_400 = "hotline_400"
    portal = "portal"


class TicketStatus(StrEnum):
    new = "new"  # created, waiting in its tier's queue
    accepted = "accepted"  # taken by an agent of the current tier (first response)
    escalated = "escalated"  # handed to the next tier, waiting in its queue
    transferred = "transferred"  # S2: sent to an internal department (network, billing)
    answered = "answered"  # answered directly; waiting for the customer's opinion (S3)
    assigned = "assigned"  # on-site: given to a team (outlet, vendor, integrator)
    waiting_grab = "waiting_grab"  # on-site: open for the team's engineers to grab
    dispatched = "dispatched"  # on-site: an engineer has it
    appointed = "appointed"  # on-site: a visit is booked with the customer
    on_site = "on_site"  # on-site: the engineer has arrived
    resolved = "resolved"  # on-site: fixed; the agent replies to the customer next
    replied = "replied"  # the customer was told the result; waiting for the rating
    pending = "pending"  # waiting on the customer: SLA clocks stop
    rated = "rated"  # the customer gave their satisfaction rating
    closed = "closed"
    cancelled = "cancelled"


FINAL = (TicketStatus.closed.value, TicketStatus.cancelled.value)


class TeamKind(StrEnum):
    integrator = "integrator"  # 施工集成商: engineering (survey, construction, acceptance)
    vendor = "vendor"  # 厂家: terminal faults
    outlet = "outlet"  # 服务网点: the operator's own local outlet


class SlaClock(StrEnum):
    first_response = "first_response"
    arrive = "arrive"
    resolve = "resolve"


class Team(Base):
    """A local team that goes on site (驻地团队), with the territory it covers."""

    __tablename__ = "service_teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(50), index=True)
    covers_urban: Mapped[bool] = mapped_column(Boolean, default=True)
    covers_suburban: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Engineer(Base):
    """A field engineer's profile: the user (role field_engineer), the team, skills and availability."""

    __tablename__ = "field_engineers"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("service_teams.id"), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str | None] = mapped_column(String(11))
    # Ties in automatic dispatch go to whoever waited longest for an order.
    last_dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class DispatchRules(Base):
    """An enterprise's automatic dispatch rules (S8, seed 003 "自动派工"); none → engineers grab."""

    __tablename__ = "dispatch_rules"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    require_on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    # category → skill an engineer must have (e.g. {"terminal": "pos", "engineering": "construction"})
    category_skills: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    max_open_per_engineer: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Ticket(Base):
    """A work order (工单)."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_queue", "tier", "status"),
        Index("ix_tickets_grab", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), index=True)
    tier: Mapped[int] = mapped_column(Integer)
    max_tier: Mapped[int] = mapped_column(Integer)  # highest tier reached: 1 = first-contact resolution
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    phone: Mapped[str | None] = mapped_column(String(11), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_role: Mapped[str | None] = mapped_column(String(32))
    linked_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the agent who accepted last
    department: Mapped[str | None] = mapped_column(String(100))  # S2 internal department
    answer: Mapped[str | None] = mapped_column(Text)
    answered_tier: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("service_teams.id"))  # indexed by ix_tickets_grab
    required_skill: Mapped[str | None] = mapped_column(String(32))
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    dispatch_mode: Mapped[str | None] = mapped_column(String(16))  # manual, auto, grab, redispatch
    appointment_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    resume_status: Mapped[str | None] = mapped_column(String(16))  # where `resume` returns from pending
    # SLA clocks (S4): deadlines persisted, shifted by paused time; outcomes "met" / "breached".
    zone: Mapped[str | None] = mapped_column(String(16))
    first_response_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    arrive_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolve_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    first_response_sla: Mapped[str | None] = mapped_column(String(16))
    arrive_sla: Mapped[str | None] = mapped_column(String(16))
    resolve_sla: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, index=True)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    rated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class TicketEvent(Base):
    """One step of a ticket's history: who, in which role, when, what, from which status to which."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_username: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class TicketSlaFlag(Base):
    """A warning or breach of one SLA clock, raised once (the unique key makes "once" hold even if
    two jobs run at the same time)."""

    __tablename__ = "ticket_sla_flags"
    __table_args__ = (UniqueConstraint("ticket_id", "clock", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    clock: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # warning | breach
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
