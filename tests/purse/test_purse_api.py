"""P1 top-up, P3 purchase, P4 undo, P5 expiry, P9 settlement, C7 carry-over and C9 refund on the
ledger (P8), through the public API."""

from __future__ import annotations

import itertools

import pytest

from factories import login, make_card, make_enterprise, make_member, make_terminal, make_user
from yikatong.core.actor import SYSTEM, Role
from yikatong.core.errors import InvalidInput
from yikatong.purse import service

_keys = itertools.count(1)


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"k-{next(_keys)}"}


def _setup(client, database, apps=("purse",)):
    eid, admin = make_enterprise(database)
    h = login(client, admin)
    mid = make_member(database, enterprise_id=eid, name="刘洋", phone="13800000041")
    card_id = make_card(database, member_id=mid, apps=apps)
    card_no = client.get(f"/api/v1/cards/{card_id}", headers=h).json()["card_no"]
    return eid, h, mid, card_id, card_no


def test_r_p1_admin_tops_up_over_the_air_and_member_sees_it(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database)
    r = client.post(f"/api/v1/members/{mid}/topups", headers=h | key(), json={"amount_fen": 10000})
    assert r.status_code == 201 and r.json()["amount_fen"] == 10000 and r.json()["balance_fen"] == 10000
    purse = client.get(f"/api/v1/members/{mid}/purse", headers=h).json()
    assert purse["balance_fen"] == 10000 and purse["transactions"][0]["kind"] == "topup"
    assert purse["transactions"][0]["amount_fen"] == 10000 and purse["transactions"][0]["balance_after_fen"] == 10000
    assert purse["has_purse"] is True


def test_r_p1_a_member_without_a_purse_is_told_so_and_cannot_be_topped_up(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database, apps=("access",))
    purse = client.get(f"/api/v1/members/{mid}/purse", headers=h).json()
    assert purse["has_purse"] is False and purse["balance_fen"] == 0 and purse["card_no"] == card_no
    r = client.post(f"/api/v1/members/{mid}/topups", headers=h | key(), json={"amount_fen": 100})
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_application"


def test_r_p3_r_p4_purchase_then_undo_once(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database)
    pos = make_terminal(client, h, eid, merchant="第一食堂")
    client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 5000})
    r = client.post("/api/v1/terminal/purchases", headers=pos | key(), json={"card_no": card_no, "amount_fen": 1250})
    assert r.status_code == 201 and r.json()["balance_fen"] == 3750
    undo = client.post("/api/v1/terminal/purchases/undo-last", headers=pos | key(), json={})
    assert undo.status_code == 201 and undo.json()["reversed_transfer_id"] == r.json()["transfer_id"]
    assert undo.json()["balance_fen"] == 5000 and undo.json()["amount_fen"] == 1250
    again = client.post("/api/v1/terminal/purchases/undo-last", headers=pos | key(), json={})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_undone"
    other_pos = make_terminal(client, h, eid, name="二号窗口")
    r = client.post("/api/v1/terminal/purchases/undo-last", headers=other_pos | key(), json={})
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_to_undo"


def test_r_p3_refusals(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database, apps=("access",))
    pos = make_terminal(client, h, eid)
    r = client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_application"
    client.post(f"/api/v1/cards/{card_id}/applications", headers=h, json={"enterprise_id": eid, "type": "purse", "mode": "ota"})
    r = client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 409 and r.json()["error"]["code"] == "insufficient_funds"
    client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 1000})
    client.post(f"/api/v1/members/{mid}/suspend", headers=h)
    r = client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 409 and r.json()["error"]["code"] == "card_inactive"
    client.post(f"/api/v1/members/{mid}/resume", headers=h)
    client.post(f"/api/v1/cards/{card_id}/loss", headers=h)
    r = client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 409 and r.json()["error"]["code"] == "card_lost"
    # Another enterprise's POS: the card holds no purse of that enterprise.
    other_eid, other_admin = make_enterprise(database)
    other_pos = make_terminal(client, login(client, other_admin), other_eid)
    client.post(f"/api/v1/cards/{card_id}/unfreeze", headers=h)
    r = client.post("/api/v1/terminal/purchases", headers=other_pos, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_application"
    # Only a POS sells; bad amounts are 422.
    topup_terminal = make_terminal(client, h, eid, type="topup", name="充值机")
    r = client.post("/api/v1/terminal/purchases", headers=topup_terminal, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_terminal_type"
    for amount in (0, -5, 1.5, "10"):
        assert client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": amount}).status_code == 422
    assert client.get(f"/api/v1/members/{mid}/purse", headers=h).json()["balance_fen"] == 1000


def test_r_p8_repeated_purchase_with_the_same_key_moves_money_once(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database)
    pos = make_terminal(client, h, eid)
    client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 1000})
    k = key()
    first = client.post("/api/v1/terminal/purchases", headers=pos | k, json={"card_no": card_no, "amount_fen": 300})
    second = client.post("/api/v1/terminal/purchases", headers=pos | k, json={"card_no": card_no, "amount_fen": 300})
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert client.get(f"/api/v1/members/{mid}/purse", headers=h).json()["balance_fen"] == 700


