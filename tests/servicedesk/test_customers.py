"""S6, S8, X5: customers create orders in the portal and follow them; supervision complaints link
the original order and are seen by supervisors, not by the second line they are about; another
enterprise's admin or member gets 404."""

from __future__ import annotations

from factories import login, make_enterprise, make_member, make_member_login, unique_phone


def test_r_s8_member_creates_in_the_portal_sees_progress_and_rates(desk):
    t = desk.create("member", channel="portal", enterprise_id=None, phone=None, title="考勤机不识别我的卡")
    assert (t["status"], t["tier"]) == ("new", 2)
    mine = desk.get("member", "/tickets").json()
    assert [i["id"] for i in mine["items"]] == [t["id"]]
    body = desk.ticket(t["id"], "member")
    assert body["enterprise_id"] == desk.eid and body["phone"] == desk.phone and body["member_id"] == desk.member_id
    desk.act("l2", t["id"], "accept")
    desk.act("l2", t["id"], "answer", {"answer": "已为您重新开通考勤应用"})
    progress = desk.ticket(t["id"], "member")
    assert progress["status"] == "answered" and [e["action"] for e in progress["history"]][-1] == "answer"
    assert desk.act("member", t["id"], "rate", {"rating": 3, "comment": "一般"})["rating_comment"] == "一般"
    r = desk.post("member", f"/tickets/{t['id']}/close")
    assert r.status_code == 403


def test_r_s8_enterprise_admin_creates_and_sees_only_their_enterprise(desk):
    t = desk.create("admin", channel="portal", enterprise_id=None, phone=None, category="engineering")
    assert desk.ticket(t["id"], "admin")["enterprise_id"] == desk.eid
    other = desk.create("sub_admin", channel="portal", enterprise_id=None, phone=None)
    listed = [i["id"] for i in desk.get("admin", "/tickets").json()["items"]]
    assert t["id"] in listed and other["id"] not in listed
    r = desk.post("admin", "/tickets", {"type": "fault", "category": "terminal", "title": "x", "channel": "portal",
                                        "enterprise_id": desk.suburban_eid})
    assert r.status_code == 404 and r.json()["error"]["code"] == "enterprise_not_found"


def test_r_x5_other_enterprises_admin_and_member_get_404_everywhere(desk, client, database):
    t = desk.create("l1")
    eid2, admin2 = make_enterprise(database)
    phone2 = unique_phone()
    make_member(database, enterprise_id=eid2, phone=phone2)
    make_member_login(database, phone=phone2)
    for headers in (login(client, admin2), login(client, phone2)):
        r = client.get(f"/api/v1/tickets/{t['id']}", headers=headers)
        assert r.status_code == 404 and r.json()["error"]["code"] == "ticket_not_found"
        for action, body in (("cancel", None), ("rate", {"rating": 1}), ("comment", {"note": "x"}),
                             ("reopen", None), ("resume", None)):
            r = client.post(f"/api/v1/tickets/{t['id']}/{action}", headers=headers, json=body)
            assert r.status_code == 404, (action, r.text)
        assert client.get("/api/v1/tickets", headers=headers).json()["total"] == 0
        assert client.get(f"/api/v1/tickets/{t['id']}/suggestions", headers=headers).status_code == 404
        r = client.get(f"/api/v1/enterprises/{desk.eid}/dispatch-rules", headers=headers)
        assert r.status_code == 404
    r = client.post("/api/v1/tickets", headers=login(client, phone2),
                    json={"type": "fault", "category": "terminal", "title": "x", "channel": "portal",
                          "enterprise_id": desk.eid})
    assert r.status_code == 404
    r = client.put(f"/api/v1/enterprises/{desk.eid}/dispatch-rules", headers=login(client, admin2), json={})
    assert r.status_code == 404
    assert desk.ticket(t["id"])["status"] == "new"


def test_r_s6_supervision_complaint_links_the_original_and_is_seen_by_supervisors(desk):
    original = desk.create("member", channel="portal", enterprise_id=None, phone=None)
    desk.act("l2", original["id"], "accept")
    desk.act("l2", original["id"], "answer", {"answer": "请自行重启"})
    r = desk.post("member", "/tickets", {"type": "supervision", "category": "business", "title": "二线敷衍",
                                         "channel": "website"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "linked_ticket_required"
    sup = desk.create("l1", type="supervision", category="business", title="投诉二线客服态度",
                      linked_ticket_id=original["id"], channel="hotline_10086")
    assert sup["tier"] == 1
    body = desk.ticket(sup["id"], "op")
    assert body["linked_ticket_id"] == original["id"] and body["type"] == "supervision"
    supervised = desk.get("op", "/tickets", type="supervision").json()
    assert [i["id"] for i in supervised["items"]] == [sup["id"]]
    # The second line it is about does not see it, nor tech support.
    assert desk.get("l2", f"/tickets/{sup['id']}").status_code == 404
    assert desk.get("tech", f"/tickets/{sup['id']}").status_code == 404
    assert sup["id"] not in [i["id"] for i in desk.get("l2", "/tickets", queue="false").json()["items"]]
    assert desk.ticket(sup["id"], "member")["linked_ticket_id"] == original["id"]
    desk.act("op", sup["id"], "accept")
    r = desk.post("op", f"/tickets/{sup['id']}/escalate")
    assert r.status_code == 409 and r.json()["error"]["code"] == "supervision_not_escalated"
    assert desk.act("op", sup["id"], "answer", {"answer": "已约谈二线班长并回访"})["status"] == "answered"


def test_r_s6_a_supervision_complaint_cannot_link_an_order_the_customer_cannot_see(desk):
    foreign = desk.create("sub_admin", channel="portal", enterprise_id=None, phone=None)
    r = desk.post("member", "/tickets", {"type": "supervision", "category": "business", "title": "x",
                                         "channel": "website", "linked_ticket_id": foreign["id"]})
    assert r.status_code == 404


def test_r_s8_lists_filter_and_page(desk):
    ids = [desk.create("l1", category=c)["id"] for c in ("terminal", "business", "terminal")]
    r = desk.get("op", "/tickets", category="terminal", limit=1)
    assert r.json()["total"] == 2 and [i["id"] for i in r.json()["items"]] == [ids[2]]
    r = desk.get("op", "/tickets", category="terminal", limit=1, offset=1)
    assert [i["id"] for i in r.json()["items"]] == [ids[0]]
    assert desk.get("op", "/tickets", q="门禁").json()["total"] == 3
    assert desk.get("op", "/tickets", status="closed").json()["total"] == 0
    assert desk.get("op", "/tickets", status="bogus").status_code == 422
    assert desk.get("l2", "/tickets").json()["total"] == 0  # tier-2 queue is empty
    assert desk.get("l2", "/tickets", queue="false").json()["total"] == 3


def test_r_s1_agents_see_suggested_knowledge_articles(desk):
    t = desk.create("l1", title="RFID-SIM卡丢失如何挂失")
    r = desk.get("l1", f"/tickets/{t['id']}/suggestions")
    assert r.status_code == 200 and isinstance(r.json(), list)
