"""One way for every work-order page (workbench, engineer's list, portal) to turn a submitted form
into a step of the desk's state machine: the form is checked with the API's schemas, then the
service decides (roles, tiers, X5). The caller renders refusals with tickets_common.describe."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from yikatong.core.actor import Actor
from yikatong.core.errors import InvalidInput
from yikatong.core.validation import validated
from yikatong.servicedesk import service as desk
from yikatong.servicedesk.models import Ticket
from yikatong.servicedesk.schemas import (
    AnswerIn, AppointIn, AssignIn, DispatchIn, NoteIn, RateIn, ReplyIn, ResolveIn, TransferIn,
)
from yikatong.web.pages.tickets_common import parse_local

NOTE_ONLY: dict[str, Callable[..., Ticket]] = {
    "accept": desk.accept, "escalate": desk.escalate, "hold": desk.hold, "resume": desk.resume,
    "reopen": desk.reopen, "close": desk.close, "cancel": desk.cancel, "arrive": desk.arrive,
}
ACTIONS = frozenset(NOTE_ONLY) | {"answer", "transfer", "assign", "dispatch", "grab", "appoint", "resolve", "reply",
                                  "rate", "comment"}


def _opt(form: dict[str, str], key: str) -> str | None:
    return form.get(key, "").strip() or None


def run_action(db: Session, *, actor: Actor, ticket_id: int, action: str, form: dict[str, str]) -> Ticket:
    """Take ``action`` on the order with the form's fields (YktError on any refusal)."""
    if action not in ACTIONS:
        raise InvalidInput("unknown action", code="invalid_input")
    note = _opt(form, "note")
    if action in NOTE_ONLY:
        if action == "cancel" and form.get("confirm") != "yes":
            raise InvalidInput("confirm the cancellation", code="invalid_input",
                               details={"errors": [{"field": "confirm", "type": "missing"}]})
        data = validated(NoteIn, note=note)
        return NOTE_ONLY[action](db, actor=actor, ticket_id=ticket_id, note=data.note)
    if action == "answer":
        data = validated(AnswerIn, answer=form.get("answer", ""))
        return desk.answer(db, actor=actor, ticket_id=ticket_id, answer=data.answer)
    if action == "transfer":
        data = validated(TransferIn, department=_opt(form, "department"), note=note)
        return desk.transfer(db, actor=actor, ticket_id=ticket_id, department=data.department, note=data.note)
    if action == "assign":
        data = validated(AssignIn, team_id=_opt(form, "team_id"), required_skill=_opt(form, "required_skill"),
                         note=note)
        return desk.assign(db, actor=actor, ticket_id=ticket_id, team_id=data.team_id,
                           required_skill=data.required_skill, note=data.note)
    if action == "dispatch":
        data = validated(DispatchIn, engineer_id=_opt(form, "engineer_id"), note=note)
        return desk.dispatch(db, actor=actor, ticket_id=ticket_id, engineer_id=data.engineer_id, note=data.note)
    if action == "grab":
        return desk.grab(db, actor=actor, ticket_id=ticket_id)
    if action == "appoint":
        data = validated(AppointIn, at=parse_local(form.get("at", "")), note=note)
        return desk.appoint(db, actor=actor, ticket_id=ticket_id, at=data.at, note=data.note)
    if action == "resolve":
        data = validated(ResolveIn, resolution=form.get("resolution", ""))
        return desk.resolve(db, actor=actor, ticket_id=ticket_id, resolution=data.resolution)
    if action == "rate":
        rating = form.get("rating", "")
        data = validated(RateIn, rating=rating if rating.isdigit() and len(rating) < 3 else None,
                         comment=_opt(form, "comment"))
        return desk.rate(db, actor=actor, ticket_id=ticket_id, rating=data.rating, comment=data.comment)
    data = validated(ReplyIn, note=form.get("note", ""))
    fn = desk.reply if action == "reply" else desk.comment
    return fn(db, actor=actor, ticket_id=ticket_id, note=data.note)
