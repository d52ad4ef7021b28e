"""Attendance bills by SMS (考勤账单, A3): each member with working days in a month gets one SMS with
the month's counts — on demand (the admin's button or the API) or by the month-end job, whichever
comes first, and never twice: the bill is recorded under a unique (enterprise, member, month) key in
the same transaction as the queued SMS, so a rerun, a second process or a second click sends nothing.
A month's bills go out from the 2nd of the next month (Beijing), once its last night shift is over."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yikatong.attendance.common import ensure_can_manage
from yikatong.attendance.models import AttendanceBill
from yikatong.attendance.roster import enterprises_with_shifts_since
from yikatong.attendance.schemas import BillsIn, BillsOut, MemberSheet
from yikatong.attendance.sheet import ALL_MEMBERS, member_sheets, parse_month, today
from yikatong.audit import service as audit
from yikatong.core.actor import SYSTEM, Actor
from yikatong.core.errors import InvalidInput
from yikatong.core.validation import validated
from yikatong.enterprises import service as enterprises
from yikatong.members import service as members
from yikatong.notify import service as notify


def first_sending_day(month: str) -> dt.date:
    _, last = parse_month(month)
    return last + dt.timedelta(days=2)


def bill_text(enterprise_name: str, month: str, sheet: MemberSheet) -> str:
    year, number = (int(p) for p in month.split("-"))
    text = (f"【一卡通】{sheet.name}，您{year}年{number}月在{enterprise_name}的考勤：应出勤{sheet.workdays}天，"
            f"正常{sheet.on_time}天，迟到{sheet.late}次，早退{sheet.early_leave}次，缺勤{sheet.absent}天，"
            f"缺卡{sheet.missing_punch}次")
    if sheet.overtime_minutes:
        text += f"，加班{sheet.overtime_minutes // 60}小时{sheet.overtime_minutes % 60}分钟"
    return text + "。如有疑问，请联系企业管理员。"


def send_bills(db: Session, *, actor: Actor, enterprise_id: int, month: str) -> BillsOut:
    """A3: queue the month's attendance bill for every current member with at least one working day
    who has not had it yet. Before the 2nd of the next month it is 422 ``month_not_over``."""
    ensure_can_manage(db, actor=actor, enterprise_id=enterprise_id)
    month = validated(BillsIn, month=month).month
    first, last = parse_month(month)
    opens = first_sending_day(month)
    if today() < opens:
        raise InvalidInput(f"the bills of {month} can be sent from {opens.isoformat()}", code="month_not_over",
                           details={"from": opens.isoformat()})
    enterprise = enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=enterprise_id)
    billed = set(db.scalars(select(AttendanceBill.member_id).where(AttendanceBill.enterprise_id == enterprise_id,
                                                                   AttendanceBill.month == month)))
    people = members.search_members(db, actor=SYSTEM, enterprise_id=enterprise_id, page=ALL_MEMBERS).items
    pending = [m for m in people if m.id not in billed]
    sheets = member_sheets(db, enterprise_id=enterprise_id, first=first, last=last, people=pending) if pending else []
    phones = {m.id: m.phone for m in pending}
    sent = skipped = 0
    already = len(people) - len(pending)
    purpose = f"attendance_bill.{first:%Y%m}"
    for sheet in sheets:
        if sheet.workdays == 0:
            skipped += 1
            continue
        try:
            with db.begin_nested():  # another process billing the same member: its row wins, ours is undone
                bill = AttendanceBill(enterprise_id=enterprise_id, member_id=sheet.member_id, month=month,
                                      phone=phones[sheet.member_id])
                db.add(bill)
                db.flush()
                bill.sms_id = notify.send_sms(db, phone=bill.phone, purpose=purpose, enterprise_id=enterprise_id,
                                              text=bill_text(enterprise.name, month, sheet))
        except IntegrityError:
            already += 1
            continue
        sent += 1
    if sent:
        audit.record(db, actor=actor, action="attendance.bills_send", entity_type="enterprise",
                     entity_id=enterprise_id, enterprise_id=enterprise_id, before=None,
                     after={"month": month, "sent": sent, "already_sent": already, "skipped": skipped})
    return BillsOut(month=month, sent=sent, already_sent=already, skipped=skipped)


def previous_month(day: dt.date) -> str:
    last = day.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def send_month_end_bills(db: Session) -> int:
    """The month-end job: from the 2nd of a month on, the previous month's bills of every active
    enterprise with shifts now or a change of them since that month began (its shifts may have
    been deleted since; each member once, however often it runs). Returns the number queued."""
    day = today()
    if day.day < 2:
        return 0
    month = previous_month(day)
    queued = 0
    first, _ = parse_month(month)
    for enterprise_id in enterprises_with_shifts_since(db, day=first):
        enterprise = enterprises.get_enterprise(db, actor=SYSTEM, enterprise_id=enterprise_id)
        if enterprise.status != "active":
            continue
        queued += send_bills(db, actor=SYSTEM, enterprise_id=enterprise_id, month=month).sent
    return queued
