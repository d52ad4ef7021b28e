"""What the attendance pages share: the month in the query and the labels of statuses, weekdays
and shift kinds (the error codes' words are in web/messages.py, with every other code's)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request

from yikatong.attendance import sheet as sheets
from yikatong.core.errors import InvalidInput, NotFound, YktError
from yikatong.members import service as members
from yikatong.members.models import Member
from yikatong.web.i18n import N_
from yikatong.web.session import Console

STATUS_LABELS = {"on_time": N_("On time"), "late": N_("Late"), "early_leave": N_("Early leave"),
                 "absent": N_("Absent"), "missing_punch": N_("Missing punch"), "rest": N_("Rest day")}
STATUS_BADGES = {"on_time": "active", "late": "suspended", "early_leave": "suspended", "missing_punch": "suspended",
                 "absent": "card-lost", "rest": "removed"}
WEEKDAYS = {1: N_("Mon"), 2: N_("Tue"), 3: N_("Wed"), 4: N_("Thu"), 5: N_("Fri"), 6: N_("Sat"), 7: N_("Sun")}
SHIFT_KINDS = {"fixed": N_("Fixed"), "flexible": N_("Flexible")}
DAY_KINDS = {"holiday": N_("Holiday"), "workday": N_("Working day (调休)")}


def nav(console: Console) -> str:
    return "attendance" if console.is_admin else "enterprises"


def month_of(request: Request, request_db: Session | None = None) -> tuple[str, YktError | None]:
    """The ``?month=`` asked for (this month if none); a malformed one is this month and an error."""
    text = request.query_params.get("month", "").strip()
    if text:
        try:
            sheets.parse_month(text)
            return text, None
        except InvalidInput as exc:
            return sheets.month_of(sheets.today()), exc
    return sheets.month_of(sheets.today()), None


def shift_month(month: str, delta: int) -> str:
    first, _ = sheets.parse_month(month)
    index = first.year * 12 + first.month - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def member_in(db: Session, console: Console, enterprise_id: int, member_id: int) -> Member:
    """The member, only under their own enterprise's address (X5: otherwise 404)."""
    member = members.get_member(db, actor=console.actor, member_id=member_id)
    if member.enterprise_id != enterprise_id:
        raise NotFound("no such member", code="member_not_found")
    return member
