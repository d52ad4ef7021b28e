"""The virtual CPU card: APDU bytes in, response bytes out (T1, C3).

Files: MF 3F00 → purse ADF (AID ``A00000000386980701``, FID 1001) holding the public data EF 0015
(binary), the transaction log EF 0018 (cyclic, 10 × 23 bytes, written by the card only) and the
record EFs identity 0001, access 0002, attendance 0003 (cyclic). All keys live in the ADF.
The command set and status words are in docs/card-os.md.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from pathlib import Path

from yikatong.cardos import state as st
from yikatong.cardos.files import FileCommands
from yikatong.cardos.purse_app import PurseCommands
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import apdu as A
from yikatong.cardproto import secure
from yikatong.cardproto.secure import KeyType

AID = bytes.fromhex("A00000000386980701")
FID_MF = 0x3F00
FID_ADF = 0x1001
EF_FIDS = {0x0015: st.SFI_PUBLIC, 0x0018: st.SFI_LOG, 0x0001: st.SFI_IDENTITY,
           0x0002: st.SFI_ACCESS, 0x0003: st.SFI_ATTENDANCE}
MAINTENANCE_INDEX = 1  # ours: maintenance key 01 governs key writes, record writes, unblock

_ISO = frozenset({A.CLA_ISO})
_ISO_SM = frozenset({A.CLA_ISO, A.CLA_ISO_SECURE})
_PROP = frozenset({A.CLA_PROP})
_PROP_SM = frozenset({A.CLA_SECURE})


def new_card(serial: bytes, *, transport_key: bytes = st.DEFAULT_TRANSPORT_KEY,
             alg_id: int = alg.ALG_3DES, **state_fields) -> st.CardState:
    """A card as it leaves the factory: only the maintenance and external-authentication keys, both
    the transport key at version 0. The purse keys arrive with washing (C3)."""
    state = st.CardState(serial=serial, **state_fields)
    for key_type in (KeyType.MAINTENANCE, KeyType.EXTERNAL_AUTH):
        state.put_key(st.KeySlot(key_type, 1, 0, alg_id, transport_key))
    return state


class VirtualCard(FileCommands, PurseCommands):
    def __init__(self, state: st.CardState, *, rng: Callable[[int], bytes] = os.urandom):
        self.state = state
        self._rng = rng
        self.reset()
        self._handlers = {
            A.INS_SELECT: (_ISO, self._select, False),
            A.INS_GET_CHALLENGE: (_ISO, self._get_challenge, False),
            A.INS_EXTERNAL_AUTH: (_ISO, self._external_auth, True),
            A.INS_INTERNAL_AUTH: (_ISO, self._internal_auth, True),
            A.INS_READ_BINARY: (_ISO, self._read_binary, True),
            A.INS_READ_RECORD: (_ISO, self._read_record, True),
            A.INS_UPDATE_RECORD: (_ISO_SM, self._update_record, True),
            A.INS_APPEND_RECORD: (_ISO_SM, self._append_record, True),
            A.INS_INITIALIZE: (_PROP, self._initialize, True),
            A.INS_CREDIT: (_PROP, self._credit_for_load, True),
            A.INS_DEBIT: (_PROP, self._debit_for_purchase, True),
            A.INS_GET_BALANCE: (_PROP, self._get_balance, True),
            A.INS_GET_PROVE: (_PROP, self._get_prove, True),
            A.INS_KEY_WRITE: (_PROP_SM, self._key_write, True),
            A.INS_APP_UNBLOCK: (_PROP_SM, self._app_unblock, True),
        }

    @classmethod
    def new(cls, serial: bytes, *, transport_key: bytes = st.DEFAULT_TRANSPORT_KEY,
            alg_id: int = alg.ALG_3DES, rng: Callable[[int], bytes] = os.urandom) -> VirtualCard:
        return cls(new_card(serial, transport_key=transport_key, alg_id=alg_id), rng=rng)

    @classmethod
    def from_bytes(cls, data: bytes, **kw) -> VirtualCard:
        return cls(st.CardState.from_bytes(data), **kw)

    @classmethod
    def load(cls, path: str | Path, **kw) -> VirtualCard:
        return cls(st.CardState.load(path), **kw)

    def to_bytes(self) -> bytes:
        return self.state.to_bytes()

    def save(self, path: str | Path) -> None:
        self.state.save(path)

    @property
    def serial(self) -> bytes:
        return self.state.serial

    def reset(self) -> None:
        """Power cycle: the volatile session is gone, the state stays."""
        self._df = FID_MF
        self._ef: int | None = None
        self._challenge: bytes | None = None
        self._pending = None
        self._authenticated = False

    def transmit(self, raw: bytes) -> bytes:
        try:
            cmd = A.Command.parse(raw)
        except A.MalformedApdu:
            return A.response(sw=A.SW_WRONG_LENGTH)
        data, sw = self._dispatch(cmd)
        return A.response(data, sw)

    __call__ = transmit

    def _dispatch(self, cmd: A.Command) -> tuple[bytes, int]:
        # a challenge and a half-done purse transaction serve the very next command only
        challenge, self._challenge = self._challenge, None
        pending, self._pending = self._pending, None
        entry = self._handlers.get(cmd.ins)
        if entry is None:
            return b"", A.SW_INS_NOT_SUPPORTED
        clas, handler, in_app = entry
        if cmd.cla not in clas:
            return b"", A.SW_CLA_NOT_SUPPORTED
        if in_app:
            if self._df != FID_ADF:
                return b"", A.SW_CONDITIONS
            if self.state.locked and cmd.ins != A.INS_APP_UNBLOCK:
                return b"", A.SW_APP_LOCKED
        return handler(cmd, challenge=challenge, pending=pending)

    # --- MAC bookkeeping ---------------------------------------------------------------------

    def _mac_failed(self) -> tuple[bytes, int]:
        self.state.mac_errors += 1
        if self.state.mac_errors >= st.MAX_MAC_ERRORS:
            self.state.locked = True
        return b"", A.SW_MAC_WRONG

    def _mac_ok(self) -> None:
        self.state.mac_errors = 0

    def _check_line_mac(self, cmd: A.Command, challenge: bytes | None) -> tuple[bytes, int] | bytes:
        """The command data without its MAC, or the error answer."""
        maint = self.state.key(KeyType.MAINTENANCE, MAINTENANCE_INDEX)
        if maint is None:
            return b"", A.SW_KEY_NOT_FOUND
        if challenge is None:
            return b"", A.SW_CONDITIONS
        if len(cmd.data) < alg.MAC_LENGTH:
            return b"", A.SW_WRONG_LENGTH
        body, got = cmd.data[:-alg.MAC_LENGTH], cmd.data[-alg.MAC_LENGTH:]
        want = secure.line_mac(maint.alg_id, maint.key, challenge, header=cmd.header, data=body)
        if not hmac.compare_digest(got, want):
            return self._mac_failed()
        self._mac_ok()
        return body

    # --- selection and reading ---------------------------------------------------------------

    def _select(self, cmd: A.Command, **_) -> tuple[bytes, int]:
        if cmd.p1 == 0x04:
            if cmd.data != AID:
                return b"", A.SW_FILE_NOT_FOUND
            return self._enter_adf()
        if cmd.p1 != 0x00:
            return b"", A.SW_WRONG_P1P2
        fid = int.from_bytes(cmd.data, "big") if cmd.data else FID_MF
        if len(cmd.data) not in (0, 2):
            return b"", A.SW_WRONG_LENGTH
        if fid == FID_MF:
            self._df, self._ef, self._authenticated = FID_MF, None, False
            return b"", A.SW_OK
        if fid == FID_ADF:
            return self._enter_adf()
        if fid in EF_FIDS and self._df == FID_ADF:
            self._ef = EF_FIDS[fid]
            return b"", A.SW_OK
        return b"", A.SW_FILE_NOT_FOUND

    def _enter_adf(self) -> tuple[bytes, int]:
        if self._df != FID_ADF:
            self._authenticated = False
        self._df, self._ef = FID_ADF, None
        public = self.state.public_data()
        prop = b"\x9f\x0c" + bytes([len(public)]) + public
        body = b"\x84" + bytes([len(AID)]) + AID + b"\xa5" + bytes([len(prop)]) + prop
        return b"\x6f" + bytes([len(body)]) + body, A.SW_OK

    # --- authentication ----------------------------------------------------------------------

    def _get_challenge(self, cmd: A.Command, **_) -> tuple[bytes, int]:
        if cmd.le not in (4, 8) or cmd.data:
            return b"", A.SW_WRONG_LENGTH
        self._challenge = self._rng(cmd.le)
        return self._challenge, A.SW_OK

    def _external_auth(self, cmd: A.Command, *, challenge, **_) -> tuple[bytes, int]:
        slot = self.state.key(KeyType.EXTERNAL_AUTH, cmd.p2)
        if slot is None:
            return b"", A.SW_KEY_NOT_FOUND
        if self.state.auth_tries <= 0:
            return b"", A.SW_AUTH_BLOCKED
        if challenge is None or len(challenge) != 8:
            return b"", A.SW_CONDITIONS
        want = secure.auth_cryptogram(slot.alg_id, slot.key, challenge)
        if not hmac.compare_digest(cmd.data, want):
            self.state.auth_tries -= 1
            return b"", 0x63C0 | self.state.auth_tries
        self.state.auth_tries = st.MAX_AUTH_TRIES
        self._authenticated = True
        return b"", A.SW_OK

    def _internal_auth(self, cmd: A.Command, **_) -> tuple[bytes, int]:
        slot = self.state.key(KeyType.INTERNAL_AUTH, cmd.p2)
        if slot is None:
            return b"", A.SW_KEY_NOT_FOUND
        if len(cmd.data) != 8:
            return b"", A.SW_WRONG_LENGTH
        return secure.auth_cryptogram(slot.alg_id, slot.key, cmd.data), A.SW_OK

    # --- washing and unblocking (maintenance key) ----------------------------------------------

    def _key_write(self, cmd: A.Command, *, challenge, **_) -> tuple[bytes, int]:
        if cmd.p1 not in KeyType._value2member_map_ or not 0 < cmd.p2 <= 0xFF:
            return b"", A.SW_WRONG_P1P2
        body = self._check_line_mac(cmd, challenge)
        if isinstance(body, tuple):
            return body
        maint = self.state.key(KeyType.MAINTENANCE, MAINTENANCE_INDEX)
        try:
            version, new_alg, key = secure.decrypt_key_block(maint.alg_id, maint.key, body)
        except ValueError:
            return b"", A.SW_BAD_DATA
        self.state.put_key(st.KeySlot(cmd.p1, cmd.p2, version, new_alg, key))
        if cmd.p1 == KeyType.EXTERNAL_AUTH:
            self.state.auth_tries = st.MAX_AUTH_TRIES
        return b"", A.SW_OK

    def _app_unblock(self, cmd: A.Command, *, challenge, **_) -> tuple[bytes, int]:
        body = self._check_line_mac(cmd, challenge)
        if isinstance(body, tuple):
            return body
        self.state.locked = False
        return b"", A.SW_OK
