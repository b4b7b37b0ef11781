from __future__ import annotations

import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
from dateutil import rrule

from tracker.horizons import (
    DateError,
    as_of_text,
    cadence_ended,
    check_cadence,
    end_of_day,
    instant_text,
    next_review,
    parse_cadence,
    parse_day,
    parse_deadline,
    parse_instant,
    removes_deadline,
)

MADE_ON = date(2023, 6, 29)


@pytest.mark.parametrize(
    ("text", "end"),
    [
        ("2025-06-30", date(2025, 6, 30)),
        ("30 June 2025", date(2025, 6, 30)),
        ("June 2025", date(2025, 6, 30)),
        ("2024-02", date(2024, 2, 29)),
        ("2025-Q3", date(2025, 9, 30)),
        ("Q1 2026", date(2026, 3, 31)),
        ("q3 2025", date(2025, 9, 30)),
        ("2025", date(2025, 12, 31)),
        ("AD 2025", date(2025, 12, 31)),  # a year dateutil reads: the year, not its January
        ("18 months", date(2024, 12, 29)),
        ("in 18 Months", date(2024, 12, 29)),
        ("2 years", date(2025, 6, 29)),
        ("6 个月", date(2023, 12, 29)),
        ("90 days", date(2023, 9, 27)),
    ],
)
def test_deadline_end_is_end_of_day_utc(text: str, end: date) -> None:
    deadline = parse_deadline(text, MADE_ON)
    assert deadline.end == datetime(end.year, end.month, end.day, 23, 59, 59, 999999, tzinfo=UTC)
    assert deadline.start is None


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1-2 years", date(2024, 6, 29), date(2025, 6, 29)),
        ("1-2 年", date(2024, 6, 29), date(2025, 6, 29)),
        ("3 to 5 years", date(2026, 6, 29), date(2028, 6, 29)),
        ("2024-01-01..2024-06", date(2024, 1, 1), date(2024, 6, 30)),
    ],
)
def test_ranges_become_windows(text: str, start: date, end: date) -> None:
    deadline = parse_deadline(text, MADE_ON)
    assert deadline.start is not None
    assert deadline.start.date() == start
    assert deadline.end == end_of_day(end)
    assert deadline.rule


def test_a_window_opens_on_the_first_day_of_its_first_period() -> None:
    """A window's start is the first day its first part covers, as `parse_day` reads it."""
    deadline = parse_deadline("2024-Q1..2024-Q2", MADE_ON)
    assert (deadline.start, deadline.end) == (datetime(2024, 1, 1, tzinfo=UTC),
                                              end_of_day(date(2024, 6, 30)))
    assert parse_day("2025-Q3") == parse_day("Q3 2025") == date(2025, 7, 1)


@pytest.mark.parametrize(("text", "day"), [("2024-06-30..2024-06-30", date(2024, 6, 30)),
                                           ("2-2 years", date(2025, 6, 29))])
def test_a_window_whose_ends_meet_is_that_one_day(text: str, day: date) -> None:
    deadline = parse_deadline(text, MADE_ON)
    assert (deadline.start, deadline.end) == (datetime(day.year, day.month, day.day,
                                                       tzinfo=UTC), end_of_day(day))


def test_a_window_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(DateError, match=r"^window '2024-06\.\.2024-01' ends before it starts$"):
        parse_deadline("2024-06..2024-01", MADE_ON)


@pytest.mark.parametrize(("text", "end"), [
    ("1.5 years", date(2024, 12, 29)),  # 18 months
    ("1.5 months", date(2023, 8, 13)),  # a month, then half of 30 days
    ("2.2 weeks", date(2023, 7, 14)),  # 15.4 days, rounded
])
def test_a_fractional_horizon_counts_in_smaller_units(text: str, end: date) -> None:
    assert parse_deadline(text, MADE_ON).end == end_of_day(end)


@pytest.mark.parametrize(("text", "month"), [("2025-13", 13), ("2025-00", 0)])
def test_a_month_outside_the_year_is_named(text: str, month: int) -> None:
    """Not "falls outside the calendar: give a date between the years 1 and 9998", which
    points at the year."""
    with pytest.raises(DateError, match=f"^'{text}' has month {month}: months run from 1 to 12$"):
        parse_deadline(text, MADE_ON)


@pytest.mark.parametrize(("text", "rule"), [
    ("2025-06-30", "end of that day UTC"), ("2025-Q3", "end of the period 2025-Q3"),
    ("June  2025", "end of the period June 2025"),
])
def test_a_deadline_read_from_a_date_says_what_it_was_read_as(text: str, rule: str) -> None:
    assert parse_deadline(text, MADE_ON).rule == rule


