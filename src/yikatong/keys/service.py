"""The key service (E2, C3, T1): an enterprise's master keys by version and algorithm profile, and
the host side of the purse protocol computed with them. No function here returns a card key (nor a
session or TAC key) — callers get MACs, verdicts and sealed or wrapped exports.

Card keys are diversified from the enterprise masters with the card-level factor
(``cardproto.algorithms.factor_from_serial``: the right-most 8 bytes of the application serial; our
16-digit card number is its 8-byte BCD form), with the profile's ``cardproto`` functions.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.auth.tenancy import require_role
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import purse as pp
from yikatong.core import clock
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Conflict, InvalidInput
from yikatong.enterprises import service as enterprises
from yikatong.keys import keystore
from yikatong.keys.keystore import MAX_VERSION, algorithm_of
from yikatong.keys.models import ALGORITHM_NAMES, Algorithm, EnterpriseKeyProfile, KeyStatus, KeyType
from yikatong.keys.schemas import KeyOut, KeySetOut


def _operator_scope(db: Session, actor: Actor, enterprise_id: int) -> None:
    enterprises.get_enterprise(db, actor=actor, enterprise_id=enterprise_id)  # another enterprise's admin: 404
    require_role(actor, [Role.operator])


def ensure_enterprise_keys(db: Session, *, actor: Actor, enterprise_id: int,
                           algorithm: Algorithm | int | str = Algorithm.tdes) -> EnterpriseKeyProfile:
    """E2: the enterprise's own key set (every key type, version 1) in the chosen profile (3DES 00 or
    SM4 04). Idempotent: an existing set is returned unchanged; asking for another profile is a 409
    ``key_profile_mismatch`` (rotate to change it). Operators only."""
    _operator_scope(db, actor, enterprise_id)
    return _ensure_key_set(db, actor=actor, enterprise_id=enterprise_id, algorithm=algorithm)


def key_set_for_new_enterprise(db: Session, *, actor: Actor, enterprise_id: int,
                               algorithm: Algorithm | int | str = Algorithm.tdes) -> EnterpriseKeyProfile:
    """E2: registering an enterprise creates its own key set, in the registration's transaction
    (enterprises.flows.register_enterprise; the registration has checked who may register)."""
    return _ensure_key_set(db, actor=actor, enterprise_id=enterprise_id, algorithm=algorithm)


def _ensure_key_set(db: Session, *, actor: Actor, enterprise_id: int,
                    algorithm: Algorithm | int | str) -> EnterpriseKeyProfile:
    algorithm = algorithm_of(algorithm)
    found = keystore.profile(db, enterprise_id)
    if found is None:
        try:
            with db.begin_nested():
                found = EnterpriseKeyProfile(enterprise_id=enterprise_id, algorithm_id=int(algorithm),
                                             current_version=1)
                db.add(found)
                db.flush()
                keystore.create_key_set(db, enterprise_id=enterprise_id, algorithm=algorithm, version=1)
        except IntegrityError:  # a concurrent call created it: idempotent all the same
            found = keystore.require_profile(db, enterprise_id)
        else:
            audit.record(db, actor=actor, action="keys.create", entity_type="key_set", entity_id=enterprise_id,
                         enterprise_id=enterprise_id, after={"version": 1, "algorithm": ALGORITHM_NAMES[algorithm]})
            return found
    if found.algorithm_id != int(algorithm):
        raise Conflict(f"this enterprise's keys use {ALGORITHM_NAMES[Algorithm(found.algorithm_id)]}; rotate them "
                       "to change the profile", code="key_profile_mismatch")
    return found


def rotate_enterprise_keys(db: Session, *, actor: Actor, enterprise_id: int,
                           algorithm: Algorithm | int | str | None = None) -> EnterpriseKeyProfile:
    """E2/T1: a new version of every key type (optionally in another profile); the previous versions
    are retired, never deleted, so records of cards still on them verify and the cards can be
    re-washed. Versions are 1–255 (one byte on the card); past that a 409 ``key_versions_exhausted``."""
    _operator_scope(db, actor, enterprise_id)
    found = keystore.require_profile(db, enterprise_id, for_update=True)
    new_alg = algorithm_of(algorithm) if algorithm is not None else Algorithm(found.algorithm_id)
    if found.current_version >= MAX_VERSION:
        raise Conflict("every key version (1–255) is used", code="key_versions_exhausted")
    before = {"version": found.current_version, "algorithm": ALGORITHM_NAMES[Algorithm(found.algorithm_id)]}
    keystore.retire(keystore.key_rows(db, enterprise_id))
    version = found.current_version + 1
    keystore.create_key_set(db, enterprise_id=enterprise_id, algorithm=new_alg, version=version)
    found.current_version, found.algorithm_id, found.updated_at = version, int(new_alg), clock.now()
    audit.record(db, actor=actor, action="keys.rotate", entity_type="key_set", entity_id=enterprise_id,
                 enterprise_id=enterprise_id, before=before,
                 after={"version": version, "algorithm": ALGORITHM_NAMES[new_alg]})
    return found


def key_set(db: Session, *, actor: Actor, enterprise_id: int) -> KeySetOut:
    """Metadata of the enterprise's keys (types, versions, algorithm, status) — never material."""
    _operator_scope(db, actor, enterprise_id)
    found = keystore.require_profile(db, enterprise_id)
    keys = [KeyOut(key_type=KeyType(r.key_type), version=r.version,
                   algorithm=ALGORITHM_NAMES[Algorithm(r.algorithm_id)], algorithm_id=r.algorithm_id,
                   status=KeyStatus(r.status), created_at=r.created_at, retired_at=r.retired_at)
            for r in keystore.key_rows(db, enterprise_id)]
    return KeySetOut(enterprise_id=enterprise_id, algorithm=ALGORITHM_NAMES[Algorithm(found.algorithm_id)],
                     algorithm_id=found.algorithm_id, current_version=found.current_version, keys=keys)