def test_r_p1_topup_terminal_loads_a_presented_card(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database)
    machine = make_terminal(client, h, eid, type="topup", name="充值机")
    r = client.post("/api/v1/terminal/topups", headers=machine | key(), json={"card_no": card_no, "amount_fen": 2000})
    assert r.status_code == 201 and r.json()["balance_fen"] == 2000


def test_r_p5_expiry_moves_balance_and_admin_can_give_it_back(client, database, clock):
    eid, h, mid, card_id, card_no = _setup(client, database)
    pos = make_terminal(client, h, eid)
    assert client.put(f"/api/v1/enterprises/{eid}/purse-settings", headers=h,
                      json={"validity_days": 30, "expiry_rule": "to_enterprise", "bill_mode": "none"}).status_code == 200
    client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 800})
    admin = client.get("/api/v1/auth/me", headers=h).json()["username"]
    clock.advance(days=31)
    h = login(client, admin)  # the admin's token has long expired; the POS credential has not
    r = client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 409 and r.json()["error"]["code"] == "balance_expired"
    expired = client.post(f"/api/v1/enterprises/{eid}/purse/expire", headers=h).json()
    assert expired == {"purses": 1, "amount_fen": 800}
    assert client.post(f"/api/v1/enterprises/{eid}/purse/expire", headers=h).json() == {"purses": 0, "amount_fen": 0}
    purse = client.get(f"/api/v1/members/{mid}/purse", headers=h).json()
    assert purse["balance_fen"] == 0 and purse["transactions"][0]["kind"] == "expiry"
    expiry_id = purse["transactions"][0]["id"]
    back = client.post(f"/api/v1/transfers/{expiry_id}/reverse-expiry", headers=h)
    assert back.status_code == 201 and back.json()["balance_fen"] == 800
    again = client.post(f"/api/v1/transfers/{expiry_id}/reverse-expiry", headers=h)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reversed"
    r = client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 201 and r.json()["balance_fen"] == 700


def test_r_p9_daily_settlement_per_merchant_and_xlsx(client, database, clock):
    eid, h, mid, card_id, card_no = _setup(client, database)
    canteen = make_terminal(client, h, eid, merchant="第一食堂")
    shop = make_terminal(client, h, eid, name="超市收银", merchant="员工超市")
    client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 10000})
    for terminal, amount in ((canteen, 1200), (canteen, 800), (shop, 2500)):
        client.post("/api/v1/terminal/purchases", headers=terminal, json={"card_no": card_no, "amount_fen": amount})
    client.post("/api/v1/terminal/purchases/undo-last", headers=canteen, json={})
    st = client.get(f"/api/v1/enterprises/{eid}/settlements", headers=h, params={"day": "2026-03-02"}).json()
    rows = {r["merchant_name"]: r for r in st["rows"]}
    assert rows["第一食堂"] | {"merchant_id": 0} == {"merchant_id": 0, "merchant_name": "第一食堂", "purchases": 2,
                                                   "purchases_fen": 2000, "undos": 1, "undos_fen": 800, "net_fen": 1200}
    assert rows["员工超市"]["net_fen"] == 2500 and st["total_net_fen"] == 3700
    other_day = client.get(f"/api/v1/enterprises/{eid}/settlements", headers=h, params={"day": "2026-03-03"}).json()
    assert other_day["rows"] == []
    x = client.get(f"/api/v1/enterprises/{eid}/settlements", headers=h, params={"day": "2026-03-02", "format": "xlsx"})
    assert x.status_code == 200 and x.content[:2] == b"PK"


def test_r_c9_r_p8_cancel_refunds_the_balance_through_the_ledger(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database)
    client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 4321})
    r = client.post(f"/api/v1/cards/{card_id}/cancel", headers=h | key(), json={"refund": "cash"})
    assert r.status_code == 200 and r.json()["refunded_fen"] == 4321
    assert client.get(f"/api/v1/members/{mid}/purse", headers=h).json()["balance_fen"] == 0


def test_r_c7_r_p8_replacement_carries_the_balance_over_exactly(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database)
    pos = make_terminal(client, h, eid)
    client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 9999})
    client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 1234})
    new = client.post(f"/api/v1/cards/{card_id}/replace", headers=h | key(),
                      json={"kind": "rfid_sim", "old_card_readable": False}).json()
    purse = client.get(f"/api/v1/members/{mid}/purse", headers=h).json()
    assert purse["card_no"] == new["card_no"] and purse["balance_fen"] == 8765
    assert purse["transactions"][0]["kind"] == "carry_over" and purse["transactions"][0]["amount_fen"] == 8765
    r = client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "card_inactive"
    r = client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": new["card_no"], "amount_fen": 765})
    assert r.status_code == 201 and r.json()["balance_fen"] == 8000


