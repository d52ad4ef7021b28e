from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from yikatong.core.ids import PathId
from yikatong.deps import DB, CurrentActor, Work
from yikatong.terminals import service, sync
from yikatong.terminals.schemas import (
    MerchantCreate, MerchantOut, SyncOut, TerminalCreate, TerminalCreated, TerminalOut, TerminalSyncState,
)

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


@router.get("/terminal/sync", response_model=SyncOut,
            summary="A terminal's incremental sync: blacklist changes and, when changed, its parameters (T3)")
def terminal_sync(work: Work,
                  blacklist_version: Annotated[int, Query(ge=0, le=2**31 - 1, description="the version held")] = 0,
                  parameters_version: Annotated[str | None, Query(pattern="^[0-9a-f]{16}$")] = None,
                  permissions_version: Annotated[int, Query(ge=0, le=2**31 - 1,
                                                            description="door terminals: the version held")] = 0
                  ) -> SyncOut:
    # A GET that writes: the platform records the versions the device holds (T3).
    with work.write() as (db, actor):
        return sync.sync(db, actor=actor, blacklist_version=blacklist_version, parameters_version=parameters_version,
                         permissions_version=permissions_version)


@router.get("/enterprises/{enterprise_id}/terminals/sync-states", response_model=list[TerminalSyncState],
            summary="Which blacklist and parameters version each terminal holds, and how far it lags (T3)")
def sync_states(enterprise_id: PathId, actor: CurrentActor, db: DB) -> list[TerminalSyncState]:
    return sync.sync_states(db, actor=actor, enterprise_id=enterprise_id)
