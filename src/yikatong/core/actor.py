"""Who is acting, through which channel: passed to every service function and recorded by audit."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    operator = "operator"
    account_manager = "account_manager"
    enterprise_admin = "enterprise_admin"
    member = "member"
    agent_l1 = "agent_l1"
    agent_l2 = "agent_l2"
    tech_support = "tech_support"
    field_engineer = "field_engineer"
    terminal = "terminal"


class Channel(StrEnum):
    """The interface a request comes through (X1, seed 003 "接口编号")."""

    hall = "hall"
    hotline = "hotline"
    website = "website"
    portal = "portal"
    account_manager = "account_manager"
    terminal = "terminal"
    partner = "partner"
    system = "system"  # the platform itself: CLI, jobs; never accepted from a request


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: Role | None
    channel: Channel
    enterprise_id: int | None = None

    @property
    def is_platform_staff(self) -> bool:
        return self.role in (Role.operator, Role.account_manager)


SYSTEM = Actor(user_id=None, username="system", role=None, channel=Channel.system)
