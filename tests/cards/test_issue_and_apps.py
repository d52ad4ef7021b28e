"""C2, M2, M3 (issuing) and C4 (opening sub-applications), including a person in two enterprises."""

from __future__ import annotations

from factories import login, make_card, make_enterprise, make_member, make_user
from yikatong.core.actor import Role


def _setup(client, database, phone="13800000001"):
    eid, admin = make_enterprise(database)
    mid = make_member(database, enterprise_id=eid, name="王芳", phone=phone)
    return eid, mid, login(client, admin)


def test_r_c2_issue_rfid_sim_bound_to_the_phone(client, database):
    eid, mid, h = _setup(client, database)
    r = client.post("/api/v1/cards", headers=h, json={"member_id": mid, "kind": "rfid_sim",
                                                       "iccid": "8986001234567890123", "imsi": "460001234567890"})
    assert r.status_code == 201, r.text
    card = r.json()
    assert card["status"] == "active" and card["phone"] == "13800000001" and card["applications"] == []
    assert len(card["card_no"]) == 16 and card["card_no"].isdigit()
    assert client.get(f"/api/v1/cards/{card['id']}", headers=h).json()["card_no"] == card["card_no"]


def test_r_m2_second_rfid_sim_for_the_same_number_is_refused(client, database):
    eid, mid, h = _setup(client, database)
    assert client.post("/api/v1/cards", headers=h, json={"member_id": mid, "kind": "rfid_sim"}).status_code == 201
    r = client.post("/api/v1/cards", headers=h, json={"member_id": mid, "kind": "rfid_sim"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "one_card_per_number"
    # The same person in another enterprise does not get a second card either.
    other_eid, other_admin = make_enterprise(database)
    other_mid = make_member(database, enterprise_id=other_eid, phone="13800000001")
    r = client.post("/api/v1/cards", headers=login(client, other_admin), json={"member_id": other_mid, "kind": "rfid_sim"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "one_card_per_number"


def test_r_m3_ic_card_opens_locally_not_over_the_air(client, database):
    eid, mid, h = _setup(client, database)
    card = client.post("/api/v1/cards", headers=h, json={"member_id": mid, "kind": "ic", "uid": "04a1b2c3d4e5f6"}).json()
    assert card["kind"] == "ic" and card["uid"] == "04A1B2C3D4E5F6"
    r = client.post(f"/api/v1/cards/{card['id']}/applications", headers=h,
                    json={"enterprise_id": eid, "type": "access", "mode": "ota"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "ota_needs_rfid_sim"
    r = client.post(f"/api/v1/cards/{card['id']}/applications", headers=h,
                    json={"enterprise_id": eid, "type": "access", "mode": "local"})
    assert r.status_code == 201 and r.json()["status"] == "active"


def test_r_c4_open_applications_and_refusals(client, database):
    eid, mid, h = _setup(client, database)
    card_id = make_card(database, member_id=mid)
    for app_type in ("identity", "access", "attendance", "purse"):
        r = client.post(f"/api/v1/cards/{card_id}/applications", headers=h,
                        json={"enterprise_id": eid, "type": app_type, "mode": "ota"})
        assert r.status_code == 201, r.text
        assert r.json() | {"id": 0} == r.json() | {"id": 0, "type": app_type, "enterprise_id": eid, "status": "active"}
    again = client.post(f"/api/v1/cards/{card_id}/applications", headers=h,
                        json={"enterprise_id": eid, "type": "purse", "mode": "ota"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "application_exists"
    other_eid, _ = make_enterprise(database)
    r = client.post(f"/api/v1/cards/{card_id}/applications", headers=h,
                    json={"enterprise_id": other_eid, "type": "access", "mode": "ota"})
    assert r.status_code == 404  # an admin opens only their own enterprise's applications
    assert len(client.get(f"/api/v1/cards/{card_id}", headers=h).json()["applications"]) == 4


def test_r_c4_one_card_carries_two_enterprises_and_each_admin_sees_only_its_own(client, database):
    work_eid, work_admin = make_enterprise(database, name="公司")
    home_eid, home_admin = make_enterprise(database, name="小区")
    work_mid = make_member(database, enterprise_id=work_eid, phone="13900000005")
    make_member(database, enterprise_id=home_eid, phone="13900000005")
    card_id = make_card(database, member_id=work_mid, apps=("access", "purse"))
    home = login(client, home_admin)
    r = client.post(f"/api/v1/cards/{card_id}/applications", headers=home,
                    json={"enterprise_id": home_eid, "type": "access", "mode": "ota"})
    assert r.status_code == 201
    assert {(a["enterprise_id"], a["type"]) for a in client.get(f"/api/v1/cards/{card_id}", headers=home).json()["applications"]} == {(home_eid, "access")}
    work = client.get(f"/api/v1/cards/{card_id}", headers=login(client, work_admin)).json()
    assert {a["type"] for a in work["applications"]} == {"access", "purse"}
    make_user(database, role=Role.operator, username="op1")
    assert len(client.get(f"/api/v1/cards/{card_id}", headers=login(client, "op1")).json()["applications"]) == 3


def test_r_c4_non_member_enterprise_cannot_reach_the_card(client, database):
    eid, mid, h = _setup(client, database)
    card_id = make_card(database, member_id=mid)
    _, stranger = make_enterprise(database)
    r = client.get(f"/api/v1/cards/{card_id}", headers=login(client, stranger))
    assert r.status_code == 404 and r.json()["error"]["code"] == "card_not_found"


def test_suspended_member_gets_no_card(client, database):
    eid, mid, h = _setup(client, database)
    client.post(f"/api/v1/members/{mid}/suspend", headers=h)
    r = client.post("/api/v1/cards", headers=h, json={"member_id": mid, "kind": "rfid_sim"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "member_suspended"


def test_bad_identifiers_are_422(client, database):
    eid, mid, h = _setup(client, database)
    for body in ({"kind": "rfid_sim", "iccid": "1234"}, {"kind": "rfid_sim", "imsi": "46000"},
                 {"kind": "ic", "uid": "zz"}, {"kind": "ic", "iccid": "8986001234567890123"}, {"kind": "card"}):
        r = client.post("/api/v1/cards", headers=h, json={"member_id": mid} | body)
        assert r.status_code == 422, body
    assert client.post("/api/v1/cards", headers=h, json={"member_id": mid, "kind": "ic"}).status_code == 201


def test_r_c10_admin_lists_the_cards_under_a_members_number(client, database):
    eid, mid, h = _setup(client, database)
    card_id = make_card(database, member_id=mid, apps=("identity",))
    client.post(f"/api/v1/cards/{card_id}/replace", headers=h, json={"kind": "rfid_sim", "old_card_readable": True})
    cards = client.get(f"/api/v1/members/{mid}/cards", headers=h).json()
    assert [c["status"] for c in cards] == ["active", "replaced"]
    assert cards[0]["applications"][0]["type"] == "identity"


def test_agents_find_cards_by_number_or_phone_admins_only_their_members(client, database):
    eid, mid, h = _setup(client, database, phone="13800000031")
    card_id = make_card(database, member_id=mid)
    make_user(database, role=Role.agent_l1, username="hall9")
    agent = login(client, "hall9", channel="hall")
    by_phone = client.get("/api/v1/cards", params={"phone": "138 0000 0031"}, headers=agent).json()
    assert [c["id"] for c in by_phone] == [card_id]
    by_no = client.get("/api/v1/cards", params={"card_no": by_phone[0]["card_no"]}, headers=agent).json()
    assert [c["id"] for c in by_no] == [card_id]
    _, stranger = make_enterprise(database)
    assert client.get("/api/v1/cards", params={"phone": "13800000031"}, headers=login(client, stranger)).json() == []
    r = client.get("/api/v1/cards", headers=agent)
    assert r.status_code == 422 and r.json()["error"]["code"] == "lookup_needs_key"