def current_key_version(db: Session, *, enterprise_id: int) -> tuple[int, int] | None:
    """(key version, algorithm id) cards of the enterprise are washed with now; None without keys."""
    found = keystore.profile(db, enterprise_id)
    return (found.current_version, found.algorithm_id) if found else None


# --- the host side of the purse protocol -------------------------------------------------------

def _bytes(value: bytes | str, name: str) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise InvalidInput(f"{name} is not hex", code="invalid_card_field", details={"field": name}) from None


def card_factor(card_serial: bytes | str) -> bytes:
    """The card-level diversification factor of an application serial: bytes, a card number (digits,
    ``cardproto.purse.serial_from_card_no``) or the serial in hex."""
    try:
        if isinstance(card_serial, str) and card_serial.isdigit():
            return alg.factor_from_serial(pp.serial_from_card_no(card_serial))
        return alg.factor_from_serial(_bytes(card_serial, "card_serial"))
    except ValueError as exc:
        raise InvalidInput(str(exc), code="invalid_card_field", details={"field": "card_serial"}) from None


class _CardKeys:
    """Opened masters of one enterprise, kept for one batch of computations; yields verdicts only."""

    def __init__(self, db: Session, enterprise_id: int):
        self.db, self.enterprise_id = db, enterprise_id
        self._masters: dict[tuple[KeyType, int], keystore.MasterKey | None] = {}
        self._cards: dict[tuple[KeyType, int, bytes], bytes] = {}
        self._versions: list[int] | None = None

    def master(self, key_type: KeyType, version: int) -> keystore.MasterKey | None:
        if (key_type, version) not in self._masters:
            self._masters[key_type, version] = keystore.master_key(self.db, enterprise_id=self.enterprise_id,
                                                                   key_type=key_type, version=version)
        return self._masters[key_type, version]

    def versions(self) -> list[int]:
        """The enterprise's key versions, newest first."""
        if self._versions is None:
            found = keystore.profile(self.db, self.enterprise_id)
            self._versions = list(range(found.current_version, 0, -1)) if found else []
        return self._versions

    def prepare(self, key_type: KeyType, factors: list[bytes]) -> None:
        """Derive the card keys of many cards at once, for every version (a batch's cards)."""
        for v in self.versions():
            master = self.master(key_type, v)
            missing = sorted({f for f in factors if (key_type, v, f) not in self._cards})
            if master is None or not missing:
                continue
            if len(self._cards) + len(missing) > 50_000:
                self._cards.clear()
            for factor, key in zip(missing, alg.diversify_many(master.algorithm_id, master.material, missing),
                                   strict=True):
                self._cards[key_type, v, factor] = key

    def card_keys(self, key_type: KeyType, version: int | None, algorithm_id: int | None,
                  factor: bytes) -> list[tuple[int, bytes]]:
        """(algorithm id, card key) for the version asked, or for every version (newest first)."""
        out = []
        for v in ([version] if version is not None else self.versions()):
            master = self.master(key_type, v)
            if master is None or (algorithm_id is not None and master.algorithm_id != algorithm_id):
                continue
            ck = (key_type, v, factor)
            if ck not in self._cards:
                if len(self._cards) > 50_000:  # a batch's working set, not a key dump
                    self._cards.clear()
                self._cards[ck] = alg.diversify(master.algorithm_id, master.material, factor)
            out.append((master.algorithm_id, self._cards[ck]))
        return out


