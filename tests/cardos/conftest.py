"""Card fixtures (no database): an enterprise in each algorithm profile, another enterprise, and a
washed and loaded card."""

from __future__ import annotations

import pytest

from cardos.card_helpers import TERMINAL, WHEN, Enterprise, counting_rng
from yikatong.cardos import VirtualCard
from yikatong.cardos import terminal as T
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import purse as P


@pytest.fixture(params=[alg.ALG_3DES, alg.ALG_SM4], ids=["3des", "sm4"])
def enterprise(request) -> Enterprise:
    return Enterprise(7, request.param)


@pytest.fixture
def other_enterprise(enterprise) -> Enterprise:
    return Enterprise(8, enterprise.alg_id)


@pytest.fixture
def card(enterprise) -> VirtualCard:
    """A washed card of ``enterprise`` with 100.00 yuan loaded."""
    c = VirtualCard.new(P.serial_from_card_no("8688000012345674"), rng=counting_rng())
    enterprise.wash(c)
    T.load(c.transmit, host=enterprise.host, amount=10000, terminal_id=TERMINAL, when=WHEN)
    return c