@pytest.mark.parametrize(("text", "removes"), [
    ("none", True), (" None ", True), ("NONE", True), ("", False), ("no", False)])
def test_none_as_a_deadline_removes_it_however_it_is_typed(text: str, removes: bool) -> None:
    assert removes_deadline(text) is removes


def test_relative_horizon_needs_made_on() -> None:
    with pytest.raises(DateError, match="made-on"):
        parse_deadline("18 months", None)


@pytest.mark.parametrize("text", ["soonish", "", "2025-13", "Q5 2025", "June", "5-2 years"])
def test_bad_deadlines_are_refused_with_a_hint(text: str) -> None:
    with pytest.raises(DateError) as error:
        parse_deadline(text, MADE_ON)
    assert str(error.value)


@pytest.mark.parametrize("text", ["18 monhts", "soonish", "in a while"])
def test_an_unreadable_deadline_names_the_horizons_it_could_have_been(text: str) -> None:
    """'18 monhts' was meant as a horizon: the hint said "give a date like 2025-06-30" only,
    though --deadline takes '18 months' and '1-2 years' too."""
    with pytest.raises(DateError, match=r"as a deadline: .*'18 months'.*'1-2 years'"):
        parse_deadline(text, MADE_ON)


def test_instants_and_days() -> None:
    assert parse_instant("2024-06-30") == end_of_day(date(2024, 6, 30))
    assert parse_instant("2024-06-30T12:00:00+02:00") == datetime(2024, 6, 30, 10, tzinfo=UTC)
    assert parse_instant("2024-06-30T12:00") == datetime(2024, 6, 30, 12, tzinfo=UTC)
    assert parse_day("June 2025") == date(2025, 6, 1)
    assert parse_day("2024-03-05") == date(2024, 3, 5)
    with pytest.raises(DateError):
        parse_instant("yesterday-ish")


@pytest.mark.parametrize(("text", "day"), [
    ("today", date(2025, 3, 1)), ("Yesterday", date(2025, 2, 28)), (" tomorrow ", date(2025, 3, 2)),
])
def test_day_words_count_from_the_day_given(text: str, day: date) -> None:
    assert parse_day(text, today=date(2025, 3, 1)) == day
    now = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert parse_instant(text, now) == end_of_day(day)


def test_a_deadline_may_say_tomorrow_where_today_is_given() -> None:
    assert parse_deadline("tomorrow", None, date(2025, 3, 1)).end == end_of_day(date(2025, 3, 2))
    with pytest.raises(DateError, match="changes meaning"):
        parse_deadline("tomorrow", MADE_ON)


@pytest.mark.parametrize(("text", "message"), [
    ("06/07/2027", "'06/07/2027' could be 6 July or June 7: write 2027-07-06 or 2027-06-07"),
    ("6.7.2027", "could be 6 July or June 7"),
    ("06/07/25", "'06/07/25' could be 6 July or June 7: write it as YYYY-MM-DD"),
    ("6 7 2027", "could be 6 July or June 7"),  # dateutil read spaces the American way too
    ("12/06/2027", "could be 12 June or December 6"),  # 12 is a day and a month both
    ("06/12/2027", "could be 6 December or June 12"),
    # ... and a date after a weekday or before a time (a time on a day field is read too)
    ("Sat 6/7/2027", "could be 6 July or June 7"), ("06/07/2027 12:00", "could be 6 July"),
])
def test_a_date_read_either_way_round_is_refused(text: str, message: str) -> None:
    """dateutil reads 06/07/2027 as June 7 (and 30/06/2027 as 30 June): silently American."""
    with pytest.raises(DateError, match=message):
        parse_day(text)


@pytest.mark.parametrize(("text", "digits"), [
    ("1/1/1", "1 digit"), ("5.6.7", "1 digit"), ("5 6 7", "1 digit"), ("30/6/999", "3 digits"),
])
def test_a_year_of_one_or_three_digits_is_refused(text: str, digits: str) -> None:
    """dateutil read 1/1/1 as 2001-01-01 (and 5/6/7 as May 6, 2007) without a word."""
    with pytest.raises(DateError, match=f"'{text}' has a year of {digits}: write the date as "
                                        "YYYY-MM-DD"):
        parse_day(text)
    with pytest.raises(DateError, match="has a year of"):
        parse_instant(f"{text} 12:00")


