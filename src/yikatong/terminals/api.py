from __future__ import annotations

from fastapi import APIRouter

from yikatong.core.ids import PathId
from yikatong.deps import DB, CurrentActor
from yikatong.terminals import service
from yikatong.terminals.schemas import MerchantCreate, MerchantOut, TerminalCreate, TerminalCreated, TerminalOut

router = APIRouter(tags=["terminals"])


@router.post("/enterprises/{enterprise_id}/terminals", response_model=TerminalCreated, status_code=201,
             summary="Register a terminal; its token is shown once (T2)")
def register(enterprise_id: PathId, body: TerminalCreate, actor: CurrentActor, db: DB) -> TerminalCreated:
    terminal, token = service.register_terminal(db, actor=actor, enterprise_id=enterprise_id, type=body.type,
                                                name=body.name, merchant=body.merchant, door_id=body.door_id)
    return TerminalCreated(id=terminal.id, token=token, type=terminal.type, name=terminal.name,
                           merchant_id=terminal.merchant_id)


@router.get("/enterprises/{enterprise_id}/terminals", response_model=list[TerminalOut])
def list_(enterprise_id: PathId, actor: CurrentActor, db: DB) -> list[TerminalOut]:
    return [TerminalOut.model_validate(t) for t in service.list_terminals(db, actor=actor, enterprise_id=enterprise_id)]


@router.post("/enterprises/{enterprise_id}/merchants", response_model=MerchantOut, status_code=201,
             summary="Define a merchant (canteen window, shop) (P9)")
def create_merchant(enterprise_id: PathId, body: MerchantCreate, actor: CurrentActor, db: DB) -> MerchantOut:
    return MerchantOut.model_validate(service.create_merchant(db, actor=actor, enterprise_id=enterprise_id,
                                                              name=body.name))


@router.get("/enterprises/{enterprise_id}/merchants", response_model=list[MerchantOut])
def list_merchants(enterprise_id: PathId, actor: CurrentActor, db: DB) -> list[MerchantOut]:
    return [MerchantOut.model_validate(m) for m in service.list_merchants(db, actor=actor, enterprise_id=enterprise_id)]
