"""C7 / T1: a card is a file — saving and loading keeps balance, counters, log, records, keys and
transaction proofs, and the restored card goes on working; a SAM keeps its serial the same way."""

from __future__ import annotations

import json

import pytest

from cardos.card_helpers import TERMINAL, WHEN
from yikatong.cardos import CardState, VirtualCard, VirtualSAM
from yikatong.cardos import terminal as T
from yikatong.cardos.state import SFI_IDENTITY, CardFormatError
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as P
from yikatong.cardproto.secure import KeyType


def test_r_c7_save_and_load_round_trip(enterprise, card, tmp_path):
    sam = enterprise.sam()
    rec = T.offline_purchase(card.transmit, sam, amount=700, when=WHEN)
    T.record_write(card, alg_id=enterprise.alg_id,
                   maint_key=enterprise.card_key(KeyType.MAINTENANCE, card.serial),
                   sfi=SFI_IDENTITY, record=1, data=b"E0007")
    path = tmp_path / "card.json"
    card.save(path)
    restored = VirtualCard.load(path)
    assert restored.to_bytes() == card.to_bytes()
    assert restored.state == card.state
    s = restored.state
    assert (s.balance, s.online_counter, s.offline_counter) == (9300, 1, 1)
    assert s.keys == card.state.keys and len(s.keys) == len(KeyType)
    assert T.read_log(restored.transmit) == T.read_log(card.transmit)
    assert len(T.read_log(restored.transmit)) == 2
    assert T.send(restored, A.read_record(sfi=SFI_IDENTITY, record=1)).startswith(b"E0007")
    assert T.transaction_prove(restored.transmit, tx_type=P.TX_PURSE_PURCHASE, counter=0)[1] == \
        rec.tac
    # the restored card carries on: next counter, same keys
    sam2 = VirtualSAM.from_bytes(sam.to_bytes())
    assert sam2.serial == 1 and sam2.keys == sam.keys
    rec2 = T.offline_purchase(restored.transmit, sam2, amount=300, when=WHEN)
    assert (rec2.offline_counter, rec2.terminal_serial, rec2.balance_after) == (1, 2, 9000)
    T.load(restored.transmit, host=enterprise.host, amount=100, terminal_id=TERMINAL, when=WHEN)
    assert restored.state.online_counter == 2


def test_r_c7_file_format_is_versioned_json(card):
    doc = json.loads(card.to_bytes())
    assert doc["format"] == "ykt-card" and doc["version"] == 1
    assert doc["serial"] == card.serial.hex().upper() and doc["balance"] == 10000
    assert CardState.from_bytes(card.state.to_bytes()) == card.state


def test_r_c7_a_locked_card_stays_locked_after_restore(card):
    card.state.locked, card.state.mac_errors = True, 3
    restored = VirtualCard.from_bytes(card.to_bytes())
    T.select_purse(restored)
    assert A.Response.parse(restored.transmit(A.get_balance())).sw == A.SW_APP_LOCKED


@pytest.mark.parametrize("damage", [
    lambda d: b"not json",
    lambda d: json.dumps({**json.loads(d), "format": "other"}).encode(),
    lambda d: json.dumps({**json.loads(d), "version": 2}).encode(),
    lambda d: json.dumps({k: v for k, v in json.loads(d).items() if k != "balance"}).encode(),
    lambda d: json.dumps({**json.loads(d), "serial": "XYZ"}).encode(),
    lambda d: d.replace(b'"key": "', b'"key": "00'),
    lambda d: json.dumps({**json.loads(d), "files": []}).encode(),
])
def test_r_c7_damaged_files_are_refused(card, damage):
    with pytest.raises(CardFormatError):
        CardState.from_bytes(damage(card.to_bytes()))