@pytest.mark.parametrize("text", ["1 1/2 years", "in 2 1/2 years", "6 1/2 months"])
def test_a_mixed_fraction_is_not_taken_for_a_date(text: str) -> None:
    """'1 1/2 years' read as day 1, month 1, year '2' ('has a year of 1 digit: write the date
    as YYYY-MM-DD'), pointing a horizon's writer at a date: a date's parts are apart by marks
    or by spaces, not by both (6/7/2025, 6 7 2025, 6/7-2025)."""
    with pytest.raises(DateError) as raised:
        parse_deadline(text, MADE_ON)
    assert "has a year of" not in str(raised.value)
    with pytest.raises(DateError, match="has a year of 1 digit"):
        parse_day("5 / 6 / 7")
    with pytest.raises(DateError, match="could be 6 July"):
        parse_day("6/7-2025")


@pytest.mark.parametrize(("text", "day"), [
    ("30/06/2027", date(2027, 6, 30)), ("07/07/2027", date(2027, 7, 7)),
    ("30 6 27", date(2027, 6, 30)),
])
def test_a_date_that_reads_one_way_only_is_taken(text: str, day: date) -> None:
    assert parse_day(text) == day


def test_a_time_on_a_date_that_reads_either_way_round_is_refused_too() -> None:
    with pytest.raises(DateError, match="could be 6 July or June 7"):
        parse_instant("06/07/2025 12:00")
    for text in ("6/7/2025, 12:00:00 PM", "Sat 6/7/2025 12:00"):  # read as June 7 before
        with pytest.raises(DateError, match="could be 6 July or June 7"):
            parse_instant(text)
    assert parse_instant("Sat, 30/6/2025 12:00") == datetime(2025, 6, 30, 12, tzinfo=UTC)
    assert parse_instant("2025-06-07T12:00") == datetime(2025, 6, 7, 12, tzinfo=UTC)
    with pytest.raises(DateError):
        parse_instant("T")


def test_a_weekday_with_a_capital_t_is_not_taken_for_a_time() -> None:
    """'Tue' and 'Thu' hold a T, which was taken for ISO's date-time 'T': the date's part was
    then empty, so 'Tue 6/7/2025' was read as June 7 without a word ('Sat 6/7/2025' was
    refused), and a day alone as its first moment, where every other day is its end."""
    for text in ("Tue 6/7/2025", "Thu 6/7/2025 12:00", "Tuesday, 6/7/2025, 12:00:00 PM"):
        with pytest.raises(DateError, match="could be 6 July or June 7"):
            parse_instant(text)
    assert parse_instant("Tue 30/6/2025") == parse_instant("Mon 30/6/2025") == end_of_day(
        date(2025, 6, 30))
    assert parse_instant("Thu 30/6/2025 12:00") == datetime(2025, 6, 30, 12, tzinfo=UTC)
    assert parse_instant("30.6.2025T12:00Z") == datetime(2025, 6, 30, 12, tzinfo=UTC)


@pytest.mark.parametrize("text", ["6/30/2025 5 PM", "2025-06-30 5pm", "June 30, 2025 5 p.m.",
                                  "2025-06-30 5 PM UTC"])
def test_an_hour_without_minutes_is_a_time(text: str) -> None:
    """Without a colon the hour was dropped and the end of the day read instead."""
    assert parse_instant(text) == datetime(2025, 6, 30, 17, tzinfo=UTC)


@pytest.mark.parametrize(("text", "minute"), [("2025-06-30 17h", 0), ("30/06/2025 17h30", 30),
                                              ("2025-06-30 17H", 0)])
def test_an_hour_written_with_an_h_is_a_time(text: str, minute: int) -> None:
    """As people write it in much of Europe: the hour was dropped, as for '5 PM'."""
    assert parse_instant(text) == datetime(2025, 6, 30, 17, minute, tzinfo=UTC)


def test_an_hour_without_minutes_on_a_date_either_way_round_is_refused() -> None:
    with pytest.raises(DateError, match="could be 6 July or June 7"):
        parse_instant("6/7/2025 5 PM")


@pytest.mark.parametrize(("text", "zone"), [("2025-06-30 17:00 EST", "EST"),
                                            ("6/30/2025 5:00 PM CEST", "CEST"),
                                            ("2025-06-30 5 PM PST", "PST")])
