"""T1 / P1 / P7: the purse commands of the virtual card with a SAM and a load host, in both
algorithm profiles (3DES and our SM4)."""

from __future__ import annotations

import pytest

from cardos.card_helpers import TERMINAL, WHEN
from yikatong.cardos import VirtualCard
from yikatong.cardos import terminal as T
from yikatong.cardos.card import AID
from yikatong.cardos.state import KeySlot
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as P
from yikatong.cardproto.secure import KeyType

H = bytes.fromhex


def sw(answer: bytes) -> int:
    return A.Response.parse(answer).sw


def test_r_t1_worked_purchase_example_through_the_card():
    """The CARD-PROTOCOL.md purchase example, answered by the card itself: MAC1 F15CAB75 accepted,
    MAC2 56988A13 returned."""
    card = VirtualCard.new(H("0000000000000001"), rng=lambda n: H("11223344"))
    card.state.put_key(KeySlot(KeyType.PURCHASE, 1, 1, alg.ALG_3DES,
                               H("11223344556677888877665544332211")))
    card.state.put_key(KeySlot(KeyType.TAC, 1, 1, alg.ALG_3DES, bytes(16)))
    card.state.balance = 0x2000
    T.select_purse(card)
    init = P.PurchaseInit.parse(T.send(card, A.initialize_for_purchase(
        key_index=1, amount=H("00001000"), terminal_id=H("001122334455"))))
    assert (init.random, init.offline_counter) == (H("11223344"), 0)
    answer = T.send(card, A.debit_for_purchase(terminal_serial=H("00000001"), date=H("20120229"),
                                               time=H("135100"), mac1=H("F15CAB75")))
    assert answer[4:] == H("56988A13")
    assert card.state.balance == 0x1000 and card.state.offline_counter == 1


def test_r_t1_worked_load_example_through_the_card():
    """The CARD-PROTOCOL.md load example: the card's INITIALIZE FOR LOAD answer carries MAC1 C47312E9."""
    card = VirtualCard.new(H("0000000000000001"), rng=lambda n: H("3948BC11"))
    card.state.put_key(KeySlot(KeyType.LOAD, 1, 1, alg.ALG_3DES,
                               H("00112233445566778899AABBCCDDEEFF")))
    card.state.put_key(KeySlot(KeyType.TAC, 1, 1, alg.ALG_3DES, bytes(16)))
    T.select_purse(card)
    init = P.LoadInit.parse(T.send(card, A.initialize_for_load(
        key_index=1, amount=H("00002000"), terminal_id=H("001122334455"))))
    assert init.mac1 == H("C47312E9")
    assert (init.balance, init.online_counter, init.key_version, init.alg_id) == (0, 0, 1, 0)


def test_r_t1_load_then_purchase_tacs_verify_from_the_dtk_master(enterprise, card):
    serial = card.serial
    dtk = alg.diversify(enterprise.alg_id, enterprise.master(KeyType.TAC),
                        alg.factor_from_serial(serial))
    # a second load, its TAC recomputed by the back end from the DTK master
    res = T.load(card.transmit, host=enterprise.host, amount=2550, terminal_id=TERMINAL, when=WHEN)
    assert (res.balance_before, res.balance_after, res.online_counter) == (10000, 12550, 1)
    assert res.tac == P.load_tac(enterprise.alg_id, dtk, new_balance=P.encode_amount(12550),
                                 online_counter=P.encode_counter(1), amount=P.encode_amount(2550),
                                 tx_type=b"\x02", terminal_id=TERMINAL, date=res.date, time=res.time)
    sam = enterprise.sam()
    rec = T.offline_purchase(card.transmit, sam, amount=1234, when=WHEN)
    assert (rec.offline_counter, rec.terminal_serial, rec.balance_after) == (0, 1, 12550 - 1234)
    date, time = P.encode_datetime(rec.at)
    assert rec.tac == P.purchase_tac(enterprise.alg_id, dtk, amount=P.encode_amount(1234),
                                     tx_type=b"\x06", terminal_id=rec.terminal_id,
                                     terminal_serial=P.encode_terminal_serial(rec.terminal_serial),
                                     date=date, time=time)
    rec2 = T.offline_purchase(card.transmit, sam, amount=100, when=WHEN)
    assert (rec2.offline_counter, rec2.terminal_serial) == (1, 2)
    assert T.get_balance(card.transmit) == 12550 - 1334
    assert (card.state.online_counter, card.state.offline_counter) == (2, 2)


