"""The TMF621 Trouble Ticket facade (``/tmf-api/troubleTicket/v4/troubleTicket``): list, read,
create and a narrow PATCH (notes, cancel, close) over the desk's own services, with the same bearer
tokens, channels and visibility rules as /api/v1. Lists answer with ``X-Total-Count`` and
``X-Result-Count`` as the TMF design guidelines ask."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from yikatong.core.errors import InvalidInput
from yikatong.core.ids import PathId
from yikatong.core.pagination import PageParams, page_params
from yikatong.core.validation import validated
from yikatong.deps import DB, CurrentActor, Work
from yikatong.servicedesk import service
from yikatong.servicedesk import tmf621
from yikatong.servicedesk.matrix import CHANNELS_OF_ROLE
from yikatong.servicedesk.models import TicketChannel, TicketType
from yikatong.servicedesk.schemas import TicketCreate
from yikatong.servicedesk.tmf621 import TroubleTicket, TroubleTicketCreate, TroubleTicketUpdate

router = APIRouter(prefix=f"{tmf621.BASE_PATH}/troubleTicket", tags=["work orders (TMF621)"])


def _view(db, actor, ticket_id: int) -> TroubleTicket:
    ticket = service.get_ticket(db, actor=actor, ticket_id=ticket_id)
    return tmf621.to_tmf(ticket, service.history(db, ticket_id=ticket.id))


@router.get("", response_model=list[TroubleTicket], response_model_by_alias=True,
            summary="List trouble tickets (TMF621); filters status and ticketType, paging offset/limit")
def list_trouble_tickets(response: Response, actor: CurrentActor, db: DB,
                         page: Annotated[PageParams, Depends(page_params)],
                         status: Annotated[str | None, Query(pattern="^(" + "|".join(tmf621.TMF_STATUSES) + ")$")]
                         = None,
                         ticketType: TicketType | None = None):  # noqa: N803 - the standard's name
    found = service.list_tickets(db, actor=actor, page=page, queue=False, type=ticketType.value if ticketType else None,
                                 statuses=tmf621.statuses_for(status) if status else None)
    response.headers["X-Total-Count"] = str(found.total)
    response.headers["X-Result-Count"] = str(len(found.items))
    return [tmf621.to_tmf(t, service.history(db, ticket_id=t.id)) for t in found.items]


@router.get("/{ticket_id}", response_model=TroubleTicket, response_model_by_alias=True,
            summary="Read a trouble ticket (TMF621)")
def get_trouble_ticket(ticket_id: PathId, actor: CurrentActor, db: DB):
    return _view(db, actor, ticket_id)


@router.post("", response_model=TroubleTicket, response_model_by_alias=True, status_code=201,
             summary="Create a trouble ticket (TMF621 TroubleTicket_Create)")
def create_trouble_ticket(body: TroubleTicketCreate, work: Work):
    with work.write() as (db, actor):
        values = tmf621.creation_arguments(body)
        if values["channel"] is None:
            allowed = CHANNELS_OF_ROLE.get(actor.role, frozenset())
            values["channel"] = min((c.value for c in allowed), default=TicketChannel.website.value)
        data = validated(TicketCreate, **values)
        ticket = service.create_ticket(db, actor=actor, **data.model_dump())
        for note in body.note:
            service.comment(db, actor=actor, ticket_id=ticket.id, note=note.text)
        return tmf621.to_tmf(ticket, service.history(db, ticket_id=ticket.id))


@router.patch("/{ticket_id}", response_model=TroubleTicket, response_model_by_alias=True,
              summary="Add notes to a trouble ticket, or cancel or close it (TMF621 merge-patch)")
def patch_trouble_ticket(ticket_id: PathId, body: TroubleTicketUpdate, work: Work):
    if body.status is None and not body.note:
        raise InvalidInput("nothing to change: send note entries or status cancelled/closed", code="nothing_to_change")
    with work.write() as (db, actor):
        for note in body.note:
            service.comment(db, actor=actor, ticket_id=ticket_id, note=note.text)
        if body.status == "cancelled":
            service.cancel(db, actor=actor, ticket_id=ticket_id, note=body.status_change_reason)
        elif body.status == "closed":
            service.close(db, actor=actor, ticket_id=ticket_id, note=body.status_change_reason)
        return _view(db, actor, ticket_id)
