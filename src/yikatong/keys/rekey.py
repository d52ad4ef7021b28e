"""Rotation of the key-encryption key (T1): every sealed row — platform roots, enterprise keys,
imported mother cards — opened under the current KEK and sealed again under the new one, in one
transaction, so a database never holds keys under two KEKs. The card keys themselves do not change
(they are derived from the masters, which are the same bytes): no card needs washing again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.tenancy import require_role
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import InvalidInput
from yikatong.keys import keystore, mothercard, vault
from yikatong.keys.models import EnterpriseKey, PlatformRootKey, TerminalMotherCard


@dataclass(frozen=True)
class Rekeyed:
    root_keys: int
    enterprise_keys: int
    mother_cards: int


def rekey(db: Session, *, actor: Actor, new_kek: bytes) -> Rekeyed:
    """Re-seal every stored key under ``new_kek`` (operators only). Any row that does not open under
    the current KEK stops the rotation before anything is written (503 ``key_store_unavailable``);
    the caller commits, then every process must be restarted with the new YKT_KEY_ENCRYPTION_KEY."""
    require_role(actor, [Role.operator])
    old_kek = vault.current_kek()
    if new_kek == old_kek:
        raise InvalidInput("the new key-encryption key is the current one", code="same_kek")
    tables = ((PlatformRootKey, keystore.root_aad), (EnterpriseKey, keystore.key_aad),
              (TerminalMotherCard, mothercard.store_aad))
    counts = []
    for model, aad_of in tables:
        rows = db.scalars(select(model).order_by(model.id).with_for_update()).all()
        for row in rows:
            row.material = vault.reseal(row.material, associated=aad_of(row), old_kek=old_kek, new_kek=new_kek)
        counts.append(len(rows))
    db.flush()
    done = Rekeyed(*counts)
    audit.record(db, actor=actor, action="keys.rekey", entity_type="key_store", entity_id=0, enterprise_id=None,
                 after={"root_keys": done.root_keys, "enterprise_keys": done.enterprise_keys,
                        "mother_cards": done.mother_cards})
    return done
