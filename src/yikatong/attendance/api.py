"""Attendance (考勤, A3/A4): the holiday calendar, shifts, clock records from attendance terminals,
the monthly sheet (JSON and .xlsx), corrections and the attendance bills."""
from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from yikatong.attendance import bills, calendar, corrections, records, shifts
from yikatong.attendance import sheet as sheets
from yikatong.attendance.schemas import (
    BillsIn, BillsOut, ClockBatchIn, ClockBatchOut, CorrectionIn, CorrectionOut, HolidayIn, HolidayOut, MemberSheet,
    PeriodOut, ShiftCreate, ShiftOut, ShiftPatch, SheetOut,
)
from yikatong.core.idempotency import Idempotent, respond
from yikatong.core.ids import PathId, QueryId
from yikatong.core.pagination import PageOut
from yikatong.core.spreadsheets import XLSX_MEDIA_TYPE
from yikatong.deps import DB, CurrentActor, Work

router = APIRouter(tags=["attendance"])
MonthQuery = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM; default this month")]
DepartmentQuery = Annotated[str | None, Query(max_length=100)]


def _month(month: str | None) -> str:
    return month or sheets.month_of(sheets.today())


def _holiday_out(h) -> HolidayOut:
    return HolidayOut(day=h.day, kind=h.kind, name=h.name, as_weekday=h.as_weekday)


@router.post("/enterprises/{enterprise_id}/holidays", response_model=HolidayOut, status_code=201,
             summary="Mark a day in the calendar: a holiday, or a weekend made a working day (调休)")
def add_holiday(enterprise_id: PathId, body: HolidayIn, actor: CurrentActor, db: DB) -> HolidayOut:
    return _holiday_out(calendar.add_holiday(db, actor=actor, enterprise_id=enterprise_id, day=body.day,
                                             kind=body.kind, name=body.name, as_weekday=body.as_weekday))


@router.get("/enterprises/{enterprise_id}/holidays", response_model=PageOut[HolidayOut],
            summary="The enterprise's calendar in date order")
def list_holidays(enterprise_id: PathId, actor: CurrentActor, db: DB,
                  year: Annotated[int | None, Query(ge=2000, le=2099)] = None) -> PageOut[HolidayOut]:
    found = calendar.list_holidays(db, actor=actor, enterprise_id=enterprise_id, year=year)
    return PageOut[HolidayOut](items=[_holiday_out(h) for h in found], total=len(found))


@router.delete("/enterprises/{enterprise_id}/holidays/{day}", status_code=204,
               summary="Take a day out of the calendar (it follows the normal week again)")
def remove_holiday(enterprise_id: PathId, day: dt.date, actor: CurrentActor, db: DB) -> None:
    calendar.remove_holiday(db, actor=actor, enterprise_id=enterprise_id, day=day)


@router.post("/enterprises/{enterprise_id}/shifts", response_model=ShiftOut, status_code=201,
             summary="Define a shift and assign it to members and/or departments (A3)")
def create_shift(enterprise_id: PathId, body: ShiftCreate, actor: CurrentActor, db: DB) -> ShiftOut:
    shift = shifts.create_shift(db, actor=actor, enterprise_id=enterprise_id, **body.model_dump())
    return shifts.shift_out(db, shift)


@router.get("/enterprises/{enterprise_id}/shifts", response_model=PageOut[ShiftOut])
def list_shifts(enterprise_id: PathId, actor: CurrentActor, db: DB) -> PageOut[ShiftOut]:
    found = shifts.list_shifts(db, actor=actor, enterprise_id=enterprise_id)
    return PageOut[ShiftOut](items=[shifts.shift_out(db, s) for s in found], total=len(found))


@router.get("/enterprises/{enterprise_id}/shifts/{shift_id}", response_model=ShiftOut)
def get_shift(enterprise_id: PathId, shift_id: PathId, actor: CurrentActor, db: DB) -> ShiftOut:
    return shifts.shift_out(db, shifts.get_shift(db, actor=actor, enterprise_id=enterprise_id, shift_id=shift_id))


@router.patch("/enterprises/{enterprise_id}/shifts/{shift_id}", response_model=ShiftOut,
              summary="Change a shift or whom it applies to (the given fields only)")
def update_shift(enterprise_id: PathId, shift_id: PathId, body: ShiftPatch, actor: CurrentActor, db: DB) -> ShiftOut:
    shift = shifts.update_shift(db, actor=actor, enterprise_id=enterprise_id, shift_id=shift_id,
                                **body.model_dump(exclude_unset=True))
    return shifts.shift_out(db, shift)


