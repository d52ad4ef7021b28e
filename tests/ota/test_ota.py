"""C3 washing at issue, P1 over-the-air load through the chip (C4), C7 chip restore — through the
public API with the development card store as the channel."""

from __future__ import annotations

import itertools

import pytest

from factories import login, make_enterprise, make_member, make_terminal
from yikatong.cardos import VirtualCard
from yikatong.cardos import terminal as T
from yikatong.cardos.state import DEFAULT_TRANSPORT_KEY
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as pp
from yikatong.core.actor import SYSTEM
from yikatong.keys import provisioning
from yikatong.keys import service as keys
from yikatong.ota import service as ota
from yikatong.ota.models import Chip

API = "/api/v1"
_keys = itertools.count(1)


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"ota-{next(_keys)}"}


def _issue(api, h, mid, *, apps=("purse",), eid=None):
    r = api.post(f"{API}/cards", headers=h | key(), json={"member_id": mid, "kind": "rfid_sim"})
    assert r.status_code == 201, r.text
    card = r.json()
    for app in apps:
        r = api.post(f"{API}/cards/{card['id']}/applications", headers=h | key(),
                     json={"enterprise_id": eid, "type": app, "mode": "ota"})
        assert r.status_code == 201, r.text
    return card["id"], card["card_no"]


def _setup(api, database, *, apps=("purse",)):
    eid, admin = make_enterprise(database)
    h = login(api, admin)
    mid = make_member(database, enterprise_id=eid)
    card_id, card_no = _issue(api, h, mid, apps=apps, eid=eid)
    return eid, h, mid, card_id, card_no


def _ledger(api, h, mid) -> int:
    return api.get(f"{API}/members/{mid}/purse", headers=h).json()["balance_fen"]


def _chip(store, card_no) -> int:
    return T.get_balance(store.card(card_no).transmit)


def _transport_auth(card: VirtualCard) -> None:
    ota.external_authenticate(card.transmit, alg_id=alg.ALG_3DES, key=DEFAULT_TRANSPORT_KEY)


def test_r_c3_issuing_washes_the_card_and_the_transport_key_stops_working(api, store, database):
    factory = VirtualCard.new(pp.serial_from_card_no("8860000000000018"))
    _transport_auth(factory)  # a factory card answers to its transport key
    eid, h, mid, card_id, card_no = _setup(api, database)
    with pytest.raises(A.CardError) as refused:
        _transport_auth(store.card(card_no))
    assert refused.value.sw & 0xFFF0 == 0x63C0  # wrong key, tries left
    with database.read() as s:
        chip = s.get(Chip, card_id)
        assert (chip.state, chip.key_enterprise_id, chip.purse_enterprise_id, chip.key_version) == ("washed", eid, eid, 1)
        # Re-washing with the transport key is refused by the card (its keys are the enterprise's now).
        steps = provisioning.washing_keys(s, actor=SYSTEM, enterprise_id=eid, card_serial=card_no,
                                          transport_key=DEFAULT_TRANSPORT_KEY)
    with pytest.raises(A.CardError), store.session(card_no) as send:
        T.wash(send, steps)


def test_r_p1_ota_topup_credits_chip_and_ledger_alike_and_the_tac_verifies(api, store, database, clock):
    eid, h, mid, card_id, card_no = _setup(api, database)
    for amount in (5000, 1234):
        r = api.post(f"{API}/members/{mid}/topups", headers=h | key(), json={"amount_fen": amount})
        assert r.status_code == 201, r.text
    assert _ledger(api, h, mid) == _chip(store, card_no) == 6234
    card = store.card(card_no)
    _mac, tac = T.transaction_prove(card.transmit, tx_type=pp.TX_PURSE_LOAD, counter=1)
    date, time = pp.encode_datetime(clock.now())
    with database.read() as s:
        ok = keys.verify_load_tac(s, enterprise_id=eid, card_serial=card_no, key_version=1, algorithm_id=None,
                                  new_balance=6234, online_counter=1, amount=1234, terminal_id=ota.OTA_TERMINAL_ID,
                                  date=date, time=time, tac=tac)
        forged = keys.verify_load_tac(s, enterprise_id=eid, card_serial=card_no, key_version=1, algorithm_id=None,
                                      new_balance=9234, online_counter=1, amount=4234,
                                      terminal_id=ota.OTA_TERMINAL_ID, date=date, time=time, tac=tac)
    assert ok and not forged


def test_r_p1_a_topup_terminal_credits_chip_and_ledger_alike(api, store, database):
    eid, h, mid, card_id, card_no = _setup(api, database)
    machine = make_terminal(api, h, eid, type="topup", name="自助充值机")
    r = api.post(f"{API}/terminal/topups", headers=machine | key(), json={"card_no": card_no, "amount_fen": 3000})
    assert r.status_code == 201, r.text
    assert r.json()["balance_fen"] == _ledger(api, h, mid) == _chip(store, card_no) == 3000
    store.set_reachable(card_no, False)  # the chip cannot be loaded: nothing is credited anywhere
    r = api.post(f"{API}/terminal/topups", headers=machine | key(), json={"card_no": card_no, "amount_fen": 500})
    assert r.status_code == 503 and r.json()["error"]["code"] == "card_unreachable"
    store.set_reachable(card_no, True)
    assert _ledger(api, h, mid) == _chip(store, card_no) == 3000


