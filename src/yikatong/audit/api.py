from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from yikatong.audit import service
from yikatong.audit.schemas import AuditEntryOut
from yikatong.core.ids import PathId, QueryId
from yikatong.core.pagination import PageOut, PageParams, page_params
from yikatong.deps import DB, CurrentActor

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=PageOut[AuditEntryOut], summary="The audit trail (X4), newest first")
def list_(actor: CurrentActor, db: DB, page: Annotated[PageParams, Depends(page_params)],
          enterprise_id: QueryId = None,
          entity_type: Annotated[str | None, Query(max_length=32)] = None,
          entity_id: Annotated[str | None, Query(max_length=64)] = None,
          action: Annotated[str | None, Query(max_length=64)] = None,
          actor_username: Annotated[str | None, Query(max_length=64)] = None) -> PageOut[AuditEntryOut]:
    result = service.list_entries(db, actor=actor, page=page, enterprise_id=enterprise_id, entity_type=entity_type,
                                  entity_id=entity_id, action=action, actor_username=actor_username)
    return PageOut(items=[AuditEntryOut.model_validate(e) for e in result.items], total=result.total)