@router.delete("/enterprises/{enterprise_id}/shifts/{shift_id}", status_code=204)
def delete_shift(enterprise_id: PathId, shift_id: PathId, actor: CurrentActor, db: DB) -> None:
    shifts.delete_shift(db, actor=actor, enterprise_id=enterprise_id, shift_id=shift_id)


@router.post("/terminal/clock-records", response_model=ClockBatchOut,
             responses={422: {"description": "a malformed record or more than 500; nothing stored"}},
             summary="An attendance terminal uploads clock records; a re-upload adds nothing (A3)")
def upload_clock_records(body: ClockBatchIn, work: Work, idem: Idempotent):
    with work.write() as (db, actor):
        return respond(db, actor=actor, request=idem, status_code=200,
                       produce=lambda: records.upload(db, actor=actor, records=body.records))


@router.get("/enterprises/{enterprise_id}/attendance", response_model=SheetOut,
            summary="The monthly attendance sheet: each member's days and counts, and counts per department")
def attendance(enterprise_id: PathId, actor: CurrentActor, db: DB, month: MonthQuery = None,
               department: DepartmentQuery = None, member_id: QueryId = None) -> SheetOut:
    return sheets.monthly_sheet(db, actor=actor, enterprise_id=enterprise_id, month=_month(month),
                                department=department, member_id=member_id)


@router.get("/enterprises/{enterprise_id}/attendance/summary", response_model=PeriodOut, response_model_by_alias=True,
            summary="A4: attendance counts per member and department over a period (at most 366 days)")
def attendance_summary(enterprise_id: PathId, actor: CurrentActor, db: DB,
                       start: Annotated[dt.date | None, Query(alias="from", description="default: the 1st")] = None,
                       end: Annotated[dt.date | None, Query(alias="to", description="inclusive; default today")] = None,
                       department: DepartmentQuery = None) -> PeriodOut:
    today = sheets.today()
    return sheets.period_counts(db, actor=actor, enterprise_id=enterprise_id, start=start or today.replace(day=1),
                                end=end or today, department=department)


@router.get("/enterprises/{enterprise_id}/attendance.xlsx", response_class=Response,
            responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}}, summary="The monthly sheet as Excel")
def attendance_xlsx(enterprise_id: PathId, actor: CurrentActor, db: DB, month: MonthQuery = None,
                    department: DepartmentQuery = None) -> Response:
    month = _month(month)
    sheet = sheets.monthly_sheet(db, actor=actor, enterprise_id=enterprise_id, month=month, department=department)
    return Response(sheets.to_xlsx(sheet), media_type=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="attendance-{enterprise_id}-{month}.xlsx"'})


@router.post("/enterprises/{enterprise_id}/attendance/bills", response_model=BillsOut,
             summary="Send the month's attendance bills by SMS (each member once per month)")
def send_bills(enterprise_id: PathId, body: BillsIn, actor: CurrentActor, db: DB) -> BillsOut:
    return bills.send_bills(db, actor=actor, enterprise_id=enterprise_id, month=body.month)


@router.get("/members/{member_id}/attendance", response_model=MemberSheet,
            summary="One member's month, day by day")
def member_attendance(member_id: PathId, actor: CurrentActor, db: DB, month: MonthQuery = None) -> MemberSheet:
    return sheets.member_month(db, actor=actor, member_id=member_id, month=_month(month))


@router.get("/members/{member_id}/attendance/corrections", response_model=PageOut[CorrectionOut])
def member_corrections(member_id: PathId, actor: CurrentActor, db: DB,
                       month: MonthQuery = None) -> PageOut[CorrectionOut]:
    found = corrections.list_corrections(db, actor=actor, member_id=member_id, month=_month(month))
    return PageOut[CorrectionOut](items=[corrections.correction_out(c) for c in found], total=len(found))


@router.post("/members/{member_id}/attendance/corrections", response_model=CorrectionOut, status_code=201,
             summary="Correct a member's day: set its status, or add a forgotten punch, with a reason (audited)")
def correct(member_id: PathId, body: CorrectionIn, actor: CurrentActor, db: DB) -> CorrectionOut:
    c = corrections.correct_day(db, actor=actor, member_id=member_id, day=body.day, status=body.status,
                                punch_at=body.punch_at, reason=body.reason)
    return corrections.correction_out(c)
