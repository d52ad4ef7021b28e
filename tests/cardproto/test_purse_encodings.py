"""T1/P7: field encodings, the parsed INITIALIZE answers, APDU framing and the key-write block."""

from __future__ import annotations

import datetime as dt

import pytest

from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import apdu, purse, secure
from yikatong.core.clock import SHANGHAI

H = bytes.fromhex


def test_r_t1_encodings():
    assert purse.encode_amount(4096) == H("00001000")
    assert purse.decode_amount(H("00001000")) == 4096
    assert purse.encode_counter(258) == H("0102")
    assert purse.encode_terminal_id("001122334455") == H("001122334455")
    assert purse.encode_terminal_serial(1) == H("00000001")
    with pytest.raises(ValueError):
        purse.encode_amount(-1)
    with pytest.raises(ValueError):
        purse.encode_terminal_id("0011")


def test_r_t1_datetime_is_bcd_in_beijing_time():
    naive = dt.datetime(2012, 2, 29, 13, 51, 0)
    assert purse.encode_datetime(naive) == (H("20120229"), H("135100"))
    utc = dt.datetime(2012, 2, 29, 5, 51, 0, tzinfo=dt.timezone.utc)
    assert purse.encode_datetime(utc) == (H("20120229"), H("135100"))
    assert purse.decode_datetime(H("20120229"), H("135100")) == naive
    assert purse.encode_datetime(naive.replace(tzinfo=SHANGHAI))[1] == H("135100")


def test_r_t1_initialize_answers_parse_and_rebuild():
    raw = H("00000064" "0003" "01" "00" "11223344" "C47312E9")
    init = purse.LoadInit.parse(raw)
    assert (init.balance, init.online_counter, init.key_version, init.alg_id) == (100, 3, 1, 0)
    assert init.mac1 == H("C47312E9") and init.to_bytes() == raw
    raw = H("00000064" "0003" "000000" "01" "04" "11223344")
    pinit = purse.PurchaseInit.parse(raw)
    assert (pinit.offline_counter, pinit.alg_id, pinit.random) == (3, 4, H("11223344"))
    assert pinit.to_bytes() == raw


def test_r_t1_apdu_cases_round_trip():
    for raw in [H("0084000008"), H("00A40400" "09" "A00000000386980701"),
                H("805000020B" "01" "00001000" "001122334455" "10"), H("00A4000000")[:4]]:
        assert apdu.Command.parse(raw).to_bytes() == raw
    cmd = apdu.Command.parse(H("805401000F" "00000001" "20120229" "135100" "F15CAB75" "08"))
    assert (cmd.ins, cmd.p1, len(cmd.data), cmd.le) == (0x54, 1, 15, 8)
    with pytest.raises(apdu.MalformedApdu):
        apdu.Command.parse(H("80540100" "0F" "0011"))
    resp = apdu.Response.parse(H("12349302"))
    assert resp.sw == apdu.SW_MAC_WRONG and not resp.ok
    with pytest.raises(apdu.CardError) as err:
        resp.check()
    assert err.value.sw == 0x9302 and "MAC wrong" in str(err.value)
    assert apdu.sw_name(0x63C2) == "verification failed, 2 tries left"


@pytest.mark.parametrize("alg_id", [alg.ALG_3DES, alg.ALG_SM4])
def test_r_c3_key_block_round_trip_and_mac(alg_id):
    maint = H("00112233445566778899AABBCCDDEEFF")
    new = H("FFEEDDCCBBAA99887766554433221100")
    enc = secure.encrypt_key_block(alg_id, maint, version=2, new_alg=alg.ALG_SM4, new_key=new)
    assert new not in enc
    assert secure.decrypt_key_block(alg_id, maint, enc) == (2, alg.ALG_SM4, new)
    raw = secure.key_write_apdu(alg_id, maint, H("01020304"), key_type=secure.KeyType.PURCHASE,
                                key_index=1, version=2, new_alg=alg.ALG_SM4, new_key=new)
    cmd = apdu.Command.parse(raw)
    assert cmd.header == H("84D40101")
    expected = secure.line_mac(alg_id, maint, H("01020304"), header=cmd.header, data=cmd.data[:-4])
    assert cmd.data[-4:] == expected
    assert expected != secure.line_mac(alg_id, maint, H("01020305"), header=cmd.header,
                                       data=cmd.data[:-4])


def test_r_t1_card_number_is_the_bcd_application_serial():
    serial = purse.serial_from_card_no("8688000012345674")
    assert serial == H("00008688000012345674")
    assert alg.factor_from_serial(serial) == H("8688000012345674")
    assert purse.card_no_from_serial(serial) == "8688000012345674"
    with pytest.raises(ValueError):
        purse.serial_from_card_no("86880000123456x4")
