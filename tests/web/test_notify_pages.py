"""Notification pages: the development SMS inbox (P6), and an enterprise's subsystem webhooks with
their deliveries — add (secret shown once), deactivate after confirming, filter, replay (C11)."""

from __future__ import annotations

import re

import httpx
import pytest
from factories import make_card, make_enterprise, make_member, make_user
from web_helpers import csrf, csrf_from, logged_in

from yikatong.core.actor import SYSTEM, Role
from yikatong.core.pagination import PageParams
from yikatong.notify import service as notify
from yikatong.notify import webhooks
from yikatong.notify.sms import DevInboxGateway
from yikatong.notify.worker import Worker


def _deliveries(database, eid):
    with database.read() as s:
        return [(d.id, d.status, d.attempts) for d in webhooks.list_deliveries(
            s, actor=SYSTEM, enterprise_id=eid, page=PageParams(limit=100)).items]


def _run_worker(database, status_code: int) -> None:
    """One round of the real worker against a receiver that always answers ``status_code``."""
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(status_code)))
    worker = Worker(database, sms_gateway=DevInboxGateway(), http_client=client, max_attempts=1)
    try:
        worker.run_once()
    finally:
        worker.close()
        client.close()


def test_sms_inbox_shows_the_portal_code_to_operators_newest_first(client, database):
    eid, _ = make_enterprise(database)
    make_member(database, enterprise_id=eid, name="李雷", phone="13800000401")
    with database.write() as s:
        notify.send_sms(s, phone="13800000401", text="【一卡通】第一条", purpose="card_status")
        notify.send_sms(s, phone="13800000402", text="【一卡通】第二条", purpose="card_status")
    token = csrf_from(client.get("/portal/setup").text)
    client.post("/portal/setup/code", data={"csrf_token": token, "phone": "13800000401"})
    logged_in(client, make_user(database, role=Role.operator))
    html = client.get("/console/sms").text
    assert "短信收件箱" in html and 'class="active" aria-current="page">短信收件箱' in html
    texts = re.findall(r'<td class="cell-text">([^<]*)</td>', html)
    assert texts[0].startswith("【一卡通】您的个人服务门户验证码为") and texts[1:] == ["【一卡通】第二条", "【一卡通】第一条"]
    assert "138 0000 0401" in html and "门户验证码" in html and "待发送" in html
    filtered = client.get("/console/sms", params={"phone": "138 0000 0402"}).text
    assert "第二条" in filtered and "第一条" not in filtered


def test_sms_inbox_pages(client, database):
    with database.write() as s:
        for i in range(35):
            notify.send_sms(s, phone="13800000403", text=f"消息{i:02d}", purpose="card_status")
    logged_in(client, make_user(database, role=Role.operator))
    first = client.get("/console/sms").text
    assert "第 1 / 2 页 · 共 35 条" in first and "消息34" in first and "消息04" not in first
    assert "消息04" in client.get("/console/sms", params={"page": 2}).text


def test_enterprise_admin_reads_only_their_enterprises_sms(client, database):
    eid, admin = make_enterprise(database)
    other_id, _ = make_enterprise(database)
    with database.write() as s:
        notify.send_sms(s, phone="13800000404", text="本企业的短信", purpose="card_status", enterprise_id=eid)
        notify.send_sms(s, phone="13800000405", text="别家的短信", purpose="card_status", enterprise_id=other_id)
    logged_in(client, admin)
    html = client.get("/console/sms").text
    assert "本企业的短信" in html and "别家的短信" not in html


@pytest.fixture
def admin(client, database):
    eid, username = make_enterprise(database, name="西湖数智")
    logged_in(client, username)
    return eid, f"/console/enterprises/{eid}/webhooks"


def test_r_c11_admin_adds_a_webhook_and_sees_its_secret_once(client, database, admin):
    eid, path = admin
    page = client.get(path)
    assert page.status_code == 200 and "还没有应用子系统订阅" in page.text
    token = csrf_from(page.text)
    bad = client.post(path, data={"csrf_token": token, "url": "ftp://example.test/hook"})
    assert bad.status_code == 422 and 'value="ftp://example.test/hook"' in bad.text
    r = client.post(path, data={"csrf_token": token, "url": "https://access.example.test/ykt"})
    assert r.status_code == 201
    secret = re.search(r'<code class="secret" id="webhook-secret">([^<]+)</code>', r.text).group(1)
    assert len(secret) >= 16
    listing = client.get(path).text
    assert "https://access.example.test/ykt" in listing and secret not in listing and "启用" in listing


