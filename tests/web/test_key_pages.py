"""The key set page of the console (E2, T1): operators see versions and status (never material),
rotate with confirmation, and export the key mother card; nobody else gets the page."""

from __future__ import annotations

from factories import make_enterprise, make_user
from web_helpers import csrf_from, logged_in, notice

from yikatong.core.actor import Role
from yikatong.keys import mothercard
from yikatong.keys.models import EnterpriseKey


def _operator(client, database) -> int:
    eid, _ = make_enterprise(database, name="钱塘精工")
    logged_in(client, make_user(database, role=Role.operator))
    return eid


def test_r_e2_operator_reads_the_key_set_in_chinese_without_material(client, database):
    eid = _operator(client, database)
    detail = client.get(f"/console/enterprises/{eid}")
    assert f"/console/enterprises/{eid}/keys" in detail.text
    page = client.get(f"/console/enterprises/{eid}/keys")
    assert page.status_code == 200
    assert "密钥" in page.text and "消费密钥（DPK）" in page.text and "在用" in page.text
    assert 'id="current-version">1<' in page.text and "3DES" in page.text
    with database.read() as s:
        sealed = [k.material for k in s.query(EnterpriseKey).filter_by(enterprise_id=eid)]
    assert sealed and not any(m.hex() in page.text or m.hex().upper() in page.text for m in sealed)


def test_r_t1_rotation_asks_first_then_makes_version_two_current(client, database):
    eid = _operator(client, database)
    base = f"/console/enterprises/{eid}/keys"
    token = csrf_from(client.get(base).text)
    unconfirmed = client.post(f"{base}/rotate", data={"csrf_token": token}, follow_redirects=False)
    assert unconfirmed.status_code == 303 and unconfirmed.headers["location"].endswith("?rotate=1")
    ask = client.get(f"{base}?rotate=1")
    assert "确认轮换到第 2 版？" in ask.text and "确认轮换密钥" in ask.text
    done = client.post(f"{base}/rotate", data={"csrf_token": token, "confirm": "yes", "algorithm": "sm4"})
    assert done.status_code == 200
    assert "密钥已轮换：当前为第 2 版。" in notice(done.text, "ok")
    assert 'id="current-version">2<' in done.text and "SM4" in done.text and "已停用，仍可验证" in done.text


def test_r_e2_mother_card_export_downloads_a_bundle_and_checks_the_passphrase(client, database):
    eid = _operator(client, database)
    base = f"/console/enterprises/{eid}/keys"
    token = csrf_from(client.get(base).text)
    short = client.post(f"{base}/mother-card", data={"csrf_token": token, "passphrase": "short",
                                                     "passphrase_again": "short"})
    assert short.status_code == 422 and "至少 12 个字符" in short.text
    differ = client.post(f"{base}/mother-card", data={"csrf_token": token, "passphrase": "长城长城长城长城长城长城",
                                                      "passphrase_again": "长城长城长城长城长城长"})
    assert differ.status_code == 422 and "两次输入的口令不一致。" in differ.text
    ok = client.post(f"{base}/mother-card", data={"csrf_token": token, "passphrase": "长城长城长城长城长城长城",
                                                  "passphrase_again": "长城长城长城长城长城长城"})
    assert ok.status_code == 200
    assert ok.headers["content-disposition"] == f'attachment; filename="key-mother-card-{eid}.ykmc"'
    version, _created, _payload = mothercard._open_bundle(ok.content, "长城长城长城长城长城长城", eid)
    assert version == 1


def test_r_x5_the_key_page_is_for_operators_only(client, database):
    eid, admin = make_enterprise(database)
    logged_in(client, admin)
    assert client.get(f"/console/enterprises/{eid}/keys").status_code == 403
    assert f"/console/enterprises/{eid}/keys" not in client.get(f"/console/enterprises/{eid}").text
    other, _ = make_enterprise(database)
    assert client.get(f"/console/enterprises/{other}/keys").status_code == 404
