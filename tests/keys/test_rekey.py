"""T1: the key-encryption key can be rotated — every sealed key re-sealed under the new KEK in one
transaction, the keys themselves unchanged, the old KEK no longer opening anything."""

from __future__ import annotations

import base64
import secrets

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from factories import make_enterprise
from yikatong.config import get_settings
from yikatong.core.actor import SYSTEM, Actor, Channel, Role
from yikatong.core.errors import Forbidden, InvalidInput
from yikatong.keys import keystore, rekey, vault
from yikatong.keys.models import EnterpriseKey, PlatformRootKey
from yikatong.keys.vault import KeyStoreUnavailable


def _masters(database, eid: int) -> dict:
    with database.read() as s:
        return {(k.key_type, k.version): k.material for k in keystore.all_master_keys(s, eid)}


def _sealed(database) -> dict:
    with database.read() as s:
        return {("e", r.id): r.material for r in s.scalars(select(EnterpriseKey))} | {
            ("r", r.id): r.material for r in s.scalars(select(PlatformRootKey))}


def test_r_t1_rekey_reseals_every_key_and_the_keys_stay_the_same(database, kek):
    eid, _ = make_enterprise(database)
    other, _ = make_enterprise(database, key_algorithm="sm4")
    before, sealed_before = {e: _masters(database, e) for e in (eid, other)}, _sealed(database)
    new_kek = secrets.token_bytes(32)
    with database.write() as s:
        done = rekey.rekey(s, actor=SYSTEM, new_kek=new_kek)
    assert done.enterprise_keys == len(before[eid]) + len(before[other]) and done.root_keys >= 2
    sealed_after = _sealed(database)
    assert sealed_after.keys() == sealed_before.keys()
    assert all(sealed_after[k] != sealed_before[k] for k in sealed_after)  # every row written anew
    with pytest.raises(KeyStoreUnavailable):  # the old KEK opens nothing any more
        _masters(database, eid)
    previous = vault.configure(new_kek)
    try:
        assert {e: _masters(database, e) for e in (eid, other)} == before
    finally:
        vault.configure(previous)


def test_r_t1_rekey_refuses_the_same_kek_other_roles_and_a_row_it_cannot_open(database, kek):
    eid, _ = make_enterprise(database)
    sealed = _sealed(database)
    with pytest.raises(InvalidInput) as same, database.write() as s:
        rekey.rekey(s, actor=SYSTEM, new_kek=kek)
    assert same.value.code == "same_kek"
    admin = Actor(user_id=1, username="x", role=Role.enterprise_admin, channel=Channel.website, enterprise_id=eid)
    with pytest.raises(Forbidden), database.write() as s:
        rekey.rekey(s, actor=admin, new_kek=secrets.token_bytes(32))
    with database.write() as s:  # one row sealed under some other KEK: the rotation must not half-happen
        row = s.scalars(select(EnterpriseKey).order_by(EnterpriseKey.id.desc())).first()
        stray = secrets.token_bytes(32)
        previous = vault.configure(stray)
        try:
            row.material = vault.seal(b"\x11" * 16, associated=keystore.key_aad(row))
        finally:
            vault.configure(previous)
    with pytest.raises(KeyStoreUnavailable), database.write() as s:
        rekey.rekey(s, actor=SYSTEM, new_kek=secrets.token_bytes(32))
    after = _sealed(database)
    assert {k: v for k, v in after.items() if k != ("e", row.id)} == {k: v for k, v in sealed.items()
                                                                      if k != ("e", row.id)}


def test_r_t1_ykt_keys_rekey_command(database, kek, tmp_path, monkeypatch):
    from yikatong.cli import app

    eid, _ = make_enterprise(database)
    before = _masters(database, eid)
    new_kek = secrets.token_bytes(32)
    key_file = tmp_path / "new.kek"
    key_file.write_text(base64.b64encode(new_kek).decode() + "\n")
    bad_file = tmp_path / "bad.kek"
    bad_file.write_text("not base64 at all")
    monkeypatch.setenv("YKT_DATABASE_URL", database.url)
    get_settings.cache_clear()
    try:
        refused = CliRunner().invoke(app, ["keys", "rekey", "--new-kek-file", str(bad_file), "--yes"])
        declined = CliRunner().invoke(app, ["keys", "rekey", "--new-kek-file", str(key_file)], input="n\n")
        assert _masters(database, eid) == before  # neither changed anything
        out = CliRunner().invoke(app, ["keys", "rekey", "--new-kek-file", str(key_file), "--yes"])
    finally:
        get_settings.cache_clear()
    assert refused.exit_code == 2 and "base64" in refused.output
    assert declined.exit_code == 1
    assert out.exit_code == 0, out.output
    assert "Restart every" in out.output and "re-sealed 1 root key(s)" in out.output
    previous = vault.configure(new_kek)
    try:
        assert _masters(database, eid) == before
    finally:
        vault.configure(previous)
