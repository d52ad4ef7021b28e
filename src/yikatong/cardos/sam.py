"""The virtual SAM / PSAM of a terminal (T1, P7).

It holds enterprise-level purchase master keys only — never a card key — a 6-byte terminal id and
its own 4-byte terminal transaction serial. For a purchase it diversifies the card's DPK from the
card serial inside, computes SESPK and MAC1, and afterwards checks the card's MAC2. The serial is
incremented for every MAC1 it issues (so a card that then refuses the debit leaves a gap).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import purse as P


class SamError(Exception):
    pass


@dataclass(frozen=True)
class SamKey:
    """An enterprise purchase master key as loaded into a SAM. ``factors`` are diversification
    factors applied before the card's own (highest level first), for SAMs holding a higher-level
    key; empty for the usual enterprise-level key."""

    key_index: int
    version: int
    alg_id: int
    master: bytes
    factors: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if len(self.master) != alg.key_length(self.alg_id):
            raise ValueError("master key of the wrong length")


@dataclass(frozen=True)
class SamPurchase:
    """What the SAM hands the terminal for DEBIT FOR PURCHASE."""

    terminal_serial: bytes
    mac1: bytes
    date: bytes
    time: bytes


@dataclass
class _Pending:
    sespk: bytes
    alg_id: int
    amount: bytes


@dataclass
class VirtualSAM:
    terminal_id: bytes
    keys: list[SamKey]
    serial: int = 0
    _pending: _Pending | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.terminal_id = P.encode_terminal_id(self.terminal_id)
        if not self.keys:
            raise ValueError("a SAM needs at least one purchase master key")

    @property
    def key_index(self) -> int:
        """The DPK index the terminal asks the card for (the first key's)."""
        return self.keys[0].key_index

    def _key(self, key_index: int, version: int, alg_id: int) -> SamKey:
        for k in self.keys:
            if (k.key_index, k.version, k.alg_id) == (key_index, version, alg_id):
                return k
        raise SamError(f"no purchase key index {key_index} version {version} alg {alg_id:#04x}")

    def init_purchase(self, *, card_serial: bytes, init: P.PurchaseInit | bytes, amount: int,
                      when: dt.datetime, tx_type: int = P.TX_PURSE_PURCHASE,
                      key_index: int | None = None) -> SamPurchase:
        """MAC1 for the card's INITIALIZE FOR PURCHASE answer; increments the terminal serial."""
        if isinstance(init, bytes):
            init = P.PurchaseInit.parse(init)
        key = self._key(self.key_index if key_index is None else key_index, init.key_version,
                        init.alg_id)
        if self.serial >= 0xFFFFFFFF:
            raise SamError("terminal serial exhausted")
        dpk = alg.diversify_chain(key.alg_id, key.master,
                                  [*key.factors, alg.factor_from_serial(card_serial)])
        self.serial += 1
        terminal_serial = P.encode_terminal_serial(self.serial)
        sespk = P.purchase_session_key(key.alg_id, dpk, random=init.random,
                                       offline_counter=P.encode_counter(init.offline_counter),
                                       terminal_serial=terminal_serial)
        date, time = P.encode_datetime(when)
        amount_b = P.encode_amount(amount)
        mac1 = P.purchase_mac1(key.alg_id, sespk, amount=amount_b, tx_type=P.encode_tx_type(tx_type),
                               terminal_id=self.terminal_id, date=date, time=time)
        self._pending = _Pending(sespk, key.alg_id, amount_b)
        return SamPurchase(terminal_serial, mac1, date, time)

    def verify_mac2(self, mac2: bytes) -> bool:
        """Whether the card's MAC2 proves the debit of the last ``init_purchase``; one use."""
        pending, self._pending = self._pending, None
        if pending is None:
            raise SamError("no purchase in progress")
        want = P.purchase_mac2(pending.alg_id, pending.sespk, amount=pending.amount)
        return hmac.compare_digest(mac2, want)

    # --- a SAM keeps its serial across restarts ------------------------------------------------

    def to_bytes(self) -> bytes:
        return json.dumps({
            "format": "ykt-sam", "version": 1, "terminal_id": self.terminal_id.hex().upper(),
            "serial": self.serial,
            "keys": [{"index": k.key_index, "version": k.version, "alg": k.alg_id,
                      "master": k.master.hex().upper(), "factors": [f.hex() for f in k.factors]}
                     for k in self.keys]}, indent=1).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> VirtualSAM:
        d = json.loads(data)
        if d.get("format") != "ykt-sam" or d.get("version") != 1:
            raise ValueError("not a saved SAM")
        keys = [SamKey(int(k["index"]), int(k["version"]), int(k["alg"]), bytes.fromhex(k["master"]),
                       tuple(bytes.fromhex(f) for f in k["factors"])) for k in d["keys"]]
        return cls(bytes.fromhex(d["terminal_id"]), keys, int(d["serial"]))

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: str | Path) -> VirtualSAM:
        return cls.from_bytes(Path(path).read_bytes())
