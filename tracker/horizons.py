"""Dates, deadlines, horizons and review cadences, parsed with python-dateutil.

Pure functions, no I/O. Conventions:
- every instant is a timezone-aware UTC `datetime`;
- a date-only deadline means the end of that day UTC (23:59:59.999999);
- "June 2025" as a deadline means the end of June, "2025-Q3" the end of September,
  "2025" the end of the year;
- a relative horizon ("18 months", "2 years", "6 个月") counts from the claim's made-on date;
- a range ("1-2 years", "3-5 年") becomes a deadline window: it opens at the near end and
  closes at the far end.
"""

from __future__ import annotations

import re
from calendar import month_name
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache, partial

from dateutil import parser as date_parser
from dateutil import rrule
from dateutil.relativedelta import relativedelta

END_OF_DAY = time(23, 59, 59, 999999)

_UNITS: dict[str, str] = {
    "day": "days", "days": "days", "d": "days", "天": "days", "日": "days",
    "week": "weeks", "weeks": "weeks", "w": "weeks", "周": "weeks", "週": "weeks",
    "month": "months", "months": "months", "mo": "months", "个月": "months", "個月": "months",
    "月": "months",
    "year": "years", "years": "years", "y": "years", "yr": "years", "yrs": "years", "年": "years",
}
_UNIT_PATTERN = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_RELATIVE = re.compile(rf"^(?:in\s+)?(\d+(?:\.\d+)?)\s*({_UNIT_PATTERN})$", re.IGNORECASE)
_RANGE = re.compile(
    rf"^(?:in\s+)?(\d+)\s*(?:-|–|to|~|～|至)\s*(\d+)\s*({_UNIT_PATTERN})$", re.IGNORECASE
)
_QUARTER = re.compile(r"^(?:(\d{4})\s*-?\s*Q([1-4])|Q([1-4])\s*-?\s*(\d{4}))$", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_WINDOW = re.compile(r"^(.+?)\s*\.\.\s*(.+)$")
_DAY_MONTH_YEAR = re.compile(
    r"^(?:[A-Za-z]+\.?,?\s+)?(\d{1,2})(?:\s*([/.\-])\s*|\s+)"
    r"(\d{1,2})(?(2)\s*[/.\-]\s*|\s+)(\d{1,4})(?=$|[\s,T])")
"""A date written day and month first (or month and day), with a year: optionally after a
weekday ("Sat 6/7/2025") and before a time ("6/7/2025, 12:00"). Its parts are apart by marks
(/ . -) or by spaces, not by both: '1 1/2 years' is no date."""
_DATE_TIME_T = re.compile(r"(?<=\d)T(?=\d)")
"""ISO's T between a date and its time (2025-06-30T12:00), not the T of 'Tue' or 'Thu'."""
SUB_DAILY = re.compile(r"FREQ\s*=\s*(HOURLY|MINUTELY|SECONDLY)", re.IGNORECASE)
"""An RRULE that repeats within a day: finer than reviews or report periods go."""
_INTERVAL = re.compile(r"(?:^|;)\s*INTERVAL\s*=\s*(-?\d+)", re.IGNORECASE)


class DateError(ValueError):
    """A date, horizon or cadence could not be read; the message says what is accepted."""


class NeedsMadeOn(DateError):
    """A relative horizon ('18 months') given without the made-on date it counts from."""


class UnreadableDate(DateError):
    """Text that reads as no date at all (not a date refused for a reason it names)."""


@dataclass(frozen=True)
class Deadline:
    """When a claim is due: `end` always, `start` too when the horizon was a window."""

    end: datetime
    start: datetime | None = None
    rule: str = ""


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Treat a naive datetime as UTC (how SQLite hands them back) and convert aware ones."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def instant_text(moment: datetime) -> str:
    """'2024-06-30' for the end of a day (how `--as-of DATE` is read), else minutes in UTC,
    or seconds when it has them (where two moments a few seconds apart are compared)."""
    moment = as_utc(moment)
    if moment.time() == END_OF_DAY:
        return moment.date().isoformat()
    if moment.second or moment.microsecond:
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def as_of_text(moment: datetime) -> str:
    """An as-of moment for a heading: '2024-06-30 (end of day UTC)' for a date's end."""
    text = instant_text(moment)
    return f"{text} (end of day UTC)" if as_utc(moment).time() == END_OF_DAY else text


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, 1) + relativedelta(months=1, days=-1)


