"""E2: the key mother card — export, import into an issuing terminal, each refusal — and the key
endpoints (operators only, audited, never a key in clear)."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from factories import login, make_enterprise, make_terminal, make_user
from keys.conftest import enterprise_without_keys
from yikatong.audit.models import AuditEntry
from yikatong.core.actor import SYSTEM, Role
from yikatong.core.errors import Conflict, Forbidden, InvalidInput
from yikatong.keys import keystore, mothercard, service
from yikatong.keys.models import Algorithm, KeyType, TerminalMotherCard

PASS = "correct horse battery staple"


@pytest.fixture
def setup(client, database, kek):
    eid, admin = make_enterprise(database)
    op = login(client, make_user(database, role=Role.operator))
    r = client.post(f"/api/v1/enterprises/{eid}/keys", headers=op, json={"algorithm": "3des"})
    assert r.status_code == 201, r.text
    issuing = make_terminal(client, login(client, admin), eid, type="issuing", name="发卡机")
    return eid, admin, op, issuing


def _export(client, op, eid, passphrase=PASS) -> bytes:
    r = client.post(f"/api/v1/enterprises/{eid}/keys/mother-card", headers=op, json={"passphrase": passphrase})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/octet-stream"
    return r.content


def _upload(client, terminal, bundle: bytes, passphrase=PASS):
    return client.post("/api/v1/terminal/mother-card", headers=terminal,
                       json={"bundle": base64.b64encode(bundle).decode(), "passphrase": passphrase})


def _clear_keys(database, eid) -> list[bytes]:
    with database.read() as s:
        return [k.material for k in keystore.all_master_keys(s, eid)]


def _terminal_id(database, eid) -> int:
    from yikatong.terminals.models import Terminal

    with database.read() as s:
        return s.scalar(select(Terminal.id).where(Terminal.enterprise_id == eid, Terminal.type == "issuing"))


def test_r_e2_mother_card_round_trip_and_rewash_check(client, database, setup):
    eid, _, op, issuing = setup
    tid = _terminal_id(database, eid)
    with database.read() as s, pytest.raises(Forbidden) as exc:
        mothercard.require_mother_card(s, terminal_id=tid, enterprise_id=eid)
    assert exc.value.code == "mother_card_required"
    bundle = _export(client, op, eid)
    assert bundle[:4] == b"YKMC" and int.from_bytes(bundle[5:9], "big") == eid  # bound to the enterprise
    assert int.from_bytes(bundle[9:11], "big") == 1
    r = _upload(client, issuing, bundle)
    assert r.status_code == 201, r.text
    assert (r.json()["terminal_id"], r.json()["enterprise_id"], r.json()["key_set_version"]) == (tid, eid, 1)
    with database.read() as s:
        mothercard.require_mother_card(s, terminal_id=tid, enterprise_id=eid)  # passes
        stored = s.scalar(select(TerminalMotherCard.material).where(TerminalMotherCard.terminal_id == tid))
    for key in _clear_keys(database, eid):
        assert key not in bundle and key not in stored  # sealed in the file and in the terminal's store
    assert _upload(client, issuing, bundle).status_code == 201  # the same card again: harmless
    # Keys rotated: the installed card is outdated for re-washing until the new one is imported.
    assert client.post(f"/api/v1/enterprises/{eid}/keys/rotate", headers=op, json={}).status_code == 200
    with database.read() as s, pytest.raises(Conflict) as exc:
        mothercard.require_mother_card(s, terminal_id=tid, enterprise_id=eid)
    assert exc.value.code == "mother_card_outdated"
    r = _upload(client, issuing, bundle)
    assert r.status_code == 409 and r.json()["error"]["code"] == "mother_card_outdated"
    newer = _export(client, op, eid)
    assert _upload(client, issuing, newer).json()["key_set_version"] == 2
    with database.read() as s:
        mothercard.require_mother_card(s, terminal_id=tid, enterprise_id=eid)
        other_eid, _ = make_enterprise(database)
        with pytest.raises(Forbidden):
            mothercard.require_mother_card(s, terminal_id=tid, enterprise_id=other_eid)
    # An older card than the one installed: refused, the newer one stays.
    r = _upload(client, issuing, bundle)
    assert r.status_code == 409 and r.json()["error"]["code"] == "mother_card_outdated"
    actions = _actions(database, eid)
    assert {"keys.create", "keys.rotate", "keys.mother_card_export", "keys.mother_card_import"} <= actions


def _actions(database, eid) -> set[str]:
    with database.read() as s:
        return set(s.scalars(select(AuditEntry.action).where(AuditEntry.enterprise_id == eid)))


def test_r_e2_mother_card_refusals(client, database, setup):
    eid, admin, op, issuing = setup
    bundle = _export(client, op, eid)
    # Wrong passphrase.
    r = _upload(client, issuing, bundle, passphrase="not the passphrase")
    assert r.status_code == 422 and r.json()["error"]["code"] == "wrong_passphrase"
    # A tampered byte: in the ciphertext, and in the authenticated header (the key set version).
    for offset in (len(bundle) - 20, 10):
        tampered = bytearray(bundle)
        tampered[offset] ^= 0x01
        r = _upload(client, issuing, bytes(tampered))
        assert r.status_code == 422 and r.json()["error"]["code"] == "mother_card_tampered", offset
    # Not a mother card at all, and a cut one.
    for junk in (b"hello", bundle[:40]):
        r = _upload(client, issuing, junk)
        assert r.status_code == 422 and r.json()["error"]["code"] == "mother_card_malformed"
    r = client.post("/api/v1/terminal/mother-card", headers=issuing, json={"bundle": "@@@", "passphrase": PASS})
    assert r.status_code == 422
    # Another enterprise's mother card.
    other, other_admin = make_enterprise(database)
    assert client.post(f"/api/v1/enterprises/{other}/keys", headers=op, json={}).status_code == 201
    theirs = _export(client, op, other)
    r = _upload(client, issuing, theirs)
    assert r.status_code == 409 and r.json()["error"]["code"] == "mother_card_wrong_enterprise"
    # Relabelled to our enterprise: the header is authenticated.
    relabelled = theirs[:5] + eid.to_bytes(4, "big") + theirs[9:]
    r = _upload(client, issuing, relabelled)
    assert r.status_code == 422 and r.json()["error"]["code"] == "mother_card_tampered"
    # Only an issuing terminal installs one.
    pos = make_terminal(client, login(client, admin), eid, type="pos", name="收银机")
    r = _upload(client, pos, bundle)
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_terminal_type"
    r = _upload(client, op, bundle)
    assert r.status_code == 403 and r.json()["error"]["code"] == "terminal_only"
    with database.read() as s:
        assert s.scalar(select(TerminalMotherCard.id)) is None  # nothing was installed


def test_r_e2_a_bundle_made_with_someone_elses_keys_is_not_genuine(client, database, setup):
    eid, _, _, issuing = setup
    with database.read() as s:
        keys = keystore.all_master_keys(s, eid)
    forged_keys = [keystore.MasterKey(k.key_type, k.version, k.algorithm_id, k.status,
                                      bytes(16) if k.key_type == KeyType.tac else k.material) for k in keys]
    # The forger knows the format and picks a passphrase; the key service compares with its own keys.
    import secrets

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    aes, check = mothercard._derive(PASS, salt, 15, 8, 1)
    header = mothercard.HEADER.pack(b"YKMC", 1, eid, 1, 0, 15, 8, 1, salt, check, nonce)
    forged = header + AESGCM(aes).encrypt(nonce, mothercard._payload(forged_keys), header)
    r = _upload(client, issuing, forged)
    assert r.status_code == 422 and r.json()["error"]["code"] == "mother_card_not_genuine"
    # A crafted header asking for an absurd scrypt cost is refused before any work.
    costly = mothercard.HEADER.pack(b"YKMC", 1, eid, 1, 0, 30, 8, 1, salt, check, nonce) + bytes(40)
    r = _upload(client, issuing, costly)
    assert r.status_code == 422 and r.json()["error"]["code"] == "mother_card_malformed"


def test_r_t1_no_key_endpoint_answers_a_key_in_clear(client, database, setup):
    eid, admin, op, issuing = setup
    answers = [client.post(f"/api/v1/enterprises/{eid}/keys", headers=op, json={"algorithm": "3des"}),
               client.get(f"/api/v1/enterprises/{eid}/keys", headers=op),
               client.post(f"/api/v1/enterprises/{eid}/keys/rotate", headers=op, json={"algorithm": "sm4"}),
               client.post(f"/api/v1/enterprises/{eid}/keys/mother-card", headers=op, json={"passphrase": PASS})]
    answers.append(_upload(client, issuing, answers[-1].content))
    assert [a.status_code for a in answers] == [201, 200, 200, 200, 201]
    listed = answers[1].json()
    assert set(listed) == {"enterprise_id", "algorithm", "algorithm_id", "current_version", "keys"}
    assert all(set(k) == {"key_type", "version", "algorithm", "algorithm_id", "status", "created_at", "retired_at"}
               for k in listed["keys"])
    rotated = answers[2].json()
    assert (rotated["current_version"], rotated["algorithm"], len(rotated["keys"])) == (2, "sm4", 2 * len(KeyType))
    for key in _clear_keys(database, eid):
        forms = (key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key))
        for answer in answers:
            assert not any(f in answer.content for f in forms)


def test_r_e2_key_endpoints_are_for_operators(client, database, setup):
    eid, admin, op, _ = setup
    own = login(client, admin)
    for method, path, body in (("GET", "keys", None), ("POST", "keys", {}), ("POST", "keys/rotate", {}),
                               ("POST", "keys/mother-card", {"passphrase": PASS})):
        r = client.request(method, f"/api/v1/enterprises/{eid}/{path}", headers=own, json=body)
        assert r.status_code == 403, (path, r.text)
    r = client.post(f"/api/v1/enterprises/{eid}/keys/mother-card", headers=op, json={"passphrase": "short"})
    assert r.status_code == 422
    r = client.post(f"/api/v1/enterprises/{eid}/keys", headers=op, json={"algorithm": "aes"})
    assert r.status_code == 422
    r = client.post(f"/api/v1/enterprises/{eid}/keys", headers=op, json={"algorithm": "sm4"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "key_profile_mismatch"
    r = client.get("/api/v1/enterprises/99999/keys", headers=op)
    assert r.status_code == 404


def test_r_e2_algorithm_names_and_ids(database, kek):
    assert keystore.algorithm_of("SM4") is Algorithm.sm4 and keystore.algorithm_of(0) is Algorithm.tdes
    for bad in ("aes", 1, None):
        with pytest.raises(InvalidInput):
            keystore.algorithm_of(bad)
    eid = enterprise_without_keys(database)
    with database.write() as s:
        assert keystore.profile(s, eid) is None
        service.ensure_enterprise_keys(s, actor=SYSTEM, enterprise_id=eid, algorithm=4)
        assert keystore.require_profile(s, eid).algorithm_id == 4
