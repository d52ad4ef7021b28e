from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from yikatong.keys.models import KeyStatus, KeyType

AlgorithmName = Literal["3des", "sm4"]
PASSPHRASE = Field(min_length=12, max_length=256, description="protects the key mother card; 12–256 characters")


class KeysCreate(BaseModel):
    algorithm: AlgorithmName = Field(default="3des", description="the enterprise's algorithm profile (id 00 or 04)")


class KeysRotate(BaseModel):
    algorithm: AlgorithmName | None = Field(default=None, description="switch profile with the new version")


class KeyOut(BaseModel):
    """Metadata of one master key: never its material."""

    key_type: KeyType
    version: int
    algorithm: AlgorithmName
    algorithm_id: int
    status: KeyStatus
    created_at: dt.datetime
    retired_at: dt.datetime | None


class KeySetOut(BaseModel):
    enterprise_id: int
    algorithm: AlgorithmName
    algorithm_id: int
    current_version: int
    keys: list[KeyOut]


class MotherCardRequest(BaseModel):
    passphrase: str = PASSPHRASE


class MotherCardUpload(BaseModel):
    bundle: str = Field(min_length=1, max_length=200_000, description="the mother card file, base64")
    passphrase: str = PASSPHRASE


class MotherCardImported(BaseModel):
    terminal_id: int
    enterprise_id: int
    key_set_version: int
    bundle_created_at: dt.datetime
    imported_at: dt.datetime
