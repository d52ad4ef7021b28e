"""T3 versioned blacklist deltas, C1 card stock import, and idempotent card requests."""

from __future__ import annotations

from factories import login, make_card, make_enterprise, make_member, make_user
from yikatong.core.actor import Role


def _cards(client, database, n=3):
    eid, admin = make_enterprise(database)
    h = login(client, admin)
    ids = [make_card(database, member_id=make_member(database, enterprise_id=eid), apps=("access",)) for _ in range(n)]
    nos = [client.get(f"/api/v1/cards/{i}", headers=h).json()["card_no"] for i in ids]
    return eid, h, ids, nos


def test_r_t3_blacklist_delta_since_a_version(client, database):
    eid, h, ids, nos = _cards(client, database)
    url = f"/api/v1/enterprises/{eid}/blacklist"
    assert client.get(url, headers=h).json() == {"version": 0, "added": [], "removed": []}
    client.post(f"/api/v1/cards/{ids[0]}/loss", headers=h)
    client.post(f"/api/v1/cards/{ids[1]}/loss", headers=h)
    v2 = client.get(url, headers=h).json()
    assert v2["version"] == 2 and sorted(v2["added"]) == sorted(nos[:2])
    client.post(f"/api/v1/cards/{ids[0]}/unfreeze", headers=h)
    client.post(f"/api/v1/cards/{ids[2]}/loss", headers=h)
    client.post(f"/api/v1/cards/{ids[2]}/unfreeze", headers=h)
    since_v2 = client.get(url, params={"since": 2}, headers=h).json()
    # Card 2 went on and off after v2: no net change; card 0 was on at v2 and is now off.
    assert since_v2 == {"version": 5, "added": [], "removed": [nos[0]]}
    full = client.get(url, headers=h).json()
    assert full["added"] == [nos[1]] and full["removed"] == []
    assert client.get(url, params={"since": 5}, headers=h).json() == {"version": 5, "added": [], "removed": []}
    r = client.get(url, params={"since": 6}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_version"


def test_r_t3_r_x5_blacklists_are_per_enterprise(client, database):
    eid, h, ids, nos = _cards(client, database, n=1)
    other_eid, other_admin = make_enterprise(database)
    client.post(f"/api/v1/cards/{ids[0]}/loss", headers=h)
    other = login(client, other_admin)
    assert client.get(f"/api/v1/enterprises/{other_eid}/blacklist", headers=other).json()["added"] == []
    assert client.get(f"/api/v1/enterprises/{eid}/blacklist", headers=other).status_code == 404


def test_idempotency_key_replays_the_first_answer_and_changes_nothing(client, database):
    eid, h, ids, nos = _cards(client, database, n=1)
    first = client.post(f"/api/v1/cards/{ids[0]}/loss", headers=h | {"Idempotency-Key": "loss-1"})
    again = client.post(f"/api/v1/cards/{ids[0]}/loss", headers=h | {"Idempotency-Key": "loss-1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get(f"/api/v1/enterprises/{eid}/blacklist", headers=h).json()["version"] == 1
    reused = client.post(f"/api/v1/cards/{ids[0]}/unfreeze", headers=h | {"Idempotency-Key": "loss-1"})
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"
    mid = make_member(database, enterprise_id=eid)
    body = {"member_id": mid, "kind": "ic"}
    one = client.post("/api/v1/cards", headers=h | {"Idempotency-Key": "issue-7"}, json=body)
    two = client.post("/api/v1/cards", headers=h | {"Idempotency-Key": "issue-7"}, json=body)
    assert one.status_code == two.status_code == 201 and one.json()["id"] == two.json()["id"]


STOCK = ("kind,iccid,imsi,uid\n"
         "rfid_sim,8986001111111111111,460001111111111,\n"
         "rfid_sim,8986002222222222222,460002222222222,\n"
         "ic,,,04A1B2C3\n")


def _import(client, h, text):
    return client.post("/api/v1/card-stock/import", headers=h, files={"file": ("stock.csv", text.encode(), "text/csv")})


def test_r_c1_import_stock_and_issue_from_it(client, database):
    make_user(database, role=Role.operator, username="op1")
    op = login(client, "op1")
    r = _import(client, op, STOCK)
    assert r.status_code == 200 and r.json() == {"imported": 3, "errors": []}
    eid, admin = make_enterprise(database)
    h = login(client, admin)
    mid = make_member(database, enterprise_id=eid)
    body = {"member_id": mid, "kind": "rfid_sim", "iccid": "8986001111111111111", "imsi": "460001111111111"}
    assert client.post("/api/v1/cards", headers=h, json=body).status_code == 201
    mid2 = make_member(database, enterprise_id=eid)
    r = client.post("/api/v1/cards", headers=h, json=body | {"member_id": mid2})
    assert r.status_code == 409 and r.json()["error"]["code"] == "stock_not_available"
    r = client.post("/api/v1/cards", headers=h, json={"member_id": mid2, "kind": "rfid_sim", "iccid": None,
                                                      "imsi": None} | {"kind": "ic", "uid": "04a1b2c3"})
    assert r.status_code == 201


def test_r_c1_stock_import_errors_per_row_and_nothing_imported(client, database):
    make_user(database, role=Role.operator, username="op2")
    op = login(client, "op2")
    _import(client, op, STOCK)
    bad = ("kind,iccid,imsi,uid\n"
           "rfid_sim,8986003333333333333,460003333333333,\n"   # fine
           "rfid_sim,123,460004444444444,\n"                   # bad ICCID
           "ic,,,XYZ\n"                                        # bad UID
           "phone,,,\n"                                        # bad kind
           "rfid_sim,8986003333333333333,460005555555555,\n"   # duplicate ICCID in file
           "rfid_sim,8986001111111111111,460006666666666,\n")  # already in stock
    r = _import(client, op, bad)
    assert r.status_code == 422 and r.json()["imported"] == 0
    assert [(e["row"], e["code"]) for e in r.json()["errors"]] == [
        (3, "invalid_iccid"), (4, "invalid_uid"), (5, "invalid_kind"), (6, "duplicate_in_file"), (7, "duplicate_stock")]
    good = _import(client, op, "kind,iccid,imsi,uid\nrfid_sim,8986003333333333333,460003333333333,\n")
    assert good.json()["imported"] == 1  # nothing from the rejected file had been kept
    eid, admin = make_enterprise(database)
    assert _import(client, login(client, admin), STOCK).status_code == 403
