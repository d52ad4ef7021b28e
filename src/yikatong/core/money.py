"""Money is an integer number of fen (分). Yuan appear only when text is shown to people."""

from __future__ import annotations

import re

Fen = int

_YUAN = re.compile(r"^\s*(-)?(\d+)(?:\.(\d{1,2}))?\s*$")


def format_yuan(fen: Fen) -> str:
    """12345 → '123.45'."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{part:02d}"


def parse_yuan(text: str) -> Fen:
    """'123.4' → 12340; refuses more than two decimals rather than rounding money."""
    m = _YUAN.match(text)
    if not m:
        raise ValueError(f"not an amount in yuan: {text!r}")
    sign, whole, part = m.groups()
    fen = int(whole) * 100 + int((part or "0").ljust(2, "0"))
    return -fen if sign else fen
