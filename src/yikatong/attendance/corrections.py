"""Corrections of a member's day by the admin (A3, X4): set the day's status (a business trip, a
leave, a broken terminal) or add a forgotten punch (补卡), always with a reason. Corrections are
kept, never edited: the latest status correction of a day wins, every added punch counts like a
clock record, and the sheet shows the day as corrected with the reasons. Each is audited with the
day as computed before and after."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.attendance.calendar import calendar_between
from yikatong.attendance.common import ensure_can_manage
from yikatong.attendance.compute import window
from yikatong.attendance.models import Correction, CorrectionKind
from yikatong.attendance.schemas import CorrectionIn, CorrectionOut, DayOut
from yikatong.attendance.sheet import member_day, parse_month, rule_for_day, today
from yikatong.attendance.roster import roster_on
from yikatong.audit import service as audit
from yikatong.core.actor import Actor
from yikatong.core.errors import InvalidInput
from yikatong.core.validation import validated
from yikatong.members import service as members


def _view(day: DayOut | None) -> dict | None:
    if day is None:
        return None
    return {"status": day.status.value, "late": day.late, "early_leave": day.early_leave,
            "first_in": day.first_in, "last_out": day.last_out}


def correct_day(db: Session, *, actor: Actor, member_id: int, day: dt.date | str, reason: str,
                status: str | None = None, punch_at: dt.datetime | str | None = None) -> Correction:
    """A3: correct one member's day. A day in the future is 422 ``day_in_future``; an added punch
    needs a shift that day, by the roster in force then (422 ``no_shift_that_day``), and must fall
    in its window (422 ``punch_outside_window``, details give the window)."""
    member = members.get_member(db, actor=actor, member_id=member_id)  # another enterprise's: 404 (X5)
    ensure_can_manage(db, actor=actor, enterprise_id=member.enterprise_id)
    data = validated(CorrectionIn, day=day, status=status, punch_at=punch_at, reason=reason)
    if data.day > today():
        raise InvalidInput("the day has not come yet", code="day_in_future")
    if data.punch_at is not None:
        calendar = calendar_between(db, enterprise_id=member.enterprise_id, start=data.day, end=data.day)
        plan = roster_on(db, enterprise_id=member.enterprise_id, day=data.day)  # the shifts as they were that day
        rule = rule_for_day(plan, calendar, member, data.day)
        if rule is None:
            raise InvalidInput("the member has no shift that day", code="no_shift_that_day")
        win = window(data.day, rule)
        if not win.open <= data.punch_at < win.close:
            raise InvalidInput("the punch is outside the shift's window of that day", code="punch_outside_window",
                               details={"window_from": win.open.isoformat(), "window_until": win.close.isoformat()})
    before = _view(member_day(db, member=member, day=data.day))
    correction = Correction(enterprise_id=member.enterprise_id, member_id=member.id, day=data.day,
                            kind=(CorrectionKind.status if data.status else CorrectionKind.punch).value,
                            status=data.status.value if data.status else None,
                            punch_at=data.punch_at.astimezone(dt.UTC) if data.punch_at else None,
                            reason=data.reason, created_by=actor.username[:64])
    db.add(correction)
    db.flush()
    after = _view(member_day(db, member=member, day=data.day))
    audit.record(db, actor=actor, action="attendance.correct", entity_type="member", entity_id=member.id,
                 enterprise_id=member.enterprise_id,
                 before={"day": data.day, "computed": before},
                 after={"day": data.day, "correction_id": correction.id, "kind": correction.kind,
                        "status": correction.status, "punch_at": data.punch_at, "reason": data.reason,
                        "computed": after})
    return correction


def list_corrections(db: Session, *, actor: Actor, member_id: int, month: str) -> list[Correction]:
    """A3: the member's corrections of a month, oldest first."""
    member = members.get_member(db, actor=actor, member_id=member_id)
    ensure_can_manage(db, actor=actor, enterprise_id=member.enterprise_id)
    first, last = parse_month(month)
    return list(db.scalars(select(Correction).where(
        Correction.member_id == member.id, Correction.day >= first, Correction.day <= last).order_by(Correction.id)))


def correction_out(c: Correction) -> CorrectionOut:
    return CorrectionOut(id=c.id, member_id=c.member_id, day=c.day, kind=c.kind, status=c.status, punch_at=c.punch_at,
                         reason=c.reason, created_by=c.created_by, created_at=c.created_at)