def test_a_zone_name_dateutil_does_not_know_is_refused(text: str, zone: str) -> None:
    """dateutil warned and read the time as UTC: 5 PM EST became 17:00 UTC, five hours off."""
    with pytest.raises(DateError, match=f"does not know the zone '{zone}'.*give an offset"):
        parse_instant(text)
    assert parse_instant("2025-06-30 17:00 GMT") == datetime(2025, 6, 30, 17, tzinfo=UTC)
    # RFC 5322's name for UTC, as some mail still gives it: read as UTC before, by luck
    assert parse_instant("Mon, 30 Jun 2025 17:00:00 UT") == datetime(2025, 6, 30, 17, tzinfo=UTC)
    assert parse_instant("2025-06-30 12:00 -05:00") == datetime(2025, 6, 30, 17, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2025-06-30 17:00 UTC+2", "2025-06-30T17:00 UTC+02:00",
                                  "2025-06-30 5 PM GMT-5", "2025-06-30 17:00 UTC +0200",
                                  "2025-06-30 17:00 utc - 5"])
def test_an_offset_after_a_zone_name_is_refused(text: str) -> None:
    """dateutil reads 'UTC+2' the POSIX way round, 2 hours behind (19:00 UTC for 17:00 UTC+2,
    four hours off), and 'UTC +0200' or 'UTC -5' as UTC, the offset dropped."""
    with pytest.raises(DateError, match="give the offset alone, as in 2025-06-30 17:00\\+02:00"):
        parse_instant(text)
    assert parse_instant("2025-06-30 17:00 +02:00") == datetime(2025, 6, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2025-06-30 17:00 EST-0500", "2025-06-30 18:00 CET+1",
                                  "2025-06-30 10:00 PDT -0700"])
def test_an_offset_beside_another_zone_name_is_refused(text: str) -> None:
    """dateutil reads 'EST-0500' the POSIX way round: 17:00 EST-0500 was 12:00 UTC, ten hours
    off (22:00 meant), and 18:00 CET+1 was 19:00 UTC (17:00 meant). With a space ('PDT
    -0700') it reads the offset right, but the two cannot be told apart in what it gives."""
    with pytest.raises(DateError, match=r"a zone name beside an offset .* give the offset alone"):
        parse_instant(text)


def test_a_zone_name_is_not_read_as_the_machines_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """dateutil reads a name matching the machine's zone as that zone: 'EST' was refused on
    one machine and read as New York time on another."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert "EST" in time.tzname
        with pytest.raises(DateError, match="does not know the zone 'EST'"):
            parse_instant("2025-01-30 17:00 EST")
    finally:
        monkeypatch.undo()
        time.tzset()


def test_day_words_are_refused_where_no_today_is_given() -> None:
    """Files give no `today`: a 'yesterday' there would mean another day each time it is read."""
    with pytest.raises(DateError, match="changes meaning from day to day"):
        parse_day("yesterday")


def test_now_is_the_moment_given() -> None:
    now = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert parse_instant("now", now) == parse_instant(" Now ", now) == now


@pytest.mark.parametrize(("text", "day"), [("2024-06", date(2024, 6, 30)),
                                           ("2024-Q1", date(2024, 3, 31)),
                                           ("2024", date(2024, 12, 31))])
def test_an_as_of_period_means_the_end_of_its_last_day(text: str, day: date) -> None:
    """As a deadline does: scores 'as of June 2024' hold all of June, not its first day."""
    assert parse_instant(text) == end_of_day(day)


@pytest.mark.parametrize(("moment", "instant", "as_of"), [
    (end_of_day(date(2024, 6, 30)), "2024-06-30", "2024-06-30 (end of day UTC)"),
    (datetime(2024, 6, 30, 12, tzinfo=UTC), "2024-06-30 12:00 UTC", "2024-06-30 12:00 UTC"),
    (datetime(2024, 6, 30, 12, 0, 30, tzinfo=UTC), "2024-06-30 12:00:30 UTC", None),
    (datetime(2024, 6, 30, 12, 0, 0, 500000, tzinfo=UTC), "2024-06-30 12:00:00 UTC", None),
    (datetime.fromisoformat("2024-07-01T01:59:59.999999+02:00"), "2024-06-30",
     "2024-06-30 (end of day UTC)"),
])
def test_a_moment_is_shown_in_utc_as_finely_as_it_was_given(
        moment: datetime, instant: str, as_of: str | None) -> None:
    """A day's end as the day (how `--as-of DATE` reads); a moment that has seconds, or only
    a fraction of one, with its seconds: two moments a moment apart do not read alike."""
    assert instant_text(moment) == instant
    assert as_of_text(moment) == (as_of or instant)


@pytest.mark.parametrize(("text", "meant"), [
    ("5 PM", datetime(2025, 3, 1, 17, tzinfo=UTC)), ("17:00", datetime(2025, 3, 1, 17, tzinfo=UTC)),
    ("12 AM", datetime(2025, 3, 1, tzinfo=UTC)),
])
def test_a_time_without_a_date_counts_from_the_moment_given(text: str, meant: datetime) -> None:
    """As 'yesterday' does: the day (or year) left out was the machine's clock's, so the
    same text read another day in the app's as-of form, and in tests with their own now."""
    assert parse_instant(text, datetime(2025, 3, 1, 8, 30, tzinfo=UTC)) == meant


