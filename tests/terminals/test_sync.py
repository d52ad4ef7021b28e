"""T3: terminals sync the blacklist and their parameters by version, and the platform knows which
version each holds (API and console)."""

from __future__ import annotations

from factories import login, make_card, make_enterprise, make_member, make_terminal

SYNC = "/api/v1/terminal/sync"


def _lose(client, headers, card_id: int) -> None:
    assert client.post(f"/api/v1/cards/{card_id}/loss", headers=headers).status_code == 200


def test_r_t3_blacklist_and_parameters_come_by_version(client, database):
    eid, admin = make_enterprise(database, name="西湖科技")
    headers = login(client, admin)
    pos = make_terminal(client, headers, eid, name="一号窗口", merchant="第一食堂")
    cards = [make_card(database, member_id=make_member(database, enterprise_id=eid), apps=("purse",))
             for _ in range(3)]
    card_nos = [client.get(f"/api/v1/cards/{c}", headers=headers).json()["card_no"] for c in cards]

    first = client.get(SYNC, headers=pos)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["blacklist"] == {"version": 0, "added": [], "removed": []}
    params = body["parameters"]
    assert params["changed"] is True and params["values"]["merchant_name"] == "第一食堂"
    assert params["values"]["enterprise_name"].startswith("西湖科技") and params["values"]["type"] == "pos"

    _lose(client, headers, cards[0])
    _lose(client, headers, cards[1])
    again = client.get(SYNC, headers=pos, params={"blacklist_version": 0, "parameters_version": params["version"]})
    delta = again.json()["blacklist"]
    assert delta["version"] == 2 and sorted(delta["added"]) == sorted(card_nos[:2]) and delta["removed"] == []
    assert again.json()["parameters"] == {"version": params["version"], "changed": False, "values": None}

    assert client.post(f"/api/v1/cards/{cards[0]}/unfreeze", headers=headers).status_code == 200
    later = client.get(SYNC, headers=pos, params={"blacklist_version": 2, "parameters_version": params["version"]})
    assert later.json()["blacklist"] == {"version": 3, "added": [], "removed": [card_nos[0]]}


def test_r_t3_parameters_change_when_what_they_say_changes(client, database):
    eid, admin = make_enterprise(database)
    headers = login(client, admin)
    pos = make_terminal(client, headers, eid, merchant="第一食堂")
    version = client.get(SYNC, headers=pos).json()["parameters"]["version"]
    r = client.put(f"/api/v1/enterprises/{eid}/purse-settings", headers=headers,
                   json={"validity_days": 365, "expiry_rule": "to_enterprise", "bill_mode": "daily_digest"})
    assert r.status_code == 200, r.text
    changed = client.get(SYNC, headers=pos, params={"parameters_version": version}).json()["parameters"]
    assert changed["changed"] is True and changed["version"] != version
    assert changed["values"]["balance_validity_days"] == 365


def test_r_t3_the_platform_knows_which_version_each_terminal_holds(client, database):
    eid, admin = make_enterprise(database)
    headers = login(client, admin)
    pos = make_terminal(client, headers, eid, name="一号窗口")
    make_terminal(client, headers, eid, type="topup", name="充值机")
    card = make_card(database, member_id=make_member(database, enterprise_id=eid), apps=("purse",))
    states = {s["name"]: s for s in client.get(f"/api/v1/enterprises/{eid}/terminals/sync-states",
                                               headers=headers).json()}
    assert states["充值机"]["last_sync_at"] is None and states["充值机"]["blacklist_behind"] is None
    params = client.get(SYNC, headers=pos).json()["parameters"]["version"]
    _lose(client, headers, card)
    assert client.post(f"/api/v1/cards/{card}/unfreeze", headers=headers).status_code == 200
    client.get(SYNC, headers=pos, params={"blacklist_version": 0, "parameters_version": params})
    states = {s["name"]: s for s in client.get(f"/api/v1/enterprises/{eid}/terminals/sync-states",
                                               headers=headers).json()}
    # It said it held version 0; the platform is at 2: two behind until its next sync says 2.
    assert states["一号窗口"]["blacklist_version"] == 0 and states["一号窗口"]["blacklist_behind"] == 2
    assert states["一号窗口"]["parameters_current"] is True and states["一号窗口"]["last_sync_at"] is not None
    client.get(SYNC, headers=pos, params={"blacklist_version": 2, "parameters_version": params})
    assert {s["name"]: s for s in client.get(f"/api/v1/enterprises/{eid}/terminals/sync-states",
                                             headers=headers).json()}["一号窗口"]["blacklist_behind"] == 0


def test_r_t2_sync_is_per_enterprise_and_refuses_bad_versions(client, database):
    eid, admin = make_enterprise(database)
    other, other_admin = make_enterprise(database)
    headers, other_headers = login(client, admin), login(client, other_admin)
    pos = make_terminal(client, headers, eid)
    theirs = make_card(database, member_id=make_member(database, enterprise_id=other), apps=("purse",))
    _lose(client, other_headers, theirs)
    assert client.get(SYNC, headers=pos).json()["blacklist"]["added"] == []  # not this enterprise's card
    future = client.get(SYNC, headers=pos, params={"blacklist_version": 99})
    assert future.status_code == 422 and future.json()["error"]["code"] == "unknown_version"
    assert client.get(SYNC, headers=pos, params={"parameters_version": "nonsense"}).status_code == 422
    assert client.get(SYNC, headers=headers).status_code == 403  # a person is not a terminal
    assert client.get(f"/api/v1/enterprises/{other}/terminals/sync-states", headers=headers).status_code == 404
