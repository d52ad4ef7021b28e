"""Members of an enterprise. M1: add, change, remove, search and bulk import; phones are mainland
mobiles, unique among an enterprise's current members. M6: suspend and resume."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.tenancy import ensure_enterprise_scope
from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.errors import Conflict, NotFound
from yikatong.core.pagination import Page, PageParams, paginate
from yikatong.core.statemachine import StateMachine
from yikatong.core.validation import field_errors, validated
from yikatong.enterprises import service as enterprises
from yikatong.members import importer
from yikatong.members.models import Member, MemberStatus
from yikatong.members.phones import normalize_phone  # noqa: F401  (re-exported for other domains)
from yikatong.members.schemas import ImportError_, ImportResult, MemberCreate, MemberUpdate

AUDITED = ["name", "phone", "staff_no", "department", "status"]

S = MemberStatus
MEMBER_STATES = StateMachine("member", {
    (S.active, "suspend"): S.suspended,
    (S.suspended, "resume"): S.active,
    (S.active, "remove"): S.removed,
    (S.suspended, "remove"): S.removed,
})


def _phone_taken(db: Session, *, enterprise_id: int, phone: str, except_id: int | None = None) -> bool:
    stmt = select(Member.id).where(Member.enterprise_id == enterprise_id, Member.phone == phone,
                                   Member.status != S.removed.value)
    if except_id is not None:
        stmt = stmt.where(Member.id != except_id)
    return db.scalar(stmt.limit(1)) is not None


def _duplicate_phone(phone: str) -> Conflict:
    return Conflict(f"the phone number {phone} already belongs to a member of this enterprise",
                    code="duplicate_phone", details={"phone": phone})


def ensure_can_manage(db: Session, *, actor: Actor, enterprise_id: int) -> None:
    """Who manages an enterprise's members (M1): its admin (another enterprise's admin gets 404,
    X5) and operators; anyone else 403. Callers that show forms ask before rendering them."""
    ensure_enterprise_scope(actor, enterprise_id)
    if not enterprises.enterprise_exists(db, enterprise_id=enterprise_id):
        raise NotFound("no such enterprise", code="enterprise_not_found")


def add_member(db: Session, *, actor: Actor, enterprise_id: int, name: str, phone: str,
               staff_no: str | None = None, department: str | None = None) -> Member:
    """M1: add one member; a phone already used in this enterprise is 409 ``duplicate_phone``."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    data = validated(MemberCreate, name=name, phone=phone, staff_no=staff_no, department=department)
    if _phone_taken(db, enterprise_id=enterprise_id, phone=data.phone):
        raise _duplicate_phone(data.phone)
    member = Member(enterprise_id=enterprise_id, status=S.active.value, **data.model_dump())
    db.add(member)
    db.flush()
    audit.record(db, actor=actor, action="member.add", entity_type="member", entity_id=member.id,
                 enterprise_id=enterprise_id, after=audit.snapshot(member, AUDITED))
    return member


def get_member(db: Session, *, actor: Actor, member_id: int) -> Member:
    """A removed member, or another enterprise's, is 404 (X5)."""
    member = db.get(Member, member_id)
    if member is None or member.status == S.removed.value:
        raise NotFound("no such member", code="member_not_found")
    ensure_enterprise_scope(actor, member.enterprise_id, not_found="member_not_found")
    return member


def update_member(db: Session, *, actor: Actor, member_id: int, **changes) -> Member:
    """M1: change a member's name, phone, staff number or department."""
    member = get_member(db, actor=actor, member_id=member_id)
    data = validated(MemberUpdate, **changes).model_dump(exclude_unset=True)
    for required in ("name", "phone"):
        if required in data and data[required] is None:
            data.pop(required)
    if "phone" in data and _phone_taken(db, enterprise_id=member.enterprise_id, phone=data["phone"],
                                        except_id=member.id):
        raise _duplicate_phone(data["phone"])
    before = audit.snapshot(member, AUDITED)
    for field, value in data.items():
        setattr(member, field, value)
    after = audit.snapshot(member, AUDITED)
    if after != before:
        member.updated_at = clock.now()
        audit.record(db, actor=actor, action="member.update", entity_type="member", entity_id=member.id,
                     enterprise_id=member.enterprise_id, before=before, after=after)
    return member


def _transition(db: Session, *, actor: Actor, member_id: int, action: str) -> Member:
    member = get_member(db, actor=actor, member_id=member_id)
    before = audit.snapshot(member, AUDITED)
    member.status = MEMBER_STATES.next_state(S(member.status), action).value
    at = clock.now()
    member.updated_at = at
    if action == "suspend":
        member.suspended_at = at
    elif action == "resume":
        member.suspended_at = None
    elif action == "remove":
        member.removed_at = at
    audit.record(db, actor=actor, action=f"member.{action}", entity_type="member", entity_id=member.id,
                 enterprise_id=member.enterprise_id, before=before, after=audit.snapshot(member, AUDITED))
    return member


def suspend_member(db: Session, *, actor: Actor, member_id: int) -> Member:
    """M6: suspend a member's service (业务暂停); suspending twice is 409 ``member_suspended``."""
    return _transition(db, actor=actor, member_id=member_id, action="suspend")


def resume_member(db: Session, *, actor: Actor, member_id: int) -> Member:
    """M6: resume a suspended member (恢复); resuming an active member is 409 ``member_active``."""
    return _transition(db, actor=actor, member_id=member_id, action="resume")


