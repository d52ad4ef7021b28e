"""Who works which shift, and since when (A3, issue 7).

A ``Roster`` is every shift of an enterprise and its assignments at one moment, as the day
computation needs it (no database). The roster is versioned: after every change of the shifts or
their assignments ``record_change`` keeps the whole roster as it is after the change, effective
from that Beijing date (a later change the same day replaces that day's version). A day is computed
with the version in force on it — the latest effective on or before it; days before the first
version use the first version; an enterprise without versions (data from before versions were
kept) uses its shifts as they are now. So editing or deleting a shift, or moving a member to
another one, applies from the day of the change and leaves the past as it was.

A member's department is not versioned: department assignments are read with the member's
department as it is now."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yikatong.attendance.models import RosterVersion, Shift, ShiftAssignment, ShiftKind
from yikatong.core import clock
from yikatong.core.errors import Conflict

FORMAT = 1  # the "v" of a stored roster, should its shape ever change


@dataclass(frozen=True)
class ShiftRule:
    """A shift as the day computation needs it (no database)."""

    id: int
    name: str
    kind: str
    weekdays: frozenset[int]
    start: int  # minutes after midnight, Beijing
    end: int
    grace: int
    early_grace: int
    required: int | None

    @property
    def length(self) -> int:
        return (self.end - self.start) % 1440

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    @property
    def flexible(self) -> bool:
        return self.kind == ShiftKind.flexible.value


def rule_of(shift: Shift) -> ShiftRule:
    return ShiftRule(id=shift.id, name=shift.name, kind=shift.kind, weekdays=frozenset(weekdays_of(shift.weekdays)),
                     start=shift.start_minute, end=shift.end_minute, grace=shift.grace_minutes,
                     early_grace=shift.early_leave_grace_minutes, required=shift.required_minutes)


def weekdays_of(text: str) -> list[int]:
    return [int(w) for w in text.split(",") if w]


Weekly = dict[int, ShiftRule]  # {weekday (1 = Monday): the shift worked that weekday}


@dataclass
class Roster:
    """Every shift of an enterprise and who works it: ``shift_for(member, department, weekday)``."""

    rules: dict[int, ShiftRule]
    by_member: dict[int, list[int]]
    by_department: dict[str, list[int]]

    def shifts_of(self, member_id: int, department: str | None) -> list[ShiftRule]:
        own = self.by_member.get(member_id)
        ids = own if own else self.by_department.get(department or "", [])
        return [self.rules[i] for i in ids if i in self.rules]

    def shift_for(self, member_id: int, department: str | None, weekday: int) -> ShiftRule | None:
        return self.weekly(member_id, department).get(weekday)

    def weekly(self, member_id: int, department: str | None) -> Weekly:
        """{weekday: shift} of one member (the lowest shift id wins, should two ever overlap)."""
        out: Weekly = {}
        for rule in sorted(self.shifts_of(member_id, department), key=lambda r: r.id):
            for weekday in rule.weekdays:
                out.setdefault(weekday, rule)
        return out

    @property
    def empty(self) -> bool:
        return not self.rules

    def to_json(self) -> dict:
        """What a version stores: the ShiftRule fields, and the shift ids by member and by department."""
        return {"v": FORMAT,
                "shifts": [{"id": r.id, "name": r.name, "kind": r.kind, "weekdays": sorted(r.weekdays),
                            "start": r.start, "end": r.end, "grace": r.grace, "early_grace": r.early_grace,
                            "required": r.required} for r in sorted(self.rules.values(), key=lambda r: r.id)],
                "members": {str(m): sorted(ids) for m, ids in sorted(self.by_member.items())},
                "departments": {d: sorted(ids) for d, ids in sorted(self.by_department.items())}}

    @classmethod
    def from_json(cls, data: dict) -> Roster:
        rules = {s["id"]: ShiftRule(id=s["id"], name=s["name"], kind=s["kind"], weekdays=frozenset(s["weekdays"]),
                                    start=s["start"], end=s["end"], grace=s["grace"], early_grace=s["early_grace"],
                                    required=s["required"]) for s in data.get("shifts", [])}
        return cls(rules=rules, by_member={int(m): list(ids) for m, ids in data.get("members", {}).items()},
                   by_department={d: list(ids) for d, ids in data.get("departments", {}).items()})


def current_roster(db: Session, *, enterprise_id: int) -> Roster:
    """The enterprise's shifts and assignments as they are now, in two queries."""
    rules = {s.id: rule_of(s) for s in db.scalars(select(Shift).where(Shift.enterprise_id == enterprise_id)
                                                   .order_by(Shift.id))}
    by_member: dict[int, list[int]] = defaultdict(list)
    by_department: dict[str, list[int]] = defaultdict(list)
    for a in db.scalars(select(ShiftAssignment).where(ShiftAssignment.enterprise_id == enterprise_id)
                        .order_by(ShiftAssignment.shift_id)):
        if a.member_id is not None:
            by_member[a.member_id].append(a.shift_id)
        elif a.department:
            by_department[a.department].append(a.shift_id)
    return Roster(rules=rules, by_member=dict(by_member), by_department=dict(by_department))


