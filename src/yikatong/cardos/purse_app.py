"""The electronic-purse commands of the virtual card (T1, P1, P7), as CARD-PROTOCOL.md lists them.

A mixin of ``VirtualCard``: it uses ``self.state``, ``self._rng``, ``self._pending`` (set by an
INITIALIZE for the very next command) and the MAC bookkeeping of the card.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from yikatong.cardos import state as st
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as P
from yikatong.cardproto.secure import KeyType

TAC_KEY_INDEX = 1  # ours: one DTK (index 01) per application
OVERDRAFT_LIMIT = 0


@dataclass(frozen=True)
class _PendingLoad:
    slot: st.KeySlot
    dtk: st.KeySlot
    seslk: bytes
    amount: int
    terminal_id: bytes


@dataclass(frozen=True)
class _PendingPurchase:
    slot: st.KeySlot
    dtk: st.KeySlot
    random: bytes
    amount: int
    terminal_id: bytes


def _log_record(counter: int, amount: int, tx_type: int, terminal_id: bytes, date: bytes,
                time: bytes) -> bytes:
    """PBOC transaction detail: counter(2) overdraft(3) amount(4) type(1) terminal(6) date(4) time(3)."""
    return (P.encode_counter(counter) + OVERDRAFT_LIMIT.to_bytes(3, "big") + P.encode_amount(amount)
            + bytes([tx_type]) + terminal_id + date + time)


class PurseCommands:
    def _initialize(self, cmd: A.Command, **_) -> tuple[bytes, int]:
        if cmd.p2 != P.APP_PURSE or cmd.p1 not in (0x00, 0x01):
            return b"", A.SW_WRONG_P1P2
        if len(cmd.data) != 11:
            return b"", A.SW_WRONG_LENGTH
        key_index, amount, terminal_id = cmd.data[0], P.decode_amount(cmd.data[1:5]), cmd.data[5:11]
        s = self.state
        dtk = s.key(KeyType.TAC, TAC_KEY_INDEX)
        if dtk is None:  # not personalised: no TAC could be given
            return b"", A.SW_KEY_INDEX
        if cmd.p1 == 0x00:
            slot = s.key(KeyType.LOAD, key_index)
            if slot is None:
                return b"", A.SW_KEY_INDEX
            if s.online_counter >= P.MAX_COUNTER:
                return b"", A.SW_COUNTER_MAX
            if s.balance + amount > s.max_balance:
                return b"", A.SW_CONDITIONS
            random = self._rng(4)
            counter = P.encode_counter(s.online_counter)
            seslk = P.load_session_key(slot.alg_id, slot.key, random=random, online_counter=counter)
            mac1 = P.load_mac1(slot.alg_id, seslk, old_balance=P.encode_amount(s.balance),
                               amount=cmd.data[1:5], tx_type=bytes([P.TX_PURSE_LOAD]),
                               terminal_id=terminal_id)
            self._pending = _PendingLoad(slot, dtk, seslk, amount, terminal_id)
            init = P.LoadInit(s.balance, s.online_counter, slot.version, slot.alg_id, random, mac1)
            return init.to_bytes(), A.SW_OK
        slot = s.key(KeyType.PURCHASE, key_index)
        if slot is None:
            return b"", A.SW_KEY_INDEX
        if s.offline_counter >= P.MAX_COUNTER:
            return b"", A.SW_COUNTER_MAX
        if amount > s.balance + OVERDRAFT_LIMIT:
            return b"", A.SW_INSUFFICIENT
        random = self._rng(4)
        self._pending = _PendingPurchase(slot, dtk, random, amount, terminal_id)
        init = P.PurchaseInit(s.balance, s.offline_counter, OVERDRAFT_LIMIT, slot.version,
                              slot.alg_id, random)
        return init.to_bytes(), A.SW_OK

    def _credit_for_load(self, cmd: A.Command, *, pending, **_) -> tuple[bytes, int]:
        if cmd.p1 != 0x00 or cmd.p2 != 0x00:
            return b"", A.SW_WRONG_P1P2
        if not isinstance(pending, _PendingLoad):
            return b"", A.SW_CONDITIONS
        if len(cmd.data) != 11:
            return b"", A.SW_WRONG_LENGTH
        date, time, mac2 = cmd.data[0:4], cmd.data[4:7], cmd.data[7:11]
        s, slot = self.state, pending.slot
        tx_type = bytes([P.TX_PURSE_LOAD])
        want = P.load_mac2(slot.alg_id, pending.seslk, amount=P.encode_amount(pending.amount),
                           tx_type=tx_type, terminal_id=pending.terminal_id, date=date, time=time)
        if not hmac.compare_digest(mac2, want):
            return self._mac_failed()
        self._mac_ok()
        dtk = pending.dtk
        counter = s.online_counter
        s.balance += pending.amount
        tac = P.load_tac(dtk.alg_id, dtk.key, new_balance=P.encode_amount(s.balance),
                         online_counter=P.encode_counter(counter),
                         amount=P.encode_amount(pending.amount), tx_type=tx_type,
                         terminal_id=pending.terminal_id, date=date, time=time)
        s.online_counter += 1
        s.files[st.SFI_LOG].push(_log_record(counter, pending.amount, P.TX_PURSE_LOAD,
                                             pending.terminal_id, date, time))
        s.proves[P.TX_PURSE_LOAD] = st.Prove(counter, mac2, tac)
        return tac, A.SW_OK

    def _debit_for_purchase(self, cmd: A.Command, *, pending, **_) -> tuple[bytes, int]:
        if cmd.p1 != 0x01 or cmd.p2 != 0x00:
            return b"", A.SW_WRONG_P1P2
        if not isinstance(pending, _PendingPurchase):
            return b"", A.SW_CONDITIONS
        if len(cmd.data) != 15:
            return b"", A.SW_WRONG_LENGTH
        serial, date, time, mac1 = cmd.data[0:4], cmd.data[4:8], cmd.data[8:11], cmd.data[11:15]
        s, slot = self.state, pending.slot
        counter = s.offline_counter
        amount = P.encode_amount(pending.amount)
        tx_type = bytes([P.TX_PURSE_PURCHASE])
        sespk = P.purchase_session_key(slot.alg_id, slot.key, random=pending.random,
                                       offline_counter=P.encode_counter(counter),
                                       terminal_serial=serial)
        want = P.purchase_mac1(slot.alg_id, sespk, amount=amount, tx_type=tx_type,
                               terminal_id=pending.terminal_id, date=date, time=time)
        if not hmac.compare_digest(mac1, want):
            return self._mac_failed()
        self._mac_ok()
        dtk = pending.dtk
        tac = P.purchase_tac(dtk.alg_id, dtk.key, amount=amount, tx_type=tx_type,
                             terminal_id=pending.terminal_id, terminal_serial=serial, date=date,
                             time=time)
        mac2 = P.purchase_mac2(slot.alg_id, sespk, amount=amount)
        s.balance -= pending.amount
        s.offline_counter += 1
        s.files[st.SFI_LOG].push(_log_record(counter, pending.amount, P.TX_PURSE_PURCHASE,
                                             pending.terminal_id, date, time))
        s.proves[P.TX_PURSE_PURCHASE] = st.Prove(counter, mac2, tac)
        return tac + mac2, A.SW_OK

    def _get_balance(self, cmd: A.Command, **_) -> tuple[bytes, int]:
        if cmd.p1 != 0x00 or cmd.p2 != P.APP_PURSE:
            return b"", A.SW_WRONG_P1P2
        return P.encode_amount(self.state.balance), A.SW_OK

    def _get_prove(self, cmd: A.Command, **_) -> tuple[bytes, int]:
        if cmd.p1 != 0x00:
            return b"", A.SW_WRONG_P1P2
        if len(cmd.data) != 2:
            return b"", A.SW_WRONG_LENGTH
        prove = self.state.proves.get(cmd.p2)
        if prove is None or prove.counter != P.decode_counter(cmd.data):
            return b"", A.SW_NO_PROVE
        return prove.mac + prove.tac, A.SW_OK
