from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yikatong.core.idempotency import Idempotent, respond
from yikatong.core.ids import PathId
from yikatong.core.pagination import PageOut, PageParams, page_params
from yikatong.deps import DB, CurrentActor, Work
from yikatong.offline import service
from yikatong.offline.models import OfflineRecord
from yikatong.offline.schemas import BatchIn, BatchOut, Flag, RecordOut

router = APIRouter(tags=["offline"])


def record_out(r: OfflineRecord) -> RecordOut:
    return RecordOut(id=r.id, terminal_id=r.terminal_id, card_no=r.card_no, offline_counter=r.offline_counter,
                     amount_fen=r.amount_fen, transaction_type=r.transaction_type, sam_terminal_id=r.sam_terminal_id,
                     terminal_serial=r.terminal_serial, at=r.at, tac=r.tac, transfer_id=r.transfer_id,
                     flags=[f for f in r.flags.split(",") if f], uploaded_at=r.uploaded_at)


@router.post("/terminal/offline-records", response_model=BatchOut,
             responses={422: {"description": "a malformed record (details.errors name records.<index>.<field>) "
                                             "or more than 500 records; nothing stored"}},
             summary="A POS uploads its offline purchase records (P7)")
def upload(body: BatchIn, work: Work, idem: Idempotent):
    with work.write() as (db, actor):
        return respond(db, actor=actor, request=idem, status_code=200,
                       produce=lambda: service.upload(db, actor=actor, records=body.records))


@router.get("/enterprises/{enterprise_id}/offline-records", response_model=PageOut[RecordOut],
            summary="The enterprise's offline records; ?flagged=true for those to follow up (P7)")
def list_records(enterprise_id: PathId, actor: CurrentActor, db: DB, page: Annotated[PageParams, Depends(page_params)],
                 flagged: bool | None = None, flag: Flag | None = None,
                 card_no: Annotated[str | None, Query(pattern=r"^\d{16}$")] = None) -> PageOut[RecordOut]:
    found = service.list_records(db, actor=actor, enterprise_id=enterprise_id, page=page, flagged=flagged, flag=flag,
                                 card_no=card_no)
    return PageOut[RecordOut](items=[record_out(r) for r in found.items], total=found.total)
