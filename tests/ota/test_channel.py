"""The over-the-air channel's development implementation: a directory of card files (C4)."""

from __future__ import annotations

import pytest

from yikatong.cardos import VirtualCard
from yikatong.cardos import terminal as T
from yikatong.cardos.card import AID
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as pp
from yikatong.config import Settings
from yikatong.ota import channel
from yikatong.ota.channel import CardUnreachable, OtaChannel
from yikatong.ota.devcards import DevCardStore

CARD_NO = "8860123456789012"


def test_r_c4_dev_store_is_a_channel_and_keeps_the_card_between_sessions(tmp_path):
    store = DevCardStore(tmp_path)
    assert isinstance(store, OtaChannel)
    store.prepare(CARD_NO, serial=pp.serial_from_card_no(CARD_NO))
    assert (tmp_path / f"{CARD_NO}.card").exists()
    select, balance = store.transmit(CARD_NO, [A.select_aid(AID), A.get_balance()])
    assert A.Response.parse(select).sw == 0x9000 and A.Response.parse(balance).data == pp.encode_amount(0)
    with store.session(CARD_NO) as send:
        assert T.select_purse(send) == pp.serial_from_card_no(CARD_NO)
    assert VirtualCard.load(tmp_path / f"{CARD_NO}.card").serial == pp.serial_from_card_no(CARD_NO)


def test_r_c4_a_missing_or_switched_off_card_is_unreachable(tmp_path):
    store = DevCardStore(tmp_path)
    with pytest.raises(CardUnreachable) as exc:
        store.transmit(CARD_NO, [A.get_balance()])
    assert exc.value.status_code == 503 and exc.value.code == "card_unreachable"
    store.prepare(CARD_NO, serial=pp.serial_from_card_no(CARD_NO))
    store.set_reachable(CARD_NO, False)
    with pytest.raises(CardUnreachable):
        store.transmit(CARD_NO, [A.get_balance()])
    store.set_reachable(CARD_NO, True)
    assert len(store.transmit(CARD_NO, [A.select_aid(AID)])) == 1
    with pytest.raises(CardUnreachable):
        store.transmit("../etc/passwd", [A.get_balance()])


def test_dev_cards_sit_next_to_a_sqlite_database_unless_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("YKT_DEV_CARDS_DIR", raising=False)  # the suite sets one for all its tests
    assert channel.dev_cards_dir(Settings(database_url=f"sqlite:///{tmp_path}/ykt.db")) == tmp_path / "dev-cards"
    assert channel.dev_cards_dir(Settings(database_url="sqlite:///x.db", dev_cards_dir=str(tmp_path))) == tmp_path
