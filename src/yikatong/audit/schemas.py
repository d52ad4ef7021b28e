from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor_id: int | None
    actor_username: str
    actor_role: str | None
    channel: str
    action: str
    entity_type: str
    entity_id: str
    enterprise_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
