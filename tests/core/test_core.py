import pytest

from yikatong.core.errors import IllegalTransition
from yikatong.core.money import format_yuan, parse_yuan
from yikatong.core.statemachine import StateMachine
from yikatong.members.models import MemberStatus as S
from yikatong.members.phones import format_phone, normalize_phone
from yikatong.core.errors import InvalidInput


def test_money_formats_and_parses_without_floats():
    assert format_yuan(123456) == "1,234.56"
    assert format_yuan(-5) == "-0.05"
    assert parse_yuan("3") == 300 and parse_yuan("3.5") == 350 and parse_yuan("0.01") == 1
    with pytest.raises(ValueError):
        parse_yuan("1.005")


@pytest.mark.parametrize("raw,expected", [("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"),
                                          ("0086-13812345678", "13812345678"), ("(138)1234-5678", "13812345678"),
                                          ("8619912345678", "19912345678")])
def test_r_m1_phone_normalisation(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "1381234567", "12812345678", "+1 4155550100", "1381234567x", "０１３８"])
def test_r_m1_phone_refusals(raw):
    with pytest.raises(InvalidInput):
        normalize_phone(raw)


def test_phone_reads_the_chinese_way():
    assert format_phone("13812345678") == "138 1234 5678"


def test_state_machine_refuses_unknown_transitions_with_a_clear_code():
    machine = StateMachine("member", {(S.active, "suspend"): S.suspended})
    assert machine.next_state(S.active, "suspend") is S.suspended
    with pytest.raises(IllegalTransition) as exc:
        machine.next_state(S.suspended, "suspend")
    assert exc.value.code == "member_suspended" and exc.value.status_code == 409
    assert machine.allowed_actions(S.active) == ["suspend"]
