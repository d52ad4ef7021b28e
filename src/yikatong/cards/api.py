from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, File, Query, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from yikatong.cards import blacklist, flows, service, stock
from yikatong.cards.access import visible_applications
from yikatong.cards.models import Card
from yikatong.cards.schemas import (
    ApplicationOpen, ApplicationOut, BlacklistDelta, CancelOut, CardCancel, CardIssue, CardOut, CardReplace,
    CardStatusOut, PhoneChange, ServicePasswordBody, StockImportResult,
)
from yikatong.core.actor import Actor
from yikatong.core.idempotency import Idempotent, respond
from yikatong.core.ids import PathId
from yikatong.deps import DB, CurrentActor
from yikatong.enterprises import service as enterprises

router = APIRouter(tags=["cards"])
NO_BODY = ServicePasswordBody()


def card_out(db: Session, actor: Actor, card: Card) -> CardOut:
    apps = [ApplicationOut.model_validate(a) for a in visible_applications(db, actor, card)]
    return CardOut(id=card.id, card_no=card.card_no, kind=card.kind, status=card.status, phone=card.phone,
                   holder_name=card.holder_name, iccid=card.iccid, imsi=card.imsi, uid=card.uid,
                   issued_at=card.issued_at, replaces_card_id=card.replaces_card_id,
                   restored_from=card.restored_from, applications=apps)


def status_out(card: Card) -> CardStatusOut:
    return CardStatusOut(id=card.id, card_no=card.card_no, status=card.status)


@router.post("/card-stock/import", response_model=StockImportResult, summary="Import card stock from CSV (C1)",
             responses={422: {"description": "rows with errors: nothing imported"}})
def import_stock(actor: CurrentActor, db: DB, file: Annotated[UploadFile, File()],
                 batch: Annotated[str, Query(max_length=64)] = ""):
    result = stock.import_stock(db, actor=actor, content=file.file.read(stock.MAX_BYTES + 1), batch=batch)
    if result.errors:
        return JSONResponse(status_code=422, content=result.model_dump() | {"error": {
            "code": "import_rejected", "message": f"{len(result.errors)} error(s); nothing was imported",
            "details": {"errors": len(result.errors)}}})
    return result


@router.post("/cards", response_model=CardOut, status_code=201, summary="Issue a card to a member (C2, M2, M3)")
def issue(body: CardIssue, actor: CurrentActor, db: DB, idem: Idempotent):
    return respond(db, actor=actor, request=idem, status_code=201, produce=lambda: card_out(
        db, actor, flows.issue_card(db, actor=actor, member_id=body.member_id, kind=body.kind, iccid=body.iccid,
                                    imsi=body.imsi, uid=body.uid)))


@router.get("/cards", response_model=list[CardOut], summary="Find cards by card number or phone (agents, operators)")
def find(actor: CurrentActor, db: DB, card_no: Annotated[str | None, Query(max_length=16)] = None,
         phone: Annotated[str | None, Query(max_length=32)] = None) -> list[CardOut]:
    return [card_out(db, actor, card) for card in service.find_cards(db, actor=actor, card_no=card_no, phone=phone)]


@router.get("/cards/{card_id}", response_model=CardOut, summary="A card with its sub-applications (C10)")
def get(card_id: PathId, actor: CurrentActor, db: DB) -> CardOut:
    return card_out(db, actor, service.get_card(db, actor=actor, card_id=card_id))


@router.post("/cards/{card_id}/applications", response_model=ApplicationOut, status_code=201,
             summary="Open an enterprise sub-application over the air or locally (C4)")
def open_application(card_id: PathId, body: ApplicationOpen, actor: CurrentActor, db: DB, idem: Idempotent):
    return respond(db, actor=actor, request=idem, status_code=201, produce=lambda: ApplicationOut.model_validate(
        flows.open_application(db, actor=actor, card_id=card_id, enterprise_id=body.enterprise_id,
                               type=body.type, mode=body.mode)))


@router.delete("/cards/{card_id}/applications/{application_id}", status_code=204,
               summary="Delete one sub-application; the member confirms with the service password (C8)")
