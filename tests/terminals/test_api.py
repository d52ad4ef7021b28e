"""T2: terminals are registered devices with their own credentials, acting only for their own
enterprise and type."""

from __future__ import annotations

from factories import login, make_card, make_enterprise, make_member, make_terminal


def test_r_t2_a_terminal_acts_only_through_its_own_endpoints_enterprise_and_type(client, database):
    eid, admin = make_enterprise(database)
    h = login(client, admin)
    pos = make_terminal(client, h, eid, merchant="第一食堂")
    listed = client.get(f"/api/v1/enterprises/{eid}/terminals", headers=h).json()
    assert [(t["type"], t["name"], t["status"]) for t in listed] == [("pos", "一号窗口", "active")]
    # A device credential is not a person's login: staff endpoints refuse it.
    r = client.get(f"/api/v1/enterprises/{eid}/members", headers=pos)
    assert r.status_code in (403, 404)
    # A POS cannot act as a top-up machine.
    mid = make_member(database, enterprise_id=eid)
    card_no = client.get(f"/api/v1/cards/{make_card(database, member_id=mid, apps=('purse',))}", headers=h).json()["card_no"]
    r = client.post("/api/v1/terminal/topups", headers=pos, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_terminal_type"
    # A person's token cannot act as a terminal.
    r = client.post("/api/v1/terminal/purchases", headers=h, json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 403 and r.json()["error"]["code"] == "terminal_only"
    # Requests default to the terminal channel, and the credential is bound to it.
    r = client.post("/api/v1/terminal/purchases", headers=pos | {"X-Channel": "website"},
                    json={"card_no": card_no, "amount_fen": 100})
    assert r.status_code == 403 and r.json()["error"]["code"] == "channel_not_allowed"


def test_r_t2_registration_rules(client, database):
    eid, admin = make_enterprise(database)
    h = login(client, admin)
    r = client.post(f"/api/v1/enterprises/{eid}/terminals", headers=h, json={"type": "door", "name": "东门",
                                                                            "merchant": "食堂"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "merchant_for_pos_only"
    r = client.post(f"/api/v1/enterprises/{eid}/terminals", headers=h, json={"type": "atm", "name": "x"})
    assert r.status_code == 422
    other_eid, other_admin = make_enterprise(database)
    r = client.post(f"/api/v1/enterprises/{eid}/terminals", headers=login(client, other_admin),
                    json={"type": "pos", "name": "入侵"})
    assert r.status_code == 404


def test_r_t2_a_terminal_has_no_password_to_guess(client, database):
    from sqlalchemy import select

    from yikatong.auth.models import User
    from yikatong.terminals.models import Terminal

    eid, admin = make_enterprise(database)
    pos = make_terminal(client, login(client, admin), eid, merchant="第一食堂")
    with database.read() as s:
        user = s.scalar(select(User).join(Terminal, Terminal.user_id == User.id).where(Terminal.enterprise_id == eid))
        username, stored = user.username, user.password_hash
    assert not stored.startswith("$argon2")  # nothing was hashed for it: it only presents its token
    for guess in (stored, "", "!no-password", "password123"):
        r = client.post("/api/v1/auth/token", json={"username": username, "password": guess})
        assert r.status_code in (401, 422)
    assert client.get("/api/v1/terminal/sync", headers=pos).status_code == 200  # its token still works
