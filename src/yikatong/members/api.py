from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse

from yikatong.core.ids import PathId
from yikatong.core.pagination import PageOut, PageParams, page_params
from yikatong.deps import DB, CurrentActor
from yikatong.members import service
from yikatong.members.importer import MAX_BYTES
from yikatong.members.models import MemberStatus
from yikatong.members.schemas import ImportResult, MemberCreate, MemberOut, MemberUpdate

router = APIRouter(tags=["members"])


@router.get("/enterprises/{enterprise_id}/members", response_model=PageOut[MemberOut])
def search(enterprise_id: PathId, actor: CurrentActor, db: DB, page: Annotated[PageParams, Depends(page_params)],
           q: Annotated[str | None, Query(max_length=100, description="part of a name, phone or staff number")] = None,
           status: MemberStatus | None = None) -> PageOut[MemberOut]:
    result = service.search_members(db, actor=actor, enterprise_id=enterprise_id, page=page, q=q, status=status)
    return PageOut(items=[MemberOut.model_validate(m) for m in result.items], total=result.total)


@router.post("/enterprises/{enterprise_id}/members", response_model=MemberOut, status_code=201)
def add(enterprise_id: PathId, body: MemberCreate, actor: CurrentActor, db: DB) -> MemberOut:
    member = service.add_member(db, actor=actor, enterprise_id=enterprise_id, **body.model_dump())
    return MemberOut.model_validate(member)


@router.post("/enterprises/{enterprise_id}/members/import", response_model=ImportResult,
             responses={422: {"description": "rows with errors: nothing imported; the body also carries `error`"}},
             summary="Bulk import from .csv or .xlsx (header name,phone,staff_no,department)")
def import_(enterprise_id: PathId, actor: CurrentActor, db: DB, file: Annotated[UploadFile, File()]):
    content = file.file.read(MAX_BYTES + 1)
    result = service.import_members(db, actor=actor, enterprise_id=enterprise_id,
                                    filename=file.filename or "", content=content)
    if result.errors:
        # Nothing was imported: a 4xx, with the per-row report beside the usual error shape.
        body = result.model_dump() | {"error": {
            "code": "import_rejected",
            "message": f"{len(result.errors)} error(s) in the file; nothing was imported",
            "details": {"errors": len(result.errors)}}}
        return JSONResponse(status_code=422, content=body)
    return result


@router.get("/members/{member_id}", response_model=MemberOut)
def get(member_id: PathId, actor: CurrentActor, db: DB) -> MemberOut:
    return MemberOut.model_validate(service.get_member(db, actor=actor, member_id=member_id))


@router.patch("/members/{member_id}", response_model=MemberOut)
def update(member_id: PathId, body: MemberUpdate, actor: CurrentActor, db: DB) -> MemberOut:
    member = service.update_member(db, actor=actor, member_id=member_id, **body.model_dump(exclude_unset=True))
    return MemberOut.model_validate(member)


@router.delete("/members/{member_id}", status_code=204)
def remove(member_id: PathId, actor: CurrentActor, db: DB) -> None:
    service.remove_member(db, actor=actor, member_id=member_id)


@router.post("/members/{member_id}/suspend", response_model=MemberOut, summary="Suspend service (M6)")
def suspend(member_id: PathId, actor: CurrentActor, db: DB) -> MemberOut:
    return MemberOut.model_validate(service.suspend_member(db, actor=actor, member_id=member_id))


@router.post("/members/{member_id}/resume", response_model=MemberOut, summary="Resume service (M6)")
def resume(member_id: PathId, actor: CurrentActor, db: DB) -> MemberOut:
    return MemberOut.model_validate(service.resume_member(db, actor=actor, member_id=member_id))
