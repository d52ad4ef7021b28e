"""The key mother card (密钥母卡, E2): an enterprise's keys exported as an encrypted, integrity-
protected, versioned bundle bound to the enterprise id, imported into an issuing terminal's store.
Re-washing a card of the enterprise (二次洗卡) requires that the terminal holds it.

Layout (big-endian; docs/keys.md): a 58-byte header — ``"YKMC"``, format 1, enterprise id (4), key
set version (2), created (8, Unix seconds), scrypt log2 N, r, p (1 each), salt (16), passphrase check
(8), nonce (12) — then AES-256-GCM ciphertext and tag over the key entries, with the whole header
as associated data. scrypt(passphrase, salt) gives 40 bytes: the AES key, then the check value, so a
wrong passphrase and a damaged file are told apart.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import select
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.core import clock
from yikatong.core.actor import Actor
from yikatong.core.errors import Conflict, Forbidden, InvalidInput
from yikatong.core.validation import validated
from yikatong.keys import keystore, vault
from yikatong.keys.keystore import MasterKey
from yikatong.keys.models import KEY_TYPE_CODES, KEY_TYPES_BY_CODE, KeyStatus, TerminalMotherCard
from yikatong.keys.schemas import MotherCardRequest
from yikatong.keys.service import _operator_scope
from yikatong.terminals import service as terminals
from yikatong.terminals.models import TerminalType

MAGIC = b"YKMC"
FORMAT_VERSION = 1
HEADER = struct.Struct(">4sBIHQBBB16s8s12s")  # 58 bytes
ENTRY = struct.Struct(">BBBBB")  # type code, version, algorithm id, status, key length; then the key
COUNT = struct.Struct(">H")
SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P = 15, 8, 1  # 32 MiB, ~0.1 s per attempt
# What an import accepts: the header is read before anything is authenticated, so a crafted file must
# not make the platform spend unbounded memory or time.
SCRYPT_LIMITS = {"log2_n": (14, 16), "r": (1, 8), "p": (1, 2)}
MAX_BUNDLE = 64 * 1024
STATUS_CODES = {KeyStatus.active.value: 0, KeyStatus.retired.value: 1}


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    out = Scrypt(salt=salt, length=40, n=2**log2_n, r=r, p=p).derive(passphrase.encode())
    return out[:32], out[32:]


def _payload(keys: list[MasterKey]) -> bytes:
    parts = [COUNT.pack(len(keys))]
    for k in keys:
        parts.append(ENTRY.pack(KEY_TYPE_CODES[k.key_type], k.version, k.algorithm_id, STATUS_CODES[k.status],
                                len(k.material)) + k.material)
    return b"".join(parts)


def _entries(payload: bytes) -> list[tuple[int, int, int, bytes]]:
    """(type code, version, algorithm id, key) of each entry; a malformed payload is a 422."""
    try:
        (count,), at, out = COUNT.unpack_from(payload), COUNT.size, []
        for _ in range(count):
            code, version, algorithm_id, _status, length = ENTRY.unpack_from(payload, at)
            at += ENTRY.size
            if code not in KEY_TYPES_BY_CODE or at + length > len(payload):
                raise ValueError
            out.append((code, version, algorithm_id, payload[at:at + length]))
            at += length
        if at != len(payload):
            raise ValueError
        return out
    except (struct.error, ValueError):
        raise InvalidInput("the mother card's content is malformed", code="mother_card_malformed") from None


def export_mother_card(db: Session, *, actor: Actor, enterprise_id: int, passphrase: str) -> bytes:
    """E2: the enterprise's key mother card: every key version (retired ones too, to re-wash cards
    still on them), sealed under a key from scrypt(passphrase) and bound to the enterprise id.
    Operators only; audited (never the passphrase)."""
    _operator_scope(db, actor, enterprise_id)
    validated(MotherCardRequest, passphrase=passphrase)
    profile = keystore.require_profile(db, enterprise_id)
    salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
    aes_key, check = _derive(passphrase, salt, SCRYPT_LOG2_N, SCRYPT_R, SCRYPT_P)
    created = int(clock.now().timestamp())
    header = HEADER.pack(MAGIC, FORMAT_VERSION, enterprise_id, profile.current_version, created, SCRYPT_LOG2_N,
                         SCRYPT_R, SCRYPT_P, salt, check, nonce)
    bundle = header + AESGCM(aes_key).encrypt(nonce, _payload(keystore.all_master_keys(db, enterprise_id)), header)
    audit.record(db, actor=actor, action="keys.mother_card_export", entity_type="key_set", entity_id=enterprise_id,
                 enterprise_id=enterprise_id, after={"key_set_version": profile.current_version,
                                                     "created": created})
    return bundle


def store_aad(row: TerminalMotherCard) -> bytes:
    return vault.aad("terminal_mother_cards", row.id, row.terminal_id, row.enterprise_id, row.key_set_version)


def _open_bundle(bundle: bytes, passphrase: str, enterprise_id: int) -> tuple[int, dt.datetime, bytes]:
    """(key set version, created, payload) of a bundle for ``enterprise_id``, or a clear 4xx."""
    if len(bundle) > MAX_BUNDLE or len(bundle) < HEADER.size + 16 or bundle[:4] != MAGIC:
        raise InvalidInput("this is not a key mother card", code="mother_card_malformed")
    magic, fmt, eid, version, created, log2_n, r, p, salt, check, nonce = HEADER.unpack_from(bundle)
    if fmt != FORMAT_VERSION:
        raise InvalidInput(f"unsupported mother card format {fmt}", code="mother_card_format")
    if eid != enterprise_id:
        raise Conflict("this key mother card belongs to another enterprise", code="mother_card_wrong_enterprise")
    for name, value in (("log2_n", log2_n), ("r", r), ("p", p)):
        low, high = SCRYPT_LIMITS[name]
        if not low <= value <= high:
            raise InvalidInput("the mother card's key-derivation parameters are out of range",
                               code="mother_card_malformed")
    aes_key, expected = _derive(passphrase, salt, log2_n, r, p)
    if not hmac.compare_digest(check, expected):
        raise InvalidInput("wrong passphrase for this key mother card", code="wrong_passphrase")
    try:
        payload = AESGCM(aes_key).decrypt(nonce, bundle[HEADER.size:], bundle[:HEADER.size])
    except InvalidTag:
        raise InvalidInput("the key mother card was altered or damaged", code="mother_card_tampered") from None
    return version, dt.datetime.fromtimestamp(created, dt.timezone.utc), payload


def _check_genuine(db: Session, enterprise_id: int, version: int, payload: bytes) -> None:
    """The bundle must hold exactly the platform's keys of the enterprise up to its version: a file
    made with someone's own keys and passphrase is refused (422 ``mother_card_not_genuine``)."""
    held = {(KEY_TYPE_CODES[k.key_type], k.version, k.algorithm_id): k.material
            for k in keystore.all_master_keys(db, enterprise_id) if k.version <= version}
    entries = {(code, v, a): key for code, v, a, key in _entries(payload)}
    if entries.keys() != held.keys() or not all(hmac.compare_digest(held[k], entries[k]) for k in held):
        raise InvalidInput("this key mother card does not hold the enterprise's keys", code="mother_card_not_genuine")


