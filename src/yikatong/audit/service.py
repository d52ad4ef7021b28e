"""The one audit call. Every service that changes state calls ``record`` in the same transaction."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.audit.models import AuditEntry
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Forbidden
from yikatong.core.pagination import Page, PageParams, paginate


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    """The audited view of an object: the named fields, JSON-ready."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def record(
    db: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | str,
    enterprise_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one state change (X4). Call inside the transaction that makes the change, so the
    trail and the change commit or vanish together."""
    entry = AuditEntry(
        at=clock.now(),
        actor_id=actor.user_id,
        actor_username=actor.username,
        actor_role=actor.role.value if actor.role else None,
        channel=actor.channel.value,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        enterprise_id=enterprise_id,
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    db.add(entry)
    return entry


def list_entries(
    db: Session,
    *,
    actor: Actor,
    page: PageParams,
    enterprise_id: int | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    actor_username: str | None = None,
) -> Page[AuditEntry]:
    """Operators read the whole trail; an enterprise admin only their enterprise's (X4, X5)."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if actor.role == Role.enterprise_admin:
        stmt = stmt.where(AuditEntry.enterprise_id == actor.enterprise_id)
    elif actor.role != Role.operator:
        raise Forbidden("only operators and enterprise admins read the audit log", code="role_not_allowed")
    if enterprise_id is not None:
        stmt = stmt.where(AuditEntry.enterprise_id == enterprise_id)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if actor_username:
        stmt = stmt.where(AuditEntry.actor_username == actor_username)
    return paginate(db, stmt, page)


def changes_of(db: Session, *, entity_type: str, entity_id: int | str, actions: tuple[str, ...]) -> list[dict[str, Any]]:
    """The ``after`` of an entity's entries with these actions, oldest first — for a domain that
    journals a fact with its audit entry (``ota.recovery``: the loads the platform committed)."""
    rows = db.scalars(select(AuditEntry.after).where(AuditEntry.entity_type == entity_type,
                                                     AuditEntry.entity_id == str(entity_id),
                                                     AuditEntry.action.in_(actions)).order_by(AuditEntry.id))
    return [row for row in rows if row]