_ACCEPTED_DATES = "a date like 2025-06-30, 'June 2025', '2025-06', '2025-Q3' or '2025'"
_ACCEPTED_DEADLINES = ("a date like 2025-06-30, 'June 2025', '2025-Q3' or '2025', a horizon "
                       "like '18 months' or a range like '1-2 years'")
DAY_WORDS = {"today": 0, "yesterday": -1, "tomorrow": 1}
"""Words for a day counted from today (UTC), read only where a person types the date now:
in a file they would change meaning from one day to the next."""
NO_DEADLINE = "none"
"""Given as a deadline: the claim has none (where an empty deadline keeps the one it has)."""


def removes_deadline(text: str) -> bool:
    return text.strip().lower() == NO_DEADLINE


def _parse_calendar(text: str, today: date | None = None) -> tuple[date, date]:
    """Read a calendar expression as the (first, last) day it covers; the words of
    `DAY_WORDS` count from `today`, and are refused without it."""
    cleaned = text.strip()
    if not cleaned:
        raise DateError(f"empty date: give {_ACCEPTED_DATES}")
    if (shift := DAY_WORDS.get(cleaned.lower())) is not None:
        if today is None:
            raise DateError(f"'{text}' changes meaning from day to day: write the date itself, "
                            "like 2025-06-30")
        day = today + timedelta(days=shift)
        return day, day
    _refuse_either_way_round(text, cleaned)
    if _YEAR.match(cleaned):
        year = int(cleaned)
        return date(year, 1, 1), date(year, 12, 31)
    if match := _QUARTER.match(cleaned):
        year = int(match.group(1) or match.group(4))
        quarter = int(match.group(2) or match.group(3))
        first = date(year, 3 * quarter - 2, 1)
        return first, _end_of_month(year, 3 * quarter)
    if match := _YEAR_MONTH.match(cleaned):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise DateError(f"'{text}' has month {month}: months run from 1 to 12")
        return date(year, month, 1), _end_of_month(year, month)
    # Parse twice with different defaults: a field that changes was not in the text.
    try:
        low, high = (date_parser.parse(cleaned, default=default) for default in _PROBES)
    except (ValueError, OverflowError) as error:
        raise UnreadableDate(f"cannot read '{text}' as a date: give {_ACCEPTED_DATES}"
                             ) from error
    if low.year != high.year:
        raise DateError(f"'{text}' has no year: give {_ACCEPTED_DATES}")
    if low.month != high.month:
        return date(low.year, 1, 1), date(low.year, 12, 31)
    if low.day != high.day:
        return date(low.year, low.month, 1), _end_of_month(low.year, low.month)
    return low.date(), low.date()


_PROBES = (datetime(2000, 1, 1), datetime(2004, 12, 28))
"""Two defaults for dateutil that differ in year, month and day (both leap years, the 28th of
any month): a field read alike under both was in the text."""


def _refuse_either_way_round(text: str, cleaned: str) -> None:
    """06/07/2027 is June 7 in the US and 6 July in most other places; dateutil silently
    takes the first. Refused, unless only one reading is a date (30/06/2027). So is a year
    of one or three digits, a slip most likely: dateutil reads one digit as a year of this
    century (1/1/1 as 2001), three as that very year (999)."""
    if match := _DAY_MONTH_YEAR.match(cleaned):
        first, second = int(match.group(1)), int(match.group(3))
        year = match.group(4)
        if len(year) in (1, 3):
            raise DateError(f"'{text}' has a year of {len(year)} digit{'s' * (len(year) > 1)}: "
                            "write the date as YYYY-MM-DD")
        if first != second and first <= 12 and second <= 12:
            either = (f"{year}-{second:02d}-{first:02d} or {year}-{first:02d}-{second:02d}"
                      if len(year) == 4 else "it as YYYY-MM-DD")
            raise DateError(f"'{text}' could be {first} {month_name[second]} or "
                            f"{month_name[first]} {second}: write {either}")


@contextmanager
def within_the_calendar(text: str) -> Iterator[None]:
    """Dates past year 9999 or before year 1 (9999-12, 0000, '9000 years' after a date) make
    Python's date arithmetic raise; say so as a DateError like every other unreadable date."""
    try:
        yield
    except DateError:
        raise
    except (ValueError, OverflowError) as error:
        raise DateError(f"'{text}' falls outside the calendar: give a date between the years "
                        "1 and 9998") from error


