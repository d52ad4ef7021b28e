"""Card test helpers: an enterprise's master keys as the key service would hold them, a card washed with
its diversified keys, and a SAM of that enterprise. No database."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from yikatong.cardos import SamKey, VirtualCard, VirtualSAM
from yikatong.cardos import terminal as T
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import purse as P
from yikatong.cardproto.secure import KeyType
from yikatong.cardos.state import DEFAULT_TRANSPORT_KEY

ROOT = bytes.fromhex("0F1E2D3C4B5A69788796A5B4C3D2E1F0")
WHEN = dt.datetime(2026, 3, 2, 12, 5, 30)  # Beijing
TERMINAL = bytes.fromhex("000000000101")


def counting_rng(seed: int = 1):
    """Deterministic randoms: 4 or 8 bytes from a counter."""
    counter = itertools.count(seed)
    return lambda n: next(counter).to_bytes(n, "big")


@dataclass
class Enterprise:
    """Stands in for the key service: per-type enterprise masters under a platform root."""

    number: int
    alg_id: int = alg.ALG_3DES
    version: int = 1

    def master(self, key_type: int) -> bytes:
        factor = self.number.to_bytes(4, "big") + bytes([key_type]) + b"\x00\x00\x00"
        return alg.diversify(self.alg_id, ROOT, factor)

    def card_key(self, key_type: int, serial: bytes) -> bytes:
        return alg.diversify(self.alg_id, self.master(key_type), alg.factor_from_serial(serial))

    def new_keys(self, serial: bytes) -> list[T.NewKey]:
        return [T.NewKey(kt, 1, self.version, self.alg_id, self.card_key(kt, serial))
                for kt in KeyType]

    def sam(self, terminal_id: bytes = TERMINAL) -> VirtualSAM:
        return VirtualSAM(terminal_id, [SamKey(1, self.version, self.alg_id,
                                               self.master(KeyType.PURCHASE))])

    def host(self, request: P.LoadRequest) -> bytes:
        """The load host: checks the card's MAC1, answers MAC2."""
        dlk = self.card_key(KeyType.LOAD, request.card_serial)
        init = request.init
        seslk = P.load_session_key(init.alg_id, dlk, random=init.random,
                                   online_counter=P.encode_counter(init.online_counter))
        amount = P.encode_amount(request.amount)
        tx = P.encode_tx_type(request.tx_type)
        mac1 = P.load_mac1(init.alg_id, seslk, old_balance=P.encode_amount(init.balance),
                           amount=amount, tx_type=tx, terminal_id=request.terminal_id)
        if mac1 != init.mac1:
            raise PermissionError("card MAC1 wrong")
        return P.load_mac2(init.alg_id, seslk, amount=amount, tx_type=tx,
                           terminal_id=request.terminal_id, date=request.date, time=request.time)

    def wash(self, card: VirtualCard, *, maint_alg: int = alg.ALG_3DES,
             maint_key: bytes = DEFAULT_TRANSPORT_KEY) -> None:
        steps = T.key_write_steps(alg_id=maint_alg, maint_key=maint_key,
                                  keys=self.new_keys(card.serial))
        T.wash(card.transmit, steps)


