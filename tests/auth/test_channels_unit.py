import datetime as dt

import pytest

from yikatong.auth.channels import validate_time_windows, within_windows
from yikatong.core.errors import InvalidInput

CST = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hh, mm, tzinfo=CST)  # 2026-03-02 is a Monday


def test_r_x1_window_edges_start_inclusive_end_exclusive():
    w = [{"weekdays": [1], "start": "09:00", "end": "17:00"}]
    assert within_windows(w, at(2, 9, 0))
    assert within_windows(w, at(2, 16, 59))
    assert not within_windows(w, at(2, 17, 0))
    assert not within_windows(w, at(2, 8, 59))
    assert not within_windows(w, at(3, 10, 0))  # Tuesday


def test_r_x1_overnight_window_belongs_to_the_day_it_starts():
    w = [{"weekdays": [5], "start": "22:00", "end": "06:00"}]  # Friday night
    assert within_windows(w, at(6, 23, 0))  # Friday 23:00
    assert within_windows(w, at(7, 5, 59))  # Saturday 05:59
    assert not within_windows(w, at(7, 6, 0))
    assert not within_windows(w, at(2, 1, 0))  # Monday 01:00: Sunday night is not in the window


def test_no_windows_means_any_time():
    assert within_windows([], at(8, 3, 0))


@pytest.mark.parametrize("bad", [
    {"weekdays": [], "start": "09:00", "end": "10:00"},
    {"weekdays": [8], "start": "09:00", "end": "10:00"},
    {"weekdays": [1], "start": "24:00", "end": "10:00"},
    {"weekdays": [1], "start": "09:00", "end": "09:00"},
    {"weekdays": [1], "start": "9:00", "end": "10:00"},
])
def test_bad_windows_are_refused(bad):
    with pytest.raises(InvalidInput):
        validate_time_windows([bad])