def parse_day(text: str, today: date | None = None) -> date:
    """A single calendar day (observed-on dates, made-on dates): a month means its first day.
    Given `today` (what a person types now, not a file), "today", "yesterday" and "tomorrow"
    are read too."""
    with within_the_calendar(text):
        return _parse_calendar(text, today)[0]


def parse_instant(text: str, now: datetime | None = None) -> datetime:
    """A point in time for `--as-of`: "now" is `now` (default: the clock), a date means the
    end of that day UTC ("yesterday" too), a time alone one on `now`'s day; a time may carry
    an offset or UTC (else UTC is meant), not a zone name like EST, which is ambiguous."""
    with within_the_calendar(text):
        return _parse_instant(text, now or utc_now())


def _parse_instant(text: str, now: datetime) -> datetime:
    cleaned = text.strip()
    if cleaned.lower() == "now":
        return now
    if names_a_time(cleaned):
        return _parse_time(text, cleaned, now)
    return end_of_day(_parse_calendar(cleaned, now.date())[1])


def _parse_time(text: str, cleaned: str, now: datetime) -> datetime:
    """A moment given with its time of day; a time alone is on `now`'s day."""
    # The date without the time, wherever the time stands: 06/07/2025 12:00, 17:00 6/7/2025
    date_part = _CLOCK_HOUR.sub(" ", _CLOCK_TIME.sub(" ", _DATE_TIME_T.split(cleaned)[0]))
    _refuse_either_way_round(text, " ".join(date_part.split()).strip(" ,"))
    try:
        return as_utc(date_parser.isoparse(cleaned))
    except ValueError:
        pass
    if named_offset := _NAMED_OFFSET.search(cleaned):
        raise DateError(f"'{text}': '{named_offset.group(0)}' is read both ways round "
                        "(POSIX takes UTC+2 as 2 hours behind UTC): give the offset alone, "
                        "as in 2025-06-30 17:00+02:00")
    # Read twice with different defaults, as _parse_calendar does: a field that changes was
    # not in the text.
    low, high = (_dateutil_moment(text, cleaned, default) for default in _PROBES)
    given = [getattr(low, field) == getattr(high, field) for field in ("year", "month", "day")]
    if not any(given):  # a time alone: on `now`'s day, as for "yesterday", not the clock's
        today = now.astimezone(UTC).date()
        return as_utc(low.replace(year=today.year, month=today.month, day=today.day))
    if not all(given):
        raise DateError(f"'{text}' gives a time on a date without its year, month or day: "
                        "write the whole date, as in 2025-06-30 17:00")
    return as_utc(low)


def _dateutil_moment(text: str, cleaned: str, default: datetime) -> datetime:
    try:
        return date_parser.parse(cleaned, default=default, tzinfos=partial(_zone, text))
    except DateError:
        raise
    except (ValueError, OverflowError) as error:
        raise DateError(
            f"cannot read '{text}' as a time: give 2025-06-30 or 2025-06-30T12:00Z"
        ) from error


def _zone(text: str, name: str | None, offset: int | None) -> tzinfo | None:
    """The zone of a time dateutil read (None: none given, and UTC is meant), in place of its
    own guesses: an offset, or a name of UTC. Any other name is ambiguous (EST is also
    Australian; dateutil took the machine's zone if its name matched, else UTC), and beside
    an offset dateutil counts it POSIX's way ('EST-0500' as five hours east of UTC)."""
    if name is not None and (name.upper() not in _UTC_NAMES or offset):
        if offset:
            raise DateError(f"'{text}': a zone name beside an offset ('{name}') is read both "
                            "ways round (POSIX takes EST-0500 as 5 hours ahead of UTC): give "
                            "the offset alone, as in 2025-06-30 17:00-05:00")
        raise DateError(f"'{text}': tracker does not know the zone '{name}' (such names are "
                        "ambiguous): give an offset, as in 2025-06-30 17:00-05:00, or UTC")
    if name is None and offset is None:
        return None
    return timezone(timedelta(seconds=offset)) if offset else UTC


