"""Putting keys where they belong without handing them out (C3, E2, T1): the key-write commands that
wash a card, the enterprise-level keys a SAM is loaded with, and the load host a terminal or the
over-the-air channel calls.

Washing (C3) uses the card's key-write command (``cardproto.secure``, ours, after GlobalPlatform PUT
KEY): each new card key travels encrypted under the card's *current* maintenance key, and each
command carries a line-protection MAC over the card's fresh challenge. The service returns one step
per key — a function from the card's challenge to the finished command APDU — with every new key
already encrypted inside it, so neither the new keys nor the current ones are returned in clear.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from yikatong.audit import service as audit
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import purse as pp
from yikatong.cardproto import secure
from yikatong.cardproto.apdu import CLA_SECURE, INS_KEY_WRITE
from yikatong.core.actor import Actor, Role
from yikatong.core.errors import Forbidden, InvalidInput, NotFound
from yikatong.keys import keystore, mothercard
from yikatong.keys.models import KEY_TYPE_CODES, KeyStatus, KeyType
from yikatong.keys.service import _operator_scope, card_factor, load_authorisation
from yikatong.terminals import service as terminals
from yikatong.terminals.models import TerminalType

KEY_INDEX = 1  # ours: every key sits at index 01 of its type on our cards (docs/card-os.md)
TRANSPORT_VERSION = 0  # a factory-fresh card: its maintenance key is the transport key, version 0
KeyWriteStep = Callable[[bytes], bytes]  # the card's challenge -> the key-write command APDU


@dataclass(frozen=True)
class SamKeyLoad:
    """One enterprise-level purchase master key for a SAM (the fields of ``cardos.sam.SamKey``)."""

    key_index: int
    version: int
    alg_id: int
    master: bytes
    factors: tuple[bytes, ...] = ()


def sam_keys(db: Session, *, actor: Actor, enterprise_id: int) -> list[SamKeyLoad]:
    """T1/P7: what a SAM of the enterprise is loaded with — its purchase (DPK) masters at every
    version still on cards, enterprise-level only: no card key, and neither the load, TAC nor
    maintenance keys, which never leave the platform. This is personalisation of a secure element
    (a key-injection step), so it is an in-process call only, for operators, and audited; no
    endpoint exposes it."""
    _operator_scope(db, actor, enterprise_id)
    keystore.require_profile(db, enterprise_id)
    loads = [SamKeyLoad(KEY_INDEX, k.version, k.algorithm_id, k.material)
             for k in sorted(keystore.all_master_keys(db, enterprise_id), key=lambda k: -k.version)
             if k.key_type == KeyType.purchase]
    audit.record(db, actor=actor, action="keys.sam_load", entity_type="key_set", entity_id=enterprise_id,
                 enterprise_id=enterprise_id, after={"versions": [k.version for k in loads]})
    return loads


def _washer(db: Session, actor: Actor, enterprise_id: int) -> int | None:
    """The issuing terminal washing (its id), or None for an operator (over the air)."""
    if actor.role == Role.terminal:
        terminal = terminals.terminal_of(db, actor=actor, type=TerminalType.issuing)
        if terminal.enterprise_id != enterprise_id:
            raise NotFound("not found", code="enterprise_not_found")
        return terminal.id
    _operator_scope(db, actor, enterprise_id)  # operators only
    return None


def washing_keys(db: Session, *, actor: Actor, enterprise_id: int, card_serial: bytes | str,
                 current_key_version: int = TRANSPORT_VERSION, current_algorithm_id: int = alg.ALG_3DES,
                 transport_key: bytes | None = None) -> list[KeyWriteStep]:
    """C3: the key-write steps replacing a card's keys with the enterprise's current managed keys,
    diversified for ``card_serial`` (the maintenance key last: it governs the writes before it).

    ``current_key_version`` is the version of the card's maintenance key: 0 for a new card still on
    its transport key (``transport_key``, in the profile ``current_algorithm_id``; it is required —
    real batches come with the vendor's key), else a version of the enterprise's own keys — a
    re-washing (二次洗卡, E2), which an issuing terminal may do only holding the enterprise's current
    key mother card (403 ``mother_card_required`` / 409 ``mother_card_outdated``) and an operator over
    the air. Callers: an issuing terminal of the enterprise, or an operator."""
    terminal_id = _washer(db, actor, enterprise_id)
    profile = keystore.require_profile(db, enterprise_id)
    factor = card_factor(card_serial)
    if current_key_version == TRANSPORT_VERSION:
        if transport_key is None or len(transport_key) != alg.key_length(current_algorithm_id):
            raise InvalidInput("a new card's transport key (16 bytes) is needed to wash it", code="transport_key")
        maint_alg, maint_key = current_algorithm_id, transport_key
    else:
        if terminal_id is not None:
            mothercard.require_mother_card(db, terminal_id=terminal_id, enterprise_id=enterprise_id)
        current = keystore.master_key(db, enterprise_id=enterprise_id, key_type=KeyType.maintenance,
                                      version=current_key_version)
        if current is None:
            raise InvalidInput(f"the enterprise never had key version {current_key_version}",
                               code="unknown_key_version")
        maint_alg, maint_key = current.algorithm_id, alg.diversify(current.algorithm_id, current.material, factor)
    steps = []
    for key_type in sorted(KeyType, key=lambda kt: kt == KeyType.maintenance):
        new = keystore.master_key(db, enterprise_id=enterprise_id, key_type=key_type,
                                  version=profile.current_version)
        if new is None or new.status != KeyStatus.active.value:
            raise Forbidden("the enterprise's current keys are incomplete", code="no_key_set")
        encrypted = secure.encrypt_key_block(maint_alg, maint_key, version=new.version, new_alg=new.algorithm_id,
                                             new_key=alg.diversify(new.algorithm_id, new.material, factor))
        steps.append(_step(maint_alg, maint_key, KEY_TYPE_CODES[key_type], encrypted))
    return steps


def _step(alg_id: int, maint_key: bytes, key_type_code: int, encrypted: bytes) -> KeyWriteStep:
    def build(challenge: bytes) -> bytes:
        return secure.secure_command(alg_id, maint_key, challenge, cla=CLA_SECURE, ins=INS_KEY_WRITE,
                                     p1=key_type_code, p2=KEY_INDEX, data=encrypted)

    return build


def load_host(db: Session, *, enterprise_id: int) -> Callable[[pp.LoadRequest], bytes]:
    """P1/C4: the host a load terminal or the over-the-air channel hands the card's INITIALIZE FOR
    LOAD answer to (``cardos.terminal.load(card, host=...)``); answers MAC2 via ``load_authorisation``."""
    def host(request: pp.LoadRequest) -> bytes:
        init = request.init
        return load_authorisation(db, enterprise_id=enterprise_id, card_serial=request.card_serial,
                                  key_version=init.key_version, algorithm_id=init.alg_id, random=init.random,
                                  online_counter=init.online_counter, old_balance=init.balance,
                                  amount=request.amount, terminal_id=request.terminal_id, date=request.date,
                                  time=request.time, mac1=init.mac1, transaction_type=request.tx_type)

    return host