def import_mother_card(db: Session, *, actor: Actor, bundle: bytes, passphrase: str) -> TerminalMotherCard:
    """E2: an issuing terminal (the caller, T2) installs its enterprise's key mother card. Refused:
    another enterprise's card (409 ``mother_card_wrong_enterprise``), a wrong passphrase (422
    ``wrong_passphrase``), any altered byte (422 ``mother_card_tampered``/``mother_card_malformed``),
    keys that are not the enterprise's (422 ``mother_card_not_genuine``), and a version older than
    the one installed or than the enterprise's current keys (409 ``mother_card_outdated``)."""
    terminal = terminals.terminal_of(db, actor=actor, type=TerminalType.issuing)
    if not isinstance(passphrase, str) or not passphrase:
        raise InvalidInput("the passphrase is required", code="invalid_input")
    version, created, payload = _open_bundle(bytes(bundle), passphrase, terminal.enterprise_id)
    profile = keystore.require_profile(db, terminal.enterprise_id)
    _check_genuine(db, terminal.enterprise_id, version, payload)
    row = db.scalar(select(TerminalMotherCard).where(TerminalMotherCard.terminal_id == terminal.id)
                    .with_for_update())
    if row is not None and row.key_set_version > version:
        raise Conflict(f"this terminal holds a newer key mother card (version {row.key_set_version})",
                       code="mother_card_outdated")
    if version < profile.current_version:
        raise Conflict(f"the enterprise's keys are at version {profile.current_version}: export a new key mother "
                       "card", code="mother_card_outdated")
    before = {"key_set_version": row.key_set_version} if row is not None else None
    if row is None:
        row = TerminalMotherCard(terminal_id=terminal.id, enterprise_id=terminal.enterprise_id, material=b"")
        db.add(row)
    row.key_set_version, row.bundle_created_at, row.imported_at = version, created, clock.now()
    db.flush()
    row.material = vault.seal(payload, associated=store_aad(row))
    db.flush()
    audit.record(db, actor=actor, action="keys.mother_card_import", entity_type="terminal", entity_id=terminal.id,
                 enterprise_id=terminal.enterprise_id, before=before, after={"key_set_version": version})
    return row


def require_mother_card(db: Session, *, terminal_id: int, enterprise_id: int) -> None:
    """E2/C3: re-washing a card of ``enterprise_id`` at issuing terminal ``terminal_id`` needs the
    enterprise's current key mother card installed there: none is a 403 ``mother_card_required``; an
    older one (keys rotated since) a 409 ``mother_card_outdated``. The washing flow calls this."""
    row = db.scalar(select(TerminalMotherCard).where(TerminalMotherCard.terminal_id == terminal_id))
    if row is None or row.enterprise_id != enterprise_id:
        raise Forbidden("re-washing needs this enterprise's key mother card in the terminal",
                        code="mother_card_required")
    vault.open_(row.material, associated=store_aad(row))  # the stored card is intact (and ours)
    profile = keystore.require_profile(db, enterprise_id)
    if row.key_set_version < profile.current_version:
        raise Conflict("the terminal's key mother card is older than the enterprise's keys",
                       code="mother_card_outdated")
