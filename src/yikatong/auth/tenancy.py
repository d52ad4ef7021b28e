"""Tenant isolation (X5): an enterprise admin reaches only their own enterprise. Another
enterprise's objects are answered with 404, so their existence is not revealed either."""

from __future__ import annotations

from collections.abc import Iterable

from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Forbidden, NotFound


def require_role(actor: Actor, roles: Iterable[Role]) -> None:
    if actor.role is None:  # the platform itself (CLI, jobs)
        return
    if actor.role not in set(roles):
        raise Forbidden(f"the role '{actor.role}' may not do this", code="role_not_allowed")


def ensure_enterprise_scope(actor: Actor, enterprise_id: int, *, platform_roles: Iterable[Role] = (Role.operator,),
                            not_found: str = "enterprise_not_found") -> None:
    """Enterprise admins (and members) pass only for their own enterprise, with 404 otherwise;
    the platform roles named pass for any enterprise; other roles get 403."""
    if actor.role is None:
        return
    if actor.role in (Role.enterprise_admin, Role.member, Role.terminal):
        if actor.enterprise_id != enterprise_id:
            raise NotFound("not found", code=not_found)
        if actor.role == Role.enterprise_admin:
            return
    if actor.role in set(platform_roles):
        return
    raise Forbidden(f"the role '{actor.role}' may not do this", code="role_not_allowed")