def test_r_p1_an_unreachable_card_is_a_503_and_nothing_is_credited(api, store, database):
    eid, h, mid, card_id, card_no = _setup(api, database)
    api.post(f"{API}/members/{mid}/topups", headers=h | key(), json={"amount_fen": 1000})
    store.set_reachable(card_no, False)
    r = api.post(f"{API}/members/{mid}/topups", headers=h | key(), json={"amount_fen": 500})
    assert r.status_code == 503 and r.json()["error"]["code"] == "card_unreachable"
    store.set_reachable(card_no, True)
    assert _ledger(api, h, mid) == _chip(store, card_no) == 1000


def test_r_p1_a_card_with_other_keys_is_refused_and_nothing_is_credited(api, store, database):
    eid, h, mid, card_id, card_no = _setup(api, database)
    other, _ = make_enterprise(database)
    counterfeit = VirtualCard.new(pp.serial_from_card_no(card_no))
    with database.write() as s:
        T.wash(counterfeit.transmit, provisioning.washing_keys(s, actor=SYSTEM, enterprise_id=other, card_serial=card_no,
                                                               transport_key=DEFAULT_TRANSPORT_KEY))
    store.put(card_no, counterfeit)
    r = api.post(f"{API}/members/{mid}/topups", headers=h | key(), json={"amount_fen": 700})
    assert r.status_code == 409 and r.json()["error"]["code"] == "bad_mac1"
    assert _ledger(api, h, mid) == _chip(store, card_no) == 0


def test_r_c3_a_card_unreachable_at_issue_stays_issued_and_tops_up_on_the_ledger(api, store, database,
                                                                                monkeypatch):
    eid, admin = make_enterprise(database)
    h = login(api, admin)
    mid = make_member(database, enterprise_id=eid)
    made = store.prepare

    def phone_off(card_no, *, serial):  # the card exists, but the phone is off when it is issued
        made(card_no, serial=serial)
        store.set_reachable(card_no, False)

    monkeypatch.setattr(store, "prepare", phone_off)
    card_id, card_no = _issue(api, h, mid, eid=eid)
    store.set_reachable(card_no, True)
    with database.read() as s:
        chip = s.get(Chip, card_id)
        assert chip.state == "pending" and chip.purse_enterprise_id is None and chip.last_error == "card_unreachable"
    r = api.post(f"{API}/members/{mid}/topups", headers=h | key(), json={"amount_fen": 300})
    assert r.status_code == 201 and _ledger(api, h, mid) == 300
    assert _chip(store, card_no) == 0  # the chip has no purse keys: nothing loaded on it


def test_r_c4_a_second_enterprises_purse_on_the_same_card_is_ledger_only(api, store, database):
    eid, h, mid, card_id, card_no = _setup(api, database)
    phone = api.get(f"{API}/cards/{card_id}", headers=h).json()["phone"]
    other, other_admin = make_enterprise(database)
    h2 = login(api, other_admin)
    mid2 = make_member(database, enterprise_id=other, phone=phone)
    r = api.post(f"{API}/cards/{card_id}/applications", headers=h2 | key(),
                 json={"enterprise_id": other, "type": "purse", "mode": "ota"})
    assert r.status_code == 201, r.text
    assert api.post(f"{API}/members/{mid2}/topups", headers=h2 | key(), json={"amount_fen": 800}).status_code == 201
    assert api.post(f"{API}/members/{mid}/topups", headers=h | key(), json={"amount_fen": 200}).status_code == 201
    assert _ledger(api, h2, mid2) == 800 and _ledger(api, h, mid) == 200
    assert _chip(store, card_no) == 200  # the chip purse is the first enterprise's
    with database.read() as s:
        assert s.get(Chip, card_id).purse_enterprise_id == eid


@pytest.mark.parametrize("readable", [True, False])
def test_r_c7_the_new_chip_gets_the_purse_balance(api, store, database, readable):
    eid, h, mid, card_id, card_no = _setup(api, database)
    api.post(f"{API}/members/{mid}/topups", headers=h | key(), json={"amount_fen": 4200})
    if not readable:  # the platform's records win when the old card cannot be read
        store.set_reachable(card_no, False)
    r = api.post(f"{API}/cards/{card_id}/replace", headers=h | key(),
                 json={"kind": "rfid_sim", "old_card_readable": readable})
    assert r.status_code == 201, r.text
    new_no = r.json()["card_no"]
    assert new_no != card_no and _chip(store, new_no) == _ledger(api, h, mid) == 4200
    assert api.post(f"{API}/members/{mid}/topups", headers=h | key(), json={"amount_fen": 100}).status_code == 201
    assert _chip(store, new_no) == _ledger(api, h, mid) == 4300
