"""The TMF621 Trouble Ticket facade: an operator's system raises, reads, lists, annotates, cancels
and closes work orders in the TM Forum's fields and statuses, under the desk's own rules."""

from __future__ import annotations

from factories import login, make_enterprise, make_user
from yikatong.core.actor import Role

TMF = "/tmf-api/troubleTicket/v4/troubleTicket"
API = "/api/v1/tickets"


def _fault(enterprise_id: int, **extra) -> dict:
    return {"name": "食堂POS机无法读卡", "description": "二号窗口的POS机刷卡无反应，已重启。", "severity": "major",
            "ticketType": "fault", "channel": {"name": "hotline_10086"},
            "relatedParty": [{"id": str(enterprise_id), "role": "customer", "@referredType": "Organization"},
                             {"id": "13800000555", "role": "reporter", "@referredType": "Individual"}],
            "troubleTicketCharacteristic": [{"name": "category", "value": "terminal"}]} | extra


def test_tmf621_create_maps_to_a_work_order_and_back(client, database):
    eid, _ = make_enterprise(database, name="西湖科技")
    agent = login(client, make_user(database, role=Role.agent_l1))
    r = client.post(TMF, headers=agent, json=_fault(eid))
    assert r.status_code == 201, r.text
    tt = r.json()
    assert tt["@type"] == "TroubleTicket" and tt["href"] == f"{TMF}/{tt['id']}"
    assert (tt["status"], tt["ticketType"], tt["severity"], tt["name"]) == ("acknowledged", "fault", "major",
                                                                           "食堂POS机无法读卡")
    assert {(p["@referredType"], p["id"]) for p in tt["relatedParty"]} == {("Organization", str(eid)),
                                                                           ("Individual", "13800000555")}
    characteristics = {c["name"]: c["value"] for c in tt["troubleTicketCharacteristic"]}
    assert characteristics["category"] == "terminal" and characteristics["tier"] == 1
    ours = client.get(f"{API}/{tt['id']}", headers=agent).json()
    assert (ours["status"], ours["tier"], ours["category"], ours["enterprise_id"], ours["phone"]) == (
        "new", 1, "terminal", eid, "13800000555")


def test_tmf621_statuses_follow_the_desk_and_patch_notes_and_close(client, database):
    eid, _ = make_enterprise(database)
    agent = login(client, make_user(database, role=Role.agent_l1))
    ticket_id = client.post(TMF, headers=agent, json=_fault(eid, ticketType="consultation",
                                                             troubleTicketCharacteristic=[])).json()["id"]
    assert client.post(f"{API}/{ticket_id}/accept", headers=agent).status_code == 200
    assert client.get(f"{TMF}/{ticket_id}", headers=agent).json()["status"] == "inProgress"
    r = client.post(f"{API}/{ticket_id}/answer", headers=agent, json={"answer": "请在POS机上重新签到后再试。"})
    assert r.status_code == 200, r.text
    tt = client.get(f"{TMF}/{ticket_id}", headers=agent).json()
    assert tt["status"] == "resolved" and tt["resolutionDate"] is not None and tt["severity"] == "minor"
    assert [c["status"] for c in tt["statusChange"]] == ["acknowledged", "inProgress", "resolved"]
    assert any(n["text"] == "请在POS机上重新签到后再试。" for n in tt["note"])
    r = client.patch(f"{TMF}/{ticket_id}", headers=agent,
                     json={"note": [{"text": "客户来电确认已恢复"}], "status": "closed", "statusChangeReason": "已解决"})
    assert r.status_code == 200, r.text
    tt = r.json()
    assert tt["status"] == "closed" and any(n["text"] == "客户来电确认已恢复" for n in tt["note"])
    assert client.get(f"{API}/{ticket_id}", headers=agent).json()["status"] == "closed"
    again = client.patch(f"{TMF}/{ticket_id}", headers=agent, json={"status": "cancelled"})
    assert again.status_code == 409


def test_tmf621_list_filters_by_status_with_counts(client, database):
    eid, _ = make_enterprise(database)
    agent = login(client, make_user(database, role=Role.agent_l1))
    ids = [client.post(TMF, headers=agent, json=_fault(eid)).json()["id"] for _ in range(3)]
    client.post(f"{API}/{ids[0]}/accept", headers=agent)
    client.patch(f"{TMF}/{ids[1]}", headers=agent, json={"status": "cancelled"})
    r = client.get(TMF, headers=agent, params={"status": "inProgress"})
    assert r.status_code == 200 and [t["id"] for t in r.json()] == [ids[0]]
    assert r.headers["X-Total-Count"] == "1" and r.headers["X-Result-Count"] == "1"
    page = client.get(TMF, headers=agent, params={"limit": 2})
    assert page.headers["X-Total-Count"] == "3" and len(page.json()) == 2
    cancelled = client.get(TMF, headers=agent, params={"status": "cancelled", "ticketType": "fault"}).json()
    assert [t["id"] for t in cancelled] == [ids[1]]


def test_tmf621_bad_requests_are_4xx_and_change_nothing(client, database):
    eid, _ = make_enterprise(database)
    agent = login(client, make_user(database, role=Role.agent_l1))
    bad = [
        _fault(eid, severity="apocalyptic"),
        _fault(eid, troubleTicketCharacteristic=[{"name": "category", "value": "astrology"}]),
        _fault(eid, relatedParty=[{"id": "12345", "@referredType": "Individual"}]),
        _fault(eid, relatedParty=[{"id": "not-a-number", "@referredType": "Organization"}]),
        _fault(eid, channel={"name": "carrier_pigeon"}),
        {k: v for k, v in _fault(eid).items() if k != "ticketType"},
    ]
    for body in bad:
        r = client.post(TMF, headers=agent, json=body)
        assert r.status_code == 422, (body, r.text)
    r = client.post(TMF, headers=agent, json=_fault(eid, channel={"name": "hotline_400"}))
    assert r.status_code == 422 and r.json()["error"]["code"] == "channel_not_for_role"
    assert client.get(TMF, headers=agent).headers["X-Total-Count"] == "0"
    ticket_id = client.post(TMF, headers=agent, json=_fault(eid)).json()["id"]
    assert client.patch(f"{TMF}/{ticket_id}", headers=agent, json={}).status_code == 422
    assert client.patch(f"{TMF}/{ticket_id}", headers=agent, json={"status": "resolved"}).status_code == 422
    assert client.get(f"{TMF}/999999", headers=agent).status_code == 404


def test_tmf621_x5_another_enterprise_sees_nothing(client, database):
    eid, _ = make_enterprise(database)
    other, other_admin = make_enterprise(database)
    agent = login(client, make_user(database, role=Role.agent_l1))
    ticket_id = client.post(TMF, headers=agent, json=_fault(eid)).json()["id"]
    intruder = login(client, other_admin)
    assert client.get(f"{TMF}/{ticket_id}", headers=intruder).status_code == 404
    assert client.get(TMF, headers=intruder).json() == []
    r = client.patch(f"{TMF}/{ticket_id}", headers=intruder, json={"status": "cancelled"})
    assert r.status_code == 404
    assert client.get(f"{TMF}/{ticket_id}", headers=agent).json()["status"] == "acknowledged"
