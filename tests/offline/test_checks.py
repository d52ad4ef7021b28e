"""P7 gap detection over a batch (CARD-PROTOCOL.md "Back-end checks of offline records")."""

from __future__ import annotations

import datetime as dt

from yikatong.offline.checks import gaps, listed_at


def test_r_p7_counter_gaps_in_order_out_of_order_and_without_history():
    # After 4 stored: 5, 6 follow on; 9 jumps (7 and 8 missing).
    assert gaps([(0, "c", 5), (1, "c", 6), (2, "c", 9)], {"c": 4}, first=0) == {2}
    # Out of order within the batch is no gap.
    assert gaps([(0, "c", 7), (1, "c", 5), (2, "c", 6)], {"c": 4}, first=0) == set()
    # A card without history starts at 0; a SAM (first=None) has no expected start.
    assert gaps([(0, "c", 2)], {}, first=0) == {0}
    assert gaps([(0, "s", 900), (1, "s", 901)], {}, first=None) == set()
    # A late record below the highest seen fills an old hole and is not flagged; keys are separate.
    assert gaps([(0, "c", 3), (1, "d", 11)], {"c": 8, "d": 9}, first=0) == {1}


def test_r_p7_listed_at_follows_the_blacklist_history():
    t = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
    history = [(t, True), (t + dt.timedelta(hours=2), False)]  # lost at 10:00, unfrozen at 12:00 Beijing
    assert not listed_at(history, t - dt.timedelta(seconds=1))
    assert listed_at(history, t) and listed_at(history, t + dt.timedelta(hours=1))
    assert not listed_at(history, t + dt.timedelta(hours=3)) and not listed_at((), t)