def _fields(build: Callable[[], object]):
    try:
        return build()
    except ValueError as exc:  # a field of the wrong length or range
        raise InvalidInput(str(exc), code="invalid_card_field") from None


def load_authorisation(db: Session, *, enterprise_id: int, card_serial: bytes | str, key_version: int,
                       algorithm_id: int, random: bytes | str, online_counter: int, old_balance: int, amount: int,
                       terminal_id: bytes | str, date: bytes | str, time: bytes | str, mac1: bytes | str,
                       transaction_type: int = pp.TX_PURSE_LOAD) -> bytes:
    """P1/C4 over the air, host side: verify the card's MAC1 (INITIALIZE FOR LOAD) with the session
    key of the card's DLK of ``key_version``, then return MAC2 for CREDIT FOR LOAD. A key version the
    enterprise never had: 409 ``unknown_key_version``; another profile than that version's: 422
    ``algorithm_mismatch``; a wrong MAC1: 422 ``bad_mac1`` (the card is not one of ours)."""
    master = keystore.master_key(db, enterprise_id=enterprise_id, key_type=KeyType.load, version=key_version)
    if master is None:
        raise Conflict(f"the enterprise has no key version {key_version}", code="unknown_key_version")
    if master.algorithm_id != algorithm_id:
        raise InvalidInput("the card's algorithm id is not its key version's", code="algorithm_mismatch")
    dlk = alg.diversify(algorithm_id, master.material, card_factor(card_serial))

    def compute() -> tuple[bytes, bytes]:
        seslk = pp.load_session_key(algorithm_id, dlk, random=_bytes(random, "random"),
                                    online_counter=pp.encode_counter(online_counter))
        tid, tx = pp.encode_terminal_id(terminal_id), pp.encode_tx_type(transaction_type)
        expected = pp.load_mac1(algorithm_id, seslk, old_balance=pp.encode_amount(old_balance),
                                amount=pp.encode_amount(amount), tx_type=tx, terminal_id=tid)
        mac2 = pp.load_mac2(algorithm_id, seslk, amount=pp.encode_amount(amount), tx_type=tx, terminal_id=tid,
                            date=_bcd(date, "date", 4), time=_bcd(time, "time", 3))
        return expected, mac2

    expected, mac2 = _fields(compute)
    if not _equal(expected, _mac(mac1, "mac1")):
        raise InvalidInput("MAC1 does not verify: the card is not one of this enterprise's", code="bad_mac1")
    return mac2


def _mac(value: bytes | str, name: str) -> bytes:
    raw = _bytes(value, name)
    if len(raw) != alg.MAC_LENGTH:
        raise InvalidInput(f"{name} must be {alg.MAC_LENGTH} bytes", code="invalid_card_field", details={"field": name})
    return raw


def _bcd(value: bytes | str, name: str, length: int) -> bytes:
    raw = pp.bcd(value) if isinstance(value, str) else bytes(value)
    if len(raw) != length:
        raise ValueError(f"{name} must be {length} BCD bytes")
    return raw


