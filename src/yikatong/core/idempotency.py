"""Idempotency keys (ARCHITECTURE §3): a POST that moves money or changes a card may carry
``Idempotency-Key``; a repeat with the same key (same caller) returns the first response — same
status, same body — and changes nothing. The record is written in the transaction of the change,
so a change and its remembered answer commit or vanish together. Reusing a key for a different
request is refused (422 ``idempotency_key_reused``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import JSON, Integer, String, UniqueConstraint, bindparam, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.errors import InvalidInput
from yikatong.db import Base, UTCDateTime

MAX_KEY = 100


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))  # user id, or terminal id: keys are per caller
    key: Mapped[str] = mapped_column(String(MAX_KEY))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class IdempotentRequest:
    key: str | None
    fingerprint: str


async def _idempotent_request(
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=MAX_KEY, description="repeat-safe request id")] = None,
) -> IdempotentRequest:
    body = await request.body()
    fingerprint = hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + body).hexdigest()
    return IdempotentRequest(key=idempotency_key.strip() if idempotency_key else None, fingerprint=fingerprint)


Idempotent = Annotated[IdempotentRequest, Depends(_idempotent_request)]

_records = IdempotencyRecord.__table__
# Built once: every money request runs them (Core, no ORM objects).
_STORED = select(_records.c.fingerprint, _records.c.status_code, _records.c.body).where(
    _records.c.owner == bindparam("owner"), _records.c.key == bindparam("key"))
_REMEMBER = insert(_records)


def respond(db: Session, *, actor: Actor, request: IdempotentRequest, status_code: int,
            produce: Callable[[], Any]) -> JSONResponse:
    """Run ``produce`` once per key: the first time its result is stored with ``status_code``; a
    repeat gets the stored answer (header ``Idempotent-Replayed: true``) and ``produce`` never runs."""
    if request.key is None:
        return JSONResponse(status_code=status_code, content=jsonable_encoder(produce()))
    owner = f"user:{actor.user_id}" if actor.user_id is not None else f"name:{actor.username}"
    stored = db.execute(_STORED, {"owner": owner, "key": request.key}).first()
    if stored is not None:
        if stored.fingerprint != request.fingerprint:
            raise InvalidInput("this Idempotency-Key was already used for a different request",
                               code="idempotency_key_reused")
        return JSONResponse(status_code=stored.status_code, content=stored.body,
                            headers={"Idempotent-Replayed": "true"})
    body = jsonable_encoder(produce())
    # A racing twin with the same key fails here on the unique (owner, key) and rolls back whole.
    db.execute(_REMEMBER, {"owner": owner, "key": request.key, "fingerprint": request.fingerprint,
                           "status_code": status_code, "body": body, "created_at": clock.now()})
    return JSONResponse(status_code=status_code, content=body)
