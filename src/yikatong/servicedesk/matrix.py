"""The desk's routing data: which channel is which tier (S1, S3), who is responsible for which
category (S5, seed 002 "客服职能划分"), which internal department takes operator causes (S2)."""

from __future__ import annotations

from dataclasses import dataclass

from yikatong.core.actor import Role
from yikatong.servicedesk.models import TicketCategory as Cat
from yikatong.servicedesk.models import TicketChannel as Ch
from yikatong.servicedesk.models import TeamKind

# S1: account manager, 10086, business hall, website are first line; S3: 400 hotline and the
# personal portal are second line.
TIER_OF_CHANNEL: dict[Ch, int] = {
    Ch.hotline_10086: 1, Ch.hall: 1, Ch.website: 1, Ch.account_manager: 1,
    Ch.hotline_400: 2, Ch.portal: 2,
}

# The tier each service role works in.
TIER_OF_ROLE: dict[Role, int] = {Role.agent_l1: 1, Role.agent_l2: 2, Role.tech_support: 3}
TOP_TIER = 3

# Channels each creating role may record an order through.
CHANNELS_OF_ROLE: dict[Role, frozenset[Ch]] = {
    Role.agent_l1: frozenset({Ch.hotline_10086, Ch.hall, Ch.website, Ch.account_manager}),
    Role.account_manager: frozenset({Ch.account_manager}),
    Role.agent_l2: frozenset({Ch.hotline_400, Ch.portal}),
    Role.enterprise_admin: frozenset({Ch.portal, Ch.website}),
    Role.member: frozenset({Ch.portal, Ch.website}),
    Role.operator: frozenset(Ch),
}


@dataclass(frozen=True)
class Responsibility:
    """Who owns a category (S5): the tiers, an on-site team kind, or an internal department."""

    owner: str
    team_kind: TeamKind | None = None
    department: str | None = None


RESPONSIBILITY: dict[Cat, Responsibility] = {
    Cat.business: Responsibility(owner="10086 / account manager / second line", team_kind=TeamKind.outlet),
    Cat.terminal: Responsibility(owner="vendor team (厂家)", team_kind=TeamKind.vendor),
    Cat.engineering: Responsibility(owner="integrator team (施工集成商)", team_kind=TeamKind.integrator),
    Cat.network: Responsibility(owner="network department", department="网络运维部"),
    Cat.billing: Responsibility(owner="billing department", department="计费账务部"),
}

# S2: only operator-internal causes leave the desk for a department.
INTERNAL_CATEGORIES = frozenset(c for c, r in RESPONSIBILITY.items() if r.department)
