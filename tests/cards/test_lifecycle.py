"""C5 loss, C6 unfreeze, C7 replace, C8 delete an application, C9 cancel, M4 transfer, M5 phone
change, X3 service password — each success path and each refusal, with blacklist and events."""

from __future__ import annotations

from sqlalchemy import select

from factories import (
    login, make_card, make_enterprise, make_member, make_member_login, make_user, set_service_password,
)
from yikatong.core.actor import Role

PHONE = "13800000009"


def _card(client, database, apps=("access", "purse")):
    eid, admin = make_enterprise(database)
    mid = make_member(database, enterprise_id=eid, name="陈静", phone=PHONE)
    card_id = make_card(database, member_id=mid, apps=apps)
    return eid, mid, card_id, login(client, admin)


def _events(database, kind=None):
    from yikatong.notify.models import OutboxEvent

    with database.read() as s:
        stmt = select(OutboxEvent).order_by(OutboxEvent.id)
        rows = [(e.kind, e.enterprise_id, e.payload) for e in s.scalars(stmt)]
    return [r for r in rows if kind is None or r[0] == kind]


def _sms(database):
    from yikatong.notify.models import SmsMessage

    with database.read() as s:
        return [(m.phone, m.text) for m in s.scalars(select(SmsMessage).order_by(SmsMessage.id))]


