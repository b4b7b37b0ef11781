"""The rules on when an entry's dates may fall: pure functions of the dates involved."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from tracker.definitions import (
    ClaimDefinition,
    check_as_of,
    check_made_at,
    check_observed,
    check_recorded_at,
    deadline_moved_to,
    with_deadline_moved,
)
from tracker.errors import InvalidInput
from tracker.horizons import parse_deadline

RECORDED = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)


def test_an_observation_may_be_dated_up_to_the_next_day() -> None:
    check_observed(date(2026, 11, 30), RECORDED)  # east of UTC it is already the 30th
    with pytest.raises(InvalidInput, match=r"^observed on 2026-12-01 is more than a day after "
                                           r"it is recorded \(2026-11-29\)"):
        check_observed(date(2026, 12, 1), RECORDED)


def test_an_as_of_date_may_be_the_next_day_and_the_refusal_says_so() -> None:
    check_as_of(datetime(2026, 11, 30, 23, 59, tzinfo=UTC), RECORDED, "scores")
    with pytest.raises(InvalidInput, match=r"^scores as of 2026-12-01 would be about the future "
                                           r"\(today is 2026-11-29 in UTC; 2026-11-30 is "
                                           r"allowed for time zones ahead of UTC\): give "
                                           r"2026-11-30 or an earlier date$"):
        check_as_of(datetime(2026, 12, 1, tzinfo=UTC), RECORDED, "scores")


def test_an_as_of_moment_refused_is_named_in_utc() -> None:
    """"2026-12-01T23:30-05:00" was refused as "as of 2026-12-02", a day not typed."""
    with pytest.raises(InvalidInput, match=r"^the claim as of 2026-12-02 04:30 UTC would be "):
        check_as_of(datetime.fromisoformat("2026-12-01T23:30-05:00"), RECORDED, "the claim")


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


def _claim(horizon: str, deadline: str, rule: str = "") -> ClaimDefinition:
    made_on = date(2023, 6, 29)
    return ClaimDefinition(slug="c", title="t", statement="s", made_on=made_on,
                           horizon=horizon, deadline_rule=rule,
                           ).with_deadline(parse_deadline(deadline, made_on))


def test_a_deadline_worked_out_from_its_horizon_moves_with_made_on() -> None:
    moved = deadline_moved_to(_claim("1-2 years", "1-2 years"), date(2024, 1, 15))
    assert moved is not None and moved.start is not None
    assert (moved.start.date(), moved.end.date()) == (date(2025, 1, 15), date(2026, 1, 15))


def test_a_moved_deadline_says_the_made_on_day_it_counts_from() -> None:
    """The rule shown beside a deadline (`tracker show`, claim files) kept the old made-on
    day after the deadline moved to the new one."""
    claim = _claim("1-2 years", "1-2 years")
    assert claim.deadline_rule == "1-2 years after made-on 2023-06-29 (a window)"
    moved = with_deadline_moved(claim, replace(claim, made_on=date(2024, 1, 15)))
    assert moved.deadline_rule == "1-2 years after made-on 2024-01-15 (a window)"
    assert moved.deadline_end is not None and moved.deadline_end.date() == date(2026, 1, 15)


@pytest.mark.parametrize(("claim", "made_on"), [
    (_claim("1-2 years", "1-2 years"), date(2023, 6, 29)),  # made-on not changed
    (_claim("2030", "2030"), date(2024, 1, 15)),  # a date
    (_claim("2 years", "3 years", "medium term -> 3 years (rule H3)"), date(2024, 1, 15)),
    (_claim("中期來看 (in the medium term)", "2026-06-29", "rule H3"), date(2024, 1, 15)),
])
def test_a_deadline_set_otherwise_stays(claim: ClaimDefinition, made_on: date) -> None:
    """A claim file may give a horizon in words beside a deadline set by a rule: the rule,
    not the words, decided the deadline, and a new made-on date does not overrule it."""
    assert deadline_moved_to(claim, made_on) is None
