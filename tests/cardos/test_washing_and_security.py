"""T1 / C3: washing replaces the transport keys, mutual authentication, line-protected record
writes, unblocking, and the card's answers to malformed or misplaced commands."""

from __future__ import annotations

import pytest

from cardos.card_helpers import TERMINAL, WHEN, Enterprise, counting_rng
from yikatong.cardos import VirtualCard
from yikatong.cardos import terminal as T
from yikatong.cardos.card import AID
from yikatong.cardos.state import DEFAULT_TRANSPORT_KEY, SFI_ACCESS, SFI_ATTENDANCE, SFI_IDENTITY
from yikatong.cardproto import algorithms as alg
from yikatong.cardproto import apdu as A
from yikatong.cardproto import purse as P
from yikatong.cardproto import secure
from yikatong.cardproto.secure import KeyType

H = bytes.fromhex


def sw(answer: bytes) -> int:
    return A.Response.parse(answer).sw


def fresh() -> VirtualCard:
    return VirtualCard.new(H("86000000000000099999"), rng=counting_rng(100))


def ext_auth(card, alg_id: int, key: bytes) -> int:
    T.select_purse(card)
    challenge = T.send(card, A.get_challenge(8))
    return sw(card.transmit(A.command(0x00, A.INS_EXTERNAL_AUTH, 0, 1,
                                      secure.auth_cryptogram(alg_id, key, challenge))))


def test_r_c3_a_factory_card_has_no_purse_keys():
    card = fresh()
    T.select_purse(card)
    answer = card.transmit(A.initialize_for_purchase(key_index=1, amount=P.encode_amount(1),
                                                     terminal_id=TERMINAL))
    assert sw(answer) == A.SW_KEY_INDEX
    assert ext_auth(card, alg.ALG_3DES, DEFAULT_TRANSPORT_KEY) == A.SW_OK


def test_r_c3_washing_replaces_the_transport_keys(enterprise):
    card = fresh()
    enterprise.wash(card)
    slot = card.state.key(KeyType.MAINTENANCE, 1)
    assert (slot.version, slot.alg_id) == (1, enterprise.alg_id)
    assert slot.key == enterprise.card_key(KeyType.MAINTENANCE, card.serial)
    # the transport keys no longer work: neither for authentication nor for another key write
    assert ext_auth(card, alg.ALG_3DES, DEFAULT_TRANSPORT_KEY) == 0x63C4
    with pytest.raises(A.CardError) as err:
        Enterprise(9, alg.ALG_3DES).wash(card)  # a thief holding only the transport key
    assert err.value.sw == A.SW_MAC_WRONG
    assert card.state.key(KeyType.PURCHASE, 1).key == enterprise.card_key(KeyType.PURCHASE,
                                                                          card.serial)
    # the enterprise's keys work: authentication, load and purchase
    assert ext_auth(card, enterprise.alg_id,
                    enterprise.card_key(KeyType.EXTERNAL_AUTH, card.serial)) == A.SW_OK
    T.load(card.transmit, host=enterprise.host, amount=500, terminal_id=TERMINAL, when=WHEN)
    T.offline_purchase(card.transmit, enterprise.sam(), amount=200, when=WHEN)
    assert card.state.balance == 300


def test_r_c3_rewashing_needs_the_current_enterprise_maintenance_key(enterprise, other_enterprise):
    card = fresh()
    enterprise.wash(card)
    with pytest.raises(A.CardError):
        other_enterprise.wash(card, maint_alg=other_enterprise.alg_id,
                              maint_key=other_enterprise.card_key(KeyType.MAINTENANCE, card.serial))
    new_version = Enterprise(enterprise.number, enterprise.alg_id, version=2)
    new_version.wash(card, maint_alg=enterprise.alg_id,
                     maint_key=enterprise.card_key(KeyType.MAINTENANCE, card.serial))
    assert card.state.key(KeyType.PURCHASE, 1).version == 2


def test_r_c3_key_write_needs_a_fresh_challenge_and_a_well_formed_block():
    card = fresh()
    T.select_purse(card)
    apdu = secure.key_write_apdu(alg.ALG_3DES, DEFAULT_TRANSPORT_KEY, H("01020304"),
                                 key_type=KeyType.PURCHASE, key_index=1, version=1,
                                 new_alg=alg.ALG_3DES, new_key=bytes(16))
    assert sw(card.transmit(apdu)) == A.SW_CONDITIONS  # no challenge
    challenge = T.send(card, A.get_challenge(4))
    assert sw(card.transmit(apdu)) == A.SW_MAC_WRONG  # MAC over another challenge
    challenge = T.send(card, A.get_challenge(4))
    junk = secure.secure_command(alg.ALG_3DES, DEFAULT_TRANSPORT_KEY, challenge,
                                 cla=A.CLA_SECURE, ins=A.INS_KEY_WRITE, p1=KeyType.PURCHASE, p2=1,
                                 data=bytes(24))
    assert sw(card.transmit(junk)) == A.SW_BAD_DATA
    assert card.state.key(KeyType.PURCHASE, 1) is None
    challenge = T.send(card, A.get_challenge(4))
    good = secure.key_write_apdu(alg.ALG_3DES, DEFAULT_TRANSPORT_KEY, challenge,
                                 key_type=KeyType.PURCHASE, key_index=1, version=1,
                                 new_alg=alg.ALG_3DES, new_key=bytes(16))
    assert sw(card.transmit(good)) == A.SW_OK
    assert sw(card.transmit(good)) == A.SW_CONDITIONS  # a challenge serves one command