@pytest.mark.parametrize("text", ["June 30 5pm", "June 30 17:00", "30 17:00", "June 2025 5 PM"])
def test_a_time_on_a_date_missing_a_part_is_refused(text: str) -> None:
    """As 'June 30' alone is: the year was taken from the clock, and a missing day was the
    1st of the month."""
    with pytest.raises(DateError, match="without its year, month or day"):
        parse_instant(text, datetime(2025, 3, 1, 8, 30, tzinfo=UTC))


@pytest.mark.parametrize("text", ["17:00 6/7/2025", "5 PM 6/7/2025", "12:00:00 PM, Sat 6/7/2025"])
def test_a_time_before_a_date_either_way_round_is_refused(text: str) -> None:
    """The date was looked for before the time only, so these were read as June 7."""
    with pytest.raises(DateError, match="could be 6 July or June 7"):
        parse_instant(text)


def test_a_time_before_a_date_that_reads_one_way_is_taken() -> None:
    assert parse_instant("17:00 30/6/2025") == datetime(2025, 6, 30, 17, tzinfo=UTC)
    assert parse_instant("5 PM June 30, 2025") == datetime(2025, 6, 30, 17, tzinfo=UTC)


def test_review_cadence_is_validated_rrule() -> None:
    assert parse_cadence("FREQ=MONTHLY;INTERVAL=3")._interval == 3
    assert parse_cadence("RRULE:FREQ=WEEKLY") is not None
    for bad in ("FREQ=SOMETIMES", "every month", "FREQ=MONTHLY;INTERVAL=x"):
        with pytest.raises(DateError, match="RRULE"):
            parse_cadence(bad)
    since = datetime(2024, 1, 15, tzinfo=UTC)
    assert next_review("FREQ=MONTHLY;INTERVAL=6", since, since) == datetime(2024, 7, 15, tzinfo=UTC)


def test_a_cadence_with_a_dtstart_falls_on_its_own_calendar_days() -> None:
    """Without DTSTART a review falls a period after the last one; with it, on the rule's
    days counted from that start, whenever the last review was (as the README says)."""
    last_review = datetime(2024, 3, 3, 10, tzinfo=UTC)
    assert next_review("FREQ=MONTHLY", last_review, last_review) == datetime(
        2024, 4, 3, 10, tzinfo=UTC)
    for rule in ("DTSTART:20240115T090000Z\nRRULE:FREQ=MONTHLY",
                 "DTSTART:20240115T090000Z RRULE:FREQ=MONTHLY"):  # one line, for a form
        assert check_cadence(rule) is not None
        assert next_review(rule, last_review, last_review) == datetime(
            2024, 3, 15, 9, tzinfo=UTC)
    quarterly = "DTSTART:20240115T090000Z RRULE:FREQ=MONTHLY;INTERVAL=3"
    assert next_review(quarterly, last_review, last_review) == datetime(
        2024, 4, 15, 9, tzinfo=UTC)


@pytest.mark.parametrize(("start", "expected"), [
    ("20240115", datetime(2024, 3, 15, tzinfo=UTC)),
    ("20240115T090000", datetime(2024, 3, 15, 9, tzinfo=UTC)),
    ("2024-01-15", datetime(2024, 3, 15, tzinfo=UTC)),
    ("2024-01-15T09:00:00", datetime(2024, 3, 15, 9, tzinfo=UTC)),
])
def test_a_dtstart_without_a_zone_reads_as_utc(start: str, expected: datetime) -> None:
    """A date or a floating time was taken, then finding the next review compared it with
    an aware moment: `tracker list` ended in a TypeError for every claim on the page."""
    last_review = datetime(2024, 3, 3, 10, tzinfo=UTC)
    for rule in (f"DTSTART:{start}\nRRULE:FREQ=MONTHLY",
                 f"DTSTART:{start} RRULE:FREQ=MONTHLY;UNTIL=20250101"):
        assert check_cadence(rule) is not None
        assert next_review(rule, last_review, last_review) == expected


def test_a_dtstart_in_another_form_without_a_zone_reads_as_utc_too() -> None:
    last_review = datetime(2024, 3, 3, 10, tzinfo=UTC)
    rule = "DTSTART:20240115T0900\nRRULE:FREQ=MONTHLY"  # no seconds: dateutil reads it
    assert next_review(rule, last_review, last_review) == datetime(2024, 3, 15, 9, tzinfo=UTC)


