"""P7: the console lists an enterprise's flagged offline records (Chinese labels, Beijing times);
X5: another enterprise's admin gets a 404."""

from __future__ import annotations

import datetime as dt
import re

from factories import PASSWORD, make_enterprise

from .conftest import WHEN, make_shop


def test_r_p7_console_lists_flagged_records_with_chinese_labels(client, database, kek):
    shop = make_shop(client, database)
    records = [shop.pay(100), shop.pay(100), shop.pay(250, when=WHEN + dt.timedelta(minutes=5))]
    r = client.post("/api/v1/terminal/offline-records", headers=shop.pos, json={"records": [records[0], records[2]]})
    assert r.json()["flagged"] == [{"index": 1, "code": "counter_gap"}, {"index": 1, "code": "serial_gap"}]
    _console_login(client, shop.admin_name)
    page = client.get(f"/console/enterprises/{shop.eid}/offline-records")
    assert page.status_code == 200
    assert "脱机消费记录" in page.text and "卡脱机交易序号不连续" in page.text and "终端交易序号不连续" in page.text
    assert "2026-03-02 11:35" in page.text  # the SAM's Beijing time
    assert "2.50" in page.text and "1.00" not in page.text  # only the flagged one
    everything = client.get(f"/console/enterprises/{shop.eid}/offline-records", params={"show": "all"})
    assert "1.00" in everything.text and "2.50" in everything.text
    assert 'href="/console/enterprises/%d/offline-records"' % shop.eid in page.text  # the nav link
    other, _ = make_enterprise(database)
    assert client.get(f"/console/enterprises/{other}/offline-records").status_code == 404


def _console_login(client, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": username, "password": PASSWORD, "channel": "website",
                                    "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