def test_r_c11_deliveries_are_listed_filtered_and_replayed(client, database, admin):
    eid, path = admin
    with database.write() as s:
        webhooks.create_subscription(s, actor=SYSTEM, enterprise_id=eid, url="https://door.example.test/ykt")
    mid = make_member(database, enterprise_id=eid, phone="13800000406")
    make_card(database, member_id=mid, apps=("access",))  # card.issued + card.application_opened
    assert [status for _, status, _ in _deliveries(database, eid)] == ["pending", "pending"]
    _run_worker(database, 500)  # max_attempts=1: the first failure is final
    [(newest, status, _), (oldest, status2, attempts)] = _deliveries(database, eid)
    assert (status2, attempts, status) == ("dead", 1, "pending")  # the card's next event waits its turn
    html = client.get(path).text
    assert "已放弃" in html and "HTTP 500" in html and "发卡" in html
    dead_only = client.get(path, params={"status": "dead"}).text
    assert f'id="delivery-{oldest}"' in dead_only and f'id="delivery-{newest}"' not in dead_only
    assert f'action="{path}/deliveries/{oldest}/replay"' in dead_only
    back = f"{path}?status=dead"
    r = client.post(f"{path}/deliveries/{oldest}/replay", data={"csrf_token": csrf_from(dead_only), "back": back},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == back
    assert dict((i, s) for i, s, _ in _deliveries(database, eid))[oldest] == "pending"
    assert f"推送记录 #{oldest} 将重新发送" in client.get(back).text


def test_replay_without_csrf_changes_nothing(client, database, admin):
    eid, path = admin
    with database.write() as s:
        webhooks.create_subscription(s, actor=SYSTEM, enterprise_id=eid, url="https://door.example.test/ykt")
    make_card(database, member_id=make_member(database, enterprise_id=eid, phone="13800000407"))
    _run_worker(database, 200)
    [(delivery_id, status, _)] = _deliveries(database, eid)
    assert status == "delivered"
    r = client.post(f"{path}/deliveries/{delivery_id}/replay", data={})
    assert r.status_code == 403 and _deliveries(database, eid)[0][1] == "delivered"


def test_r_c11_deactivate_a_webhook_after_confirming(client, database, admin):
    eid, path = admin
    with database.write() as s:
        sub = webhooks.create_subscription(s, actor=SYSTEM, enterprise_id=eid, url="https://att.example.test/ykt")
        sub_id = sub.id
    confirm = client.get(f"{path}/{sub_id}/deactivate")
    assert confirm.status_code == 200 and "确定停止向这个地址推送事件吗" in confirm.text
    token = csrf_from(confirm.text)
    r = client.post(f"{path}/{sub_id}/deactivate", data={"csrf_token": token}, follow_redirects=False)
    assert r.headers["location"] == f"{path}/{sub_id}/deactivate"
    r = client.post(f"{path}/{sub_id}/deactivate", data={"csrf_token": token, "confirm": "yes"},
                    follow_redirects=False)
    assert r.status_code == 303
    html = client.get(path).text
    assert "已停用" in html and f'href="{path}/{sub_id}/deactivate"' not in html


def test_r_x5_another_enterprises_webhooks_and_deliveries_are_404(client, database, admin):
    eid, path = admin
    other_id, _ = make_enterprise(database)
    with database.write() as s:
        other_sub = webhooks.create_subscription(s, actor=SYSTEM, enterprise_id=other_id,
                                                 url="https://other.example.test/ykt").id
    make_card(database, member_id=make_member(database, enterprise_id=other_id, phone="13800000408"))
    _run_worker(database, 500)
    [(other_delivery, _, _)] = _deliveries(database, other_id)
    token = csrf(client, path)
    other_path = f"/console/enterprises/{other_id}/webhooks"
    for url in (other_path, f"{other_path}/{other_sub}/deactivate", f"{path}/{other_sub}/deactivate"):
        assert client.get(url).status_code == 404, url
    for url in (f"{path}/{other_sub}/deactivate", f"{path}/deliveries/{other_delivery}/replay",
                f"{other_path}/deliveries/{other_delivery}/replay"):
        assert client.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 404, url
    assert _deliveries(database, other_id)[0][1] == "dead"


def test_account_managers_read_the_blacklist_but_not_webhooks(client, database):
    eid, _ = make_enterprise(database)
    logged_in(client, make_user(database, role=Role.account_manager))
    assert client.get(f"/console/enterprises/{eid}/blacklist").status_code == 200
    assert client.get(f"/console/enterprises/{eid}/webhooks").status_code == 403
    assert client.get("/console/sms").status_code == 403