@pytest.mark.parametrize("rule", [
    "DTSTART:20240115T0900 RRULE:FREQ=MONTHLY;UNTIL=20250101",
    "DTSTART;VALUE=DATE-TIME:20240115T0900 RRULE:FREQ=MONTHLY;UNTIL=20250101",
    "DTSTART:20240115T090000.5\nRRULE:FREQ=MONTHLY;UNTIL=20250101T0000",
])
def test_a_dtstart_without_a_zone_in_other_forms_reads_as_utc_with_an_until(rule: str
                                                                           ) -> None:
    """A time without seconds, or RFC 5545's VALUE=DATE, escaped the pattern: with an UNTIL
    (made UTC) dateutil refused the naive start with a message about a start in a zone; where
    both escaped, giving the start UTC afterwards raised ValueError, which no caller catches
    (`tracker add --review` and `tracker check` failed "unexpectedly")."""
    last_review = datetime(2024, 3, 3, 10, tzinfo=UTC)
    assert check_cadence(rule) is not None
    assert next_review(rule, last_review, last_review) == datetime(2024, 3, 15, 9, tzinfo=UTC)


@pytest.mark.parametrize("rule", [
    "DTSTART:20240115T0900 RRULE:FREQ=MONTHLY;UNTIL=20270601T0000",
    "DTSTART;VALUE=DATE-TIME:20240115T0900 RRULE:FREQ=MONTHLY;UNTIL=20270601T00",
])
def test_a_dtstart_without_a_zone_and_an_until_dateutil_reads_naive_is_a_date_error(
        rule: str) -> None:
    with pytest.raises(DateError, match="cannot read review cadence"):
        check_cadence(rule)


def test_the_next_review_of_a_cadence_in_a_zone_is_given_in_utc() -> None:
    """A DTSTART with a TZID gives times in its zone: the app's Review column showed the
    zone's day (the 15th for a review due on the 14th UTC) and sorted a page by the ISO
    texts of times with different offsets, a review due first listed after a later one."""
    last_review = datetime(2024, 3, 3, 10, tzinfo=UTC)
    auckland = next_review("DTSTART;TZID=Pacific/Auckland:20240115T090000 RRULE:FREQ=MONTHLY",
                           last_review, last_review)
    utc = next_review("DTSTART:20240115T030000Z RRULE:FREQ=MONTHLY", last_review, last_review)
    assert auckland is not None and utc is not None
    assert auckland.isoformat() == "2024-03-14T20:00:00+00:00"
    assert auckland.isoformat() < utc.isoformat() == "2024-03-15T03:00:00+00:00"


@pytest.mark.parametrize(("parse", "text"), [
    (parse_day, "0000"), (parse_day, "9999-12"), (parse_day, "December 9999"),
    (parse_instant, "9999-12"), (parse_instant, "0001-01-01T00:00+01:00"),
    (parse_deadline, "9999-Q4"), (parse_deadline, "9000 years"),
])
def test_dates_outside_the_calendar_are_date_errors(parse: Any, text: str) -> None:
    """Python's date arithmetic raises ValueError or OverflowError past year 9999; the
    interfaces only catch DateError, so anything else would end the app with a traceback."""
    with pytest.raises(DateError, match="falls outside the calendar"):
        parse(text, MADE_ON) if parse is parse_deadline else parse(text)


@pytest.mark.parametrize("text", ["DTSTART:2020", "FREQ=DAILY;INTERVAL=0",
                                  "freq=weekly;interval=-2"])
def test_cadences_dateutil_chokes_or_loops_on_are_date_errors(text: str) -> None:
    """dateutil raises IndexError on the first (an app's hint would end the app) and accepts
    an interval of 0, with which finding the next review never returns."""
    with pytest.raises(DateError):
        parse_cadence(text)


