"""P8 under real concurrency, on both databases: the app served by uvicorn on 127.0.0.1 (in a thread
of the test process) and many clients, each a thread with its own HTTP connection, released at the
same moment. The guarded debit must let exactly as many purchases through as the balance pays for;
an undo races another undo and only one wins. Every wait is bounded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from sqlalchemy import text

from factories import login, make_card, make_enterprise, make_member, make_terminal
from support.live import API, all_at_once, served
from yikatong.purse import ledger


def _card_with_purse(client, database, eid: int, headers: dict[str, str], fen: int) -> tuple[int, int, str]:
    """A new member of ``eid`` with a card whose purse holds ``fen``: (member id, card id, card number)."""
    mid = make_member(database, enterprise_id=eid)
    card_id = make_card(database, member_id=mid, apps=("purse",))
    card_no = client.get(f"{API}/cards/{card_id}", headers=headers).json()["card_no"]
    r = client.post(f"{API}/members/{mid}/topups", headers=headers, json={"amount_fen": fen})
    assert r.status_code == 201, r.text
    return mid, card_id, card_no


def _member_with_purse(client, database, fen: int, merchants: list[str]):
    """A member whose card's purse holds ``fen``, and one POS terminal per name in ``merchants``."""
    eid, admin = make_enterprise(database)
    headers = login(client, admin)
    mid, _, card_no = _card_with_purse(client, database, eid, headers, fen)
    pos = [make_terminal(client, headers, eid, name=f"{n + 1}号窗口", merchant=name) for n, name in enumerate(merchants)]
    balance: Callable[[], int] = lambda: client.get(f"{API}/members/{mid}/purse", headers=headers).json()["balance_fen"]
    return eid, card_no, pos, balance


def _ledger_is_sound(database, eid: int) -> dict[str, int]:
    """Sum 0, nothing negative that must not be; returns the enterprise's balances by account kind."""
    with database.read() as s:
        assert ledger.total_of_all_balances(s) == 0
        assert s.execute(text("SELECT COUNT(*) FROM accounts WHERE balance_fen < 0 AND NOT allow_negative")).scalar() == 0
        return dict(s.execute(text("SELECT kind, SUM(balance_fen) FROM accounts WHERE enterprise_id = :e GROUP BY kind"),
                              {"e": eid}).all())


def test_r_p8_r_p3_200_simultaneous_purchases_against_a_100_yuan_purse(app, client, database):
    eid, card_no, pos, balance = _member_with_purse(client, database, fen=10_000,
                                                     merchants=["第一食堂", "第二食堂", "员工超市", "咖啡吧"])
    with served(app) as url:
        responses = all_at_once(url, [("/terminal/purchases", pos[n % len(pos)], {"card_no": card_no, "amount_fen": 100})
                                      for n in range(200)])
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 100, 409: 100}, [r.text for r in responses if r.status_code not in (201, 409)][:3]
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"insufficient_funds"}
    # Each sale saw the purse one yuan lower than another: every balance from 99 yuan down to 0, once.
    assert sorted(r.json()["balance_fen"] for r in responses if r.status_code == 201) == list(range(0, 10_000, 100))
    assert balance() == 0
    by_kind = _ledger_is_sound(database, eid)
    assert by_kind["purse"] == 0 and by_kind["merchant"] == 10_000 and by_kind["funding"] == -10_000
    with database.read() as s:
        assert s.execute(text("SELECT COUNT(*), SUM(amount_fen) FROM transfers WHERE kind = 'purchase' "
                              "AND enterprise_id = :e"), {"e": eid}).one() == (100, 10_000)


def test_r_p4_two_simultaneous_undos_from_one_pos_only_one_succeeds(app, client, database):
    eid, card_no, pos, balance = _member_with_purse(client, database, fen=5_000, merchants=["第一食堂"])
    with served(app) as url:
        for amount in (100, 250, 1_000, 7, 42):
            sale = client.post(f"{API}/terminal/purchases", headers=pos[0], json={"card_no": card_no, "amount_fen": amount})
            assert sale.status_code == 201, sale.text
            undos = all_at_once(url, [("/terminal/purchases/undo-last", pos[0], {})] * 2)
            assert sorted(r.status_code for r in undos) == [201, 409], [r.text for r in undos]
            won = next(r.json() for r in undos if r.status_code == 201)
            assert won["reversed_transfer_id"] == sale.json()["transfer_id"] and won["amount_fen"] == amount
            assert balance() == 5_000
    by_kind = _ledger_is_sound(database, eid)
    assert by_kind["purse"] == 5_000 and by_kind["merchant"] == 0



def test_r_p4_r_p8_an_undo_and_a_sale_of_the_same_card_at_one_merchant_do_not_deadlock(app, client, database):
    """A purchase takes the purse, then the merchant's account; the undo of the card's previous sale at
    another window of the same merchant must take them in the same order, or on PostgreSQL the two
    wait for each other until the database kills one (a 503 to a cashier)."""
    eid, card_no, pos, balance = _member_with_purse(client, database, fen=5_000, merchants=["第一食堂", "第一食堂"])
    sale = {"card_no": card_no, "amount_fen": 10}
    with served(app) as url:
        for _ in range(15):
            assert client.post(f"{API}/terminal/purchases", headers=pos[1], json=sale).status_code == 201
            both = all_at_once(url, [("/terminal/purchases", pos[0], sale), ("/terminal/purchases/undo-last", pos[1], {})])
            assert [r.status_code for r in both] == [201, 201], [r.text for r in both]
    assert balance() == 5_000 - 15 * 10
    by_kind = _ledger_is_sound(database, eid)
    assert by_kind["purse"] == 4_850 and by_kind["merchant"] == 150


def test_r_c9_r_p8_top_ups_racing_a_cancellation_are_refunded_or_refused_never_stranded(app, client, database):
    """A top-up that checked the card just before a cancellation committed must not credit the
    purse the cancellation has just emptied: each top-up lands before the refund (and is refunded
    with the rest) or is refused."""
    eid, admin = make_enterprise(database)
    headers = login(client, admin)
    machine = make_terminal(client, headers, eid, type="topup", name="充值机")
    with served(app) as url:
        for _ in range(8):
            mid, card_id, card_no = _card_with_purse(client, database, eid, headers, 1_000)
            racing = [(f"/cards/{card_id}/cancel", headers, {"refund": "cash"})]
            racing += [("/terminal/topups", machine, {"card_no": card_no, "amount_fen": 100})] * 4
            cancel, *topups = all_at_once(url, racing)
            assert cancel.status_code == 200, cancel.text
            landed = [r for r in topups if r.status_code == 201]
            assert all(r.status_code in (201, 409) for r in topups), [r.text for r in topups]
            assert cancel.json()["refunded_fen"] == 1_000 + 100 * len(landed)
            with database.read() as s:
                stranded = s.execute(text("SELECT COALESCE(SUM(a.balance_fen), 0) FROM accounts a JOIN card_applications ca "
                                          "ON ca.id = a.owner_id AND a.kind = 'purse' WHERE ca.card_id = :c"),
                                     {"c": card_id}).scalar()
            assert stranded == 0
    by_kind = _ledger_is_sound(database, eid)
    assert by_kind["purse"] == 0 and by_kind["refunds"] == -by_kind["funding"]
