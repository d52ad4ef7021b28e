"""The fixed test KEK, and the card's side of the protocol played with cardproto directly."""

from __future__ import annotations

import pytest
from support.kek import TEST_KEK

from yikatong.cardproto import algorithms as alg
from yikatong.keys import keystore, vault
from yikatong.keys.models import KeyType


@pytest.fixture
def kek():
    """The fixed, public test key-encryption key, installed for the test and restored after."""
    previous = vault.configure(TEST_KEK)
    yield TEST_KEK
    vault.configure(previous)


def card_key(session, *, enterprise_id: int, key_type: KeyType, version: int, card_no: str) -> tuple[int, bytes]:
    """(algorithm id, the card's key) as personalisation would have written it: test-only access to
    the key store, to play the card."""
    master = keystore.master_key(session, enterprise_id=enterprise_id, key_type=key_type, version=version)
    return master.algorithm_id, alg.diversify(master.algorithm_id, master.material,
                                              alg.factor_from_serial(bytes.fromhex(card_no)))


def enterprise_without_keys(database) -> int:
    """An enterprise registered before key sets existed (before migration 0008): the service alone,
    without the registration flow that creates the keys."""
    from factories import PASSWORD, unique_phone
    from yikatong.core.actor import SYSTEM
    from yikatong.enterprises import service as enterprises

    suffix = unique_phone()[-7:]
    with database.write() as s:
        return enterprises.register_enterprise(s, actor=SYSTEM, code=f"GC{suffix}", name=f"老企业{suffix}",
                                               city="杭州", zone="urban", admin_username=f"old{suffix}",
                                               admin_password=PASSWORD).id