def test_r_p7_offline_record_upload_layout(enterprise, card):
    rec = T.offline_purchase(card.transmit, enterprise.sam(), amount=800, when=WHEN)
    up = rec.as_upload()
    assert up == {"card_no": "8688000012345674", "offline_counter": 0, "amount_fen": 800,
                  "transaction_type": "06", "terminal_id": "000000000101",
                  "terminal_serial": "00000001", "at": "2026-03-02T12:05:30+08:00",
                  "tac": rec.tac.hex().upper()}


def test_r_t1_insufficient_balance_is_9401_and_changes_nothing(enterprise, card):
    with pytest.raises(A.CardError) as err:
        T.offline_purchase(card.transmit, enterprise.sam(), amount=10001, when=WHEN)
    assert err.value.sw == A.SW_INSUFFICIENT
    assert (card.state.balance, card.state.offline_counter) == (10000, 0)
    assert T.offline_purchase(card.transmit, enterprise.sam(), amount=10000, when=WHEN)
    assert card.state.balance == 0


def test_r_t1_wrong_enterprise_sam_mac1_is_rejected_9302(enterprise, other_enterprise, card):
    with pytest.raises(A.CardError) as err:
        T.offline_purchase(card.transmit, other_enterprise.sam(), amount=100, when=WHEN)
    assert err.value.sw == A.SW_MAC_WRONG
    assert (card.state.balance, card.state.offline_counter, card.state.mac_errors) == (10000, 0, 1)
    # the right SAM still works, and a good MAC clears the error count
    T.offline_purchase(card.transmit, enterprise.sam(), amount=100, when=WHEN)
    assert card.state.mac_errors == 0


def test_r_t1_three_bad_mac1_lock_the_application(enterprise, other_enterprise, card):
    for _ in range(3):
        with pytest.raises(A.CardError) as err:
            T.offline_purchase(card.transmit, other_enterprise.sam(), amount=100, when=WHEN)
        assert err.value.sw == A.SW_MAC_WRONG
    assert card.state.locked
    # locked: SELECT answers, everything else 6984 — even the right SAM and GET BALANCE
    assert sw(card.transmit(A.select_aid(AID))) == A.SW_OK
    assert sw(card.transmit(A.get_balance())) == A.SW_APP_LOCKED
    assert sw(card.transmit(A.read_record(sfi=0x18, record=1))) == A.SW_APP_LOCKED
    with pytest.raises(A.CardError) as err:
        T.offline_purchase(card.transmit, enterprise.sam(), amount=100, when=WHEN)
    assert err.value.sw == A.SW_APP_LOCKED
    with pytest.raises(A.CardError):
        T.load(card.transmit, host=enterprise.host, amount=1, terminal_id=TERMINAL, when=WHEN)
    assert card.state.balance == 10000


def test_r_t1_bad_load_mac2_is_not_credited_and_counts(enterprise, other_enterprise, card):
    with pytest.raises(PermissionError):  # the other enterprise's host refuses the card's MAC1
        T.load(card.transmit, host=other_enterprise.host, amount=500, terminal_id=TERMINAL,
               when=WHEN)

    def forged_host(request):
        return b"\x00\x00\x00\x00"

    with pytest.raises(A.CardError) as err:
        T.load(card.transmit, host=forged_host, amount=500, terminal_id=TERMINAL, when=WHEN)
    assert err.value.sw == A.SW_MAC_WRONG
    assert (card.state.balance, card.state.online_counter, card.state.mac_errors) == (10000, 1, 1)