def test_r_c5_admin_reports_loss_blacklists_notifies_and_tells_member(client, database):
    eid, mid, card_id, h = _card(client, database)
    card_no = client.get(f"/api/v1/cards/{card_id}", headers=h).json()["card_no"]
    before = client.get(f"/api/v1/enterprises/{eid}/blacklist", headers=h).json()["version"]
    r = client.post(f"/api/v1/cards/{card_id}/loss", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "lost" and r.json()["id"] == card_id
    bl = client.get(f"/api/v1/enterprises/{eid}/blacklist", params={"since": before}, headers=h).json()
    assert bl["version"] > before and bl["added"] == [card_no] and bl["removed"] == []
    lost = _events(database, "card.lost")
    assert len(lost) == 1 and lost[0][1] == eid and lost[0][2]["card_no"] == card_no
    assert lost[0][2]["blacklist_version"] == bl["version"]
    assert any(phone == PHONE and "挂失成功" in text for phone, text in _sms(database))


def test_r_c5_refusals_change_nothing(client, database):
    eid, mid, card_id, h = _card(client, database)
    assert client.post(f"/api/v1/cards/{card_id}/loss", headers=h).status_code == 200
    again = client.post(f"/api/v1/cards/{card_id}/loss", headers=h)
    assert again.status_code == 409 and again.json()["error"]["code"] == "card_lost"
    _, stranger = make_enterprise(database)
    r = client.post(f"/api/v1/cards/{card_id}/loss", headers=login(client, stranger))
    assert r.status_code == 404
    assert len(_events(database, "card.lost")) == 1


def test_r_c5_member_reports_own_loss_in_the_portal(client, database):
    eid, mid, card_id, h = _card(client, database)
    make_member_login(database, phone=PHONE)
    me = login(client, PHONE, channel="portal")
    cards = client.get("/api/v1/me/cards", headers=me).json()
    assert [c["id"] for c in cards] == [card_id]
    assert client.post(f"/api/v1/cards/{card_id}/loss", headers=me).json()["status"] == "lost"
    # Someone else's card is invisible to a member.
    other_mid = make_member(database, enterprise_id=eid, phone="13800000010")
    other_card = make_card(database, member_id=other_mid)
    assert client.post(f"/api/v1/cards/{other_card}/loss", headers=me).status_code == 404


def test_r_c5_r_x3_agent_needs_the_service_password(client, database):
    eid, mid, card_id, h = _card(client, database)
    make_user(database, role=Role.agent_l1, username="hotline1")
    agent = login(client, "hotline1", channel="hotline")
    r = client.post(f"/api/v1/cards/{card_id}/loss", headers=agent)
    assert r.status_code == 403 and r.json()["error"]["code"] == "service_password_required"
    password = set_service_password(database, phone=PHONE)
    r = client.post(f"/api/v1/cards/{card_id}/loss", headers=agent, json={"service_password": "111111"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_service_password"
    r = client.post(f"/api/v1/cards/{card_id}/loss", headers=agent, json={"service_password": password})
    assert r.status_code == 200 and r.json()["status"] == "lost"
    trail = client.get("/api/v1/audit", params={"action": "card.report_loss"}, headers=h).json()["items"]
    assert trail[0]["actor_username"] == "hotline1" and trail[0]["channel"] == "hotline"


def test_r_x3_wrong_service_passwords_lock_it_for_a_while(client, database, clock):
    eid, mid, card_id, h = _card(client, database)
    make_user(database, role=Role.agent_l1, username="hall1")
    agent = login(client, "hall1", channel="hall")
    password = set_service_password(database, phone=PHONE)
    codes = [client.post(f"/api/v1/cards/{card_id}/loss", headers=agent, json={"service_password": "999990"}).json()
             ["error"]["code"] for _ in range(3)]
    assert codes == ["wrong_service_password"] * 3
    r = client.post(f"/api/v1/cards/{card_id}/loss", headers=agent, json={"service_password": password})
    assert r.status_code == 403 and r.json()["error"]["code"] == "service_password_locked"
    clock.advance(minutes=31)
    agent = login(client, "hall1", channel="hall")
    assert client.post(f"/api/v1/cards/{card_id}/loss", headers=agent,
                       json={"service_password": password}).status_code == 200


def test_r_c6_unfreeze_removes_from_blacklist_and_tells_everyone(client, database):
    eid, mid, card_id, h = _card(client, database)
    client.post(f"/api/v1/cards/{card_id}/loss", headers=h)
    version = client.get(f"/api/v1/enterprises/{eid}/blacklist", headers=h).json()["version"]
    r = client.post(f"/api/v1/cards/{card_id}/unfreeze", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "active"
    delta = client.get(f"/api/v1/enterprises/{eid}/blacklist", params={"since": version}, headers=h).json()
    card_no = r.json()["card_no"]
    assert delta["removed"] == [card_no] and delta["added"] == []
    assert client.get(f"/api/v1/enterprises/{eid}/blacklist", headers=h).json()["added"] == []
    assert len(_events(database, "card.unfrozen")) == 1
    assert any("解挂成功" in text for _, text in _sms(database))


def test_r_c6_only_admin_unfreezes_and_only_a_lost_card(client, database):
    eid, mid, card_id, h = _card(client, database)
    r = client.post(f"/api/v1/cards/{card_id}/unfreeze", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "card_active"
    client.post(f"/api/v1/cards/{card_id}/loss", headers=h)
    make_member_login(database, phone=PHONE)
    me = login(client, PHONE, channel="portal")
    r = client.post(f"/api/v1/cards/{card_id}/unfreeze", headers=me)
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"


def test_r_c7_replace_revokes_old_apps_issues_new_card_and_restores_data(client, database):
    eid, mid, card_id, h = _card(client, database)
    old = client.get(f"/api/v1/cards/{card_id}", headers=h).json()
    r = client.post(f"/api/v1/cards/{card_id}/replace", headers=h,
                    json={"kind": "rfid_sim", "iccid": "8986009999999999991", "old_card_readable": True})
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["phone"] == PHONE and new["card_no"] != old["card_no"] and new["status"] == "active"
    assert new["replaces_card_id"] == card_id and new["restored_from"] == "card_backup"
    assert {a["type"] for a in new["applications"] if a["status"] == "active"} == {"access", "purse"}
    old_now = client.get(f"/api/v1/cards/{card_id}", headers=h).json()
    assert old_now["status"] == "replaced" and {a["status"] for a in old_now["applications"]} == {"revoked"}
    assert old["card_no"] in client.get(f"/api/v1/enterprises/{eid}/blacklist", headers=h).json()["added"]
    replaced = _events(database, "card.replaced")
    assert replaced[0][2]["new_card_no"] == new["card_no"]


def test_r_c7_unreadable_old_card_restores_from_platform_records_and_lost_card_can_be_replaced(client, database):
    eid, mid, card_id, h = _card(client, database)
    client.post(f"/api/v1/cards/{card_id}/loss", headers=h)
    r = client.post(f"/api/v1/cards/{card_id}/replace", headers=h, json={"kind": "rfid_sim", "old_card_readable": False})
    assert r.status_code == 201 and r.json()["restored_from"] == "platform_records"
    again = client.post(f"/api/v1/cards/{card_id}/replace", headers=h, json={"kind": "rfid_sim", "old_card_readable": False})
    assert again.status_code == 409 and again.json()["error"]["code"] == "card_replaced"


def test_r_c8_member_deletes_one_application_with_service_password(client, database):
    eid, mid, card_id, h = _card(client, database)
    make_member_login(database, phone=PHONE)
    me = login(client, PHONE, channel="portal")
    password = set_service_password(database, phone=PHONE)
    apps = {a["type"]: a["id"] for a in client.get(f"/api/v1/cards/{card_id}", headers=me).json()["applications"]}
    url = f"/api/v1/cards/{card_id}/applications/{apps['access']}"
    r = client.request("DELETE", url, headers=me, json={"service_password": "000001"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_service_password"
    r = client.request("DELETE", url, headers=me)
    assert r.status_code == 403 and r.json()["error"]["code"] == "service_password_required"
    assert client.request("DELETE", url, headers=me, json={"service_password": password}).status_code == 204
    statuses = {a["type"]: a["status"] for a in client.get(f"/api/v1/cards/{card_id}", headers=me).json()["applications"]}
    assert statuses == {"access": "deleted", "purse": "active"}
    assert _events(database, "card.application_deleted")[0][2]["application"]["type"] == "access"
    again = client.request("DELETE", url, headers=me, json={"service_password": password})
    assert again.status_code == 409 and again.json()["error"]["code"] == "application_deleted"


def test_r_c9_cancel_settles_first_removes_apps_and_blacklists(client, database):
    eid, mid, card_id, h = _card(client, database)
    r = client.post(f"/api/v1/cards/{card_id}/cancel", headers=h, json={"refund": "cash"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled" and r.json()["refunded_fen"] == 0
    card = client.get(f"/api/v1/cards/{card_id}", headers=h).json()
    assert {a["status"] for a in card["applications"]} == {"revoked"}
    assert card["card_no"] in client.get(f"/api/v1/enterprises/{eid}/blacklist", headers=h).json()["added"]
    assert _events(database, "card.cancelled")[0][2]["refunded_fen"] == 0
    assert any("注销成功" in text for _, text in _sms(database))
    for action, body in (("loss", None), ("unfreeze", None), ("cancel", {"refund": "cash"})):
        r = client.post(f"/api/v1/cards/{card_id}/{action}", headers=h, json=body)
        assert r.status_code == 409 and r.json()["error"]["code"] == "card_cancelled", action
    # The number is free again: a new card can be issued.
    assert client.post("/api/v1/cards", headers=h, json={"member_id": mid, "kind": "rfid_sim"}).status_code == 201
    bad = client.post(f"/api/v1/cards/{card_id}/cancel", headers=h, json={"refund": "bitcoin"})
    assert bad.status_code == 422


def test_r_m4_transfer_of_ownership_is_refused_with_the_reason(client, database):
    eid, mid, card_id, h = _card(client, database)
    r = client.post(f"/api/v1/cards/{card_id}/transfer", headers=h, json={"to_phone": "13900000000"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "transfer_not_supported"
    assert "过户" in r.json()["error"]["message"]
    assert client.get(f"/api/v1/cards/{card_id}", headers=h).json()["phone"] == PHONE


def test_r_m5_phone_change_cancels_old_apps_and_issues_a_new_card(client, database):
    eid, mid, card_id, h = _card(client, database)
    r = client.post(f"/api/v1/members/{mid}/phone-change", headers=h, json={"new_phone": "13700000001"})
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["phone"] == "13700000001" and new["id"] != card_id
    assert {a["type"] for a in new["applications"]} == {"access", "purse"}
    old = client.get(f"/api/v1/cards/{card_id}", headers=h)
    assert old.status_code == 404  # the member no longer holds the old number: the admin loses sight of it
    make_user(database, role=Role.operator, username="op_m5")
    old = client.get(f"/api/v1/cards/{card_id}", headers=login(client, "op_m5")).json()
    assert {a["status"] for a in old["applications"]} == {"revoked"}
    assert old["card_no"] in client.get(f"/api/v1/enterprises/{eid}/blacklist", headers=h).json()["added"]
    assert client.get(f"/api/v1/members/{mid}", headers=h).json()["phone"] == "13700000001"
    same = client.post(f"/api/v1/members/{mid}/phone-change", headers=h, json={"new_phone": "13700000001"})
    assert same.status_code == 409 and same.json()["error"]["code"] == "same_phone"


def test_r_c11_events_are_written_with_the_change_and_vanish_with_a_refusal(client, database):
    eid, mid, card_id, h = _card(client, database)
    count = len(_events(database))
    client.post(f"/api/v1/cards/{card_id}/unfreeze", headers=h)  # refused: the card is active
    assert len(_events(database)) == count
    client.post(f"/api/v1/cards/{card_id}/loss", headers=h)
    assert len(_events(database)) == count + 1


def test_r_c8_nothing_is_deleted_from_a_lost_card(client, database):
    eid, mid, card_id, h = _card(client, database)
    app_id = client.get(f"/api/v1/cards/{card_id}", headers=h).json()["applications"][0]["id"]
    client.post(f"/api/v1/cards/{card_id}/loss", headers=h)
    r = client.delete(f"/api/v1/cards/{card_id}/applications/{app_id}", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "card_lost"


def test_card_identifiers_are_checked_by_the_service_too(database):
    import pytest

    from yikatong.cards import service as cards
    from yikatong.cards.models import CardKind
    from yikatong.core.actor import SYSTEM
    from yikatong.core.errors import InvalidInput

    eid, _ = make_enterprise(database)
    mid = make_member(database, enterprise_id=eid)
    with pytest.raises(InvalidInput), database.write() as s:
        cards.issue_card(s, actor=SYSTEM, member_id=mid, kind=CardKind.rfid_sim, iccid="12")
