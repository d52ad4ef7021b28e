"""T1 / P7 as a property: any sequence of loads, purchases (some by another enterprise's SAM, some
too large) and save/restore cycles leaves the card's balance and counters equal to what succeeded,
and every TAC the card gave verifies from the enterprise's DTK master."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cardos.card_helpers import TERMINAL, WHEN, Enterprise, counting_rng
from yikatong.cardos import VirtualCard
from yikatong.cardos import terminal as T
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as P
from yikatong.cardproto.secure import KeyType

step = st.one_of(
    st.tuples(st.just("load"), st.integers(1, 5000)),
    st.tuples(st.just("buy"), st.integers(1, 3000)),
    st.tuples(st.just("foreign"), st.integers(1, 100)),
    st.tuples(st.just("restore"), st.just(0)),
)


@settings(max_examples=25, deadline=None)
@given(alg_id=st.sampled_from([alg.ALG_3DES, alg.ALG_SM4]), steps=st.lists(step, max_size=15))
def test_r_t1_balance_counters_and_tacs_follow_what_succeeded(alg_id, steps):
    ent, foreign = Enterprise(3, alg_id), Enterprise(4, alg_id)
    card = VirtualCard.new(bytes.fromhex("8600000000000000AB01"), rng=counting_rng())
    ent.wash(card)
    sam, foreign_sam = ent.sam(), foreign.sam(bytes.fromhex("000000000999"))
    dtk = ent.card_key(KeyType.TAC, card.serial)
    balance = loads = buys = 0
    for kind, amount in steps:
        if kind == "restore":
            card = VirtualCard.from_bytes(card.to_bytes(), rng=counting_rng(len(steps) * 7))
        elif kind == "load":
            T.load(card.transmit, host=ent.host, amount=amount, terminal_id=TERMINAL, when=WHEN)
            balance, loads = balance + amount, loads + 1
        elif kind == "foreign":
            try:
                T.offline_purchase(card.transmit, foreign_sam, amount=amount, when=WHEN)
                raise AssertionError("a foreign SAM was accepted")
            except A.CardError as err:
                assert err.sw in (A.SW_MAC_WRONG, A.SW_INSUFFICIENT)
            if card.state.locked:
                return  # three in a row: nothing else can happen on this card
        else:
            try:
                rec = T.offline_purchase(card.transmit, sam, amount=amount, when=WHEN)
            except A.CardError as err:
                assert err.sw == A.SW_INSUFFICIENT and amount > balance
                continue
            date, time = P.encode_datetime(rec.at)
            assert rec.offline_counter == buys
            assert rec.tac == P.purchase_tac(
                alg_id, dtk, amount=P.encode_amount(amount), tx_type=b"\x06",
                terminal_id=TERMINAL, terminal_serial=P.encode_terminal_serial(rec.terminal_serial),
                date=date, time=time)
            balance, buys = balance - amount, buys + 1
        assert card.state.balance == balance >= 0
        assert (card.state.online_counter, card.state.offline_counter) == (loads, buys)
