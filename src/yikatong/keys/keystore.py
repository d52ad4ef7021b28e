"""The key service's storage internals (T1, E2): creating, sealing and opening root and enterprise
master keys. Private to yikatong.keys — other domains use keys.service, which never hands out a card
key in clear.

Enterprise master keys are diversified from the platform root of their algorithm (ours):
``MK(enterprise, type, version) = Div(root, D)`` with the 8-byte factor
``D = enterprise id (4, big-endian) ‖ key-type code (1) ‖ key version (1) ‖ 00 00``. The result is
stored (sealed) with the id of the root it came from, so a later root rotation changes no existing
enterprise key, and a lost row can be re-derived from its root.
"""

from __future__ import annotations

import secrets
import struct
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yikatong.cardproto import algorithms as alg
from yikatong.core import clock
from yikatong.core.errors import Conflict, InvalidInput
from yikatong.keys import vault
from yikatong.keys.models import (
    ALGORITHM_NAMES, KEY_TYPE_CODES, Algorithm, EnterpriseKey, EnterpriseKeyProfile, KeyStatus, KeyType,
    PlatformRootKey,
)

MAX_VERSION = 255  # the card reports its key version in one byte


@dataclass(frozen=True)
class MasterKey:
    """An opened enterprise master key: stays inside yikatong.keys."""

    key_type: KeyType
    version: int
    algorithm_id: int
    status: str
    material: bytes


def algorithm_of(value: Algorithm | int | str) -> Algorithm:
    """``3des``/``sm4``, ``0``/``4`` or an Algorithm; anything else is a 422 ``unknown_algorithm``."""
    if isinstance(value, str):
        by_name = {name: a for a, name in ALGORITHM_NAMES.items()}
        if value.lower() in by_name:
            return by_name[value.lower()]
    elif isinstance(value, int) and value in tuple(Algorithm):
        return Algorithm(value)
    raise InvalidInput(f"unknown algorithm {value!r}; use 3des (00) or sm4 (04)", code="unknown_algorithm")


def enterprise_factor(enterprise_id: int, key_type: KeyType, version: int) -> bytes:
    return struct.pack(">IBB2x", enterprise_id, KEY_TYPE_CODES[key_type], version)


def root_aad(row: PlatformRootKey) -> bytes:
    return vault.aad("platform_root_keys", row.id, row.algorithm_id, row.version)


def key_aad(row: EnterpriseKey) -> bytes:
    return vault.aad("enterprise_keys", row.id, row.enterprise_id, row.key_type, row.version, row.algorithm_id)


def _sealed_insert(db: Session, row, material: bytes, aad_of) -> None:
    # The row's id is part of its associated data, so the row exists before its material is sealed.
    row.material = b""
    db.add(row)
    db.flush()
    row.material = vault.seal(material, associated=aad_of(row))
    db.flush()


def root_key(db: Session, algorithm: Algorithm) -> tuple[PlatformRootKey, bytes]:
    """The active platform root of ``algorithm``, generated (randomly) on first use."""
    stmt = select(PlatformRootKey).where(PlatformRootKey.algorithm_id == int(algorithm),
                                         PlatformRootKey.status == KeyStatus.active.value)
    row = db.scalar(stmt.order_by(PlatformRootKey.version.desc()))
    if row is None:
        material = secrets.token_bytes(alg.key_length(int(algorithm)))
        try:
            with db.begin_nested():
                row = PlatformRootKey(algorithm_id=int(algorithm), version=1, status=KeyStatus.active.value)
                _sealed_insert(db, row, material, root_aad)
            return row, material
        except IntegrityError:  # another transaction created it first
            row = db.scalar(stmt)
    return row, vault.open_(row.material, associated=root_aad(row))


def create_key_set(db: Session, *, enterprise_id: int, algorithm: Algorithm, version: int) -> list[EnterpriseKey]:
    """Every key type of one version, diversified from the root (see the module docstring)."""
    root, root_material = root_key(db, algorithm)
    rows = []
    for key_type in KeyType:
        material = alg.diversify(int(algorithm), root_material, enterprise_factor(enterprise_id, key_type, version))
        row = EnterpriseKey(enterprise_id=enterprise_id, key_type=key_type.value, version=version,
                            algorithm_id=int(algorithm), root_key_id=root.id, status=KeyStatus.active.value)
        _sealed_insert(db, row, material, key_aad)
        rows.append(row)
    return rows


def profile(db: Session, enterprise_id: int, *, for_update: bool = False) -> EnterpriseKeyProfile | None:
    stmt = select(EnterpriseKeyProfile).where(EnterpriseKeyProfile.enterprise_id == enterprise_id)
    return db.scalar(stmt.with_for_update() if for_update else stmt)


def require_profile(db: Session, enterprise_id: int, *, for_update: bool = False) -> EnterpriseKeyProfile:
    found = profile(db, enterprise_id, for_update=for_update)
    if found is None:
        raise Conflict("this enterprise has no key set yet", code="no_key_set")
    return found


def key_rows(db: Session, enterprise_id: int) -> list[EnterpriseKey]:
    return list(db.scalars(select(EnterpriseKey).where(EnterpriseKey.enterprise_id == enterprise_id)
                           .order_by(EnterpriseKey.version, EnterpriseKey.id)))


def retire(rows: list[EnterpriseKey]) -> None:
    at = clock.now()
    for row in rows:
        if row.status == KeyStatus.active.value:
            row.status, row.retired_at = KeyStatus.retired.value, at


def opened(row: EnterpriseKey) -> MasterKey:
    return MasterKey(KeyType(row.key_type), row.version, row.algorithm_id, row.status,
                     vault.open_(row.material, associated=key_aad(row)))


def master_key(db: Session, *, enterprise_id: int, key_type: KeyType, version: int) -> MasterKey | None:
    """One opened master key, or None when the enterprise has no key of that type and version."""
    row = db.scalar(select(EnterpriseKey).where(EnterpriseKey.enterprise_id == enterprise_id,
                                                EnterpriseKey.key_type == key_type.value,
                                                EnterpriseKey.version == version))
    return opened(row) if row is not None else None


def all_master_keys(db: Session, enterprise_id: int) -> list[MasterKey]:
    return [opened(row) for row in key_rows(db, enterprise_id)]