def names_a_time(text: str) -> bool:
    """Whether `text` gives a time of day, not only a day ('2025-06-30T12:00', '17:00',
    '5 PM'): whoever reads a day where one is given drops the hour without a word."""
    return bool(_DATE_TIME_T.search(text) or ":" in text or _CLOCK_HOUR.search(text))


_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "UT"})
"""Zone names that mean UTC: dateutil's (it names Z and +00:00 'UTC' too) and RFC 5322's 'UT';
not 'EST', which is ambiguous."""
_NAMED_OFFSET = re.compile(r"\b(?:UTC|GMT|UT|Z)\s*[+-]\s*\d[\d:]*", re.IGNORECASE)
"""A zone name with an offset after it ('UTC+02:00', 'GMT-5'): POSIX counts such offsets
west of Greenwich, people east; dateutil reads them POSIX's way, or drops them."""
_CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\b\.?)?",
                         re.IGNORECASE)
"""A time of the clock with its colon ('12:00', '5:00:00 PM')."""
_CLOCK_HOUR = re.compile(r"\b\d{1,2}(?:\s*[ap]\.?m|h(?:\d{2})?)\b", re.IGNORECASE)
"""An hour of the clock without a colon ('5 PM', '5pm', '5 p.m.', '17h', '17h30'): a time,
like one with a colon (it was dropped, and the end of that day read instead)."""


def counts_from_made_on(horizon: str) -> bool:
    """Whether a deadline given as `horizon` ("18 months", "1-2 years") counts from the
    claim's made-on date, and so moves with it; a date, or words this module does not read,
    do not."""
    try:
        parse_deadline(horizon)
    except NeedsMadeOn:
        return True
    except DateError:
        return False
    return False


def _shift(day: date, amount: float, unit: str) -> date:
    whole = int(amount)
    if whole != amount:
        if unit == "years":
            return _shift(day, amount * 12, "months")
        if unit == "months":
            return day + relativedelta(months=whole, days=round((amount - whole) * 30))
        return day + timedelta(days=round(amount * (7 if unit == "weeks" else 1)))
    steps = {
        "days": relativedelta(days=whole),
        "weeks": relativedelta(weeks=whole),
        "months": relativedelta(months=whole),
        "years": relativedelta(years=whole),
    }
    shifted: date = day + steps[unit]
    return shifted


def parse_deadline(text: str, made_on: date | None = None, today: date | None = None) -> Deadline:
    """Read a deadline or horizon. Relative horizons need the claim's made-on date; "today",
    "tomorrow"... need `today`."""
    with within_the_calendar(text):
        return _parse_deadline(text, made_on, today)


def _parse_deadline(text: str, made_on: date | None, today: date | None) -> Deadline:
    cleaned = " ".join(text.strip().split())
    if match := _WINDOW.match(cleaned):
        start = _parse_calendar(match.group(1), today)[0]
        end = _parse_calendar(match.group(2), today)[1]
        if end < start:
            raise DateError(f"window '{text}' ends before it starts")
        return Deadline(end=end_of_day(end), start=start_of_day(start), rule=f"window {text}")
    relative = _RELATIVE.match(cleaned)
    ranged = _RANGE.match(cleaned)
    if relative or ranged:
        if made_on is None:
            raise NeedsMadeOn(
                f"'{text}' is relative: it counts from the claim's made-on date, so give that "
                "date too"
            )
        if ranged:
            near, far = int(ranged.group(1)), int(ranged.group(2))
            unit = _UNITS[ranged.group(3).lower()]
            if far < near:
                raise DateError(f"range '{text}' runs backwards: write the smaller number first")
            return Deadline(
                start=start_of_day(_shift(made_on, near, unit)),
                end=end_of_day(_shift(made_on, far, unit)),
                rule=f"{text} after made-on {made_on.isoformat()} (a window)",
            )
        assert relative is not None
        amount, unit = float(relative.group(1)), _UNITS[relative.group(2).lower()]
        return Deadline(
            end=end_of_day(_shift(made_on, amount, unit)),
            rule=f"{text} after made-on {made_on.isoformat()}",
        )
    try:
        first, last = _parse_calendar(cleaned, today)
    except UnreadableDate:  # '18 monhts' is no date, but was no doubt meant as a horizon
        raise UnreadableDate(f"cannot read '{text}' as a deadline: give {_ACCEPTED_DEADLINES}"
                             ) from None
    rule = "end of that day UTC" if first == last else f"end of the period {cleaned}"
    return Deadline(end=end_of_day(last), rule=rule)


