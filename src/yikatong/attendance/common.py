"""What every attendance service function checks first: who may manage an enterprise's attendance."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yikatong.auth.tenancy import require_role
from yikatong.core.actor import Actor, Role
from yikatong.enterprises import service as enterprises

MANAGERS = (Role.enterprise_admin, Role.operator)


def ensure_can_manage(db: Session, *, actor: Actor, enterprise_id: int) -> None:
    """Its admin and operators (X5: another enterprise's admin gets 404, other roles 403)."""
    enterprises.get_enterprise(db, actor=actor, enterprise_id=enterprise_id)
    require_role(actor, MANAGERS)
