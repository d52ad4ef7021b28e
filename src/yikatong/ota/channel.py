"""The over-the-air channel (C4): the platform's only way to a card it does not hold — a session of
command APDUs to one card, through the phone network and the SIM (ETSI TS 102 225 secured packets
over SMS or BIP; CARD-PROTOCOL.md). This is the true edge of the system, so it is an adapter: the
services speak to ``OtaChannel``; ``devcards.DevCardStore`` is the development implementation (a
directory of virtual card files) and a network gateway would be another.

The process has one channel, installed by the app factory from the settings (``configure_from_settings``)
or by tests (``install``), like the clock and the key-encryption key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, runtime_checkable

from yikatong.core.errors import YktError

Transmit = Callable[[bytes], bytes]


class CardUnreachable(YktError):
    """The card did not answer: the phone is off, out of coverage, the SIM is not in it (503)."""

    status_code = 503
    code = "card_unreachable"


@runtime_checkable
class OtaChannel(Protocol):
    def session(self, card_no: str) -> AbstractContextManager[Transmit]:
        """One session with the card ``card_no`` (the application serial, C1): inside it, each
        command APDU gets the card's response, and the card keeps its volatile state (the selected
        application, a challenge, a pending INITIALIZE FOR LOAD) from one command to the next.
        ``CardUnreachable`` when the card cannot be reached, at the start or in the middle."""

    def transmit(self, card_no: str, apdus: Sequence[bytes]) -> list[bytes]:
        """A fixed script of APDUs in one session (one secured-packet round): the responses, in order."""

    def prepare(self, card_no: str, *, serial: bytes) -> None:
        """A card has just been issued (C2): a network channel has nothing to do (the SIM exists);
        the development store makes the factory-fresh card, on its transport keys."""


def run_script(channel: OtaChannel, card_no: str, apdus: Sequence[bytes]) -> list[bytes]:
    """``transmit`` in terms of ``session``, for channels that have no cheaper batch."""
    with channel.session(card_no) as send:
        return [send(raw) for raw in apdus]


_lock = threading.Lock()
_channel: OtaChannel | None = None


def install(channel: OtaChannel | None) -> OtaChannel | None:
    """Install the process's channel (the app factory does; tests may); returns the previous one.
    ``None`` falls back to the settings on first use."""
    global _channel
    with _lock:
        previous, _channel = _channel, channel
    return previous


def current() -> OtaChannel:
    global _channel
    with _lock:
        if _channel is None:
            from yikatong.config import get_settings

            _channel = from_settings(get_settings())
        return _channel


def dev_cards_dir(settings) -> Path:
    """YKT_DEV_CARDS_DIR, else ``dev-cards`` next to a SQLite database file, else in the working
    directory (a server database has no file to sit beside) — as the development KEK file does."""
    if settings.dev_cards_dir:
        return Path(settings.dev_cards_dir)
    prefix = "sqlite:///"
    url = settings.database_url
    if url.startswith(prefix) and url[len(prefix):] not in ("", ":memory:"):
        return Path(url[len(prefix):]).parent / "dev-cards"
    return Path.cwd() / "dev-cards"


def from_settings(settings) -> OtaChannel:
    from yikatong.ota.devcards import DevCardStore

    return DevCardStore(dev_cards_dir(settings))


def configure_from_settings(settings) -> None:
    install(from_settings(settings))


__all__ = ["CardUnreachable", "OtaChannel", "Transmit", "configure_from_settings", "current", "dev_cards_dir",
           "install", "run_script"]