CADENCE_WORDS = {
    "daily": "FREQ=DAILY", "weekly": "FREQ=WEEKLY", "fortnightly": "FREQ=WEEKLY;INTERVAL=2",
    "monthly": "FREQ=MONTHLY", "quarterly": "FREQ=MONTHLY;INTERVAL=3", "yearly": "FREQ=YEARLY",
    "annually": "FREQ=YEARLY",
}
"""Words a reviewer may type for a cadence, and the RRULE to write instead."""
CADENCE_SEARCH_YEARS = 10
_PHASE_YEARS = 8
"""Start years tried for a yearly rule: two leap cycles (for 'every other 29 February')."""
_TIME_OF_DAY = re.compile(r"BY(HOUR|MINUTE|SECOND)\s*=", re.IGNORECASE)


def parse_cadence(text: str, start: datetime | None = None, what: str = "review cadence"
                  ) -> rrule.rrule:
    """Read an RFC 5545 RRULE cadence such as 'FREQ=MONTHLY;INTERVAL=3' (`check_cadence`
    adds the checks for one being written); `what` names it in errors (a report series'
    period is read the same way)."""
    cleaned = text.strip()
    if cleaned.upper().startswith("RRULE:"):
        cleaned = cleaned[6:]
    if rule := CADENCE_WORDS.get(cleaned.lower()):
        raise DateError(f"{what} '{text}' is not an RRULE: write '{rule}'")
    if (tight := _tightened(text.strip())) != text.strip():  # dateutil: unpacking a tuple
        parse_cadence(tight, start, what)  # what else is wrong is said first, not suggested
        raise DateError(f"{what} '{text}' has a space by a ';', '=' or ',', or a ';' doubled "
                        f"or closing it, which RFC 5545 does not allow: write '{tight}'")
    if "=" not in cleaned:  # dateutil's own message would be about unpacking a tuple
        raise DateError(f"cannot read {what} '{text}': give an RFC 5545 RRULE such "
                        "as 'FREQ=MONTHLY;INTERVAL=3'")
    if problem := _out_of_range(cleaned):
        raise DateError(f"{what} '{text}': {problem}")
    # RFC 5545 allows UNTIL as a date or a floating time; dateutil wants UTC with a start in
    # UTC: a date is read as its end, a time without Z as UTC.
    cleaned = _UNTIL_DASHED.sub(lambda match: match.group(0).replace("-", "").replace(
        ":", ""), cleaned)
    cleaned = _UNTIL_DAY.sub(r"\1T235959Z", cleaned)
    cleaned = _UNTIL_FLOATING.sub(r"\1Z", cleaned)
    # A DTSTART without a zone (a date, a floating time) likewise: dateutil would keep it
    # naive, and finding the next review from an aware moment then raised TypeError.
    cleaned = _DTSTART_FLOATING.sub(_utc_dtstart, cleaned)
    try:
        parsed = rrule.rrulestr(cleaned, dtstart=start or datetime(2000, 1, 1, tzinfo=UTC))
    except Exception as error:  # dateutil raises ValueError, TypeError, IndexError, ...
        raise DateError(
            f"cannot read {what} '{text}': give an RFC 5545 RRULE such as "
            f"'FREQ=MONTHLY;INTERVAL=3' ({error})"
        ) from error
    if not isinstance(parsed, rrule.rrule):
        raise DateError(f"{what} '{text}' must be a single RRULE")
    start_given: datetime | None = getattr(parsed, "_dtstart", None)  # unexported
    if start_given is not None and start_given.tzinfo is None:  # a form the patterns miss
        # Its UNTIL may be naive too (a form _UNTIL_FLOATING misses): dateutil then refuses
        # the UTC start with ValueError, which no caller catches; both are read as UTC.
        until: datetime | None = getattr(parsed, "_until", None)
        if until is not None and until.tzinfo is None:
            until = until.replace(tzinfo=UTC)
        try:
            parsed = parsed.replace(dtstart=start_given.replace(tzinfo=UTC), until=until)
        except ValueError as error:
            raise DateError(f"cannot read {what} '{text}': give an RFC 5545 RRULE such as "
                            f"'FREQ=MONTHLY;INTERVAL=3' ({error})") from None
    interval = _INTERVAL.search(cleaned)
    if interval and int(interval.group(1)) < 1:  # dateutil takes 0, then never finds a date
        raise DateError(f"{what} '{text}' has INTERVAL below 1: use 1 or more")
    return parsed


