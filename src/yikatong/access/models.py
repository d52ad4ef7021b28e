from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class Direction(StrEnum):
    both = "both"  # a door without anti-passback meaning (an office door)
    entry = "in"
    exit = "out"


class Site(Base):
    """A building or compound (园区/楼宇) grouping doors; anti-passback (防反潜回) is per site."""

    __tablename__ = "access_sites"
    __table_args__ = (UniqueConstraint("enterprise_id", "name", name="uq_access_sites_enterprise_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    anti_passback: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class Door(Base):
    __tablename__ = "access_doors"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("access_sites.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8), default=Direction.both.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    # Events keep pointing at a removed door, so it is retired, never deleted.
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class TimeZone(Base):
    """A weekly time zone (时间段): periods ``{weekdays: [1..8], start: "HH:MM", end: "HH:MM"}``,
    Beijing time, end exclusive; weekday 8 stands for the enterprise's holidays."""

    __tablename__ = "access_time_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    periods: Mapped[list[dict]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class AccessGroup(Base):
    """Who (members, whole departments) may open which doors during which time zone (门禁权限组)."""

    __tablename__ = "access_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    time_zone_id: Mapped[int] = mapped_column(ForeignKey("access_time_zones.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class GroupDoor(Base):
    __tablename__ = "access_group_doors"

    group_id: Mapped[int] = mapped_column(ForeignKey("access_groups.id"), primary_key=True)
    door_id: Mapped[int] = mapped_column(ForeignKey("access_doors.id"), primary_key=True, index=True)


class GroupMember(Base):
    __tablename__ = "access_group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("access_groups.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True, index=True)


class GroupDepartment(Base):
    __tablename__ = "access_group_departments"

    group_id: Mapped[int] = mapped_column(ForeignKey("access_groups.id"), primary_key=True)
    department: Mapped[str] = mapped_column(String(100), primary_key=True)


class MemberValidity(Base):
    """A member's access validity (有效期), Beijing dates, both inclusive; None = open-ended."""

    __tablename__ = "access_member_validity"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)


class Permission(Base):
    """One card's standing at one door, materialised from groups, members, cards and validity, so a
    door terminal can be sent only what changed (T3). ``version`` is the enterprise's permission
    version at the row's last change; a removed row stays as a tombstone to be sent as ``removed``."""

    __tablename__ = "access_permissions"
    __table_args__ = (
        UniqueConstraint("door_id", "card_no", name="uq_access_permissions_door_card"),
        Index("ix_access_permissions_door_version", "door_id", "version"),
        Index("ix_access_permissions_enterprise_card", "enterprise_id", "card_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    door_id: Mapped[int] = mapped_column(ForeignKey("access_doors.id"))
    card_no: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24))  # ok, card_lost, card_inactive, no_application, member_suspended
    time_zone_ids: Mapped[str] = mapped_column(String(200))  # sorted, comma-separated
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)


class PermissionVersion(Base):
    __tablename__ = "access_permission_versions"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    # What the last whole-enterprise refresh derived the rows from (permissions.Inputs.digest).
    inputs_digest: Mapped[str | None] = mapped_column(String(32))


class AccessEvent(Base):
    """One presentation of a card at a door (A2, A4): uploaded from a terminal's log (``seq`` its
    local sequence, unique per terminal) or recorded by an online decision (``seq`` None)."""

    __tablename__ = "access_events"
    __table_args__ = (
        UniqueConstraint("terminal_id", "seq", name="uq_access_events_terminal_seq"),
        Index("ix_access_events_enterprise_at", "enterprise_id", "at"),
        Index("ix_access_events_door_at", "door_id", "at"),
        Index("ix_access_events_member_at", "member_id", "at"),
        Index("ix_access_events_enterprise_card_at", "enterprise_id", "card_no", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    door_id: Mapped[int] = mapped_column(ForeignKey("access_doors.id"))
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"))
    seq: Mapped[int | None] = mapped_column(BigInteger)
    card_no: Mapped[str] = mapped_column(String(16))
    member_id: Mapped[int | None] = mapped_column(Integer)  # the holder when uploaded, for reports by person
    department: Mapped[str | None] = mapped_column(String(100))  # as it was then, for reports by department
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    allowed: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(8))  # online, offline
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class TerminalPermissionState(Base):
    """T3: the permission version a door terminal said it held at its last sync."""

    __tablename__ = "access_terminal_states"

    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"), primary_key=True)
    permissions_version: Mapped[int] = mapped_column(Integer)
    synced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