def delete_application(card_id: PathId, application_id: PathId, actor: CurrentActor, db: DB,
                       body: Annotated[ServicePasswordBody | None, Body()] = None) -> None:
    service.delete_application(db, actor=actor, card_id=card_id, application_id=application_id,
                               service_password=(body or NO_BODY).service_password)


@router.post("/cards/{card_id}/loss", response_model=CardStatusOut, summary="Report loss (C5)")
def report_loss(card_id: PathId, actor: CurrentActor, db: DB, idem: Idempotent,
                body: Annotated[ServicePasswordBody | None, Body()] = None):
    return respond(db, actor=actor, request=idem, status_code=200, produce=lambda: status_out(service.report_loss(
        db, actor=actor, card_id=card_id, service_password=(body or NO_BODY).service_password)))


@router.post("/cards/{card_id}/unfreeze", response_model=CardStatusOut, summary="Unfreeze a lost card (C6)")
def unfreeze(card_id: PathId, actor: CurrentActor, db: DB, idem: Idempotent):
    return respond(db, actor=actor, request=idem, status_code=200,
                   produce=lambda: status_out(service.unfreeze(db, actor=actor, card_id=card_id)))


@router.post("/cards/{card_id}/replace", response_model=CardOut, status_code=201, summary="Replace a card (C7)")
def replace(card_id: PathId, body: CardReplace, actor: CurrentActor, db: DB, idem: Idempotent):
    return respond(db, actor=actor, request=idem, status_code=201, produce=lambda: card_out(
        db, actor, flows.replace_card(db, actor=actor, card_id=card_id, kind=body.kind,
                                        old_card_readable=body.old_card_readable, iccid=body.iccid,
                                        imsi=body.imsi, uid=body.uid)))


@router.post("/cards/{card_id}/cancel", response_model=CancelOut, summary="Cancel a card (C9)")
def cancel(card_id: PathId, body: CardCancel, actor: CurrentActor, db: DB, idem: Idempotent):
    def produce() -> CancelOut:
        card, refunded = flows.cancel_card(db, actor=actor, card_id=card_id, refund=body.refund)
        return CancelOut(id=card.id, card_no=card.card_no, status=card.status, refunded_fen=refunded)

    return respond(db, actor=actor, request=idem, status_code=200, produce=produce)


@router.post("/cards/{card_id}/transfer", summary="Transfer of ownership: always refused (M4)",
             responses={409: {"description": "transfer_not_supported"}})
def transfer(card_id: PathId, actor: CurrentActor, db: DB) -> None:
    service.refuse_transfer(db, actor=actor, card_id=card_id)


@router.post("/members/{member_id}/phone-change", response_model=CardOut, status_code=201,
             summary="Change a member's number: old sub-applications cancelled, new card (M5)")
def phone_change(member_id: PathId, body: PhoneChange, actor: CurrentActor, db: DB, idem: Idempotent):
    return respond(db, actor=actor, request=idem, status_code=201, produce=lambda: card_out(
        db, actor, service.change_phone(db, actor=actor, member_id=member_id, new_phone=body.new_phone,
                                        kind=body.kind, iccid=body.iccid, imsi=body.imsi, uid=body.uid)))


@router.get("/enterprises/{enterprise_id}/blacklist", response_model=BlacklistDelta,
            summary="Blacklist changes since a version (T3)")
def get_blacklist(enterprise_id: PathId, actor: CurrentActor, db: DB,
                  since: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0) -> BlacklistDelta:
    enterprises.get_enterprise(db, actor=actor, enterprise_id=enterprise_id)  # its admin; staff; else 404
    return blacklist.delta_since(db, enterprise_id=enterprise_id, since=since)


@router.get("/me/cards", response_model=list[CardOut], summary="The signed-in member's cards (C10)")
def my_cards(actor: CurrentActor, db: DB) -> list[CardOut]:
    return [card_out(db, actor, card) for card in service.my_cards(db, actor=actor)]


@router.get("/members/{member_id}/cards", response_model=list[CardOut], summary="Cards under a member's number")
def member_cards(member_id: PathId, actor: CurrentActor, db: DB) -> list[CardOut]:
    return [card_out(db, actor, card) for card in service.cards_of_member(db, actor=actor, member_id=member_id)]
