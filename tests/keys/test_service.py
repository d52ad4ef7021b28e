"""Key service (E2, T1): key sets per enterprise, sealed at rest, and the host side of the purse
protocol checked against the card's side computed with cardproto."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from factories import make_enterprise, make_key_set
from keys.conftest import card_key, enterprise_without_keys
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import purse as pp
from yikatong.core.actor import SYSTEM, Role
from yikatong.core.errors import Conflict, InvalidInput
from yikatong.keys import keystore, service, vault
from yikatong.keys.models import EnterpriseKey, KeyStatus, KeyType, PlatformRootKey

CARD = "8860123456789012"
TERMINAL = "001122334455"
DATE, TIME = "20260302", "100000"


def _purchase_tac(session, eid, *, version=1, amount=1000, serial=1, card_no=CARD):
    alg_id, dtk = card_key(session, enterprise_id=eid, key_type=KeyType.tac, version=version, card_no=card_no)
    return alg_id, pp.purchase_tac(alg_id, dtk, amount=pp.encode_amount(amount), tx_type=b"\x06",
                                   terminal_id=bytes.fromhex(TERMINAL),
                                   terminal_serial=pp.encode_terminal_serial(serial),
                                   date=pp.bcd(DATE), time=pp.bcd(TIME))


def _verify(session, eid, tac, *, version=1, alg_id=0, amount=1000, serial=1, card_no=CARD):
    return service.verify_purchase_tac(session, enterprise_id=eid, card_serial=card_no, key_version=version,
                                       algorithm_id=alg_id, amount=amount, transaction_type=6, terminal_id=TERMINAL,
                                       terminal_serial=serial, date=DATE, time=TIME, tac=tac)


def test_r_e2_every_enterprise_gets_its_own_key_set_idempotently(database, kek):
    eid, _ = make_enterprise(database)
    other, _ = make_enterprise(database, key_algorithm="sm4")
    make_key_set(database, enterprise_id=eid)  # idempotent: the registration made it
    make_key_set(database, enterprise_id=other, algorithm="sm4")
    with database.read() as s:
        mine = service.key_set(s, actor=SYSTEM, enterprise_id=eid)
        theirs = service.key_set(s, actor=SYSTEM, enterprise_id=other)
        assert {k.key_type for k in mine.keys} == set(KeyType) and len(mine.keys) == len(KeyType)
        assert (mine.algorithm, mine.algorithm_id, mine.current_version) == ("3des", 0, 1)
        assert (theirs.algorithm, theirs.algorithm_id) == ("sm4", 4)
        a = keystore.master_key(s, enterprise_id=eid, key_type=KeyType.purchase, version=1).material
        b = keystore.master_key(s, enterprise_id=other, key_type=KeyType.purchase, version=1).material
        assert len(a) == len(b) == 16 and a != b
        # Ours: the enterprise master is the root diversified with (enterprise id, type, version).
        root = s.scalar(select(PlatformRootKey).where(PlatformRootKey.algorithm_id == 0))
        root_material = vault.open_(root.material, associated=keystore.root_aad(root))
        assert a == alg.diversify(0, root_material, keystore.enterprise_factor(eid, KeyType.purchase, 1))
    with pytest.raises(Conflict) as exc, database.write() as s:
        service.ensure_enterprise_keys(s, actor=SYSTEM, enterprise_id=eid, algorithm="sm4")
    assert exc.value.code == "key_profile_mismatch"


def test_r_t1_key_material_is_only_ciphertext_at_rest(database, kek):
    eid, _ = make_enterprise(database)
    make_key_set(database, enterprise_id=eid)
    with database.read() as s:
        clear = [k.material for k in keystore.all_master_keys(s, eid)]
        root = s.scalar(select(PlatformRootKey))
        clear.append(vault.open_(root.material, associated=keystore.root_aad(root)))
        raw = [bytes(r[0]) for r in s.execute(text("SELECT material FROM enterprise_keys UNION ALL "
                                                   "SELECT material FROM platform_root_keys"))]
    assert len(raw) == len(KeyType) + 1 and len(clear) == len(raw)
    blob = b"".join(raw)
    for key in clear:
        assert key not in blob and key.hex().encode() not in blob and key.hex().upper().encode() not in blob
        # not even half of a key (a DES half-key) appears in clear
        assert key[:8] not in blob and key[8:] not in blob
    assert all(r[:1] == vault.FORMAT and len(r) == 1 + 12 + 16 + 16 for r in raw)


def test_r_t1_a_ciphertext_moved_to_another_row_or_under_another_kek_does_not_open(database, kek):
    eid, _ = make_enterprise(database)
    other, _ = make_enterprise(database)
    make_key_set(database, enterprise_id=eid)
    make_key_set(database, enterprise_id=other)
    with database.write() as s:
        mine = s.scalar(select(EnterpriseKey).where(EnterpriseKey.enterprise_id == eid,
                                                    EnterpriseKey.key_type == "tac"))
        theirs = s.scalar(select(EnterpriseKey).where(EnterpriseKey.enterprise_id == other,
                                                      EnterpriseKey.key_type == "tac"))
        theirs.material = mine.material  # an insider copies a ciphertext into another enterprise's row
    with database.read() as s, pytest.raises(vault.KeyStoreUnavailable):
        keystore.master_key(s, enterprise_id=other, key_type=KeyType.tac, version=1)
    vault.configure(b"\x07" * 32)
    with database.read() as s, pytest.raises(vault.KeyStoreUnavailable) as exc:
        keystore.master_key(s, enterprise_id=eid, key_type=KeyType.tac, version=1)
    assert exc.value.status_code == 503


@pytest.mark.parametrize("algorithm", ["3des", "sm4"])
def test_r_t1_purchase_tac_of_a_diversified_card_key_verifies_and_forgeries_do_not(database, kek, algorithm):
    eid, _ = make_enterprise(database, key_algorithm=algorithm)
    other, _ = make_enterprise(database, key_algorithm=algorithm)
    with database.read() as s:
        alg_id, tac = _purchase_tac(s, eid)
        assert alg_id == (0 if algorithm == "3des" else 4)
        assert _verify(s, eid, tac, alg_id=alg_id) is True
        assert _verify(s, eid, tac.hex(), alg_id=alg_id) is True
        assert _verify(s, eid, tac, alg_id=alg_id, amount=1001) is False  # the amount was changed
        assert _verify(s, eid, tac, alg_id=alg_id, serial=2) is False
        assert _verify(s, eid, tac, alg_id=alg_id, card_no="8860123456789020") is False  # another card's key
        assert _verify(s, other, tac, alg_id=alg_id) is False  # another enterprise's keys
        assert _verify(s, eid, tac, alg_id=alg_id, version=2) is False  # a version never issued
        assert _verify(s, eid, tac, alg_id=4 - alg_id) is False  # the other profile
        with pytest.raises(InvalidInput):
            _verify(s, eid, tac[:3], alg_id=alg_id)
        with pytest.raises(InvalidInput):
            service.verify_purchase_tac(s, enterprise_id=eid, card_serial=CARD, key_version=1, algorithm_id=alg_id,
                                        amount=1000, transaction_type=6, terminal_id="0011", terminal_serial=1,
                                        date=DATE, time=TIME, tac=tac)


def test_r_t1_rotation_keeps_old_versions_verifiable(database, kek):
    eid, _ = make_enterprise(database)
    make_key_set(database, enterprise_id=eid)
    with database.read() as s:
        _, old_tac = _purchase_tac(s, eid, version=1)
    with database.write() as s:
        service.rotate_enterprise_keys(s, actor=SYSTEM, enterprise_id=eid, algorithm="sm4")
    with database.read() as s:
        ks = service.key_set(s, actor=SYSTEM, enterprise_id=eid)
        assert (ks.current_version, ks.algorithm) == (2, "sm4")
        by_version = {(k.version, k.status) for k in ks.keys}
        assert by_version == {(1, KeyStatus.retired), (2, KeyStatus.active)}
        assert all(k.retired_at is not None for k in ks.keys if k.version == 1)
        assert _verify(s, eid, old_tac, version=1, alg_id=0) is True  # the old card's record still verifies
        _, new_tac = _purchase_tac(s, eid, version=2)
        assert _verify(s, eid, new_tac, version=2, alg_id=4) is True
        assert _verify(s, eid, new_tac, version=1, alg_id=0) is False
        assert service.current_key_version(s, enterprise_id=eid) == (2, 4)


def test_r_t1_rotating_without_keys_and_past_version_255_is_a_conflict(database, kek):
    eid = enterprise_without_keys(database)
    with pytest.raises(Conflict) as exc, database.write() as s:
        service.rotate_enterprise_keys(s, actor=SYSTEM, enterprise_id=eid)
    assert exc.value.code == "no_key_set"
    make_key_set(database, enterprise_id=eid)
    with database.write() as s:
        keystore.require_profile(s, eid).current_version = 255
    with pytest.raises(Conflict) as exc, database.write() as s:
        service.rotate_enterprise_keys(s, actor=SYSTEM, enterprise_id=eid)
    assert exc.value.code == "key_versions_exhausted"


@pytest.mark.parametrize("algorithm", ["3des", "sm4"])
def test_r_t1_over_the_air_load_host_checks_mac1_answers_mac2_and_verifies_tac(database, kek, algorithm):
    eid, _ = make_enterprise(database, key_algorithm=algorithm)
    random, counter, old, amount = bytes.fromhex("3948BC11"), 7, 500, 2000
    tid = bytes.fromhex(TERMINAL)
    with database.read() as s:
        # The card: INITIALIZE FOR LOAD answers MAC1 under its DLK's session key.
        alg_id, dlk = card_key(s, enterprise_id=eid, key_type=KeyType.load, version=1, card_no=CARD)
        seslk = pp.load_session_key(alg_id, dlk, random=random, online_counter=pp.encode_counter(counter))
        mac1 = pp.load_mac1(alg_id, seslk, old_balance=pp.encode_amount(old), amount=pp.encode_amount(amount),
                            tx_type=b"\x02", terminal_id=tid)
        fields = dict(enterprise_id=eid, card_serial=CARD, key_version=1, algorithm_id=alg_id, random=random,
                      online_counter=counter, old_balance=old, amount=amount, terminal_id=TERMINAL, date=DATE,
                      time=TIME)
        mac2 = service.load_authorisation(s, **fields, mac1=mac1)
        # CREDIT FOR LOAD: the card accepts exactly the MAC2 it computes itself.
        assert mac2 == pp.load_mac2(alg_id, seslk, amount=pp.encode_amount(amount), tx_type=b"\x02", terminal_id=tid,
                                    date=pp.bcd(DATE), time=pp.bcd(TIME))
        for bad, code in ((dict(mac1=bytes(4)), "bad_mac1"), (dict(mac1=mac1, old_balance=501), "bad_mac1"),
                          (dict(mac1=mac1, algorithm_id=4 - alg_id), "algorithm_mismatch"),
                          (dict(mac1=mac1, random="zz"), "invalid_card_field")):
            with pytest.raises(InvalidInput) as exc:
                service.load_authorisation(s, **(fields | bad))
            assert exc.value.code == code
        with pytest.raises(Conflict) as exc:
            service.load_authorisation(s, **(fields | {"key_version": 9}), mac1=mac1)
        assert exc.value.code == "unknown_key_version"
        # The card's TAC over the credited load.
        _, dtk = card_key(s, enterprise_id=eid, key_type=KeyType.tac, version=1, card_no=CARD)
        tac = pp.load_tac(alg_id, dtk, new_balance=pp.encode_amount(old + amount),
                          online_counter=pp.encode_counter(counter), amount=pp.encode_amount(amount), tx_type=b"\x02",
                          terminal_id=tid, date=pp.bcd(DATE), time=pp.bcd(TIME))
        load = dict(enterprise_id=eid, card_serial=CARD, key_version=1, algorithm_id=alg_id, online_counter=counter,
                    amount=amount, terminal_id=TERMINAL, date=DATE, time=TIME, tac=tac)
        assert service.verify_load_tac(s, **load, new_balance=old + amount) is True
        assert service.verify_load_tac(s, **load, new_balance=old + amount + 1) is False


def test_r_t1_the_kek_comes_from_configuration_else_a_loud_development_file(tmp_path, monkeypatch, caplog):
    import base64

    good = base64.b64encode(b"\x01" * 32).decode()
    assert vault.resolve_kek(configured=good, database_url="sqlite:///x.db") == b"\x01" * 32
    for bad in ("not base64!", base64.b64encode(b"short").decode()):
        with pytest.raises(ValueError):
            vault.resolve_kek(configured=bad, database_url="sqlite:///x.db")
    url = f"sqlite:///{tmp_path / 'ykt.db'}"
    with caplog.at_level("WARNING", logger="yikatong.keys"):
        first = vault.resolve_kek(configured=None, database_url=url)
    assert "YKT_KEY_ENCRYPTION_KEY" in caplog.text and "GENERATED" in caplog.text
    path = tmp_path / "ykt.db.kek"
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert vault.resolve_kek(configured=None, database_url=url) == first  # the same file, read again
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert vault.resolve_kek(configured=None, database_url=other) != first


def test_r_t1_a_malformed_kek_setting_stops_the_app_at_start(database, kek):
    import base64

    from yikatong.app import create_app
    from yikatong.config import Settings

    with pytest.raises(ValueError, match="YKT_KEY_ENCRYPTION_KEY"):
        create_app(Settings(database_url=database.url, key_encryption_key="c2hvcnQ="), database=database)
    configured = base64.b64encode(b"\x05" * 32).decode()
    create_app(Settings(database_url=database.url, key_encryption_key=configured), database=database)
    assert vault._current() == b"\x05" * 32


def test_r_e2_registering_an_enterprise_creates_its_own_key_set(client, database):
    from factories import login, make_user

    operator = login(client, make_user(database, role=Role.operator))
    manager_name = make_user(database, role=Role.account_manager)
    r = client.post("/api/v1/enterprises", headers=login(client, manager_name), json={
        "code": "GC5719999", "name": "钱塘江物流", "city": "杭州", "zone": "urban",
        "admin_username": "qtj_admin", "admin_password": "Passw0rd!2026"})
    assert r.status_code == 201, r.text
    keys = client.get(f"/api/v1/enterprises/{r.json()['id']}/keys", headers=operator)
    assert keys.status_code == 200, keys.text
    body = keys.json()
    assert body["current_version"] == 1 and {k["key_type"] for k in body["keys"]} >= {"purchase", "load", "tac"}
    created = client.get("/api/v1/audit", headers=operator,
                         params={"action": "keys.create", "entity_id": str(r.json()["id"])}).json()["items"]
    assert [e["actor_username"] for e in created] == [manager_name]