def remove_member(db: Session, *, actor: Actor, member_id: int) -> Member:
    """M1: remove a member. The record stays for the audit trail and frees the phone number."""
    return _transition(db, actor=actor, member_id=member_id, action="remove")


def search_members(db: Session, *, actor: Actor, enterprise_id: int, page: PageParams, q: str | None = None,
                   status: MemberStatus | None = None, department: str | None = None) -> Page[Member]:
    """M1: an enterprise's current members; ``q`` matches part of a name (Chinese too), phone or staff number."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    stmt = select(Member).where(Member.enterprise_id == enterprise_id, Member.status != S.removed.value)
    if q and q.strip():
        term = q.strip()
        digits = "".join(term.split())
        like = f"%{term}%"
        stmt = stmt.where(or_(Member.name.like(like), Member.phone.like(f"%{digits}%"), Member.staff_no.like(like)))
    if status is not None:
        stmt = stmt.where(Member.status == status.value)
    if department:
        stmt = stmt.where(Member.department == department)
    return paginate(db, stmt.order_by(Member.id), page)


def departments(db: Session, *, actor: Actor, enterprise_id: int) -> list[str]:
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    rows = db.scalars(select(Member.department).where(Member.enterprise_id == enterprise_id,
                                                      Member.status != S.removed.value,
                                                      Member.department.is_not(None)).distinct())
    return sorted(r for r in rows if r)


def import_members(db: Session, *, actor: Actor, enterprise_id: int, filename: str, content: bytes) -> ImportResult:
    """M1: bulk import from .csv/.xlsx. Every row is checked first (format, phone, duplicates in the
    file and in the enterprise); any error means nothing is imported and every error is reported."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    rows = importer.read_rows(filename, content)
    errors: list[ImportError_] = []
    valid: list[tuple[int, MemberCreate]] = []
    first_row_of_phone: dict[str, int] = {}
    for row in rows:
        try:
            data = MemberCreate.model_validate({k: row.values.get(k, "") for k in importer.COLUMNS})
        except ValidationError as exc:
            for err in field_errors(exc):
                errors.append(ImportError_(row=row.number, field=err["field"], message=err["message"],
                                           code=err["type"], params=err["params"]))
            continue
        if data.phone in first_row_of_phone:
            first = first_row_of_phone[data.phone]
            errors.append(ImportError_(row=row.number, field="phone", message=f"{data.phone} also on row {first}",
                                       code="duplicate_in_file", params={"phone": data.phone, "row": first}))
            continue
        first_row_of_phone[data.phone] = row.number
        valid.append((row.number, data))
    if first_row_of_phone:
        taken = set(db.scalars(select(Member.phone).where(
            Member.enterprise_id == enterprise_id, Member.status != S.removed.value,
            Member.phone.in_(list(first_row_of_phone)))))
        for number, data in valid:
            if data.phone in taken:
                errors.append(ImportError_(row=number, field="phone", message=f"{data.phone} already belongs to a member",
                                           code="duplicate_phone", params={"phone": data.phone}))
    if not rows:
        errors.append(ImportError_(row=2, message="the file has no member rows", code="no_rows"))
    if errors:
        errors.sort(key=lambda e: e.row)
        return ImportResult(created=0, errors=errors)
    members = [Member(enterprise_id=enterprise_id, status=S.active.value, **data.model_dump()) for _, data in valid]
    db.add_all(members)
    db.flush()
    for member in members:
        audit.record(db, actor=actor, action="member.add", entity_type="member", entity_id=member.id,
                     enterprise_id=enterprise_id, after=audit.snapshot(member, AUDITED))
    audit.record(db, actor=actor, action="member.import", entity_type="enterprise", entity_id=enterprise_id,
                 enterprise_id=enterprise_id, after={"file": filename, "created": len(members)})
    return ImportResult(created=len(members), errors=[])


def members_for_phone(db: Session, *, phone: str) -> list[Member]:
    """Every current membership of a person (one phone, several enterprises), oldest first."""
    return list(db.scalars(select(Member).where(Member.phone == phone, Member.status != S.removed.value)
                           .order_by(Member.id)))


def phone_is_member(db: Session, *, phone: str) -> bool:
    return bool(members_for_phone(db, phone=phone))


def display_name_for_phone(db: Session, *, phone: str) -> str | None:
    found = members_for_phone(db, phone=phone)
    return found[0].name if found else None


def change_phone(db: Session, *, actor: Actor, member_id: int, new_phone: str) -> tuple[Member, str]:
    """M5 (the member part): the member's number changes; returns (member, old_phone). The card
    flow that calls this cancels the old number's sub-applications and issues the new card."""
    member = get_member(db, actor=actor, member_id=member_id)
    data = validated(MemberUpdate, phone=new_phone)
    if data.phone == member.phone:
        raise Conflict("the new number is the member's current number", code="same_phone")
    if _phone_taken(db, enterprise_id=member.enterprise_id, phone=data.phone, except_id=member.id):
        raise _duplicate_phone(data.phone)
    before = audit.snapshot(member, AUDITED)
    old_phone = member.phone
    member.phone = data.phone
    member.updated_at = clock.now()
    audit.record(db, actor=actor, action="member.phone_change", entity_type="member", entity_id=member.id,
                 enterprise_id=member.enterprise_id, before=before, after=audit.snapshot(member, AUDITED))
    return member, old_phone


def member_by_id(db: Session, *, member_id: int) -> Member | None:
    """For other domains' internal checks (a terminal deciding about a card): no actor, no tenancy."""
    return db.get(Member, member_id)