@dataclass
class RosterHistory:
    """The rosters in force over a span of days, by the date each took effect (ascending). The
    first also applies to the days before it took effect."""

    versions: list[tuple[dt.date, Roster]]

    def __post_init__(self) -> None:
        self._starts = [start for start, _ in self.versions]

    def at(self, day: dt.date) -> Roster:
        return self.versions[max(0, bisect_right(self._starts, day) - 1)][1]

    def weekly(self, member_id: int, department: str | None) -> list[tuple[dt.date, Weekly]]:
        """The member's week under each version: ``[(effective_from, {weekday: shift})]``."""
        return [(start, plan.weekly(member_id, department)) for start, plan in self.versions]


def _version_rows(db: Session, enterprise_id: int, start: dt.date, end: dt.date) -> list[RosterVersion]:
    base = select(RosterVersion).where(RosterVersion.enterprise_id == enterprise_id)
    in_force = db.scalar(base.where(RosterVersion.effective_from <= start)
                         .order_by(RosterVersion.effective_from.desc()).limit(1))
    later = list(db.scalars(base.where(RosterVersion.effective_from > start, RosterVersion.effective_from <= end)
                            .order_by(RosterVersion.effective_from)))
    if in_force is not None:
        return [in_force, *later]
    if later:
        return later
    # The whole span lies before the first version, which then applies to it.
    first = db.scalar(base.order_by(RosterVersion.effective_from).limit(1))
    return [first] if first is not None else []


def roster_history(db: Session, *, enterprise_id: int, start: dt.date, end: dt.date) -> RosterHistory:
    """A3: the versions in force from ``start`` to ``end`` (inclusive) in two or three queries,
    whatever the span; without versions, the shifts as they are now (the caller checked access)."""
    rows = _version_rows(db, enterprise_id, start, end)
    if not rows:
        return RosterHistory([(start, current_roster(db, enterprise_id=enterprise_id))])
    return RosterHistory([(row.effective_from, Roster.from_json(row.roster)) for row in rows])


def roster_on(db: Session, *, enterprise_id: int, day: dt.date) -> Roster:
    """The roster in force on one day."""
    return roster_history(db, enterprise_id=enterprise_id, start=day, end=day).at(day)


def _today() -> dt.date:
    return clock.local(clock.now()).date()


def _save(db: Session, enterprise_id: int, day: dt.date, *, replace: bool) -> None:
    """Store the current roster as the version of ``day``: replacing the one already there, or
    (``replace=False``) only if there is none. The roster is read after the version's row is
    locked, so of two concurrent changes the one committing last stores a roster with both."""
    stmt = select(RosterVersion).where(RosterVersion.enterprise_id == enterprise_id,
                                       RosterVersion.effective_from == day).with_for_update()
    for _ in range(3):
        row = db.scalar(stmt)
        if row is not None:
            if replace:
                row.roster = current_roster(db, enterprise_id=enterprise_id).to_json()
                row.recorded_at = clock.now()
                db.flush()
            return
        try:
            with db.begin_nested():  # another transaction storing the same day: its row wins, then ours replaces it
                db.add(RosterVersion(enterprise_id=enterprise_id, effective_from=day,
                                     roster=current_roster(db, enterprise_id=enterprise_id).to_json()))
                db.flush()
            return
        except IntegrityError:
            continue
    # Only if the day's row kept being inserted and removed under us: the caller may simply retry.
    raise Conflict("the shifts were being changed at the same time; try again", code="concurrent_change")


def keep_baseline(db: Session, *, enterprise_id: int) -> None:
    """Before a change of shifts or assignments: an enterprise whose shifts predate versioning
    (shifts, no version) first gets its roster as it is kept, as the version of the day before the
    change (being the first version, it also covers every earlier day). Without it the change would
    become the first version and rewrite the past."""
    if db.scalar(select(RosterVersion.id).where(RosterVersion.enterprise_id == enterprise_id).limit(1)):
        return
    if db.scalar(select(Shift.id).where(Shift.enterprise_id == enterprise_id).limit(1)) is None:
        return  # no shifts yet: the first shift applies to the past too, as it always did
    _save(db, enterprise_id, _today() - dt.timedelta(days=1), replace=False)


def record_change(db: Session, *, enterprise_id: int) -> None:
    """A3: after a change of shifts or assignments (already flushed): the whole roster as it is now,
    effective from today (Beijing); a second change the same day replaces today's version."""
    _save(db, enterprise_id, _today(), replace=True)


def enterprises_with_shifts_since(db: Session, *, day: dt.date) -> list[int]:
    """The enterprises that have shifts now, or changed their roster on or after ``day`` (so may
    have had shifts since ``day`` that are gone now): the month-end bills' candidates."""
    now = set(db.scalars(select(Shift.enterprise_id).distinct()))
    changed = set(db.scalars(select(RosterVersion.enterprise_id).where(RosterVersion.effective_from >= day)
                             .distinct()))
    return sorted(now | changed)
