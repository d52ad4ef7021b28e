"""Who may see and act on a card. A card belongs to a person (phone number); an enterprise admin
reaches it only while one of their enterprise's members holds that number, and then sees only
their own enterprise's sub-applications (X5). Anyone who may not see a card gets 404."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.cards.models import AppStatus, Card, CardApplication
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Forbidden, NotFound
from yikatong.members import service as members

AGENTS = (Role.agent_l1, Role.agent_l2)


def not_found() -> NotFound:
    return NotFound("no such card", code="card_not_found")


def load_card(db: Session, card_id: int, *, lock: bool = False) -> Card:
    stmt = select(Card).where(Card.id == card_id)
    card = db.scalar(stmt.with_for_update() if lock else stmt)
    if card is None:
        raise not_found()
    return card


def holder_enterprises(db: Session, card: Card) -> set[int]:
    """Enterprises with a current member holding this card's number."""
    return {m.enterprise_id for m in members.members_for_phone(db, phone=card.phone)}


def ensure_may_act(db: Session, actor: Actor, card: Card, *, roles: Iterable[Role]) -> None:
    """404 when the actor may not even see the card; 403 when they see it but their role may not do this."""
    roles = set(roles)
    if actor.role is None or actor.role == Role.operator:
        visible = True
    elif actor.role == Role.enterprise_admin:
        visible = actor.enterprise_id in holder_enterprises(db, card)
    elif actor.role == Role.member:
        visible = actor.username == card.phone
    else:
        visible = actor.role in AGENTS
    if not visible:
        raise not_found()
    if actor.role is not None and actor.role not in roles:
        raise Forbidden(f"the role '{actor.role}' may not do this to a card", code="role_not_allowed")


def applications(db: Session, card: Card, *, active_only: bool = False) -> list[CardApplication]:
    stmt = select(CardApplication).where(CardApplication.card_id == card.id).order_by(CardApplication.id)
    if active_only:
        stmt = stmt.where(CardApplication.status == AppStatus.active.value)
    return list(db.scalars(stmt))


def visible_applications(db: Session, actor: Actor, card: Card) -> list[CardApplication]:
    """An enterprise admin sees only their enterprise's sub-applications (X5)."""
    apps = applications(db, card)
    if actor.role == Role.enterprise_admin:
        apps = [a for a in apps if a.enterprise_id == actor.enterprise_id]
    return apps
