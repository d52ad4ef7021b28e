"""The fixed test KEK, and a POS with a SAM and a washed virtual card of one enterprise (P7)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import pytest
from support.kek import TEST_KEK

from factories import login, make_card, make_enterprise, make_member, make_terminal
from yikatong.cardos import SamKey, VirtualCard, VirtualSAM
from yikatong.cardos import terminal as T
from yikatong.cardos.state import DEFAULT_TRANSPORT_KEY
from yikatong.cardproto import purse as pp
from yikatong.core.actor import SYSTEM
from yikatong.keys import provisioning, vault
from yikatong.purse import ledger
from yikatong.purse.models import AccountKind
from yikatong.terminals import service as terminals

WHEN = dt.datetime(2026, 3, 2, 11, 30, 0)  # Beijing, as the SAM keeps time
SAM_ID = bytes.fromhex("000000000101")


@pytest.fixture
def kek():
    previous = vault.configure(TEST_KEK)
    yield TEST_KEK
    vault.configure(previous)


def sam_of(database, enterprise_id: int, terminal_id: bytes = SAM_ID) -> VirtualSAM:
    """A SAM loaded the way personalisation loads one (keys.provisioning.sam_keys)."""
    with database.write() as s:
        loads = provisioning.sam_keys(s, actor=SYSTEM, enterprise_id=enterprise_id)
    return VirtualSAM(terminal_id, [SamKey(**dataclasses.asdict(k)) for k in loads])


def washed_card(database, enterprise_id: int, card_no: str, *, load_fen: int) -> VirtualCard:
    """A new virtual card washed with the enterprise's keys and loaded with ``load_fen`` on the card."""
    card = VirtualCard.new(pp.serial_from_card_no(card_no))
    with database.write() as s:
        T.wash(card.transmit, provisioning.washing_keys(s, actor=SYSTEM, enterprise_id=enterprise_id,
                                                        card_serial=card.serial, transport_key=DEFAULT_TRANSPORT_KEY))
        T.load(card.transmit, host=provisioning.load_host(s, enterprise_id=enterprise_id), amount=load_fen,
               terminal_id=SAM_ID, when=WHEN)
    return card


@dataclass
class Shop:
    eid: int
    admin_name: str
    admin: dict
    pos: dict
    mid: int
    card_id: int
    card_no: str
    card: VirtualCard
    sam: VirtualSAM

    def pay(self, amount: int, *, when: dt.datetime = WHEN, card: VirtualCard | None = None) -> dict:
        return T.offline_purchase((card or self.card).transmit, self.sam, amount=amount, when=when).as_upload()

    def purse_fen(self, client) -> int:
        return client.get(f"/api/v1/members/{self.mid}/purse", headers=self.admin).json()["balance_fen"]

    def merchant_fen(self, database) -> int:
        with database.read() as s:
            merchant = terminals.list_merchants(s, actor=SYSTEM, enterprise_id=self.eid)[0]
            return ledger.balance(s, account_id=ledger.account_id(s, enterprise_id=self.eid, kind=AccountKind.merchant,
                                                                  owner_id=merchant.id))


def make_shop(client, database, *, ledger_fen: int = 10000, card_fen: int = 10000, algorithm: str = "3des") -> Shop:
    eid, admin = make_enterprise(database, key_algorithm=algorithm)
    h = login(client, admin)
    mid = make_member(database, enterprise_id=eid)
    card_id = make_card(database, member_id=mid, apps=("purse",))
    card_no = client.get(f"/api/v1/cards/{card_id}", headers=h).json()["card_no"]
    if ledger_fen:
        assert client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": ledger_fen}).status_code == 201
    pos = make_terminal(client, h, eid, merchant="第一食堂")
    return Shop(eid, admin, h, pos, mid, card_id, card_no, washed_card(database, eid, card_no, load_fen=card_fen),
                sam_of(database, eid))
