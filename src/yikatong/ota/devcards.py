"""The development over-the-air channel: a directory of virtual card files, one per card number
(``<card_no>.card``, the JSON of ``cardos`` save/load), that a developer can open, copy or delete;
``<card_no>.lock`` beside it serialises sessions between processes.

A session loads the card from its file, answers APDUs with ``cardos.VirtualCard`` and writes the
card back when the session ends — whatever happened, as a real chip keeps what it did (a credited
purse, a MAC error count) even when its answer is lost. A card is unreachable when its file is
missing or a ``<card_no>.unreachable`` marker sits beside it (``set_reachable``): the phone is off.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from yikatong.cardos import VirtualCard
from yikatong.cardos.state import CardFormatError
from yikatong.ota.channel import CardUnreachable, Transmit, run_script

_CARD_NO = re.compile(r"^[0-9]{1,32}$")


class DevCardStore:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._lock = threading.RLock()  # one session at a time: a card talks to one reader

    def path(self, card_no: str) -> Path:
        if not _CARD_NO.match(card_no):
            raise CardUnreachable(f"no card {card_no!r}", code="card_unreachable")
        return self.directory / f"{card_no}.card"

    def _marker(self, card_no: str) -> Path:
        return self.directory / f"{card_no}.unreachable"

    def prepare(self, card_no: str, *, serial: bytes) -> None:
        """A factory-fresh card on its transport keys (a new card number is a new card)."""
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._save(card_no, VirtualCard.new(serial))

    def set_reachable(self, card_no: str, reachable: bool) -> None:
        """Switch the phone on or off (development and tests)."""
        marker = self._marker(card_no)
        if reachable:
            marker.unlink(missing_ok=True)
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            marker.touch()

    def card(self, card_no: str) -> VirtualCard:
        """The card as its file holds it (a copy: changes are not saved)."""
        path = self.path(card_no)
        try:
            return VirtualCard.load(path)
        except (FileNotFoundError, CardFormatError) as exc:
            raise CardUnreachable(f"the card {card_no} does not answer", code="card_unreachable") from exc

    def put(self, card_no: str, card: VirtualCard) -> None:
        """Put a card into the store (a developer bringing a card file; tests)."""
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._save(card_no, card)

    def _save(self, card_no: str, card: VirtualCard) -> None:
        path = self.path(card_no)
        tmp = path.with_suffix(".card.tmp")
        card.save(tmp)
        os.replace(tmp, path)  # a reader never sees half a card

    @contextmanager
    def _held(self, card_no: str) -> Iterator[None]:
        """The card for one reader at a time, across processes too: the server's over-the-air top-up
        and a simulator's POS (``ykt sim``) may reach for the same card file at once."""
        path = self.path(card_no)
        with self._lock:
            if not path.parent.is_dir():
                yield
                return
            with open(path.with_suffix(".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def session(self, card_no: str) -> Iterator[Transmit]:
        with self._held(card_no):
            if self._marker(card_no).exists():
                raise CardUnreachable(f"the card {card_no} does not answer", code="card_unreachable")
            card = self.card(card_no)
            try:
                yield card.transmit
            finally:
                self._save(card_no, card)

    def transmit(self, card_no: str, apdus) -> list[bytes]:
        return run_script(self, card_no, apdus)
