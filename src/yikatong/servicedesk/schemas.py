from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yikatong.core.ids import BodyId
from yikatong.enterprises.models import Zone
from yikatong.servicedesk.models import TeamKind, TicketCategory, TicketChannel, TicketStatus, TicketType

PHONE = r"^1\d{10}$"
SKILL = r"^[a-z][a-z0-9_]{0,31}$"
Note = Field(default=None, max_length=2000)


class TicketCreate(BaseModel):
    type: TicketType
    category: TicketCategory
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    channel: TicketChannel
    enterprise_id: BodyId | None = None
    phone: str | None = Field(default=None, pattern=PHONE, description="the customer's mobile number")
    linked_ticket_id: BodyId | None = Field(default=None, description="supervision (S6): the order complained about")

    @field_validator("title")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()


class TicketCreated(BaseModel):
    id: int
    status: TicketStatus
    tier: int
    due_at: dt.datetime | None


class NoteIn(BaseModel):
    note: str | None = Note


class AnswerIn(BaseModel):
    answer: str = Field(min_length=1, max_length=5000)


class TransferIn(BaseModel):
    department: str | None = Field(default=None, min_length=1, max_length=100,
                                   description="default: the department responsible for the category (S2)")
    note: str | None = Note


class AssignIn(BaseModel):
    team_id: BodyId | None = Field(default=None, description="default: the team for the category and territory")
    required_skill: str | None = Field(default=None, pattern=SKILL)
    note: str | None = Note


class DispatchIn(BaseModel):
    engineer_id: BodyId | None = None
    note: str | None = Note


class AppointIn(BaseModel):
    at: dt.datetime = Field(description="the start of the visit, ISO 8601 with offset")
    note: str | None = Note

    @field_validator("at")
    @classmethod
    def _aware(cls, v: dt.datetime) -> dt.datetime:
        if v.tzinfo is None:
            raise ValueError("give the time with its UTC offset")
        if not (2000 <= v.year <= 2100):
            raise ValueError("out of range")
        return v


class ResolveIn(BaseModel):
    resolution: str = Field(min_length=1, max_length=5000)


class ReplyIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="what the customer is told")


class RateIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor_username: str
    actor_role: str | None
    action: str
    from_status: str | None
    to_status: str
    note: str | None
    data: dict


class SlaFlagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    clock: str
    kind: str
    due_at: dt.datetime
    at: dt.datetime


class SlaOut(BaseModel):
    first_response_by: dt.datetime
    arrive_by: dt.datetime | None
    resolve_by: dt.datetime | None
    paused: bool
    paused_seconds: int
    first_response: str | None
    arrive: str | None
    resolve: str | None
    outcome: str | None
    flags: list[SlaFlagOut] = Field(default_factory=list, description="warnings and breaches raised by the watch")


class TicketOut(BaseModel):
    id: int
    type: TicketType
    category: TicketCategory
    channel: TicketChannel
    title: str
    description: str
    status: TicketStatus
    tier: int
    max_tier: int
    enterprise_id: int | None
    member_id: int | None
    phone: str | None
    linked_ticket_id: int | None
    department: str | None
    answer: str | None
    team_id: int | None
    engineer_id: int | None
    dispatch_mode: str | None
    appointment_at: dt.datetime | None
    resolution: str | None
    rating: int | None
    rating_comment: str | None
    due_at: dt.datetime | None
    created_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    allowed_actions: list[str]


class TicketDetail(TicketOut):
    sla: SlaOut
    history: list[EventOut]


class TicketPage(BaseModel):
    items: list[TicketOut]
    total: int


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    kind: TeamKind
    city: str = Field(min_length=1, max_length=50)
    zones: list[Zone] = Field(default_factory=lambda: [Zone.urban, Zone.suburban], min_length=1, max_length=2)


class TeamPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    city: str | None = Field(default=None, min_length=1, max_length=50)
    zones: list[Zone] | None = Field(default=None, min_length=1, max_length=2)
    active: bool | None = None


class TeamOut(BaseModel):
    id: int
    name: str
    kind: TeamKind
    city: str
    zones: list[Zone]
    active: bool


class EngineerIn(BaseModel):
    team_id: BodyId
    skills: list[str] = Field(default_factory=list, max_length=20)
    on_duty: bool = True
    phone: str | None = Field(default=None, pattern=PHONE)

    @field_validator("skills")
    @classmethod
    def _skills(cls, v: list[str]) -> list[str]:
        import re

        for s in v:
            if not re.match(SKILL, s):
                raise ValueError(f"invalid skill '{s[:32]}'")
        return sorted(set(v))


class DutyIn(BaseModel):
    on_duty: bool


class EngineerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    username: str
    team_id: int
    skills: list[str]
    on_duty: bool
    phone: str | None
    open_orders: int


class DispatchRulesIn(BaseModel):
    enabled: bool = True
    require_on_duty: bool = True
    category_skills: dict[TicketCategory, str] = Field(default_factory=dict)
    max_open_per_engineer: int | None = Field(default=None, ge=1, le=1000)

    @field_validator("category_skills")
    @classmethod
    def _skills(cls, v: dict) -> dict:
        import re

        for s in v.values():
            if not re.match(SKILL, s):
                raise ValueError(f"invalid skill '{s[:32]}'")
        return v


class DispatchRulesOut(DispatchRulesIn):
    enterprise_id: int
    set: bool = Field(description="false: no rules are set, dispatch without an engineer opens the order for grabs")
