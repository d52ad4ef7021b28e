"""M1 (members: add, change, remove, search, page) and M6 (suspend and resume)."""

from __future__ import annotations

from factories import login, make_enterprise, make_member


def _admin(client, database):
    eid, admin = make_enterprise(database)
    return eid, login(client, admin)


def test_r_m1_add_get_change_remove(client, database):
    eid, h = _admin(client, database)
    r = client.post(f"/api/v1/enterprises/{eid}/members", headers=h,
                    json={"name": "王小明", "phone": "138-1234-5678", "staff_no": "A001", "department": "财务部"})
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["phone"] == "13812345678" and m["status"] == "active" and m["enterprise_id"] == eid
    r = client.patch(f"/api/v1/members/{m['id']}", headers=h, json={"department": "人力资源部", "phone": "+86 13900001111"})
    assert r.status_code == 200 and r.json()["department"] == "人力资源部" and r.json()["phone"] == "13900001111"
    assert client.get(f"/api/v1/members/{m['id']}", headers=h).json()["name"] == "王小明"
    assert client.delete(f"/api/v1/members/{m['id']}", headers=h).status_code == 204
    assert client.get(f"/api/v1/members/{m['id']}", headers=h).status_code == 404
    assert client.get(f"/api/v1/enterprises/{eid}/members", headers=h).json()["total"] == 0


def test_r_m1_phone_must_be_a_mainland_mobile(client, database):
    eid, h = _admin(client, database)
    for phone in ("12345", "23812345678", "1381234567", "138123456789", "abcdefghijk", "010-12345678"):
        r = client.post(f"/api/v1/enterprises/{eid}/members", headers=h, json={"name": "李四", "phone": phone})
        assert r.status_code == 422, phone
        assert "phone" in r.json()["error"]["message"]
    assert client.get(f"/api/v1/enterprises/{eid}/members", headers=h).json()["total"] == 0


def test_r_m1_phone_unique_within_enterprise_only(client, database):
    eid, h = _admin(client, database)
    other_eid, other_h = _admin(client, database)
    body = {"name": "赵六", "phone": "13700000001"}
    assert client.post(f"/api/v1/enterprises/{eid}/members", headers=h, json=body).status_code == 201
    r = client.post(f"/api/v1/enterprises/{eid}/members", headers=h, json=body | {"name": "另一个人"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_phone"
    # A person may belong to several enterprises with one number.
    assert client.post(f"/api/v1/enterprises/{other_eid}/members", headers=other_h, json=body).status_code == 201
    # Changing another member to a taken number is refused too.
    second = client.post(f"/api/v1/enterprises/{eid}/members", headers=h, json={"name": "钱七", "phone": "13700000002"})
    r = client.patch(f"/api/v1/members/{second.json()['id']}", headers=h, json={"phone": "13700000001"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_phone"


def test_r_m1_removed_member_frees_the_phone(client, database):
    eid, h = _admin(client, database)
    mid = make_member(database, enterprise_id=eid, phone="13600000001")
    assert client.delete(f"/api/v1/members/{mid}", headers=h).status_code == 204
    r = client.post(f"/api/v1/enterprises/{eid}/members", headers=h, json={"name": "孙八", "phone": "13600000001"})
    assert r.status_code == 201


def test_r_m1_search_matches_chinese_name_fragment_phone_and_staff_no(client, database):
    eid, h = _admin(client, database)
    make_member(database, enterprise_id=eid, name="欧阳娜娜", phone="13500000001", staff_no="HZ-0001")
    make_member(database, enterprise_id=eid, name="司马光", phone="13500000002", staff_no="HZ-0002")
    make_member(database, enterprise_id=eid, name="王娜", phone="18800000003", staff_no="SH-0003")
    url = f"/api/v1/enterprises/{eid}/members"

    def names(q):
        return sorted(m["name"] for m in client.get(url, params={"q": q}, headers=h).json()["items"])

    assert names("娜") == ["欧阳娜娜", "王娜"]
    assert names("欧阳") == ["欧阳娜娜"]
    assert names("0000002") == ["司马光"]
    assert names("188 0000") == ["王娜"]
    assert names("HZ-") == ["司马光", "欧阳娜娜"]
    assert names("不存在") == []


def test_r_m1_paging(client, database):
    eid, h = _admin(client, database)
    for i in range(7):
        make_member(database, enterprise_id=eid, name=f"成员{i}")
    url = f"/api/v1/enterprises/{eid}/members"
    first = client.get(url, params={"limit": 3}, headers=h).json()
    last = client.get(url, params={"limit": 3, "offset": 6}, headers=h).json()
    assert first["total"] == last["total"] == 7
    assert len(first["items"]) == 3 and len(last["items"]) == 1
    ids = [m["id"] for off in (0, 3, 6) for m in client.get(url, params={"limit": 3, "offset": off}, headers=h).json()["items"]]
    assert len(set(ids)) == 7
    assert client.get(url, params={"limit": 0}, headers=h).status_code == 422
    assert client.get(url, params={"limit": 100000}, headers=h).status_code == 422
    assert client.get(url, params={"offset": -1}, headers=h).status_code == 422


def test_r_m6_suspend_and_resume(client, database):
    eid, h = _admin(client, database)
    mid = make_member(database, enterprise_id=eid)
    r = client.post(f"/api/v1/members/{mid}/suspend", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    again = client.post(f"/api/v1/members/{mid}/suspend", headers=h)
    assert again.status_code == 409 and again.json()["error"]["code"] == "member_suspended"
    assert client.get(f"/api/v1/enterprises/{eid}/members", params={"status": "suspended"}, headers=h).json()["total"] == 1
    r = client.post(f"/api/v1/members/{mid}/resume", headers=h)
    assert r.status_code == 200 and r.json()["status"] == "active"
    again = client.post(f"/api/v1/members/{mid}/resume", headers=h)
    assert again.status_code == 409 and again.json()["error"]["code"] == "member_active"


def test_r_m6_suspended_member_can_be_removed_but_not_resumed_after(client, database):
    eid, h = _admin(client, database)
    mid = make_member(database, enterprise_id=eid)
    client.post(f"/api/v1/members/{mid}/suspend", headers=h)
    assert client.delete(f"/api/v1/members/{mid}", headers=h).status_code == 204
    assert client.post(f"/api/v1/members/{mid}/resume", headers=h).status_code == 404


def test_member_change_with_blank_name_is_refused(client, database):
    eid, h = _admin(client, database)
    mid = make_member(database, enterprise_id=eid, name="周九")
    r = client.patch(f"/api/v1/members/{mid}", headers=h, json={"name": "   "})
    assert r.status_code == 422
    assert client.get(f"/api/v1/members/{mid}", headers=h).json()["name"] == "周九"
