from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from yikatong.core.errors import InvalidInput
from yikatong.members.models import MemberStatus
from yikatong.members.phones import normalize_phone


def _phone_field(v: str) -> str:
    try:
        return normalize_phone(v)
    except InvalidInput as exc:  # surface as a field error, so imports can report it per row
        raise PydanticCustomError("invalid_phone", exc.message) from None


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _clean_name(v: str) -> str:
    v = " ".join(v.split())
    if not v:
        raise PydanticCustomError("blank", "a name cannot be blank")
    return v


PersonName = Annotated[str, StringConstraints(min_length=1, max_length=50), AfterValidator(_clean_name)]
MobilePhone = Annotated[str, StringConstraints(min_length=1, max_length=32), AfterValidator(_phone_field)]
StaffNo = Annotated[str | None, StringConstraints(max_length=32), AfterValidator(_blank_to_none)]
Department = Annotated[str | None, StringConstraints(max_length=100), AfterValidator(_blank_to_none)]


class MemberCreate(BaseModel):
    name: PersonName
    phone: MobilePhone = Field(description="mainland mobile, 11 digits")
    staff_no: StaffNo = None
    department: Department = None


class MemberUpdate(BaseModel):
    """Only the fields sent change; an empty staff number or department clears it."""

    name: PersonName | None = None
    phone: MobilePhone | None = None
    staff_no: StaffNo = None
    department: Department = None


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
    code: str = Field(default="invalid", description="stable code: invalid_phone, duplicate_in_file, "
                                                     "duplicate_phone, no_rows, string_too_short …")
    params: dict[str, int | str] = Field(default_factory=dict)


class ImportResult(BaseModel):
    created: int
    errors: list[ImportError_]
