"""Mainland China mobile numbers: 11 digits starting 13–19."""

from __future__ import annotations

import re

from yikatong.core.errors import InvalidInput

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()（）]")


def normalize_phone(text: str) -> str:
    """'+86 138-1234-5678' → '13812345678'; anything that is not a mainland mobile is refused."""
    digits = _SEPARATORS.sub("", str(text or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    if not _MOBILE.match(digits):
        raise InvalidInput(f"'{text}' is not a mainland mobile number (11 digits starting 13–19)",
                           code="invalid_phone", details={"phone": str(text)})
    return digits


def format_phone(phone: str) -> str:
    """The way Chinese users read a mobile number: 138 1234 5678."""
    if len(phone) == 11:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    return phone
