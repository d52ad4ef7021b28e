"""C4 on the console: the member page shows the chip's own balance beside the ledger's, and an
over-the-air top-up to a card that does not answer is refused with nothing credited."""

from __future__ import annotations

import re

from factories import PASSWORD, login, make_enterprise, make_member
from ota.test_ota import _chip, _issue, _ledger

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _console_login(client, username):
    token = CSRF.search(client.get("/login").text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "channel": "website",
                                    "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text


def _topup(client, path, amount):
    page = client.get(path).text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    return client.post(f"{path}/purse/topup", data={"csrf_token": CSRF.search(page).group(1),
                                                    "idempotency_key": key, "amount": amount},
                       follow_redirects=False)


def test_r_c4_member_page_shows_the_chip_balance_and_refuses_an_unreachable_card(api, store, database):
    eid, admin = make_enterprise(database)
    h = login(api, admin)
    mid = make_member(database, enterprise_id=eid)
    card_id, card_no = _issue(api, h, mid, eid=eid)
    _console_login(api, admin)
    path = f"/console/enterprises/{eid}/members/{mid}"
    assert _topup(api, path, "12.5").status_code == 303
    html = api.get(path).text
    assert "卡内余额" in html and '<dd id="chip-balance">¥12.50</dd>' in html
    store.set_reachable(card_no, False)
    r = _topup(api, path, "1")
    assert r.status_code == 503 and "卡片无法通过空中方式应答" in r.text
    assert 'id="chip-balance"' not in r.text  # no answer from the card: no chip figure
    store.set_reachable(card_no, True)
    assert _ledger(api, h, mid) == _chip(store, card_no) == 1250
