"""Line protection, authentication cryptograms and the key-write command (T1, C3).

The key-write command is **ours**, modelled on GlobalPlatform PUT KEY and the FMCOS write-key
command (docs/card-os.md):

    84 D4 <key type> <key index> Lc  ENC(K_maint, block) || MAC
    block = version(1) || algorithm id(1) || 10 || key(16), 80-padded to the block size
    ENC   = ECB under the card's current maintenance key, in that key's profile
    MAC   = line-protection MAC under the current maintenance key

Line protection (also ours in detail, after PBOC): the 4-byte MAC of ``header || Lc || data`` where
``Lc`` counts the MAC, with IV = the card's last challenge (first 4 bytes) followed by zeros; a
challenge serves one command only.
"""

from __future__ import annotations

from enum import IntEnum

from yikatong.cardproto import algorithms as alg
from yikatong.cardproto.apdu import CLA_SECURE, INS_APP_UNBLOCK, INS_KEY_WRITE, command


class KeyType(IntEnum):
    """Key types on the card (ours as numbers; FMCOS names in docs/card-os.md)."""

    PURCHASE = 0x01  # DPK
    LOAD = 0x02  # DLK
    TAC = 0x03  # DTK
    MAINTENANCE = 0x04  # application maintenance / line protection; governs key writes
    EXTERNAL_AUTH = 0x05
    INTERNAL_AUTH = 0x06


KEY_BLOCK_PLAIN = 3 + 16


def challenge_iv(alg_id: int, challenge: bytes) -> bytes:
    if len(challenge) < 4:
        raise ValueError("challenge must be at least 4 bytes")
    return challenge[:4].ljust(alg.block_size(alg_id), b"\x00")


def line_mac(alg_id: int, key: bytes, challenge: bytes, *, header: bytes, data: bytes) -> bytes:
    """MAC over ``header(4) || Lc || data`` where ``Lc = len(data) + 4``."""
    if len(header) != 4:
        raise ValueError("header is CLA INS P1 P2")
    body = header + bytes([len(data) + alg.MAC_LENGTH]) + data
    return alg.mac(alg_id, key, body, iv=challenge_iv(alg_id, challenge))


def secure_command(alg_id: int, key: bytes, challenge: bytes, *, cla: int, ins: int, p1: int,
                   p2: int, data: bytes = b"") -> bytes:
    """A command APDU with the line-protection MAC appended to its data."""
    header = bytes([cla, ins, p1, p2])
    return command(cla, ins, p1, p2, data + line_mac(alg_id, key, challenge, header=header,
                                                     data=data))


def auth_cryptogram(alg_id: int, key: bytes, challenge: bytes) -> bytes:
    """EXTERNAL / INTERNAL AUTHENTICATE cryptogram over an 8-byte challenge: ``E(K, challenge)``
    (SM4: the challenge 80-padded to 16 bytes, ours)."""
    return alg.session_key(alg_id, key, challenge)


def encrypt_key_block(alg_id: int, maint_key: bytes, *, version: int, new_alg: int,
                      new_key: bytes) -> bytes:
    if len(new_key) != alg.key_length(new_alg):
        raise ValueError("new key has the wrong length")
    if not 0 <= version <= 0xFF:
        raise ValueError("key version is one byte")
    block = bytes([version, new_alg, len(new_key)]) + new_key
    return alg.encrypt_ecb(alg_id, maint_key, alg.pad80(block, alg.block_size(alg_id)))


def decrypt_key_block(alg_id: int, maint_key: bytes, data: bytes) -> tuple[int, int, bytes]:
    """(version, algorithm id, key); ValueError when the block is malformed."""
    block = alg.unpad80(alg.decrypt_ecb(alg_id, maint_key, data))
    if len(block) != KEY_BLOCK_PLAIN or block[2] != 16 or block[1] not in alg.ALGORITHMS:
        raise ValueError("malformed key block")
    return block[0], block[1], block[3:]


def key_write_apdu(alg_id: int, maint_key: bytes, challenge: bytes, *, key_type: int,
                   key_index: int, version: int, new_alg: int, new_key: bytes) -> bytes:
    """The key-write command replacing (or adding) key ``key_type``/``key_index`` on the card.
    ``alg_id``/``maint_key`` are the card's current maintenance key; ``challenge`` its last
    GET CHALLENGE answer."""
    encrypted = encrypt_key_block(alg_id, maint_key, version=version, new_alg=new_alg,
                                  new_key=new_key)
    return secure_command(alg_id, maint_key, challenge, cla=CLA_SECURE, ins=INS_KEY_WRITE,
                          p1=key_type, p2=key_index, data=encrypted)


def unblock_apdu(alg_id: int, maint_key: bytes, challenge: bytes) -> bytes:
    """APPLICATION UNBLOCK ``84 18 00 00 04 MAC`` under the maintenance key."""
    return secure_command(alg_id, maint_key, challenge, cla=CLA_SECURE, ins=INS_APP_UNBLOCK,
                          p1=0, p2=0)