def _equal(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


class TacChecker:
    """Verifies many TACs of one enterprise (an offline batch), opening each master key once and
    diversifying each card's key once. ``key_version``/``algorithm_id`` None: try every version of
    the enterprise, newest first (the upload layout carries neither)."""

    def __init__(self, db: Session, enterprise_id: int):
        self._keys = _CardKeys(db, enterprise_id)

    def prepare(self, card_serials: list[bytes | str]) -> None:
        """Derive the TAC keys of a batch's cards in one pass before checking them one by one."""
        factors = []
        for serial in card_serials:
            try:
                factors.append(card_factor(serial))
            except InvalidInput:
                continue  # that record's own check reports it
        self._keys.prepare(KeyType.tac, factors)

    def purchase(self, *, card_serial: bytes | str, key_version: int | None, algorithm_id: int | None, amount: int,
                 transaction_type: int, terminal_id: bytes | str, terminal_serial: int, date: bytes | str,
                 time: bytes | str, tac: bytes | str) -> bool:
        want = _mac(tac, "tac")
        fields = _fields(lambda: dict(
            amount=pp.encode_amount(amount), tx_type=pp.encode_tx_type(transaction_type),
            terminal_id=pp.encode_terminal_id(terminal_id), terminal_serial=pp.encode_terminal_serial(terminal_serial),
            date=_bcd(date, "date", 4), time=_bcd(time, "time", 3)))
        return any(_equal(pp.purchase_tac(alg_id, dtk, **fields), want)
                   for alg_id, dtk in self._keys.card_keys(KeyType.tac, key_version, algorithm_id,
                                                           card_factor(card_serial)))

    def load(self, *, card_serial: bytes | str, key_version: int | None, algorithm_id: int | None, new_balance: int,
             online_counter: int, amount: int, transaction_type: int, terminal_id: bytes | str, date: bytes | str,
             time: bytes | str, tac: bytes | str) -> bool:
        want = _mac(tac, "tac")
        fields = _fields(lambda: dict(
            new_balance=pp.encode_amount(new_balance), online_counter=pp.encode_counter(online_counter),
            amount=pp.encode_amount(amount), tx_type=pp.encode_tx_type(transaction_type),
            terminal_id=pp.encode_terminal_id(terminal_id), date=_bcd(date, "date", 4), time=_bcd(time, "time", 3)))
        return any(_equal(pp.load_tac(alg_id, dtk, **fields), want)
                   for alg_id, dtk in self._keys.card_keys(KeyType.tac, key_version, algorithm_id,
                                                           card_factor(card_serial)))


def tac_checker(db: Session, *, enterprise_id: int) -> TacChecker:
    """P7: a checker for a batch of one enterprise's records (``.purchase(...)``, ``.load(...)``)."""
    return TacChecker(db, enterprise_id)


def verify_purchase_tac(db: Session, *, enterprise_id: int, card_serial: bytes | str, key_version: int | None,
                        algorithm_id: int | None, amount: int, transaction_type: int, terminal_id: bytes | str,
                        terminal_serial: int, date: bytes | str, time: bytes | str, tac: bytes | str) -> bool:
    """P7/T1: whether an offline purchase's TAC was made by this enterprise's card: re-derive the
    card's DTK of ``key_version`` and recompute. A key version the enterprise never had, or another
    algorithm than that version's, cannot verify: False. ``key_version``/``algorithm_id`` None (an
    upload that does not carry them): any of the enterprise's versions. Badly sized fields: 422."""
    return tac_checker(db, enterprise_id=enterprise_id).purchase(
        card_serial=card_serial, key_version=key_version, algorithm_id=algorithm_id, amount=amount,
        transaction_type=transaction_type, terminal_id=terminal_id, terminal_serial=terminal_serial, date=date,
        time=time, tac=tac)


def verify_load_tac(db: Session, *, enterprise_id: int, card_serial: bytes | str, key_version: int | None,
                    algorithm_id: int | None, new_balance: int, online_counter: int, amount: int,
                    terminal_id: bytes | str, date: bytes | str, time: bytes | str, tac: bytes | str,
                    transaction_type: int = pp.TX_PURSE_LOAD) -> bool:
    """P1/T1: whether the TAC a card answered to CREDIT FOR LOAD is genuine (``online_counter`` as
    before the load's increment)."""
    return tac_checker(db, enterprise_id=enterprise_id).load(
        card_serial=card_serial, key_version=key_version, algorithm_id=algorithm_id, new_balance=new_balance,
        online_counter=online_counter, amount=amount, transaction_type=transaction_type, terminal_id=terminal_id,
        date=date, time=time, tac=tac)
