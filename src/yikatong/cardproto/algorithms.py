"""Algorithm profiles selected by the card's algorithm-id byte (T1).

- ``ALG_3DES`` (``00``): the public PBOC profile. 2-key 3DES (16-byte keys), 8-byte blocks; purse
  MACs are single-DES CBC MACs under 8-byte session keys.
- ``ALG_SM4`` (``04``, **ours**): no public source fixes the purse computations for SM4, so the
  product defines the same structure on 16-byte blocks (see docs/card-os.md).

Every MAC is ``80``-padded (the ``80`` always appended), CBC with a zero IV unless one is given, and
is the first 4 bytes of the last block.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.ciphers.algorithms import SM4

ALG_3DES = 0x00
ALG_SM4 = 0x04  # ours: the product's SM4 profile id

ALGORITHMS = {ALG_3DES: "3DES", ALG_SM4: "SM4"}
FACTOR_LENGTH = 8
MAC_LENGTH = 4


class UnknownAlgorithm(ValueError):
    pass


def _check_alg(alg_id: int) -> None:
    if alg_id not in ALGORITHMS:
        raise UnknownAlgorithm(f"unknown algorithm id {alg_id:#04x}")


def key_length(alg_id: int) -> int:
    """Length of a stored (master, card) key: 16 bytes in both profiles."""
    _check_alg(alg_id)
    return 16


def block_size(alg_id: int) -> int:
    _check_alg(alg_id)
    return 8 if alg_id == ALG_3DES else 16


def _des_key(key: bytes) -> bytes:
    # cryptography warns on 8- and 16-byte TripleDES keys; K1||K2||K1 (or K||K||K, which is single
    # DES) is the same cipher without the warning.
    if len(key) == 8:
        return key * 3
    if len(key) == 16:
        return key + key[:8]
    if len(key) == 24:
        return key
    raise ValueError(f"3DES key must be 8, 16 or 24 bytes, not {len(key)}")


def _cipher(alg_id: int, key: bytes, mode) -> Cipher:
    _check_alg(alg_id)
    if alg_id == ALG_3DES:
        return Cipher(TripleDES(_des_key(key)), mode)
    if len(key) != 16:
        raise ValueError(f"SM4 key must be 16 bytes, not {len(key)}")
    return Cipher(SM4(key), mode)


def encrypt_ecb(alg_id: int, key: bytes, data: bytes) -> bytes:
    """Block-cipher ECB encryption; ``data`` must be a whole number of blocks."""
    if len(data) % block_size(alg_id):
        raise ValueError("ECB data must be a whole number of blocks")
    enc = _cipher(alg_id, key, modes.ECB()).encryptor()
    return enc.update(data) + enc.finalize()


def decrypt_ecb(alg_id: int, key: bytes, data: bytes) -> bytes:
    if len(data) % block_size(alg_id):
        raise ValueError("ECB data must be a whole number of blocks")
    dec = _cipher(alg_id, key, modes.ECB()).decryptor()
    return dec.update(data) + dec.finalize()


def pad80(data: bytes, block: int) -> bytes:
    """ISO 9797-1 method 2: ``80`` always, then ``00`` to a multiple of ``block``."""
    padded = data + b"\x80"
    return padded + b"\x00" * (-len(padded) % block)


def unpad80(data: bytes) -> bytes:
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise ValueError("bad 80-padding")
    return stripped[:-1]


def _cbc_last_block(alg_id: int, key: bytes, data: bytes, iv: bytes) -> bytes:
    enc = _cipher(alg_id, key, modes.CBC(iv)).encryptor()
    out = enc.update(data) + enc.finalize()
    return out[-block_size(alg_id):]


def mac(alg_id: int, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
    """The 4-byte MAC of the profile.

    3DES with an 8-byte key: single-DES CBC MAC (the purse MAC1/MAC2/TAC under session and TAC keys).
    3DES with a 16-byte key: ISO 9797-1 MAC algorithm 3 (retail MAC: DES CBC under K1, last block
    3DES), used for line protection under the 16-byte maintenance key.
    SM4: SM4 CBC MAC over 16-byte blocks (ours).
    ``iv`` defaults to a zero block; line protection uses the card's challenge as IV.
    """
    bs = block_size(alg_id)
    iv = bytes(bs) if iv is None else iv
    if len(iv) != bs:
        raise ValueError(f"IV must be {bs} bytes")
    padded = pad80(data, bs)
    if alg_id == ALG_3DES and len(key) == 16:
        # retail MAC: single DES over all blocks, then decrypt K2 / encrypt K1 on the result
        last = _cbc_last_block(alg_id, key[:8], padded, iv)
        last = encrypt_ecb(alg_id, key[:8], decrypt_ecb(alg_id, key[8:], last))
        return last[:MAC_LENGTH]
    if alg_id == ALG_3DES and len(key) != 8:
        raise ValueError("3DES MAC key must be 8 or 16 bytes")
    return _cbc_last_block(alg_id, key, padded, iv)[:MAC_LENGTH]


def session_key(alg_id: int, key: bytes, data: bytes) -> bytes:
    """Process key: 3DES-ECB(K, data) over exactly 8 bytes of input (8-byte result); SM4: input
    ``80``-padded to 16 bytes, SM4-ECB (16-byte result, ours)."""
    if len(data) != 8:
        raise ValueError("session-key input must be 8 bytes")
    if len(key) != key_length(alg_id):
        raise ValueError(f"key must be {key_length(alg_id)} bytes")
    if alg_id == ALG_3DES:
        return encrypt_ecb(alg_id, key, data)
    return encrypt_ecb(alg_id, key, pad80(data, 16))


def _not(data: bytes) -> bytes:
    return bytes(b ^ 0xFF for b in data)


def diversify(alg_id: int, master: bytes, factor: bytes) -> bytes:
    """One level of diversification. 3DES: ``E(MK, D) || E(MK, NOT D)``; SM4: ``E(MK, D || NOT D)``.
    ``factor`` is 8 bytes, normally the right-most 8 bytes of the application serial."""
    if len(factor) != FACTOR_LENGTH:
        raise ValueError(f"diversification factor must be {FACTOR_LENGTH} bytes")
    if len(master) != key_length(alg_id):
        raise ValueError(f"master key must be {key_length(alg_id)} bytes")
    # 3DES: two 8-byte blocks in one ECB call are E(D) || E(NOT D); SM4: one 16-byte block
    return encrypt_ecb(alg_id, master, factor + _not(factor))


def diversify_many(alg_id: int, master: bytes, factors: Sequence[bytes]) -> list[bytes]:
    """``diversify`` for many factors under one master in a single ECB pass (an offline batch's
    cards): the same keys, one cipher set-up instead of one per card."""
    if len(master) != key_length(alg_id):
        raise ValueError(f"master key must be {key_length(alg_id)} bytes")
    if any(len(f) != FACTOR_LENGTH for f in factors):
        raise ValueError(f"diversification factor must be {FACTOR_LENGTH} bytes")
    if not factors:
        return []
    out = encrypt_ecb(alg_id, master, b"".join(f + _not(f) for f in factors))
    return [out[i:i + 16] for i in range(0, len(out), 16)]


def diversify_chain(alg_id: int, master: bytes, factors: Sequence[bytes]) -> bytes:
    """Several levels, highest level first (ours): ``K(n+1) = diversify(K(n), factors[n])``,
    e.g. platform root → enterprise → card."""
    key = master
    for factor in factors:
        key = diversify(alg_id, key, factor)
    return key


def factor_from_serial(serial: bytes) -> bytes:
    """The card-level factor: the right-most 8 bytes of the application serial, left-padded with
    zeros when the serial is shorter."""
    if not serial:
        raise ValueError("empty serial")
    return serial[-FACTOR_LENGTH:].rjust(FACTOR_LENGTH, b"\x00")


def tac_key(alg_id: int, dtk: bytes) -> bytes:
    """TAC MAC key: 3DES: DTK left XOR DTK right (8 bytes); SM4: the 16-byte DTK (ours)."""
    if len(dtk) != key_length(alg_id):
        raise ValueError(f"DTK must be {key_length(alg_id)} bytes")
    if alg_id == ALG_3DES:
        return bytes(a ^ b for a, b in zip(dtk[:8], dtk[8:]))
    return dtk