def _tightened(text: str) -> str:
    """`text` without spaces around its ';', '=' and ',' (a list as people write it: 'MO,
    FR'), with one ';' where two were typed, and without a ';' ending a line."""
    return _CLOSING_SEMICOLON.sub("", _DOUBLED_SEMICOLON.sub(";", _SPACED_MARK.sub(r"\1", text)))


_SPACED_MARK = re.compile(r"[ \t]*([;=,])[ \t]*")
_DOUBLED_SEMICOLON = re.compile(r";{2,}")
_CLOSING_SEMICOLON = re.compile(r";+(?=\s|$)")
_DTSTART_FLOATING = re.compile(r"DTSTART(?:;VALUE=DATE(?:-TIME)?)?\s*:\s*(\d{4}-?\d{2}-?\d{2})"
                               r"(?:T(\d{2}:?\d{2}(?::?\d{2})?))?(?=\s|$)", re.IGNORECASE)
"""A DTSTART without a zone: a day (also as RFC 5545's VALUE=DATE), a time with or without
its seconds."""


def _utc_dtstart(match: re.Match[str]) -> str:
    day, moment = match.group(1).replace("-", ""), (match.group(2) or "0000").replace(":", "")
    return f"DTSTART:{day}T{moment.ljust(6, '0')}Z"


_UNTIL_DASHED = re.compile(r"(?<=UNTIL=)\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z?)?(?=\s*(?:;|$))",
                           re.IGNORECASE)
_UNTIL_PART = re.compile(r"(?:^|;)\s*UNTIL\s*=", re.IGNORECASE)
_COUNT_PART = re.compile(r"(?:^|;)\s*COUNT\s*=", re.IGNORECASE)
_UNTIL_DAY = re.compile(r"(UNTIL\s*=\s*\d{8})(?=\s*(?:;|$))", re.IGNORECASE)
_UNTIL_FLOATING = re.compile(r"(UNTIL\s*=\s*\d{8}T\d{6})(?=\s*(?:;|$))", re.IGNORECASE)
_BY_PART = re.compile(r"(?:^|;)\s*(BYMONTH|BYMONTHDAY|BYYEARDAY|BYWEEKNO|BYSETPOS)\s*=\s*"
                      r"([^;]*)", re.IGNORECASE)
_BY_RANGES = {"BYMONTH": (1, 12, "months are 1 to 12"),
              "BYMONTHDAY": (-31, 31, "days of the month are 1 to 31 (or -31 to -1)"),
              "BYYEARDAY": (-366, 366, "days of the year are 1 to 366 (or -366 to -1)"),
              "BYWEEKNO": (-53, 53, "weeks are 1 to 53 (or -53 to -1)"),
              "BYSETPOS": (-366, 366, "positions are 1 to 366 (or -366 to -1)")}


def _out_of_range(rule: str) -> str:
    """What a BY... part gives that no calendar has (dateutil takes BYMONTH=13 and then finds
    no date, which read as "no further review"); "" if nothing."""
    for name, values in _BY_PART.findall(rule):
        low, high, ranges = _BY_RANGES[name.upper()]
        for value in values.split(","):
            if not re.fullmatch(r"\s*[+-]?\d+\s*", value):  # int() also takes "1_5"
                return f"{name.upper()}={values.strip()} is not a list of whole numbers"
            number = int(value)
            if number == 0 or not low <= number <= high:
                return f"{name.upper()}={number} is out of range: {ranges}"
    return ""


