"""P1/P8 loads in doubt: the card's answer to CREDIT FOR LOAD is lost on the way back (the phone
network is the edge, so the fault is injected there), the top-up fails and its ledger credit rolls
back while the chip keeps the money; the recovery run finds the load on the card's log, has the card
prove it (GET TRANSACTION PROVE, TAC verified) and credits the ledger — once."""

from __future__ import annotations

import itertools
from contextlib import contextmanager

import pytest
from typer.testing import CliRunner

from factories import login, make_enterprise, make_member, make_user
from yikatong.cardos import terminal as T
from yikatong.cardproto import apdu as A
from yikatong.config import get_settings
from yikatong.core.actor import SYSTEM, Actor, Channel, Role
from yikatong.core.errors import Forbidden
from yikatong.ota import channel
from yikatong.ota.channel import CardUnreachable
from yikatong.purse import flows, ledger

API = "/api/v1"
_keys = itertools.count(1)


class LosesCreditAnswers:
    """The phone network dropping the card's answers to CREDIT FOR LOAD (the card did it)."""

    def __init__(self, inner):
        self.inner, self.dropping = inner, True

    @contextmanager
    def session(self, card_no):
        with self.inner.session(card_no) as send:
            def lossy(raw: bytes) -> bytes:
                answer = send(raw)
                if self.dropping and raw[1] == A.INS_CREDIT:
                    raise CardUnreachable("the answer was lost", code="card_unreachable")
                return answer
            yield lossy

    def transmit(self, card_no, apdus):
        return channel.run_script(self, card_no, apdus)

    def prepare(self, card_no, *, serial):
        self.inner.prepare(card_no, serial=serial)


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"recover-{next(_keys)}"}


def _member_with_chip(api, database):
    eid, admin = make_enterprise(database)
    h = login(api, admin)
    mid = make_member(database, enterprise_id=eid)
    card = api.post(f"{API}/cards", headers=h | _key(), json={"member_id": mid, "kind": "rfid_sim"}).json()
    r = api.post(f"{API}/cards/{card['id']}/applications", headers=h | _key(),
                 json={"enterprise_id": eid, "type": "purse", "mode": "ota"})
    assert r.status_code == 201, r.text
    return eid, h, mid, card["card_no"]


def _ledger(api, h, mid) -> int:
    return api.get(f"{API}/members/{mid}/purse", headers=h).json()["balance_fen"]


def test_r_p1_r_p8_a_load_whose_answer_was_lost_is_proven_and_credited_once(api, store, database):
    eid, h, mid, card_no = _member_with_chip(api, database)
    assert api.post(f"{API}/members/{mid}/topups", headers=h | _key(), json={"amount_fen": 2_000}).status_code == 201
    lossy = LosesCreditAnswers(store)
    channel.install(lossy)
    try:
        lost = api.post(f"{API}/members/{mid}/topups", headers=h | _key(), json={"amount_fen": 700})
    finally:
        channel.install(store)
    assert lost.status_code == 503  # the admin is told it failed ...
    assert _ledger(api, h, mid) == 2_000 and T.get_balance(store.card(card_no).transmit) == 2_700  # ... the chip has it
    with database.write() as s:
        run = flows.recover_chip_loads(s, actor=SYSTEM, enterprise_id=eid)
    assert run.cards_checked == 1 and run.recovered == [(card_no, 1, 700)] and not run.unproven
    assert _ledger(api, h, mid) == 2_700
    with database.write() as s:  # a second run finds nothing in doubt
        again = flows.recover_chip_loads(s, actor=SYSTEM, enterprise_id=eid)
        assert ledger.total_of_all_balances(s) == 0
    assert again.recovered == [] and again.unproven == [] and _ledger(api, h, mid) == 2_700


def test_r_p1_an_older_load_in_doubt_is_reported_not_credited(api, store, database):
    eid, h, mid, card_no = _member_with_chip(api, database)
    lossy = LosesCreditAnswers(store)
    channel.install(lossy)
    try:
        assert api.post(f"{API}/members/{mid}/topups", headers=h | _key(), json={"amount_fen": 500}).status_code == 503
    finally:
        channel.install(store)
    # A later load succeeds: the card now proves only that one, so the lost one cannot be proven.
    assert api.post(f"{API}/members/{mid}/topups", headers=h | _key(), json={"amount_fen": 300}).status_code == 201
    with database.write() as s:
        run = flows.recover_chip_loads(s, actor=SYSTEM, enterprise_id=eid)
    assert run.recovered == [] and run.unproven == [(card_no, 0, 500)]
    assert _ledger(api, h, mid) == 300 and T.get_balance(store.card(card_no).transmit) == 800


def test_r_p1_recovery_is_for_operators_and_reports_unreachable_cards(api, store, database, monkeypatch):
    from yikatong.cli import app as cli

    eid, h, mid, card_no = _member_with_chip(api, database)
    admin = Actor(user_id=1, username="admin", role=Role.enterprise_admin, channel=Channel.website, enterprise_id=eid)
    with pytest.raises(Forbidden), database.write() as s:
        flows.recover_chip_loads(s, actor=admin, enterprise_id=eid)
    store.set_reachable(card_no, False)
    with database.write() as s:
        run = flows.recover_chip_loads(s, actor=SYSTEM, enterprise_id=eid)
    assert run.unreachable == [card_no]
    store.set_reachable(card_no, True)
    make_user(database, role=Role.operator, username="op_recover")
    monkeypatch.setenv("YKT_DATABASE_URL", database.url)
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli, ["ota", "recover", "--enterprise", str(eid)])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    assert "1 张芯片卡" in out.output and "补记 0 笔" in out.output