@pytest.mark.parametrize(("text", "message"), [
    ("monthly", "is not an RRULE: write 'FREQ=MONTHLY'"),
    ("Quarterly", "write 'FREQ=MONTHLY;INTERVAL=3'"),
    ("every month", "give an RFC 5545 RRULE such as 'FREQ=MONTHLY;INTERVAL=3'$"),
    ("FREQ=HOURLY", "repeats within a day: use FREQ=DAILY or coarser"),
    ("freq=secondly;interval=30", "repeats within a day"),
    ("FREQ=DAILY;BYHOUR=0,6,12,18", "without BYHOUR, BYMINUTE or BYSECOND"),
    # dateutil took these and found no date ("asks for no further review"):
    ("FREQ=YEARLY;BYMONTH=13", "BYMONTH=13 is out of range: months are 1 to 12$"),
    ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY=0 is out of range: days of the month are 1"),
    ("FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY=-32 is out of range: days of the month"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,x", "BYMONTHDAY=1,x is not a list of whole numbers$"),
    ("FREQ=MONTHLY;BYMONTHDAY=1_5", "BYMONTHDAY=1_5 is not a list of whole numbers$"),
    ("FREQ=WEEKLY;UNTIL=20301231;COUNT=3", "gives both UNTIL and COUNT: give one of them"),
    # as people write lists; dateutil's answer was about unpacking a tuple:
    ("FREQ=MONTHLY; INTERVAL=3", "does not allow: write 'FREQ=MONTHLY;INTERVAL=3'$"),
    ("FREQ = MONTHLY", "write 'FREQ=MONTHLY'$"),
    ("FREQ=MONTHLY;INTERVAL=3;", "write 'FREQ=MONTHLY;INTERVAL=3'$"),
    ("FREQ=MONTHLY;UNTIL = 2024-12-31", "write 'FREQ=MONTHLY;UNTIL=2024-12-31'$"),
    ("DTSTART:20240115 RRULE:FREQ=WEEKLY ;INTERVAL=2", "write 'DTSTART:20240115 "
     "RRULE:FREQ=WEEKLY;INTERVAL=2'$"),
    # a list written with spaces, or a ';' doubled: dateutil's answer was 'invalid BYDAY: MO,'
    # or about unpacking a tuple
    ("FREQ=WEEKLY;BYDAY=MO, FR", "write 'FREQ=WEEKLY;BYDAY=MO,FR'$"),
    ("FREQ=MONTHLY;BYMONTHDAY=1 ,15", "write 'FREQ=MONTHLY;BYMONTHDAY=1,15'$"),
    ("FREQ=WEEKLY;;INTERVAL=2", "write 'FREQ=WEEKLY;INTERVAL=2'$"),
])
def test_cadences_a_reviewer_might_type_get_a_plain_answer(text: str, message: str) -> None:
    """Not dateutil's own words ('not enough values to unpack'), and no cadence finer
    than a day."""
    with pytest.raises(DateError, match=message):
        check_cadence(text)


@pytest.mark.parametrize("text", ["FREQ=MONTHLY; INTERVAL=3", "FREQ=WEEKLY;\n",
                                  "DTSTART:20240115\nRRULE:FREQ=MONTHLY ; UNTIL = 2024-12-31;",
                                  "FREQ=MONTHLY;;BYMONTHDAY=1, 15;"])
def test_the_cadence_a_loose_one_is_told_to_write_reads(text: str) -> None:
    with pytest.raises(DateError, match="write '") as refused:
        check_cadence(text)
    suggested = str(refused.value).rsplit("write '", 1)[1].removesuffix("'")
    assert isinstance(check_cadence(suggested), rrule.rrule)


@pytest.mark.parametrize(("text", "meant"), [
    ("FREQ=DAILY;INTERVAL=7;BYDAY=SU", "every week on those days, write 'FREQ=WEEKLY;BYDAY=SU'"),
    ("freq=daily;interval=14;byday=mo,fr",
     "every 2 weeks on those days, write 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR'"),
])
def test_every_seventh_day_on_a_weekday_is_answered_with_the_weekly_rule(
    text: str, meant: str
) -> None:
    with pytest.raises(DateError) as refused:
        check_cadence(text)
    assert str(refused.value).endswith(f"(from some start days): for a review {meant}")
    check_cadence(meant.split("'")[1])  # the rule suggested is taken


@pytest.mark.parametrize("text", ["FREQ=DAILY;INTERVAL=7;BYDAY=SU;COUNT=1",
                                  "FREQ=DAILY;INTERVAL=7;BYDAY=SU;BYMONTH=1"])
def test_no_weekly_rule_is_suggested_that_would_drop_a_part(text: str) -> None:
    with pytest.raises(DateError) as refused:
        check_cadence(text)
    assert str(refused.value).endswith("check its COUNT, UNTIL, INTERVAL and BY... parts")


@pytest.mark.parametrize("text", [
    "FREQ=YEARLY;COUNT=0", "FREQ=YEARLY;COUNT=1", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "FREQ=YEARLY;INTERVAL=50",
    # Whether these ever match depends on the day or year the claim starts on:
    "FREQ=DAILY;INTERVAL=7;BYDAY=SU", "FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=29",
])
def test_a_cadence_that_may_not_come_round_is_refused_quickly(text: str) -> None:
    """Listing such a claim would search for its next review to the year 9999 (3 s for the
    daily rule, from a start it never matches from); the check searches a few years."""
    started = time.perf_counter()
    with pytest.raises(DateError, match="asks for no further review within 10 years"):
        check_cadence(text)
    assert time.perf_counter() - started < 1.0  # milliseconds; seconds if it searched it all


@pytest.mark.parametrize("text", [
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=MONTHLY;COUNT=2", "FREQ=DAILY",
    "FREQ=WEEKLY;UNTIL=20300101T000000Z", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
    "FREQ=MONTHLY;INTERVAL=5;BYMONTH=3", "FREQ=YEARLY;INTERVAL=5",
    "FREQ=YEARLY;BYWEEKNO=53", "FREQ=YEARLY;BYYEARDAY=366",  # the ends of their ranges
])
def test_rare_and_bounded_cadences_pass_the_check(text: str) -> None:
    assert check_cadence(text) is not None


def test_until_as_a_date_or_a_floating_time_reads_as_utc() -> None:
    """RFC 5545 allows both; dateutil refused them with a start in UTC, and the message
    ("UNTIL values must be specified in UTC when DTSTART is timezone-aware") reached the
    reviewer."""
    start = datetime(2029, 12, 30, tzinfo=UTC)
    for until in ("20300101", "20300101T235959", "2030-01-01", "2030-01-01T23:59:59Z"):
        rule = parse_cadence(f"FREQ=DAILY;UNTIL={until}", start)
        assert list(rule) == list(parse_cadence("FREQ=DAILY;UNTIL=20300101T235959Z", start))
        assert check_cadence(f"FREQ=WEEKLY;UNTIL={until}") is not None


def test_a_cadence_has_ended_once_its_until_has_passed() -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    assert cadence_ended(check_cadence("FREQ=MONTHLY;UNTIL=20250101"), now) == datetime(
        2025, 1, 1, 23, 59, 59, tzinfo=UTC)  # a day's UNTIL: its end
    assert cadence_ended(check_cadence("FREQ=MONTHLY;UNTIL=20260101"), now) is None
    assert cadence_ended(check_cadence("FREQ=MONTHLY;COUNT=3"), now) is None  # not a date
    assert cadence_ended(check_cadence("FREQ=MONTHLY"), now) is None


def test_a_stored_cadence_the_checks_now_refuse_still_lists() -> None:
    """Rules saved before the checks (an hourly one) keep working; one that no longer reads
    asks for no review rather than failing the listing of every page it is on."""
    since = datetime(2024, 1, 1, 9, tzinfo=UTC)
    assert next_review("FREQ=HOURLY", since, since) == datetime(2024, 1, 1, 10, tzinfo=UTC)
    assert next_review("monthly", since, since) is None


def test_a_stored_cadence_that_never_comes_round_asks_for_no_review(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Saved before check_cadence refused it: searching for its next review from the claim's
    own start would run to the year 9999 (seconds, each time the claim is listed)."""
    searched_from: list[int] = []
    search = rrule.rrule.after

    def spied(self: rrule.rrule, dt: datetime, inc: bool = False) -> datetime | None:
        searched_from.append(dt.year)
        return search(self, dt, inc)

    monkeypatch.setattr(rrule.rrule, "after", spied)
    since = datetime(2024, 1, 1, tzinfo=UTC)
    for never in ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
                  "FREQ=DAILY;COUNT=5;BYMONTH=2;BYMONTHDAY=30"):
        assert next_review(never, since, since) is None
    assert 2024 not in searched_from
    assert next_review("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", since, since) == datetime(
        2024, 2, 29, tzinfo=UTC)


@pytest.mark.parametrize(("text", "message"), [
    ("FREQ = HOURLY", "'FREQ=HOURLY' repeats within a day"),
    ("FREQ=MONTHLY; INTERVAL=0", "'FREQ=MONTHLY;INTERVAL=0' has INTERVAL below 1"),
    ("FREQ=YEARLY; BYMONTH=13", "BYMONTH=13 is out of range"),
])
def test_a_loose_cadence_is_not_told_to_write_one_that_is_refused_too(
    text: str, message: str
) -> None:
    """'write FREQ=HOURLY' sent the reviewer to a second refusal: what is wrong with the
    cadence to write is said first."""
    with pytest.raises(DateError, match=message) as refused:
        check_cadence(text)
    assert "write 'FREQ" not in str(refused.value)
