"""READ BINARY / READ RECORD / UPDATE RECORD / APPEND RECORD of the virtual card (T1).

A mixin of ``VirtualCard``. Reading is free; writing a record needs either the line-protection MAC
under the maintenance key (CLA 04, after GET CHALLENGE) or a successful EXTERNAL AUTHENTICATE since
the application was selected (CLA 00). The transaction log is written by the card only.
"""

from __future__ import annotations

from yikatong.cardos import state as st
from yikatong.cardproto import apdu as A


class FileCommands:
    def _read_binary(self, cmd: A.Command, **_) -> tuple[bytes, int]:
        if cmd.p1 & 0x80:
            sfi, offset = cmd.p1 & 0x1F, cmd.p2
        else:
            sfi, offset = self._ef, (cmd.p1 << 8) | cmd.p2
        if sfi != st.SFI_PUBLIC:
            return b"", A.SW_FILE_NOT_FOUND if sfi not in self.state.files else A.SW_INCOMPATIBLE
        data = self.state.public_data()
        if offset > len(data):
            return b"", A.SW_WRONG_P1P2
        want = cmd.le or len(data) - offset
        if offset + want > len(data):
            return b"", A.SW_WRONG_LENGTH
        return data[offset:offset + want], A.SW_OK

    def _record_file(self, p2: int, *, append: bool = False) -> st.RecordFile | int:
        if append:
            sfi = (p2 >> 3) if p2 else self._ef
            if p2 & 0x07:
                return A.SW_WRONG_P1P2
        else:
            if p2 & 0x07 != 0x04:
                return A.SW_WRONG_P1P2
            sfi = (p2 >> 3) or self._ef
        if sfi == st.SFI_PUBLIC:
            return A.SW_INCOMPATIBLE
        f = self.state.files.get(sfi) if sfi is not None else None
        return A.SW_FILE_NOT_FOUND if f is None else f

    def _read_record(self, cmd: A.Command, **_) -> tuple[bytes, int]:
        f = self._record_file(cmd.p2)
        if isinstance(f, int):
            return b"", f
        if not 1 <= cmd.p1 <= len(f.records):
            return b"", A.SW_RECORD_NOT_FOUND
        return f.records[cmd.p1 - 1], A.SW_OK

    # --- record writes (maintenance MAC or after external authentication) ----------------------

    def _write_data(self, cmd: A.Command, challenge: bytes | None) -> tuple[bytes, int] | bytes:
        if cmd.cla == A.CLA_ISO_SECURE:
            return self._check_line_mac(cmd, challenge)
        if not self._authenticated:
            return b"", A.SW_SECURITY
        return cmd.data

    def _update_record(self, cmd: A.Command, *, challenge, **_) -> tuple[bytes, int]:
        f = self._record_file(cmd.p2)
        if isinstance(f, int):
            return b"", f
        if f.cyclic or not f.writable:
            return b"", A.SW_INCOMPATIBLE if f.writable else A.SW_SECURITY
        data = self._write_data(cmd, challenge)
        if isinstance(data, tuple):
            return data
        if not 1 <= cmd.p1 <= len(f.records):
            return b"", A.SW_RECORD_NOT_FOUND
        if len(data) > f.record_size:
            return b"", A.SW_WRONG_LENGTH
        f.records[cmd.p1 - 1] = data.ljust(f.record_size, b"\x00")
        return b"", A.SW_OK

    def _append_record(self, cmd: A.Command, *, challenge, **_) -> tuple[bytes, int]:
        f = self._record_file(cmd.p2, append=True)
        if isinstance(f, int):
            return b"", f
        if not f.cyclic or not f.writable:
            return b"", A.SW_INCOMPATIBLE if f.writable else A.SW_SECURITY
        data = self._write_data(cmd, challenge)
        if isinstance(data, tuple):
            return data
        if len(data) > f.record_size:
            return b"", A.SW_WRONG_LENGTH
        f.push(data)
        return b"", A.SW_OK