def test_r_t1_mutual_authentication(enterprise):
    card = fresh()
    enterprise.wash(card)
    ext = enterprise.card_key(KeyType.EXTERNAL_AUTH, card.serial)
    internal = enterprise.card_key(KeyType.INTERNAL_AUTH, card.serial)
    T.mutual_authenticate(card, alg_id=enterprise.alg_id, external_key=ext, internal_key=internal,
                          rng=counting_rng(5))
    from yikatong.cardos.sam import SamError

    with pytest.raises(SamError):  # a cloned card without the right internal key
        T.mutual_authenticate(card, alg_id=enterprise.alg_id, external_key=ext,
                              internal_key=bytes(16), rng=counting_rng(5))


def test_r_t1_external_authentication_blocks_after_five_failures():
    card = fresh()
    for left in (4, 3, 2, 1, 0):
        assert ext_auth(card, alg.ALG_3DES, bytes(16)) == 0x63C0 | left
    assert ext_auth(card, alg.ALG_3DES, DEFAULT_TRANSPORT_KEY) == A.SW_AUTH_BLOCKED


def test_r_t1_records_read_freely_written_under_the_maintenance_key(enterprise, card):
    maint = enterprise.card_key(KeyType.MAINTENANCE, card.serial)
    T.select_purse(card)
    assert T.send(card, A.read_record(sfi=SFI_IDENTITY, record=1)) == bytes(64)
    plain = A.command(0x00, A.INS_UPDATE_RECORD, 1, (SFI_IDENTITY << 3) | 4, b"Zhang San")
    assert sw(card.transmit(plain)) == A.SW_SECURITY
    T.record_write(card, alg_id=enterprise.alg_id, maint_key=maint, sfi=SFI_IDENTITY, record=1,
                   data="张三|E0007".encode())
    assert T.send(card, A.read_record(sfi=SFI_IDENTITY, record=1)).rstrip(b"\0").decode() == \
        "张三|E0007"
    with pytest.raises(A.CardError) as err:
        T.record_write(card, alg_id=enterprise.alg_id, maint_key=bytes(16), sfi=SFI_ACCESS,
                       record=2, data=b"door 1")
    assert err.value.sw == A.SW_MAC_WRONG and card.state.mac_errors == 1
    for n in range(12):
        T.record_write(card, alg_id=enterprise.alg_id, maint_key=maint, sfi=SFI_ATTENDANCE,
                       record=None, data=f"punch {n}".encode())
    assert T.send(card, A.read_record(sfi=SFI_ATTENDANCE, record=1)).rstrip(b"\0") == b"punch 11"
    assert sw(card.transmit(A.read_record(sfi=SFI_ATTENDANCE, record=11))) == \
        A.SW_RECORD_NOT_FOUND
    # after external authentication plain writes are accepted
    assert ext_auth(card, enterprise.alg_id,
                    enterprise.card_key(KeyType.EXTERNAL_AUTH, card.serial)) == A.SW_OK
    T.send(card, A.command(0x00, A.INS_UPDATE_RECORD, 3, (SFI_ACCESS << 3) | 4, b"group 4"))
    assert T.send(card, A.read_record(sfi=SFI_ACCESS, record=3)).rstrip(b"\0") == b"group 4"
    # the transaction log is the card's own
    log_write = A.command(0x00, A.INS_APPEND_RECORD, 0, 0x18 << 3, b"x")
    assert sw(card.transmit(log_write)) == A.SW_SECURITY


def test_r_t1_unblock_under_the_maintenance_key(enterprise, other_enterprise, card):
    for _ in range(3):
        with pytest.raises(A.CardError):
            T.offline_purchase(card.transmit, other_enterprise.sam(), amount=1, when=WHEN)
    assert card.state.locked
    maint = enterprise.card_key(KeyType.MAINTENANCE, card.serial)
    T.select_purse(card)
    challenge = T.send(card, A.get_challenge(4))
    assert sw(card.transmit(secure.unblock_apdu(enterprise.alg_id, bytes(16), challenge))) == \
        A.SW_MAC_WRONG
    challenge = T.send(card, A.get_challenge(4))
    assert T.send(card, secure.unblock_apdu(enterprise.alg_id, maint, challenge)) == b""
    assert not card.state.locked and card.state.mac_errors == 0
    T.offline_purchase(card.transmit, enterprise.sam(), amount=1, when=WHEN)


def test_r_t1_misplaced_and_malformed_commands():
    card = fresh()
    assert sw(card.transmit(A.get_balance())) == A.SW_CONDITIONS  # MF selected, not the purse
    assert sw(card.transmit(A.select_aid(H("A000000003869807FF")))) == A.SW_FILE_NOT_FOUND
    fci = T.send(card, A.select_aid(AID))
    assert fci[:1] == b"\x6f" and AID in fci and card.serial in fci
    assert sw(card.transmit(H("00FF0000"))) == A.SW_INS_NOT_SUPPORTED
    assert sw(card.transmit(H("005C000204"))) == A.SW_CLA_NOT_SUPPORTED  # GET BALANCE is CLA 80
    assert sw(card.transmit(H("80"))) == A.SW_WRONG_LENGTH
    assert sw(card.transmit(H("805C000104"))) == A.SW_WRONG_P1P2
    assert sw(card.transmit(A.read_record(sfi=0x07, record=1))) == A.SW_FILE_NOT_FOUND
    assert T.send(card, A.select_fid(0x0015)) == b""
    assert T.send(card, A.read_binary(sfi=0x15))[10:20] == card.serial
    assert T.send(card, A.select_fid(0x3F00)) == b""
    assert sw(card.transmit(A.select_fid(0x0015))) == A.SW_FILE_NOT_FOUND  # EFs live in the ADF
