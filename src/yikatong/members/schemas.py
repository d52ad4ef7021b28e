from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yikatong.members.models import MemberStatus
from yikatong.core.errors import InvalidInput
from yikatong.members.phones import normalize_phone


def _phone_field(v: str) -> str:
    try:
        return normalize_phone(v)
    except InvalidInput as exc:  # surface as a field error, so imports can report it per row
        raise ValueError(exc.message) from None


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


class MemberFields(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(min_length=1, max_length=32, description="mainland mobile, 11 digits")
    staff_no: str | None = Field(default=None, max_length=32)
    department: str | None = Field(default=None, max_length=100)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = " ".join(v.split())
        if not v:
            raise ValueError("a name is required")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        return _phone_field(v)

    @field_validator("staff_no", "department")
    @classmethod
    def _optional(cls, v: str | None) -> str | None:
        return _blank_to_none(v)


class MemberCreate(MemberFields):
    pass


class MemberUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=50)
    phone: str | None = Field(default=None, min_length=1, max_length=32)
    staff_no: str | None = Field(default=None, max_length=32)
    department: str | None = Field(default=None, max_length=100)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = " ".join(v.split())
        if not v:
            raise ValueError("a name cannot be blank")
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return None if v is None else _phone_field(v)


class MemberOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_id: int
    name: str
    phone: str
    staff_no: str | None
    department: str | None
    status: MemberStatus
    created_at: dt.datetime
    updated_at: dt.datetime


class ImportError_(BaseModel):
    row: int = Field(description="row number in the file, the header being row 1")
    message: str
    field: str | None = None


class ImportResult(BaseModel):
    created: int
    errors: list[ImportError_]
