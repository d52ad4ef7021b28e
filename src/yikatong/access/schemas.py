from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from yikatong.access.rules import parse_hhmm
from yikatong.core.ids import BodyId

CardNo = Field(pattern=r"^\d{16}$", min_length=16, max_length=16)
MAX_EVENTS = 1000
MAX_PERIODS = 32


class Created(BaseModel):
    id: int


class PeriodIn(BaseModel):
    """Beijing time; 1 = Monday … 7 = Sunday, 8 = the enterprise's holidays; ``end`` exclusive
    ("24:00" for midnight)."""

    weekdays: list[int] = Field(min_length=1, max_length=8)
    start: str = Field(min_length=5, max_length=5, examples=["08:00"])
    end: str = Field(min_length=5, max_length=5, examples=["18:00"])

    @field_validator("weekdays")
    @classmethod
    def _days(cls, v: list[int]) -> list[int]:
        if any(d < 1 or d > 8 for d in v):
            raise ValueError("weekdays are 1 (Monday) … 7 (Sunday), or 8 for holidays")
        return sorted(set(v))

    @model_validator(mode="after")
    def _times(self) -> PeriodIn:
        try:
            start, end = parse_hhmm(self.start), parse_hhmm(self.end)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        if start >= 24 * 60:
            raise ValueError("start must be before 24:00")
        if end <= start:
            raise ValueError("end must be after start (a period does not cross midnight: split it in two)")
        return self


class TimeZoneCreate(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    periods: list[PeriodIn] = Field(min_length=1, max_length=MAX_PERIODS)


class TimeZonePatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    periods: list[PeriodIn] | None = Field(default=None, min_length=1, max_length=MAX_PERIODS)


class TimeZoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_id: int
    name: str
    periods: list[PeriodIn]


Direction = Literal["in", "out", "both"]


class SiteCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    anti_passback: bool = False


class SitePatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    anti_passback: bool | None = None


class SiteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_id: int
    name: str
    anti_passback: bool


class DoorCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    site: str | None = Field(default=None, min_length=1, max_length=100,
                             description="the site's name; created if new")
    direction: Direction = "both"


class DoorPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    site: str | None = Field(default=None, max_length=100, description="a site's name; empty: no site")
    direction: Direction | None = None


class DoorOut(BaseModel):
    id: int
    enterprise_id: int
    name: str
    site_id: int | None
    site: str | None
    direction: Direction
    created_at: dt.datetime


def _clean_departments(v: list[str] | None) -> list[str] | None:
    if v is None:
        return None
    cleaned = sorted({d.strip() for d in v})
    if any(not d or len(d) > 100 for d in cleaned):
        raise ValueError("a department is 1 to 100 characters")
    return cleaned


def _aware(v: dt.datetime | None) -> dt.datetime | None:
    if v is not None and v.tzinfo is None:
        raise ValueError("give a time zone, e.g. 2026-12-04T08:00:00+08:00")
    return v


class GroupCreate(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    door_ids: list[BodyId] = Field(default_factory=list, max_length=1000)
    time_zone_id: BodyId
    member_ids: list[BodyId] = Field(default_factory=list, max_length=100_000)
    departments: list[str] = Field(default_factory=list, max_length=1000,
                                   description="whole departments, by the members' department field")

    _departments = field_validator("departments")(classmethod(lambda cls, v: _clean_departments(v)))


class GroupPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    door_ids: list[BodyId] | None = Field(default=None, max_length=1000)
    time_zone_id: BodyId | None = None
    member_ids: list[BodyId] | None = Field(default=None, max_length=100_000)
    departments: list[str] | None = Field(default=None, max_length=1000)

    _departments = field_validator("departments")(classmethod(lambda cls, v: _clean_departments(v)))


class GroupOut(BaseModel):
    id: int
    enterprise_id: int
    name: str
    time_zone_id: int
    door_ids: list[int]
    member_ids: list[int]
    departments: list[str]


class ValidityIn(BaseModel):
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    @model_validator(mode="after")
    def _order(self) -> ValidityIn:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class ValidityOut(ValidityIn):
    member_id: int


class DecisionIn(BaseModel):
    card_no: str = CardNo
    at: dt.datetime | None = Field(default=None, description="when the card was presented (default now)")

    _at = field_validator("at")(classmethod(lambda cls, v: _aware(v)))


class DecisionOut(BaseModel):
    allowed: bool
    reason: str


class EventIn(BaseModel):
    seq: int = Field(ge=1, le=2**62, strict=True, description="the terminal's local sequence, increasing")
    card_no: str = CardNo
    at: dt.datetime
    allowed: bool = Field(strict=True)
    reason: str = Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")
    direction: Literal["in", "out"] | None = None

    _at = field_validator("at")(classmethod(lambda cls, v: _aware(v)))


class EventsIn(BaseModel):
    events: list[EventIn] = Field(max_length=MAX_EVENTS)


class EventsOut(BaseModel):
    accepted: int
    duplicates: int
    cursor: int = Field(description="the highest seq stored for this terminal: upload only what follows it")


class EventOut(BaseModel):
    id: int
    door_id: int
    door: str
    terminal_id: int
    seq: int | None
    card_no: str
    member_id: int | None
    member: str | None
    department: str | None
    at: dt.datetime
    allowed: bool
    reason: str
    direction: str | None
    source: str


class PermissionOut(BaseModel):
    card_no: str
    status: str = Field(description="ok, or why the card is refused whatever the time: card_lost, card_inactive, "
                                    "no_application, member_suspended")
    time_zones: list[int]
    valid_from: dt.date | None
    valid_until: dt.date | None


class PermissionDelta(BaseModel):
    version: int
    full: bool = Field(description="true: replace the whole list you hold with `changed`")
    changed: list[PermissionOut] = Field(description="cards added, or whose row replaces the one you hold")
    removed: list[str]


class Holiday(BaseModel):
    date: dt.date
    kind: Literal["holiday", "workday"]


class DoorRules(BaseModel):
    """What a door terminal needs, beyond its permission list, to decide offline (A2)."""

    door_id: int
    name: str
    direction: Direction
    site_id: int | None
    anti_passback: bool
    time_zones: dict[int, list[PeriodIn]]
    holidays: list[Holiday] = Field(description="from yesterday to a year ahead")
    directions_date: dt.date = Field(description="the Beijing date the directions hold for")
    directions: dict[str, Literal["in", "out"]] = Field(
        description="anti-passback: each card's last direction today at the site (empty without anti-passback)")


class SummaryRow(BaseModel):
    key: str
    label: str
    allowed: int
    denied: int


class HourlyRow(BaseModel):
    hour: int
    allowed: int
    denied: int
