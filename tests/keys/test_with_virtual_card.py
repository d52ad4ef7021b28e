"""C3, E2, T1 end to end with the virtual card and SAM: the key service washes a new card through
key-write commands, authorises a real load, loads a SAM, verifies the TACs the card answers, and
re-washes the card after a rotation only at a terminal holding the current key mother card."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from factories import make_enterprise, make_key_set
from yikatong.auth import service as auth
from yikatong.cardos import SamKey, VirtualCard, VirtualSAM
from yikatong.cardos import terminal as T
from yikatong.cardos.state import DEFAULT_TRANSPORT_KEY
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as pp
from yikatong.core.actor import SYSTEM, Channel
from yikatong.core.errors import Forbidden, InvalidInput
from yikatong.keys import mothercard, provisioning, service
from yikatong.terminals import service as terminals

CARD_NO = "8860123456789012"
WHEN = dt.datetime(2026, 3, 2, 12, 5, 30)  # Beijing, as cards keep time
TID = bytes.fromhex("000000000101")


def _card() -> VirtualCard:
    return VirtualCard.new(pp.serial_from_card_no(CARD_NO))


def _load(s, eid, card, amount):
    return T.load(card.transmit, host=provisioning.load_host(s, enterprise_id=eid), amount=amount, terminal_id=TID,
                  when=WHEN)


def _load_tac_ok(s, eid, result, *, version=None) -> bool:
    return service.verify_load_tac(s, enterprise_id=eid, card_serial=result.card_serial, key_version=version,
                                   algorithm_id=None, new_balance=result.balance_after,
                                   online_counter=result.online_counter,
                                   amount=result.balance_after - result.balance_before, terminal_id=TID,
                                   date=result.date, time=result.time, tac=result.tac)


def _purchase_tac_ok(s, eid, record, *, version=None, algorithm_id=None) -> bool:
    date, time = pp.encode_datetime(record.at)
    return service.verify_purchase_tac(s, enterprise_id=eid, card_serial=CARD_NO, key_version=version,
                                       algorithm_id=algorithm_id, amount=record.amount,
                                       transaction_type=record.tx_type, terminal_id=record.terminal_id,
                                       terminal_serial=record.terminal_serial, date=date, time=time, tac=record.tac)


def _sam(s, eid) -> VirtualSAM:
    return VirtualSAM(TID, [SamKey(**dataclasses.asdict(k)) for k in provisioning.sam_keys(s, actor=SYSTEM,
                                                                                           enterprise_id=eid)])


@pytest.mark.parametrize("algorithm", ["3des", "sm4"])
def test_r_c3_washed_card_loads_and_pays_with_tacs_the_platform_verifies(database, kek, algorithm):
    eid, _ = make_enterprise(database, key_algorithm=algorithm)
    card = _card()
    with database.write() as s:
        # Without the transport key a new card cannot be washed.
        with pytest.raises(InvalidInput):
            provisioning.washing_keys(s, actor=SYSTEM, enterprise_id=eid, card_serial=card.serial)
        steps = provisioning.washing_keys(s, actor=SYSTEM, enterprise_id=eid, card_serial=card.serial,
                                          transport_key=DEFAULT_TRANSPORT_KEY)
        T.wash(card.transmit, steps)
        result = _load(s, eid, card, 5000)
        assert T.get_balance(card.transmit) == 5000
        assert _load_tac_ok(s, eid, result) and _load_tac_ok(s, eid, result, version=1)
        sam = _sam(s, eid)
        assert [(k.version, k.key_index) for k in sam.keys] == [(1, 1)]
        record = T.offline_purchase(card.transmit, sam, amount=1200, when=WHEN)
        assert T.get_balance(card.transmit) == 3800
        assert _purchase_tac_ok(s, eid, record) and _purchase_tac_ok(s, eid, record, version=1)
        forged = dataclasses.replace(record, amount=12)
        assert not _purchase_tac_ok(s, eid, forged)
    # A card of another enterprise (or a counterfeit) is refused by the load host: nothing credited.
    other, _ = make_enterprise(database, key_algorithm=algorithm)
    with database.read() as s, pytest.raises(InvalidInput) as exc:
        _load(s, other, card, 100)
    assert exc.value.code == "bad_mac1"
    # Another enterprise's SAM cannot debit the card: the card refuses its MAC1 (9302).
    with pytest.raises(A.CardError) as refused, database.write() as s:
        T.offline_purchase(card.transmit, _sam(s, other), amount=100, when=WHEN)
    assert refused.value.sw == A.SW_MAC_WRONG
    assert T.get_balance(card.transmit) == 3800


def test_r_e2_rewashing_after_rotation_needs_the_terminals_current_mother_card(database, kek):
    eid, _ = make_enterprise(database)
    make_key_set(database, enterprise_id=eid)
    card = _card()
    with database.write() as s:
        T.wash(card.transmit, provisioning.washing_keys(s, actor=SYSTEM, enterprise_id=eid, card_serial=card.serial,
                                                        transport_key=DEFAULT_TRANSPORT_KEY))
        first = _load(s, eid, card, 1000)
        terminal, _token = terminals.register_terminal(s, actor=SYSTEM, enterprise_id=eid, type="issuing",
                                                       name="发卡机")
        device = auth.authorize_request(auth.get_user(s, user_id=terminal.user_id), Channel.terminal)
        service.rotate_enterprise_keys(s, actor=SYSTEM, enterprise_id=eid)
        with pytest.raises(Forbidden) as exc:
            provisioning.washing_keys(s, actor=device, enterprise_id=eid, card_serial=card.serial,
                                      current_key_version=1)
        assert exc.value.code == "mother_card_required"
        bundle = mothercard.export_mother_card(s, actor=SYSTEM, enterprise_id=eid, passphrase="母卡口令 0123456789")
        mothercard.import_mother_card(s, actor=device, bundle=bundle, passphrase="母卡口令 0123456789")
        T.wash(card.transmit, provisioning.washing_keys(s, actor=device, enterprise_id=eid, card_serial=card.serial,
                                                        current_key_version=1))
        second = _load(s, eid, card, 500)
        assert T.get_balance(card.transmit) == 1500
        assert _load_tac_ok(s, eid, second, version=2) and not _load_tac_ok(s, eid, second, version=1)
        assert _load_tac_ok(s, eid, first, version=1)  # the record of the old keys still verifies
        # Re-washing with the wrong current version: the card refuses the key-write MAC.
        with pytest.raises(A.CardError):
            T.wash(card.transmit, provisioning.washing_keys(s, actor=device, enterprise_id=eid,
                                                            card_serial=card.serial, current_key_version=1))
