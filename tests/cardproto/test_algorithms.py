"""T1: the 3DES worked examples of CARD-PROTOCOL.md byte for byte, the SM4 profile (ours), and
key diversification."""

from __future__ import annotations

import pytest

from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import purse

H = bytes.fromhex


def test_r_t1_purchase_worked_example_sespk_mac1_mac2():
    dpk = H("11223344556677888877665544332211")
    sespk = purse.purchase_session_key(alg.ALG_3DES, dpk, random=H("11223344"),
                                       offline_counter=H("0000"), terminal_serial=H("00000001"))
    assert sespk == H("003238ABC57659DD")
    date, time = purse.bcd("20120229"), purse.bcd("135100")
    mac1 = purse.purchase_mac1(alg.ALG_3DES, sespk, amount=H("00001000"), tx_type=H("06"),
                               terminal_id=H("001122334455"), date=date, time=time)
    assert mac1 == H("F15CAB75")
    assert purse.purchase_mac2(alg.ALG_3DES, sespk, amount=H("00001000")) == H("56988A13")


def test_r_t1_load_worked_example_seslk_mac1():
    dlk = H("00112233445566778899AABBCCDDEEFF")
    seslk = purse.load_session_key(alg.ALG_3DES, dlk, random=H("3948BC11"),
                                   online_counter=H("0000"))
    assert seslk == H("3FF239BBDB26018A")
    mac1 = purse.load_mac1(alg.ALG_3DES, seslk, old_balance=H("00000000"), amount=H("00002000"),
                           tx_type=H("02"), terminal_id=H("001122334455"))
    assert mac1 == H("C47312E9")


def test_r_t1_mac_padding_always_appends_80():
    key = H("0123456789ABCDEF")
    # 8 bytes of data get a whole extra block of padding, so it differs from the unpadded CBC-MAC
    assert alg.mac(alg.ALG_3DES, key, bytes(8)) != alg.encrypt_ecb(alg.ALG_3DES, key, bytes(8))[:4]
    assert alg.pad80(bytes(8), 8) == bytes(8) + H("8000000000000000")
    assert alg.pad80(b"", 16) == H("80") + bytes(15)
    assert alg.unpad80(alg.pad80(b"abc", 16)) == b"abc"


def test_r_t1_retail_mac_with_16_byte_key_matches_full_3des_on_last_block():
    key = H("0123456789ABCDEFFEDCBA9876543210")
    data = b"Now is the time for all "
    padded = alg.pad80(data, 8)
    chained = bytes(8)
    for i in range(0, len(padded) - 8, 8):
        block = bytes(a ^ b for a, b in zip(chained, padded[i:i + 8]))
        chained = alg.encrypt_ecb(alg.ALG_3DES, key[:8], block)
    last = bytes(a ^ b for a, b in zip(chained, padded[-8:]))
    assert alg.mac(alg.ALG_3DES, key, data) == alg.encrypt_ecb(alg.ALG_3DES, key, last)[:4]


def test_r_t1_sm4_profile_shapes_and_round_trip():
    key = H("0123456789ABCDEFFEDCBA9876543210")
    # the GB/T 32907 standard vector: SM4 encrypts its own key to 681EDF34D206965E86B3E94F536E4246
    assert alg.encrypt_ecb(alg.ALG_SM4, key, key) == H("681EDF34D206965E86B3E94F536E4246")
    assert alg.decrypt_ecb(alg.ALG_SM4, key, H("681EDF34D206965E86B3E94F536E4246")) == key
    sk = alg.session_key(alg.ALG_SM4, key, H("1122334400008000"))
    assert len(sk) == 16
    assert sk == alg.encrypt_ecb(alg.ALG_SM4, key, H("1122334400008000") + H("80") + bytes(7))
    m = alg.mac(alg.ALG_SM4, sk, b"abc")
    assert len(m) == 4 and m != alg.mac(alg.ALG_SM4, sk, b"abd")
    assert alg.tac_key(alg.ALG_SM4, key) == key
    assert alg.key_length(alg.ALG_SM4) == alg.key_length(alg.ALG_3DES) == 16


def test_r_t1_tac_key_3des_is_left_xor_right():
    assert alg.tac_key(alg.ALG_3DES, H("0102030405060708F0F0F0F0F0F0F0F0")) == H("F1F2F3F4F5F6F7F8")


def test_r_t1_diversify_3des_is_e_d_then_e_not_d():
    mk = H("00112233445566778899AABBCCDDEEFF")
    d = H("0000000012345678")
    key = alg.diversify(alg.ALG_3DES, mk, d)
    assert key[:8] == alg.encrypt_ecb(alg.ALG_3DES, mk, d)
    assert key[8:] == alg.encrypt_ecb(alg.ALG_3DES, mk, H("FFFFFFFFEDCBA987"))


def test_r_t1_diversify_sm4_is_e_of_d_and_not_d():
    mk = H("00112233445566778899AABBCCDDEEFF")
    d = H("0000000012345678")
    assert alg.diversify(alg.ALG_SM4, mk, d) == alg.encrypt_ecb(
        alg.ALG_SM4, mk, d + H("FFFFFFFFEDCBA987"))


@pytest.mark.parametrize("alg_id", [alg.ALG_3DES, alg.ALG_SM4])
def test_r_t1_diversify_many_gives_each_card_its_own_diversified_key(alg_id):
    mk = H("00112233445566778899AABBCCDDEEFF")
    factors = [H("0000000012345678"), H("0000000000000001"), H("FFFFFFFFFFFFFFFE")]
    assert alg.diversify_many(alg_id, mk, factors) == [alg.diversify(alg_id, mk, f) for f in factors]
    assert alg.diversify_many(alg_id, mk, []) == []
    with pytest.raises(ValueError):
        alg.diversify_many(alg_id, mk, [H("0102")])


@pytest.mark.parametrize("alg_id", [alg.ALG_3DES, alg.ALG_SM4])
def test_r_t1_card_keys_differ_per_serial_and_chain_highest_level_first(alg_id):
    root = H("A1A2A3A4A5A6A7A8B1B2B3B4B5B6B7B8")
    ent = H("0000000000000007")
    c1, c2 = alg.factor_from_serial(H("01020304050607080901")), alg.factor_from_serial(H("0102"))
    assert c1 == H("0304050607080901") and c2 == H("0000000000000102")
    k1 = alg.diversify_chain(alg_id, root, [ent, c1])
    k2 = alg.diversify_chain(alg_id, root, [ent, c2])
    assert k1 != k2 and len(k1) == 16
    assert k1 == alg.diversify(alg_id, alg.diversify(alg_id, root, ent), c1)
    assert k1 != alg.diversify_chain(alg_id, root, [c1, ent])


def test_r_t1_bad_inputs_are_refused():
    with pytest.raises(alg.UnknownAlgorithm):
        alg.key_length(0x07)
    with pytest.raises(ValueError):
        alg.diversify(alg.ALG_3DES, bytes(16), bytes(7))
    with pytest.raises(ValueError):
        alg.session_key(alg.ALG_SM4, bytes(16), bytes(16))
    with pytest.raises(ValueError):
        purse.purchase_mac2(alg.ALG_3DES, bytes(8), amount=bytes(3))
