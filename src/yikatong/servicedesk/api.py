"""Work orders over HTTP (API.md "Work orders"): thin routers over servicedesk.service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from yikatong.core.actor import Actor
from yikatong.core.ids import PathId, QueryId
from yikatong.core.pagination import PageParams, page_params
from yikatong.deps import DB, CurrentActor, Work
from yikatong.knowledge.schemas import ArticleHit
from yikatong.servicedesk import service, sla
from yikatong.servicedesk.models import Ticket, TicketCategory, TicketChannel, TicketStatus, TicketType
from yikatong.servicedesk.schemas import (
    AnswerIn, AppointIn, AssignIn, DispatchIn, EventOut, NoteIn, RateIn, ReplyIn, ResolveIn, SlaFlagOut, SlaOut,
    TicketCreate, TicketCreated, TicketDetail, TicketOut, TicketPage, TransferIn,
)

router = APIRouter(tags=["work orders"])


def ticket_out(actor: Actor, t: Ticket) -> TicketOut:
    return TicketOut(id=t.id, type=t.type, category=t.category, channel=t.channel, title=t.title,
                     description=t.description, status=t.status, tier=t.tier, max_tier=t.max_tier,
                     enterprise_id=t.enterprise_id, member_id=t.member_id, phone=t.phone,
                     linked_ticket_id=t.linked_ticket_id, department=t.department, answer=t.answer,
                     team_id=t.team_id, engineer_id=t.engineer_id, dispatch_mode=t.dispatch_mode,
                     appointment_at=t.appointment_at, resolution=t.resolution, rating=t.rating,
                     rating_comment=t.rating_comment, due_at=sla.due_at(t), created_at=t.created_at,
                     first_response_at=t.first_response_at, resolved_at=t.resolved_at, closed_at=t.closed_at,
                     allowed_actions=service.allowed_actions(actor, t))


def ticket_detail(db: Session, actor: Actor, t: Ticket) -> TicketDetail:
    clocks = SlaOut(first_response_by=t.first_response_due_at, arrive_by=t.arrive_due_at,
                    resolve_by=t.resolve_due_at, paused=t.paused_at is not None, paused_seconds=t.paused_seconds,
                    first_response=t.first_response_sla, arrive=t.arrive_sla, resolve=t.resolve_sla,
                    outcome=sla.overall(t),
                    flags=[SlaFlagOut.model_validate(f) for f in service.flags(db, ticket_id=t.id)])
    return TicketDetail(**ticket_out(actor, t).model_dump(), sla=clocks,
                        history=[EventOut.model_validate(e) for e in service.history(db, ticket_id=t.id)])


@router.post("/tickets", response_model=TicketCreated, status_code=201,
             summary="Record a work order (S1, S3, S6, S8): agents, admins, members (portal)")
def create_ticket(body: TicketCreate, work: Work) -> TicketCreated:
    with work.write() as (db, actor):
        t = service.create_ticket(db, actor=actor, type=body.type, category=body.category, title=body.title,
                                  description=body.description, channel=body.channel,
                                  enterprise_id=body.enterprise_id, phone=body.phone,
                                  linked_ticket_id=body.linked_ticket_id)
        return TicketCreated(id=t.id, status=t.status, tier=t.tier, due_at=sla.due_at(t))


@router.get("/tickets", response_model=TicketPage,
            summary="Work orders by role: an agent's tier queue, an engineer's orders and open grabs, "
                    "a customer's own orders")
def list_tickets(actor: CurrentActor, db: DB, page: Annotated[PageParams, Depends(page_params)],
                 status: TicketStatus | None = None, type: TicketType | None = None,
                 category: TicketCategory | None = None, channel: TicketChannel | None = None,
                 enterprise_id: QueryId = None, tier: Annotated[int | None, Query(ge=1, le=3)] = None,
                 team_id: QueryId = None, engineer_id: QueryId = None,
                 q: Annotated[str | None, Query(max_length=100)] = None,
                 queue: Annotated[bool, Query(description="tier staff: only their tier's queue")] = True) -> TicketPage:
    result = service.list_tickets(db, actor=actor, page=page, status=status, type=type, category=category,
                                  channel=channel, enterprise_id=enterprise_id, tier=tier, team_id=team_id,
                                  engineer_id=engineer_id, q=q, queue=queue)
    return TicketPage(items=[ticket_out(actor, t) for t in result.items], total=result.total)


@router.get("/tickets/{ticket_id}", response_model=TicketDetail, summary="A work order with history and SLA clocks")
def get_ticket(ticket_id: PathId, actor: CurrentActor, db: DB) -> TicketDetail:
    return ticket_detail(db, actor, service.get_ticket(db, actor=actor, ticket_id=ticket_id))


@router.get("/tickets/{ticket_id}/suggestions", response_model=list[ArticleHit],
            summary="Knowledge-base articles that may answer this order (S1, S7)")
def suggestions(ticket_id: PathId, actor: CurrentActor, db: DB,
                limit: Annotated[int, Query(ge=1, le=20)] = 5) -> list[ArticleHit]:
    return service.suggestions(db, actor=actor, ticket_id=ticket_id, limit=limit)


def _act(work, fn: Callable[..., Ticket], ticket_id: int, **kwargs) -> TicketDetail:
    with work.write() as (db, actor):
        return ticket_detail(db, actor, fn(db, actor=actor, ticket_id=ticket_id, **kwargs))


def _note_action(name: str, fn: Callable[..., Ticket], summary: str) -> None:
    def endpoint(ticket_id: PathId, work: Work, body: NoteIn | None = None) -> TicketDetail:
        return _act(work, fn, ticket_id, note=body.note if body else None)

    endpoint.__name__ = f"ticket_{name}"
    router.post(f"/tickets/{{ticket_id}}/{name}", response_model=TicketDetail, summary=summary)(endpoint)


for _name, _fn, _summary in (
    ("accept", service.accept, "Accept the order at its tier (S8 受理)"),
    ("escalate", service.escalate, "Pass to the next tier: second line, then tech support (S2, S3)"),
    ("hold", service.hold, "Wait on the customer: SLA clocks stop (S4)"),
    ("resume", service.resume, "The customer is back: clocks run again, deadlines shifted (S4)"),
    ("arrive", service.arrive, "The engineer arrived on site (S4, S8)"),
    ("reopen", service.reopen, "The customer is not satisfied: back to the tier"),
    ("close", service.close, "Close the order (S8)"),
    ("cancel", service.cancel, "Cancel the order"),
):
    _note_action(_name, _fn, _summary)


@router.post("/tickets/{ticket_id}/answer", response_model=TicketDetail,
             summary="Answer directly; the customer is asked for their opinion (S1, S3)")
def ticket_answer(ticket_id: PathId, body: AnswerIn, work: Work) -> TicketDetail:
    return _act(work, service.answer, ticket_id, answer=body.answer)


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketDetail,
             summary="Send a network/billing cause to the responsible department (S2)")
def ticket_transfer(ticket_id: PathId, body: TransferIn, work: Work) -> TicketDetail:
    return _act(work, service.transfer, ticket_id, department=body.department, note=body.note)


@router.post("/tickets/{ticket_id}/assign", response_model=TicketDetail,
             summary="Assign to an on-site team by territory (S5, S8 分配网点)")
def ticket_assign(ticket_id: PathId, body: AssignIn, work: Work) -> TicketDetail:
    return _act(work, service.assign, ticket_id, team_id=body.team_id, required_skill=body.required_skill,
                note=body.note)


@router.post("/tickets/{ticket_id}/dispatch", response_model=TicketDetail,
             summary="Dispatch: to the engineer named, by the enterprise's rules, or open for a grab (S8)")
def ticket_dispatch(ticket_id: PathId, work: Work, body: DispatchIn | None = None) -> TicketDetail:
    body = body or DispatchIn()
    return _act(work, service.dispatch, ticket_id, engineer_id=body.engineer_id, note=body.note)


@router.post("/tickets/{ticket_id}/grab", response_model=TicketDetail,
             summary="An engineer grabs an open order: the first wins, later ones get 409 (S8 抢单)")
def ticket_grab(ticket_id: PathId, work: Work) -> TicketDetail:
    return _act(work, service.grab, ticket_id)


@router.post("/tickets/{ticket_id}/appoint", response_model=TicketDetail,
             summary="Book (or change) the visit with the customer (S8 预约)")
def ticket_appoint(ticket_id: PathId, body: AppointIn, work: Work) -> TicketDetail:
    return _act(work, service.appoint, ticket_id, at=body.at, note=body.note)


@router.post("/tickets/{ticket_id}/resolve", response_model=TicketDetail, summary="The engineer resolved it (S8)")
def ticket_resolve(ticket_id: PathId, body: ResolveIn, work: Work) -> TicketDetail:
    return _act(work, service.resolve, ticket_id, resolution=body.resolution)


@router.post("/tickets/{ticket_id}/reply", response_model=TicketDetail,
             summary="Tell the customer the result and ask for a rating (S8 回复)")
def ticket_reply(ticket_id: PathId, body: ReplyIn, work: Work) -> TicketDetail:
    return _act(work, service.reply, ticket_id, note=body.note)


@router.post("/tickets/{ticket_id}/rate", response_model=TicketDetail, summary="The customer's satisfaction, 1–5 (S8)")
def ticket_rate(ticket_id: PathId, body: RateIn, work: Work) -> TicketDetail:
    return _act(work, service.rate, ticket_id, rating=body.rating, comment=body.comment)


@router.post("/tickets/{ticket_id}/comment", response_model=TicketDetail, summary="Add a note to the history")
def ticket_comment(ticket_id: PathId, body: ReplyIn, work: Work) -> TicketDetail:
    return _act(work, service.comment, ticket_id, note=body.note)
