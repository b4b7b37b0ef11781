"""The rules on when an entry's dates may fall: pure functions of the dates involved."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from tracker.definitions import check_made_at, check_observed, check_recorded_at
from tracker.errors import InvalidInput

RECORDED = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)


def test_an_observation_may_be_dated_up_to_the_next_day() -> None:
    check_observed(date(2026, 11, 30), RECORDED)  # east of UTC it is already the 30th
    with pytest.raises(InvalidInput, match=r"^observed on 2026-12-01 is more than a day after "
                                           r"it is recorded \(2026-11-29\)"):
        check_observed(date(2026, 12, 1), RECORDED)


def test_the_last_representable_day_is_compared_without_overflow() -> None:
    last = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    check_observed(date(9999, 12, 31), last)
    check_made_at(last, last)
    with pytest.raises(InvalidInput, match="recorded_at 9999-12-31 is in the future"):
        check_recorded_at(last, RECORDED)


@pytest.fixture
def far_east(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's time zone at UTC+14, where local time would move a naive 23:30 UTC."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_east")
def test_naive_times_are_utc_as_everywhere_in_tracker() -> None:
    """A naive 23:30 is 23:30 UTC, whatever the machine's time zone: the 30th is tomorrow."""
    naive = RECORDED.replace(tzinfo=None)
    check_observed(date(2026, 11, 30), naive)
    check_made_at(datetime(2026, 11, 30, 23, 0), naive)
    with pytest.raises(InvalidInput, match="forecast made on 2026-12-01"):
        check_made_at(datetime(2026, 12, 1, 0, 30), naive)
