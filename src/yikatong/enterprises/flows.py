"""Enterprise use cases that cross domains."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yikatong.core.actor import Actor
from yikatong.enterprises import service
from yikatong.enterprises.models import Enterprise
from yikatong.keys import service as keys


def register_enterprise(db: Session, *, actor: Actor, key_algorithm: str = "3des", **fields) -> Enterprise:
    """E1 + E2: an account manager (or operator) registers the group customer with its admin login,
    and the enterprise gets its own key set in ``key_algorithm``'s profile (3DES by default; SM4; an
    operator can rotate later) in the same transaction — an enterprise never exists without keys.
    ``fields`` are those of ``enterprises.service.register_enterprise``."""
    enterprise = service.register_enterprise(db, actor=actor, **fields)
    keys.key_set_for_new_enterprise(db, actor=actor, enterprise_id=enterprise.id, algorithm=key_algorithm)
    return enterprise