def test_r_p6_consumption_bill_per_transaction_or_none(client, database):
    from sqlalchemy import select

    from yikatong.notify.models import SmsMessage

    eid, h, mid, card_id, card_no = _setup(client, database)
    pos = make_terminal(client, h, eid, merchant="第一食堂")
    client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 2000})
    client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 1250})
    client.put(f"/api/v1/enterprises/{eid}/purse-settings", headers=h, json={"bill_mode": "none"})
    client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": 50})
    with database.read() as s:
        bills = [m.text for m in s.scalars(select(SmsMessage).where(SmsMessage.purpose == "consumption_bill"))]
    assert len(bills) == 1 and "第一食堂" in bills[0] and "12.50元" in bills[0] and "余额7.50元" in bills[0]


def test_r_p2_the_purse_never_touches_airtime(client, database):
    """There is no airtime account or transfer kind at all: top-ups come from the enterprise's
    funding account and purchases go to merchants, nothing else."""
    from yikatong.purse.models import AccountKind, TransferKind

    assert not any("airtime" in k.value or "phone" in k.value for k in (*AccountKind, *TransferKind))
    eid, h, mid, card_id, card_no = _setup(client, database)
    r = client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 100, "source": "airtime"})
    assert r.status_code == 201  # the extra field is ignored: there is no way to name another source
    from sqlalchemy import select

    from yikatong.purse.models import Account, Transfer

    with database.read() as s:
        t = s.scalar(select(Transfer))
        assert s.get(Account, t.debit_account_id).kind == "funding" and s.get(Account, t.credit_account_id).kind == "purse"


def test_r_p1_bulk_topup_all_rows_or_none(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database)
    mid2 = make_member(database, enterprise_id=eid, phone="13800000042")
    make_card(database, member_id=mid2, apps=("purse",))
    make_member(database, enterprise_id=eid, phone="13800000043")  # no card
    url = f"/api/v1/enterprises/{eid}/topups/import"
    bad = "手机号码,金额\n13800000041,100\n13800000042,12.345\n13800000043,10\n13900000000,5\n13800000041,1\n"
    r = client.post(url, headers=h, files={"file": ("t.csv", bad.encode("gbk"), "text/csv")})
    assert r.status_code == 422 and r.json()["topped_up"] == 0
    assert [(e["row"], e["code"]) for e in r.json()["errors"]] == [
        (3, "invalid_amount"), (4, "no_card"), (5, "member_not_found"), (6, "duplicate_in_file")]
    assert client.get(f"/api/v1/members/{mid}/purse", headers=h).json()["balance_fen"] == 0
    good = "phone,amount\n13800000041,100\n138 0000 0042,12.5\n"
    r = client.post(url, headers=h, files={"file": ("t.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and r.json() == {"topped_up": 2, "total_fen": 11250, "errors": []}
    assert client.get(f"/api/v1/members/{mid2}/purse", headers=h).json()["balance_fen"] == 1250


def test_r_p6_daily_digest_once_per_member_and_day(client, database, clock):
    import datetime as dt

    from sqlalchemy import select

    from yikatong.notify.models import SmsMessage
    from yikatong.purse import bills

    eid, h, mid, card_id, card_no = _setup(client, database)
    pos = make_terminal(client, h, eid)
    client.put(f"/api/v1/enterprises/{eid}/purse-settings", headers=h, json={"bill_mode": "daily_digest"})
    client.post(f"/api/v1/members/{mid}/topups", headers=h, json={"amount_fen": 3000})
    for amount in (500, 700):
        client.post("/api/v1/terminal/purchases", headers=pos, json={"card_no": card_no, "amount_fen": amount})
    day = dt.date(2026, 3, 2)
    for _ in range(2):
        with database.write() as s:
            bills.send_daily_digests(s, day=day)
    with database.read() as s:
        texts = [m.text for m in s.scalars(select(SmsMessage).where(SmsMessage.purpose.like("consumption%")))]
    assert texts == ["【一卡通】您3月2日共消费2笔，合计12.00元，当前余额18.00元。"]


def test_r_p5_settings_are_validated_by_the_service_too(database):
    """The console and the API share set_settings; a bad value is refused there and nothing is stored."""
    eid, _ = make_enterprise(database)
    for bad in ({"validity_days": 0}, {"bill_mode": "carrier_pigeon"}, {"expiry_rule": "to_the_operator"}):
        values = {"validity_days": 30, "expiry_rule": "to_enterprise", "bill_mode": "daily_digest"} | bad
        with pytest.raises(InvalidInput):
            with database.write() as s:
                service.set_settings(s, actor=SYSTEM, enterprise_id=eid, **values)
    with database.read() as s:
        assert service.settings_of(s, enterprise_id=eid).bill_mode == "per_transaction"


def test_r_p5_only_the_enterprise_admin_or_an_operator_runs_the_expiry(client, database):
    eid, h, mid, card_id, card_no = _setup(client, database)
    agent = login(client, make_user(database, role=Role.agent_l1))
    r = client.post(f"/api/v1/enterprises/{eid}/purse/expire", headers=agent)
    assert r.status_code == 403, r.text
    assert client.post(f"/api/v1/enterprises/{eid}/purse/expire", headers=h).json() == {"purses": 0, "amount_fen": 0}