def check_cadence(text: str) -> rrule.rrule:
    """`parse_cadence` for a cadence being written: daily at the finest (a claim is not
    reviewed by the hour), and refusing a rule that does not come round (see
    `_comes_round`): finding such a claim's next review searches to the year 9999, for
    seconds, each time the claim is listed."""
    if _UNTIL_PART.search(text) and _COUNT_PART.search(text):  # before dateutil warns
        raise DateError(f"review cadence '{text}' gives both UNTIL and COUNT: give one of "
                        "them (RFC 5545 allows only one)")
    if (tight := _tightened(text.strip())) != text.strip():
        check_cadence(tight)  # parse_cadence suggests it: not a cadence refused in turn
    rule = parse_cadence(text)
    if SUB_DAILY.search(text) or _TIME_OF_DAY.search(text):
        raise DateError(f"review cadence '{text}' repeats within a day: use FREQ=DAILY or "
                        "coarser, without BYHOUR, BYMINUTE or BYSECOND")
    if not _comes_round(text):
        raise DateError(f"review cadence '{text}' asks for no further review within "
                        f"{CADENCE_SEARCH_YEARS} years (from some start days): "
                        f"{_cadence_advice(text, rule)}")
    return rule


def cadence_ended(rule: rrule.rrule, now: datetime) -> datetime | None:
    """The UNTIL of a cadence (as `check_cadence` read it) that has passed at `now`: no
    review is due by it after that day. Accepted (a claim file's cadence may have ended since
    it was written), but a cadence being set is worth a note."""
    until: datetime | None = getattr(rule, "_until", None)
    return until.astimezone(UTC) if until is not None and until < now else None


@lru_cache(maxsize=256)
def _comes_round(text: str) -> bool:
    """Whether a readable rule comes round within CADENCE_SEARCH_YEARS from every start
    ('COUNT=0', the 30th of February, 'every 7th day on Sundays' from a Monday do not). The
    claim may start on any day, so the rule is tried from a spread of start days, months and
    years, each search ending at the end of the rule (its UNTIL, else of the calendar): a
    few milliseconds, once per rule text."""
    rule = parse_cadence(text)
    until: datetime | None = getattr(rule, "_until", None)  # dateutil keeps it unexported
    end = until or datetime(MAXYEAR, 1, 1, tzinfo=UTC)
    first = datetime(max(MINYEAR, end.year - CADENCE_SEARCH_YEARS - _PHASE_YEARS), 1, 1,
                     tzinfo=UTC)
    interval = max(1, getattr(rule, "_interval", 1))
    starts = {first + timedelta(days=day) for day in range(7 * min(interval, 8))}
    starts |= {first + relativedelta(months=month) for month in range(min(interval, 12))}
    starts |= {first + relativedelta(years=year)
               for year in range(min(4 * interval, _PHASE_YEARS))}
    return all(rule.replace(dtstart=start).after(start) is not None
               for start in sorted(starts) if start < end)


def _cadence_advice(text: str, rule: rrule.rrule) -> str:
    """Every 7th day on a weekday only comes round if the claim starts on that weekday:
    the weekly rule says what was meant (if the rule says nothing else: a COUNT or a
    BYMONTH would be lost, and may be the reason itself)."""
    interval = getattr(rule, "_interval", 1)
    weekdays = getattr(rule, "_byweekday", None)
    parts = {part.split("=")[0].strip().upper() for part in text.split(";") if part.strip()}
    if (getattr(rule, "_freq", None) != rrule.DAILY or interval % 7 or not weekdays
            or not parts <= {"FREQ", "INTERVAL", "BYDAY"}):
        return "check its COUNT, UNTIL, INTERVAL and BY... parts"
    days = ",".join(("MO", "TU", "WE", "TH", "FR", "SA", "SU")[day] for day in weekdays)
    weeks = interval // 7
    if weeks == 1:
        return f"for a review every week on those days, write 'FREQ=WEEKLY;BYDAY={days}'"
    return (f"for a review every {weeks} weeks on those days, write "
            f"'FREQ=WEEKLY;INTERVAL={weeks};BYDAY={days}'")


def next_review(cadence: str, since: datetime, after: datetime) -> datetime | None:
    """The first review the cadence asks for after `after`, counting from `since`; None if
    there is none, or if a cadence stored before today's checks no longer reads or does not
    come round (the claim is still listed, at once)."""
    try:
        rule = parse_cadence(cadence, start=as_utc(since))
    except DateError:
        return None
    if not _comes_round(cadence):  # stored before check_cadence: its search never ends
        return None
    found: datetime | None = rule.after(as_utc(after))
    # In UTC, as every other moment here: a DTSTART with a TZID gives its zone's times, and
    # the app's column showed that zone's day and sorted the ISO texts of mixed offsets.
    return None if found is None else found.astimezone(UTC)
