"""The per-batch bookkeeping of the P7 back-end checks (CARD-PROTOCOL.md "Back-end checks of offline
records"), as plain functions over the batch: no database, no keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable


def gaps(items: Iterable[tuple[int, Hashable, int]], highest: dict, *, first: int | None) -> set[int]:
    """Indexes whose sequence number jumps past the highest one seen for their key.

    ``items`` are ``(index, key, number)`` of the batch's accepted records; ``highest`` the highest
    number already stored per key; ``first`` the number a key without history should start at (None:
    no expectation). A batch may arrive out of order, so each key's numbers are taken in ascending
    order: 7, 5, 6 after 4 is no gap; 4 then 7 is one (at 7). A late record below the highest seen
    fills an old gap and is not flagged itself."""
    by_key: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    for index, key, number in items:
        by_key[key].append((number, index))
    flagged: set[int] = set()
    for key, numbers in by_key.items():
        prev = highest.get(key)
        if prev is None and first is not None:
            prev = first - 1
        for number, index in sorted(numbers):
            if prev is not None and number > prev + 1:
                flagged.add(index)
            prev = number if prev is None else max(prev, number)
    return flagged


def listed_at(history, at) -> bool:
    """Whether a card was on the blacklist at ``at``: its last change up to then (``history`` is
    ``(when, on the list after it)`` in version order, as ``cards.blacklist.listings`` gives it)."""
    listed = False
    for when, on in history:
        if when > at:
            break
        listed = on
    return listed