def test_r_t1_get_transaction_prove_returns_the_debit_tac_and_mac2(enterprise, card):
    rec = T.offline_purchase(card.transmit, enterprise.sam(), amount=300, when=WHEN)
    mac, tac = T.transaction_prove(card.transmit, tx_type=P.TX_PURSE_PURCHASE, counter=0)
    assert tac == rec.tac
    assert len(mac) == 4
    load_mac, load_tac = T.transaction_prove(card.transmit, tx_type=P.TX_PURSE_LOAD, counter=0)
    assert load_tac != tac and len(load_mac) == 4
    with pytest.raises(A.CardError) as err:  # a counter the card has no proof for
        T.transaction_prove(card.transmit, tx_type=P.TX_PURSE_PURCHASE, counter=1)
    assert err.value.sw == A.SW_NO_PROVE


def test_r_t1_debit_needs_its_initialize_immediately_before(enterprise, card):
    T.select_purse(card)
    debit = A.debit_for_purchase(terminal_serial=bytes(4), date=H("20260302"), time=H("120000"),
                                 mac1=bytes(4))
    assert sw(card.transmit(debit)) == A.SW_CONDITIONS
    T.send(card, A.initialize_for_purchase(key_index=1, amount=P.encode_amount(1),
                                           terminal_id=TERMINAL))
    T.send(card, A.get_balance())  # any other command ends the transaction
    assert sw(card.transmit(debit)) == A.SW_CONDITIONS
    assert card.state.mac_errors == 0


def test_r_t1_unknown_key_index_is_9403(card):
    del card.state.keys[(KeyType.TAC, 1)]  # without a TAC key the purse is not personalised
    T.select_purse(card)
    answer = card.transmit(A.initialize_for_purchase(key_index=1, amount=P.encode_amount(1),
                                                     terminal_id=TERMINAL))
    assert sw(answer) == A.SW_KEY_INDEX
    card.state.put_key(KeySlot(KeyType.TAC, 1, 1, alg.ALG_3DES, bytes(16)))
    answer = card.transmit(A.initialize_for_purchase(key_index=9, amount=P.encode_amount(1),
                                                     terminal_id=TERMINAL))
    assert sw(answer) == A.SW_KEY_INDEX
    answer = card.transmit(A.initialize_for_load(key_index=9, amount=P.encode_amount(1),
                                                 terminal_id=TERMINAL))
    assert sw(answer) == A.SW_KEY_INDEX


def test_r_t1_load_beyond_the_balance_limit_is_refused(enterprise, card):
    card.state.max_balance = 10500
    with pytest.raises(A.CardError) as err:
        T.load(card.transmit, host=enterprise.host, amount=501, terminal_id=TERMINAL, when=WHEN)
    assert err.value.sw == A.SW_CONDITIONS and card.state.balance == 10000


def test_r_t1_transaction_log_is_cyclic_newest_first(enterprise, card):
    sam = enterprise.sam()
    for amount in range(1, 13):
        T.offline_purchase(card.transmit, sam, amount=amount, when=WHEN)
    log = T.read_log(card.transmit)
    assert len(log) == 10
    newest = log[0]
    assert newest[:2] == P.encode_counter(11)  # offline counter of the 12th purchase
    assert P.decode_amount(newest[5:9]) == 12 and newest[9] == P.TX_PURSE_PURCHASE
    assert newest[10:16] == TERMINAL and newest[16:23] == H("20260302120530")
    assert P.decode_amount(log[-1][5:9]) == 3  # the load and purchases 1–2 fell off


def test_r_t1_sam_refuses_a_key_version_it_does_not_hold(enterprise, card):
    from yikatong.cardos.sam import SamError, SamKey, VirtualSAM

    sam = VirtualSAM(TERMINAL, [SamKey(1, 9, enterprise.alg_id, enterprise.master(KeyType.PURCHASE))])
    with pytest.raises(SamError):
        T.offline_purchase(card.transmit, sam, amount=1, when=WHEN)
    assert card.state.balance == 10000 and sam.serial == 0

