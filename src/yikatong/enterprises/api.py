from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yikatong.core.ids import PathId
from yikatong.core.pagination import PageOut, PageParams, page_params
from yikatong.deps import DB, CurrentActor
from yikatong.enterprises import flows, service
from yikatong.enterprises.schemas import EnterpriseCreate, EnterpriseOut, EnterpriseUpdate

router = APIRouter(tags=["enterprises"])


@router.post("/enterprises", response_model=EnterpriseOut, status_code=201,
             summary="Register an enterprise with its admin login (E1)")
def register(body: EnterpriseCreate, actor: CurrentActor, db: DB) -> EnterpriseOut:
    enterprise = flows.register_enterprise(db, actor=actor, **body.model_dump())
    return EnterpriseOut.model_validate(enterprise)


@router.get("/enterprises", response_model=PageOut[EnterpriseOut])
def list_(actor: CurrentActor, db: DB, page: Annotated[PageParams, Depends(page_params)],
          q: Annotated[str | None, Query(max_length=100)] = None) -> PageOut[EnterpriseOut]:
    result = service.list_enterprises(db, actor=actor, page=page, q=q)
    return PageOut(items=[EnterpriseOut.model_validate(e) for e in result.items], total=result.total)


@router.get("/enterprises/{enterprise_id}", response_model=EnterpriseOut)
def get(enterprise_id: PathId, actor: CurrentActor, db: DB) -> EnterpriseOut:
    return EnterpriseOut.model_validate(service.get_enterprise(db, actor=actor, enterprise_id=enterprise_id))


@router.patch("/enterprises/{enterprise_id}", response_model=EnterpriseOut)
def update(enterprise_id: PathId, body: EnterpriseUpdate, actor: CurrentActor, db: DB) -> EnterpriseOut:
    enterprise = service.update_enterprise(db, actor=actor, enterprise_id=enterprise_id,
                                           **body.model_dump(exclude_unset=True))
    return EnterpriseOut.model_validate(enterprise)
