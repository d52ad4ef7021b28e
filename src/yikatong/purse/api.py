from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from yikatong.auth.tenancy import ensure_enterprise_scope
from yikatong.core import clock
from yikatong.core.idempotency import Idempotent, respond
from yikatong.core.ids import PathId
from yikatong.core.spreadsheets import MAX_BYTES, XLSX_MEDIA_TYPE
from yikatong.deps import DB, CurrentActor, Work
from yikatong.purse import bulk, expiry, service, settlement
from yikatong.purse.bulk import BulkTopupResult
from yikatong.purse.models import Transfer
from yikatong.purse.schemas import (
    MoneyOut, PurseOut, PurseSettingsIn, PurseSettingsOut, SettlementOut, TerminalAmountIn, TopupIn, UndoOut,
)

router = APIRouter(tags=["purse"])


def money_out(transfer: Transfer, *, purse_side: str) -> MoneyOut:
    balance = transfer.credit_balance_after_fen if purse_side == "credit" else transfer.debit_balance_after_fen
    return MoneyOut(transfer_id=transfer.id, amount_fen=transfer.amount_fen, balance_fen=balance)


@router.get("/members/{member_id}/purse", response_model=PurseOut, summary="A member's purse (C10)")
def member_purse(member_id: PathId, actor: CurrentActor, db: DB) -> PurseOut:
    return PurseOut.model_validate(service.member_purse(db, actor=actor, member_id=member_id))


@router.post("/members/{member_id}/topups", response_model=MoneyOut, status_code=201,
             summary="Top up a member's purse over the air (P1)")
def topup(member_id: PathId, body: TopupIn, work: Work, idem: Idempotent):
    with work.write() as (db, actor):
        return respond(db, actor=actor, request=idem, status_code=201, produce=lambda: money_out(
            service.topup_member(db, actor=actor, member_id=member_id, amount_fen=body.amount_fen),
            purse_side="credit"))


@router.post("/enterprises/{enterprise_id}/topups/import", response_model=BulkTopupResult,
             responses={422: {"description": "rows with errors: no money moved"}},
             summary="Bulk top-up from .csv/.xlsx (header phone,amount in yuan) (P1)")
def bulk_topup(enterprise_id: PathId, actor: CurrentActor, db: DB, file: Annotated[UploadFile, File()]):
    result = bulk.bulk_topup(db, actor=actor, enterprise_id=enterprise_id, filename=file.filename or "",
                             content=file.file.read(MAX_BYTES + 1))
    if result.errors:
        return JSONResponse(status_code=422, content=result.model_dump() | {"error": {
            "code": "import_rejected", "message": f"{len(result.errors)} error(s); no money moved",
            "details": {"errors": len(result.errors)}}})
    return result


@router.post("/terminal/purchases", response_model=MoneyOut, status_code=201, summary="A POS charges a card (P3)")
def purchase(body: TerminalAmountIn, work: Work, idem: Idempotent):
    with work.write() as (db, actor):
        return respond(db, actor=actor, request=idem, status_code=201, produce=lambda: money_out(
            service.purchase(db, actor=actor, card_no=body.card_no, amount_fen=body.amount_fen), purse_side="debit"))


@router.post("/terminal/purchases/undo-last", response_model=UndoOut, status_code=201,
             summary="The POS undoes its own last transaction, once (P4)")
def undo_last(work: Work, idem: Idempotent):
    def undo_out(t: Transfer) -> UndoOut:
        return UndoOut(transfer_id=t.id, reversed_transfer_id=t.reverses_transfer_id, amount_fen=t.amount_fen,
                       balance_fen=t.credit_balance_after_fen)

    with work.write() as (db, actor):
        return respond(db, actor=actor, request=idem, status_code=201,
                       produce=lambda: undo_out(service.undo_last_purchase(db, actor=actor)))


@router.post("/terminal/topups", response_model=MoneyOut, status_code=201, summary="A top-up terminal loads a card (P1)")
def terminal_topup(body: TerminalAmountIn, work: Work, idem: Idempotent):
    with work.write() as (db, actor):
        return respond(db, actor=actor, request=idem, status_code=201, produce=lambda: money_out(
            service.terminal_topup(db, actor=actor, card_no=body.card_no, amount_fen=body.amount_fen),
            purse_side="credit"))


@router.get("/enterprises/{enterprise_id}/purse-settings", response_model=PurseSettingsOut)
def get_settings(enterprise_id: PathId, actor: CurrentActor, db: DB) -> PurseSettingsOut:
    ensure_enterprise_scope(actor, enterprise_id)
    s = service.settings_of(db, enterprise_id=enterprise_id)
    return PurseSettingsOut(enterprise_id=enterprise_id, validity_days=s.validity_days, expiry_rule=s.expiry_rule,
                            bill_mode=s.bill_mode)


@router.put("/enterprises/{enterprise_id}/purse-settings", response_model=PurseSettingsOut,
            summary="Balance validity, expiry rule and consumption bills (P5, P6)")
def put_settings(enterprise_id: PathId, body: PurseSettingsIn, actor: CurrentActor, db: DB) -> PurseSettingsOut:
    s = service.set_settings(db, actor=actor, enterprise_id=enterprise_id, validity_days=body.validity_days,
                             expiry_rule=body.expiry_rule.value, bill_mode=body.bill_mode.value)
    return PurseSettingsOut(enterprise_id=enterprise_id, validity_days=s.validity_days, expiry_rule=s.expiry_rule,
                            bill_mode=s.bill_mode)


@router.post("/enterprises/{enterprise_id}/purse/expire", summary="Run the expiry of balances now (P5)")
def expire_now(enterprise_id: PathId, actor: CurrentActor, db: DB) -> dict:
    purses, fen = expiry.expire_balances(db, actor=actor, enterprise_id=enterprise_id)
    return {"purses": purses, "amount_fen": fen}


@router.post("/transfers/{transfer_id}/reverse-expiry", response_model=MoneyOut, status_code=201,
             summary="Give an expired balance back (P5)")
def reverse_expiry(transfer_id: PathId, work: Work, idem: Idempotent):
    with work.write() as (db, actor):
        return respond(db, actor=actor, request=idem, status_code=201, produce=lambda: money_out(
            expiry.reverse_expiry(db, actor=actor, transfer_id=transfer_id), purse_side="credit"))


@router.get("/enterprises/{enterprise_id}/settlements", response_model=SettlementOut,
            summary="Merchants' daily settlement statement (P9); ?format=xlsx for Excel")
def daily_settlement(enterprise_id: PathId, actor: CurrentActor, db: DB,
                     day: Annotated[dt.date | None, Query(description="Beijing date, default today")] = None,
                     format: Annotated[str, Query(pattern="^(json|xlsx)$")] = "json"):
    day = day or clock.local(clock.now()).date()
    statement = settlement.daily_statement(db, actor=actor, enterprise_id=enterprise_id, day=day)
    if format == "json":
        return statement
    return Response(settlement.to_xlsx(statement), media_type=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="settlement-{day.isoformat()}.xlsx"'})


