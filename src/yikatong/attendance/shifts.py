"""Shifts (班次, A3): when an enterprise's members are expected at work, and who works which.

A shift is fixed (arrive by ``start`` + grace, leave at ``end`` − early-leave grace) or flexible
(``required_minutes`` of presence between ``start`` and ``end``); ``end <= start`` makes it overnight.
It is assigned to members and/or departments (members' ``department``). A member with any shift of
their own follows only their own shifts; otherwise their department's. Within one of these sets a
weekday has at most one shift: an assignment that would give someone two shifts on one weekday is
409 ``shift_conflict``.

Every change (create, update, delete) is kept as a new version of the enterprise's roster,
effective from today (roster.py): the days before it are still computed with the shifts as they
were."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yikatong.attendance.common import ensure_can_manage
from yikatong.attendance.models import Shift, ShiftAssignment, ShiftKind
from yikatong.attendance.roster import keep_baseline, record_change, weekdays_of
from yikatong.attendance.schemas import ShiftFields, ShiftOut, hhmm
from yikatong.audit import service as audit
from yikatong.core.actor import Actor
from yikatong.core.errors import Conflict, InvalidInput, NotFound
from yikatong.core.validation import validated
from yikatong.members import service as members
from yikatong.members.models import MemberStatus


def _assignments(db: Session, shift_id: int) -> tuple[list[int], list[str]]:
    rows = db.scalars(select(ShiftAssignment).where(ShiftAssignment.shift_id == shift_id))
    member_ids, departments = [], []
    for a in rows:
        if a.member_id is not None:
            member_ids.append(a.member_id)
        elif a.department:
            departments.append(a.department)
    return sorted(member_ids), sorted(departments)


def shift_out(db: Session, shift: Shift) -> ShiftOut:
    member_ids, departments = _assignments(db, shift.id)
    return ShiftOut(id=shift.id, name=shift.name, kind=ShiftKind(shift.kind), weekdays=weekdays_of(shift.weekdays),
                    start=hhmm(shift.start_minute), end=hhmm(shift.end_minute),
                    overnight=shift.end_minute <= shift.start_minute, grace_minutes=shift.grace_minutes,
                    early_leave_grace_minutes=shift.early_leave_grace_minutes,
                    required_minutes=shift.required_minutes, member_ids=member_ids, departments=departments)


def _check_members(db: Session, enterprise_id: int, member_ids: list[int]) -> None:
    unknown = []
    for member_id in member_ids:
        member = members.member_by_id(db, member_id=member_id)
        if member is None or member.enterprise_id != enterprise_id or member.status == MemberStatus.removed.value:
            unknown.append(member_id)
    if unknown:
        raise InvalidInput("no such member in this enterprise: " + ", ".join(map(str, unknown[:20])),
                           code="unknown_member", details={"member_ids": unknown[:100]})


def _check_conflicts(db: Session, enterprise_id: int, shift_id: int | None, data: ShiftFields) -> None:
    """No one gets two shifts of their own (or two of their department's) on one weekday."""
    weekdays = set(data.weekdays)
    others = {s.id: s for s in db.scalars(select(Shift).where(Shift.enterprise_id == enterprise_id))
              if s.id != shift_id and weekdays & set(weekdays_of(s.weekdays))}
    if not others:
        return
    clashes = []
    for a in db.scalars(select(ShiftAssignment).where(ShiftAssignment.shift_id.in_(list(others)))):
        if (a.member_id is not None and a.member_id in data.member_ids) or (
                a.member_id is None and a.department in data.departments):
            clashes.append({"shift_id": a.shift_id, "shift_name": others[a.shift_id].name,
                            "member_id": a.member_id, "department": a.department})
    if clashes:
        first = clashes[0]
        who = f"member {first['member_id']}" if first["member_id"] else f"department {first['department']}"
        raise Conflict(f"{who} already works shift '{first['shift_name']}' on one of these weekdays",
                       code="shift_conflict", details={"clashes": clashes[:50]})


def _assign(db: Session, enterprise_id: int, shift_id: int, data: ShiftFields) -> None:
    db.execute(delete(ShiftAssignment).where(ShiftAssignment.shift_id == shift_id))
    db.add_all([ShiftAssignment(enterprise_id=enterprise_id, shift_id=shift_id, member_id=m) for m in data.member_ids])
    db.add_all([ShiftAssignment(enterprise_id=enterprise_id, shift_id=shift_id, department=d)
                for d in data.departments])
    db.flush()


def _audited(data: ShiftFields) -> dict:
    return data.model_dump(mode="json")


def create_shift(db: Session, *, actor: Actor, enterprise_id: int, **fields) -> Shift:
    """A3: define a shift and whom it applies to (``member_ids``, ``departments``)."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    data = validated(ShiftFields, **fields)
    _check_members(db, enterprise_id, data.member_ids)
    _check_conflicts(db, enterprise_id, None, data)
    keep_baseline(db, enterprise_id=enterprise_id)
    shift = Shift(enterprise_id=enterprise_id, name=data.name, kind=data.kind.value,
                  weekdays=",".join(map(str, data.weekdays)), start_minute=data.start_minute,
                  end_minute=data.end_minute, grace_minutes=data.grace_minutes,
                  early_leave_grace_minutes=data.early_leave_grace_minutes, required_minutes=data.required_minutes)
    db.add(shift)
    db.flush()
    _assign(db, enterprise_id, shift.id, data)
    record_change(db, enterprise_id=enterprise_id)
    audit.record(db, actor=actor, action="attendance.shift_create", entity_type="shift", entity_id=shift.id,
                 enterprise_id=enterprise_id, after=_audited(data))
    return shift


def get_shift(db: Session, *, actor: Actor, enterprise_id: int, shift_id: int) -> Shift:
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    shift = db.get(Shift, shift_id)
    if shift is None or shift.enterprise_id != enterprise_id:
        raise NotFound("no such shift", code="shift_not_found")
    return shift


def list_shifts(db: Session, *, actor: Actor, enterprise_id: int) -> list[Shift]:
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    return list(db.scalars(select(Shift).where(Shift.enterprise_id == enterprise_id).order_by(Shift.id)))


def update_shift(db: Session, *, actor: Actor, enterprise_id: int, shift_id: int, **changes) -> Shift:
    """A3: change a shift or its assignment; the given fields are merged onto the stored ones and the
    whole is checked again. The change applies from today (Beijing): earlier days keep the roster
    that was in force on them."""
    shift = get_shift(db, actor=actor, enterprise_id=enterprise_id, shift_id=shift_id)
    current = shift_out(db, shift)
    before = current.model_dump(mode="json", exclude={"id", "overnight"})
    merged = before | changes  # only the fields the caller gave; an explicit None clears an optional one
    if merged.get("kind") == ShiftKind.fixed.value and "required_minutes" not in changes:
        merged["required_minutes"] = None  # turning a flexible shift into a fixed one
    data = validated(ShiftFields, **merged)
    _check_members(db, enterprise_id, [m for m in data.member_ids if m not in current.member_ids])
    _check_conflicts(db, enterprise_id, shift.id, data)
    keep_baseline(db, enterprise_id=enterprise_id)
    shift.name, shift.kind, shift.weekdays = data.name, data.kind.value, ",".join(map(str, data.weekdays))
    shift.start_minute, shift.end_minute = data.start_minute, data.end_minute
    shift.grace_minutes, shift.early_leave_grace_minutes = data.grace_minutes, data.early_leave_grace_minutes
    shift.required_minutes = data.required_minutes
    _assign(db, enterprise_id, shift.id, data)
    record_change(db, enterprise_id=enterprise_id)
    audit.record(db, actor=actor, action="attendance.shift_update", entity_type="shift", entity_id=shift.id,
                 enterprise_id=enterprise_id, before=before, after=_audited(data))
    return shift


def delete_shift(db: Session, *, actor: Actor, enterprise_id: int, shift_id: int) -> None:
    """A3: remove a shift and its assignments; from today on its members' days are rest days (or
    their department's shift); the days before keep it."""
    shift = get_shift(db, actor=actor, enterprise_id=enterprise_id, shift_id=shift_id)
    before = shift_out(db, shift).model_dump(mode="json")
    keep_baseline(db, enterprise_id=enterprise_id)
    db.execute(delete(ShiftAssignment).where(ShiftAssignment.shift_id == shift.id))
    db.delete(shift)
    db.flush()
    record_change(db, enterprise_id=enterprise_id)
    audit.record(db, actor=actor, action="attendance.shift_delete", entity_type="shift", entity_id=shift_id,
                 enterprise_id=enterprise_id, before=before)
