"""The SMS channel that P6's bills and the member notices of C5, C6, C9 travel by: queued messages go
out through the configured gateway; the development gateway's messages are the inbox (``GET /sms``).
(P6 itself — per-transaction or digest bills — is the purse's to prove; these tests prove the transport.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from factories import login, make_enterprise, make_user
from notify.helpers import Receiver, drain
from yikatong.config import Settings
from yikatong.core.actor import Role
from yikatong.notify import service
from yikatong.notify.models import SmsMessage
from yikatong.notify.sms import DevInboxGateway, HttpSmsGateway, gateway_from_settings


def _queue(database, *messages: tuple[str, str, int | None]) -> None:
    with database.write() as s:
        for phone, text, enterprise_id in messages:
            service.send_sms(s, phone=phone, text=text, purpose="purse.bill", enterprise_id=enterprise_id)


def _statuses(database) -> list[tuple[str, str | None, int]]:
    with database.read() as s:
        return [(m.status, m.gateway, m.attempts) for m in s.scalars(select(SmsMessage).order_by(SmsMessage.id))]


def test_sms_dev_gateway_marks_sent_and_the_inbox_shows_them(database, client, make_worker):
    eid, admin = make_enterprise(database)
    other, other_admin = make_enterprise(database)
    make_user(database, role=Role.operator, username="inbox_op")
    _queue(database, ("13900000001", "您在食堂消费 12.50 元，余额 87.50 元", eid),
           ("13900000002", "验证码 123456", None), ("13900000003", "另一企业", other))
    op = login(client, "inbox_op")
    assert [m["status"] for m in client.get("/api/v1/sms", headers=op).json()["items"]] == ["queued"] * 3
    drain(make_worker())
    assert _statuses(database) == [("sent", "dev", 1)] * 3
    inbox = client.get("/api/v1/sms", headers=op).json()
    assert inbox["total"] == 3 and inbox["items"][0]["phone"] == "13900000003"  # newest first
    one = client.get("/api/v1/sms", params={"phone": "13900000001"}, headers=op).json()["items"]
    assert [(m["text"], m["status"], m["gateway"]) for m in one] == [("您在食堂消费 12.50 元，余额 87.50 元", "sent", "dev")]
    assert one[0]["sent_at"] is not None
    # An enterprise admin sees their own enterprise's messages only (X5).
    mine = client.get("/api/v1/sms", headers=login(client, admin)).json()
    assert [m["phone"] for m in mine["items"]] == ["13900000001"]
    assert client.get("/api/v1/sms", headers=login(client, other_admin)).json()["total"] == 1
    agent = make_user(database, role=Role.agent_l1)
    r = client.get("/api/v1/sms", headers=login(client, agent))
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"


def test_sms_http_gateway_posts_to_the_provider_and_retries(database, make_worker, clock):
    provider = Receiver(secret=None)
    answers = iter([502, 200])
    provider.respond = lambda hit: next(answers)
    try:
        gateway = HttpSmsGateway(provider.url, "sms-token-1")
        _queue(database, ("13900000009", "您的卡已挂失", None))
        worker = make_worker(sms_gateway=gateway)
        worker.run_once()
        assert _statuses(database) == [("queued", "http", 1)]
        clock.advance(seconds=1)
        worker.run_once()
        assert _statuses(database) == [("sent", "http", 2)]
        hit = provider.hits[-1]
        assert hit.headers["authorization"] == "Bearer sms-token-1"
        with database.read() as s:
            message_id = s.scalar(select(SmsMessage.id))
        assert hit.body == {"phone": "13900000009", "text": "您的卡已挂失", "purpose": "purse.bill", "id": message_id}
        gateway.client.close()
    finally:
        provider.close()


def test_sms_an_unreachable_gateway_fails_the_message_after_the_limit(database, make_worker, clock):
    gateway = HttpSmsGateway("http://127.0.0.1:9/sms", timeout_s=0.5)
    _queue(database, ("13900000008", "账单", None))
    worker = make_worker(sms_gateway=gateway, max_attempts=2)
    worker.run_once()
    clock.advance(seconds=5)
    worker.run_once()
    assert _statuses(database) == [("failed", "http", 2)]
    with database.read() as s:
        assert "ConnectError" in s.scalar(select(SmsMessage.last_error))
    gateway.client.close()


def test_gateway_is_chosen_by_settings():
    assert isinstance(gateway_from_settings(Settings(database_url="sqlite://")), DevInboxGateway)
    http = gateway_from_settings(Settings(database_url="sqlite://", sms_gateway="http",
                                          sms_http_url="https://sms.example/send", sms_http_token="t"))
    assert isinstance(http, HttpSmsGateway) and http.headers == {"Authorization": "Bearer t"}
    with pytest.raises(ValueError, match="YKT_SMS_HTTP_URL"):
        gateway_from_settings(Settings(database_url="sqlite://", sms_gateway="http"))
