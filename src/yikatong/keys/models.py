"""Tables of the key service (E2, T1). Key material is only ever stored sealed by keys.vault
(AES-256-GCM under the KEK, the row's identity as associated data); no column holds a clear key."""

from __future__ import annotations

import datetime as dt
from enum import IntEnum, StrEnum

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yikatong.core.clock import now
from yikatong.db import Base, UTCDateTime


class KeyType(StrEnum):
    """An enterprise's master keys, one per card key (FMCOS naming in brackets)."""

    purchase = "purchase"  # DPK: purchase MAC1/MAC2 session keys (the SAM holds this one)
    load = "load"  # DLK: load MAC1/MAC2 session keys (only the platform holds it)
    tac = "tac"  # DTK: transaction authorisation codes (only the platform verifies them)
    maintenance = "maintenance"  # application maintenance / line protection: key-write, block, unblock
    external_auth = "external_auth"  # external authentication (mutual authentication, T1)
    internal_auth = "internal_auth"  # internal authentication: the card proves itself (T1)


# One byte per key type: in the enterprise diversification factor, the mother card and the card's
# key-write command (the same numbers as cardproto.secure.KeyType).
KEY_TYPE_CODES: dict[KeyType, int] = {KeyType.purchase: 0x01, KeyType.load: 0x02, KeyType.tac: 0x03,
                                      KeyType.maintenance: 0x04, KeyType.external_auth: 0x05,
                                      KeyType.internal_auth: 0x06}
KEY_TYPES_BY_CODE = {code: kt for kt, code in KEY_TYPE_CODES.items()}


class Algorithm(IntEnum):
    """The algorithm-id byte a card reports (CARD-PROTOCOL.md); SM4 0x04 is the product's own profile."""

    tdes = 0x00
    sm4 = 0x04


ALGORITHM_NAMES = {Algorithm.tdes: "3des", Algorithm.sm4: "sm4"}


class KeyStatus(StrEnum):
    active = "active"
    retired = "retired"  # kept to verify the records and re-wash the cards of an older version


class PlatformRootKey(Base):
    """The platform root of one algorithm; enterprise master keys are diversified from it."""

    __tablename__ = "platform_root_keys"
    __table_args__ = (UniqueConstraint("algorithm_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    algorithm_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=KeyStatus.active.value)
    material: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class EnterpriseKeyProfile(Base):
    """An enterprise's key set: its algorithm profile and the key version cards are washed with now."""

    __tablename__ = "enterprise_key_profiles"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True, autoincrement=False)
    algorithm_id: Mapped[int] = mapped_column(Integer)
    current_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class EnterpriseKey(Base):
    """One master key of an enterprise at one version. Old versions stay (retired) so records and
    cards of that version can still be verified and re-washed."""

    __tablename__ = "enterprise_keys"
    __table_args__ = (UniqueConstraint("enterprise_id", "key_type", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    key_type: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    algorithm_id: Mapped[int] = mapped_column(Integer)
    root_key_id: Mapped[int] = mapped_column(ForeignKey("platform_root_keys.id"))
    status: Mapped[str] = mapped_column(String(16), default=KeyStatus.active.value)
    material: Mapped[bytes] = mapped_column(LargeBinary)  # sealed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class TerminalMotherCard(Base):
    """The key mother card an issuing terminal has imported (E2): its enterprise's keys, sealed
    under the KEK like every other key. One per terminal; a newer import replaces it."""

    __tablename__ = "terminal_mother_cards"

    id: Mapped[int] = mapped_column(primary_key=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("terminals.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    key_set_version: Mapped[int] = mapped_column(Integer)
    bundle_created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    material: Mapped[bytes] = mapped_column(LargeBinary)  # sealed payload of the bundle
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)
