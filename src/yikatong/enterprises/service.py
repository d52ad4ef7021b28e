"""Enterprises (group customers). E1: an account manager registers an enterprise and grants its
admin login in one step."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth import service as auth
from yikatong.auth.tenancy import ensure_enterprise_scope, require_role
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Conflict, NotFound
from yikatong.core.pagination import Page, PageParams, paginate
from yikatong.core.validation import validated
from yikatong.enterprises.models import Enterprise, EnterpriseStatus
from yikatong.enterprises.schemas import MIN_FEE_FEN, EnterpriseCreate, EnterpriseUpdate

AUDITED = ["code", "name", "city", "zone", "address", "status", "service_fee_fen"]
STAFF = (Role.operator, Role.account_manager)


def register_enterprise(
    db: Session,
    *,
    actor: Actor,
    code: str,
    name: str,
    city: str,
    zone: str,
    admin_username: str,
    admin_password: str,
    address: str = "",
    service_fee_fen: int | None = None,
) -> Enterprise:
    """E1: register a group customer with its enterprise-admin login. The code (集团编码) is unique
    (409 ``duplicate_code``); the monthly fee is 3–5 yuan per member (E3), 3 yuan by default."""
    require_role(actor, STAFF)
    data = validated(EnterpriseCreate, code=code, name=name.strip(), city=city.strip(), zone=zone,
                     address=address.strip(), admin_username=admin_username, admin_password=admin_password,
                     service_fee_fen=service_fee_fen)
    if db.scalar(select(Enterprise.id).where(Enterprise.code == data.code)) is not None:
        raise Conflict(f"the group customer code '{data.code}' is already registered", code="duplicate_code")
    enterprise = Enterprise(
        code=data.code, name=data.name, city=data.city, zone=data.zone.value, address=data.address,
        status=EnterpriseStatus.active.value,
        service_fee_fen=data.service_fee_fen if data.service_fee_fen is not None else MIN_FEE_FEN,
        account_manager_id=actor.user_id if actor.role == Role.account_manager else None,
    )
    db.add(enterprise)
    db.flush()
    audit.record(db, actor=actor, action="enterprise.register", entity_type="enterprise", entity_id=enterprise.id,
                 enterprise_id=enterprise.id, after=audit.snapshot(enterprise, AUDITED))
    auth.create_user(db, actor=actor, username=data.admin_username, password=data.admin_password,
                     role=Role.enterprise_admin, enterprise_id=enterprise.id, display_name=f"{data.name} 管理员")
    return enterprise


def get_enterprise(db: Session, *, actor: Actor, enterprise_id: int) -> Enterprise:
    """Operators and account managers see any enterprise; an admin only their own (X5)."""
    ensure_enterprise_scope(actor, enterprise_id, platform_roles=STAFF)
    enterprise = db.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("no such enterprise", code="enterprise_not_found")
    return enterprise


def update_enterprise(db: Session, *, actor: Actor, enterprise_id: int, **changes) -> Enterprise:
    enterprise = get_enterprise(db, actor=actor, enterprise_id=enterprise_id)  # another's admin: 404 first
    require_role(actor, STAFF)
    data = validated(EnterpriseUpdate, **changes)
    before = audit.snapshot(enterprise, AUDITED)
    for field, value in data.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(enterprise, field, value.value if hasattr(value, "value") else value)
    audit.record(db, actor=actor, action="enterprise.update", entity_type="enterprise", entity_id=enterprise.id,
                 enterprise_id=enterprise.id, before=before, after=audit.snapshot(enterprise, AUDITED))
    return enterprise


def list_enterprises(db: Session, *, actor: Actor, page: PageParams, q: str | None = None) -> Page[Enterprise]:
    """Platform staff list every enterprise; an enterprise admin sees a list of one."""
    stmt = select(Enterprise).order_by(Enterprise.id)
    if actor.role == Role.enterprise_admin:
        stmt = stmt.where(Enterprise.id == actor.enterprise_id)
    else:
        require_role(actor, STAFF)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(Enterprise.name.like(like), Enterprise.code.like(like), Enterprise.city.like(like)))
    return paginate(db, stmt, page)


def enterprise_exists(db: Session, *, enterprise_id: int) -> bool:
    return db.get(Enterprise, enterprise_id) is not None
