from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from yikatong.auth import person
from yikatong.deps import DB, CurrentActor

router = APIRouter(tags=["personal portal"])


class CodeRequest(BaseModel):
    phone: str = Field(min_length=1, max_length=32)


class PortalPassword(BaseModel):
    phone: str = Field(min_length=1, max_length=32)
    code: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")
    password: str = Field(min_length=8, max_length=128)


class ServicePasswordChange(BaseModel):
    new_password: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")
    old_password: str | None = Field(default=None, max_length=6)


@router.post("/portal/code", status_code=202, summary="Send a one-time code by SMS to set the portal password")
def send_code(body: CodeRequest, db: DB) -> dict:
    person.request_portal_code(db, phone=body.phone)
    return {"status": "sent_if_member"}


@router.post("/portal/password", status_code=204, summary="Set the portal password with the SMS code")
def set_password(body: PortalPassword, db: DB) -> None:
    person.set_portal_password(db, phone=body.phone, code=body.code, password=body.password)


@router.put("/me/service-password", status_code=204, summary="Set or change the six-digit service password (X3)")
def set_service_password(body: ServicePasswordChange, actor: CurrentActor, db: DB) -> None:
    person.set_service_password(db, actor=actor, new_password=body.new_password, old_password=body.old_password)
