"""A claim's definition as plain data: validated, hashed and versioned.

The definition is what reviewers agree a claim *means* (statement, criteria, deadline...).
Edits create a new revision; the hash detects edits made on both sides of a claim-file sync.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from tracker.errors import InvalidInput
from tracker.horizons import (
    DateError,
    Deadline,
    as_utc,
    check_cadence,
    counts_from_made_on,
    parse_deadline,
)
from tracker.models import NAME_MAX, SLUG_MAX, TEXT_MAX, TITLE_MAX, URL_MAX
from tracker.vocabulary import Kind, parse_choice, with_article

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")
"""A slug or source key, whole: `$` would also match before a final line break."""


@dataclass(frozen=True)
class ClaimDefinition:
    """Everything that defines a claim, apart from its log."""

    slug: str
    title: str
    statement: str
    quote: str = ""
    quote_lang: str = ""
    claimant: str = ""
    kind: str = Kind.PREDICTION.value
    made_on: date | None = None
    horizon: str = ""
    deadline_start: datetime | None = None
    deadline_end: datetime | None = None
    deadline_rule: str = ""
    criteria: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    review_cadence: str = ""
    implied_confidence: float | None = None
    confidence_words: str = ""
    notes: str = ""
    url: str = ""
    parent: str | None = None
    source: str | None = None

    def with_deadline(self, deadline: Deadline | None) -> ClaimDefinition:
        if deadline is None:
            return replace(self, deadline_start=None, deadline_end=None, deadline_rule="")
        return replace(
            self,
            deadline_start=deadline.start,
            deadline_end=deadline.end,
            deadline_rule=self.deadline_rule or deadline.rule,
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, stored in each revision and hashed for sync."""
        data = asdict(self)
        for key in ("made_on", "deadline_start", "deadline_end"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        data["tags"] = list(self.tags)
        return data

    def content_hash(self) -> str:
        canonical = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class SourceInfo:
    """The document claims come from: reference data, the same on the read and write side."""

    key: str
    title: str
    publisher: str = ""
    authors: tuple[str, ...] = ()
    published_on: date | None = None
    url: str = ""
    language: str = ""
    notes: str = ""
    copy_path: str = ""
    copy_sha256: str = ""



def check_text(value: str, what: str, limit: int, *, required: bool = False,
               one_line: bool = False) -> str:
    if required and not value.strip():
        raise InvalidInput(f"{what} is empty: give {with_article(what)}")
    if len(value) > limit:
        raise InvalidInput(
            f"{what} is {len(value)} characters long; the limit is {limit}: shorten it"
        )
    if "\x00" in value:  # PostgreSQL cannot store it; SQLite would, so refuse it on both
        raise InvalidInput(f"{what} holds a NUL character: remove it")
    if problem := control_character_problem(value, one_line=one_line):
        raise InvalidInput(f"{what} {problem}")
    return value


SPOOFING_CHARACTERS = frozenset("\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
                                "\u2066\u2067\u2068\u2069")
"""Line and paragraph separators and the bidirectional overrides and isolates: printed,
they break or reorder the lines around them."""


def control_character_problem(text: str, *, one_line: bool = False) -> str:
    """Why `text` cannot be stored ('' if it can): a control character other than a line
    break or tab (an escape sequence in a shared title would drive every reader's terminal;
    a carriage return would let a note print over the line of someone else's forecast), a
    character that reorders or breaks lines, or, in a one-line text such as a title, a line
    break (it splits the tables it is in)."""
    allowed = "" if one_line else "\n\t"
    char = next((char for char in text if char not in allowed and (
        unicodedata.category(char) == "Cc" or char in SPOOFING_CHARACTERS)), None)
    if char is None:
        return ""
    if char == "\n":
        return "holds a line break: give it on one line"
    return f"holds the control character \\u{ord(char):04x}: remove it"


FIELD_NAMES = {"deadline_start": "deadline", "deadline_end": "deadline",
               "deadline_rule": "deadline", "horizon": "deadline",
               "review_cadence": "review cadence", "implied_confidence": "confidence",
               "confidence_words": "confidence", "quote_lang": "quote language",
               "made_on": "made-on date"}
"""How a definition's fields are named to people (several fields make one deadline)."""


def changed_fields(before: ClaimDefinition, after: ClaimDefinition) -> list[str]:
    """The names of what an edit changed, in the definition's order, each once."""
    names = [FIELD_NAMES.get(name, name) for name in asdict(before)
             if getattr(before, name) != getattr(after, name)]
    return list(dict.fromkeys(names))


def copy_matches(data: bytes, sha256: str) -> bool:
    """Whether `data` is the stored copy a source's copy_sha256 names."""
    return bool(sha256) and hashlib.sha256(data).hexdigest() == sha256.lower()


def quote_in_copy(quote: str, copy: str) -> bool:
    """Whether `quote` is in `copy`, whitespace ignored: a page and a claim file break lines
    in different places."""
    return "".join(quote.split()) in "".join(copy.split())


def check_quote(quote: str, source: str, copy: str | None) -> None:
    """A quote must be in its source's stored copy, when the tracker holds one: what this
    catches is a paraphrase recorded as the source's words (claim files are checked alike)."""
    if copy is not None and quote.strip() and not quote_in_copy(quote, copy):
        raise InvalidInput(f"the quote is not in the stored copy of source '{source}' "
                           "(whitespace ignored): copy it verbatim from the source",
                           field="quote")


def check_reviewer(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise InvalidInput(
            "no reviewer name: pass --as NAME or set TRACKER_REVIEWER (or git's user.name)"
        )
    if has_control_characters(cleaned):
        raise InvalidInput(f"reviewer name {cleaned!r} holds a line break or another control "
                           "character: give the name on one line")
    return check_text(cleaned, "reviewer name", NAME_MAX)


TAG_SEPARATORS = ",;"
"""How tags are listed where a list is one text: ',' in the app's tag field, ';' in a track
record's tags column (`trackrecords`)."""


def check_tag(tag: str) -> str:
    """A tag is one name on one line: a separator in it would read back as two tags (the
    app's form, a track record), and a line break or tab breaks the tables it is shown in."""
    check_text(tag, "tag", NAME_MAX, required=True, one_line=True)
    if separator := next((char for char in tag if char in TAG_SEPARATORS), None):
        raise InvalidInput(f"tag '{tag}' holds '{separator}', which separates tags where they "
                           "are listed in one text (',' in the app, ';' in a track record): "
                           "give each tag on its own")
    return tag


def has_control_characters(text: str) -> bool:
    """Line breaks, tabs, NUL...: a name holding one breaks every table it is shown in."""
    return any(unicodedata.category(char) == "Cc" for char in text)


def check_probability(value: float, what: str = "probability") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise InvalidInput(f"{what} '{value}' is not a number: give a value from 0 to 1")
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"{what} {value} is outside [0, 1]: give a value from 0 to 1")
    return float(value) + 0.0  # -0.0 as 0.0: PostgreSQL keeps the sign, shown as "-0%"


def check_partial_value(value: float) -> float:
    """A partial outcome lies strictly between no (0) and yes (1)."""
    value = check_probability(value, "partial value")
    if value in (0.0, 1.0):
        full = "yes" if value else "no"
        raise InvalidInput(f"a partial value of {value + 0.0:g} is a full '{full}': resolve it "
                           f"as {full}, or give a value between 0 and 1")
    return value


def _day_of(moment: datetime) -> date:
    return as_utc(moment).date()


def after_recording(day: date, recorded_at: datetime) -> bool:
    """Whether `day` is more than a day after the day something was recorded (the day's
    grace: east of UTC, the local date is already the next day when UTC's is not)."""
    return (day - _day_of(recorded_at)).days > 1


def check_as_of(as_of: datetime, now: datetime, what: str) -> None:
    """An as-of moment is today or earlier: a later one would count deadlines as passed and
    claims as undecided that nothing has decided yet (a day's grace, as for every date)."""
    moment = as_utc(as_of)
    if after_recording(moment.date(), now):
        today = as_utc(now).date()
        latest = (today + timedelta(days=1)).isoformat()
        # A moment typed with a time zone may fall on the next UTC day: say it in UTC.
        shown = (moment.date().isoformat() if moment.time() in (time.min, time.max)
                 else f"{moment:%Y-%m-%d %H:%M} UTC")
        raise InvalidInput(
            f"{what} as of {shown} would be about the future "
            f"(today is {today.isoformat()} in UTC; {latest} is allowed for time zones ahead "
            f"of UTC): give {latest} or an earlier date")


def check_recorded_at(recorded_at: datetime, now: datetime, key: str = "recorded_at",
                      what: str = "the entry was recorded") -> None:
    """An entry read from a file was recorded (or its claim created) in the past (with the
    day's grace)."""
    if after_recording(_day_of(recorded_at), now):
        raise InvalidInput(
            f"{key} {_day_of(recorded_at).isoformat()} is in the future (today is "
            f"{_day_of(now).isoformat()}): give when {what}"
        )


def _recorded_first(day: date | None, recorded_at: datetime, what: str, advice: str,
                    field: str = "") -> None:
    """Something happens before it is written down (with the day's grace)."""
    if day is not None and after_recording(day, recorded_at):
        raise InvalidInput(
            f"{what} {day.isoformat()} is more than a day after it is recorded "
            f"({_day_of(recorded_at).isoformat()}): {advice}", field=field)


def check_observed(observed_on: date | None, recorded_at: datetime) -> None:
    """Something is observed before it is written down."""
    _recorded_first(observed_on, recorded_at, "observed on",
                    "give the day it was published or happened")


def check_made_at(made_at: datetime | None, recorded_at: datetime) -> None:
    """A forecast is made before it is written down (time-averaged scores count from then)."""
    _recorded_first(_day_of(made_at) if made_at is not None else None, recorded_at,
                    "forecast made on", "give when the forecast was made")


def check_made_on(made_on: date | None, recorded_at: datetime) -> None:
    """A claim is made before it is written down."""
    _recorded_first(made_on, recorded_at, "made on", "give the day the claim was made",
                    field="made_on")


def deadline_moved_to(current: ClaimDefinition, made_on: date | None) -> Deadline | None:
    """`current`'s deadline worked out again for a new made-on date, if it was worked out
    from its horizon ("2 years" after made-on) in the first place; None if made-on does not
    change, or the deadline is a date, or it was set by a rule of its own (claim files cite
    rules such as "medium term -> 3 years (rule H3)" beside a horizon in words)."""
    if made_on is None or current.made_on is None or made_on == current.made_on:
        return None
    if not counts_from_made_on(current.horizon):
        return None
    derived = parse_deadline(current.horizon, current.made_on)
    if (derived.start, derived.end) != (current.deadline_start, current.deadline_end):
        return None
    return parse_deadline(current.horizon, made_on)


def with_deadline_moved(current: ClaimDefinition, edited: ClaimDefinition) -> ClaimDefinition:
    """`edited` with `current`'s deadline moved to `edited`'s made-on day (see
    `deadline_moved_to`); as it is if that deadline does not count from made-on."""
    moved = deadline_moved_to(current, edited.made_on)
    return edited if moved is None else replace(edited, deadline_rule="").with_deadline(moved)


CRITERIA_HINT = "say how it resolves yes or no"


def lacks_criteria(definition: ClaimDefinition) -> bool:
    """A prediction cannot be resolved fairly without criteria written before the outcome."""
    return definition.kind.strip().lower() == Kind.PREDICTION and not definition.criteria.strip()


def validate_definition(definition: ClaimDefinition,
                        stored_tags: frozenset[str] = frozenset()) -> ClaimDefinition:
    """Raise InvalidInput with an actionable message for the first problem found.
    `stored_tags`, the claim's tags before an edit, are only checked as texts: one recorded
    before `check_tag`'s rule stays through an edit of the other fields."""
    if not SLUG_PATTERN.match(definition.slug) or len(definition.slug) > SLUG_MAX:
        raise InvalidInput(
            f"slug {definition.slug!r} is not valid: use lowercase letters, digits and "
            f"hyphens, starting with a letter or digit, at most {SLUG_MAX} characters"
        )
    check_text(definition.title, "title", TITLE_MAX, required=True, one_line=True)
    check_text(definition.statement, "statement", TEXT_MAX, required=True)
    for name in ("quote", "criteria", "notes"):
        check_text(getattr(definition, name), name, TEXT_MAX)
    for name in ("claimant", "horizon", "deadline_rule", "confidence_words"):
        check_text(getattr(definition, name), name, TITLE_MAX)
    check_text(definition.url, "url", URL_MAX)
    if definition.url and not definition.url.startswith(("http://", "https://")):
        raise InvalidInput(f"URL '{definition.url}' must start with http:// or https://")
    try:
        parse_choice(Kind, definition.kind, "kind")
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    if lacks_criteria(definition):  # as claim files require
        raise InvalidInput(f"prediction '{definition.slug}' has no resolution criteria: "
                           f"{CRITERIA_HINT}", field="criteria")
    for tag in definition.tags:
        if tag in stored_tags:
            check_text(tag, "tag", NAME_MAX, required=True)
        else:
            check_tag(tag)
    if definition.review_cadence:
        try:
            check_cadence(definition.review_cadence)
        except DateError as error:
            raise InvalidInput(str(error), field="review_cadence") from None
    if definition.implied_confidence is not None:
        check_probability(definition.implied_confidence, "implied confidence")
    check_deadline_window(definition.deadline_start, definition.deadline_end,
                          definition.made_on)
    if definition.parent == definition.slug:
        raise InvalidInput(f"claim '{definition.slug}' cannot be its own parent",
                           field="parent")
    return replace(definition, kind=definition.kind.strip().lower(), tags=_clean_tags(definition))


def check_deadline_window(start: datetime | None, end: datetime | None,
                          made_on: date | None) -> None:
    """A deadline that ends before it starts, or before the claim was made, is a slip in
    one of the dates: refused (the forms say so as the dates are typed)."""
    if start is not None and end is not None and end < start:
        raise InvalidInput("the deadline window ends before it starts: swap the dates",
                           field="deadline")
    if made_on is not None and end is not None and end.date() < made_on:
        raise InvalidInput(f"deadline {end.date()} is before the made-on date {made_on}: "
                           "check both dates", field="deadline")


def _clean_tags(definition: ClaimDefinition) -> tuple[str, ...]:
    return tuple(sorted({tag.strip() for tag in definition.tags}))


def definition_from_json(data: dict[str, Any]) -> ClaimDefinition:
    values = dict(data)
    if values.get("made_on"):
        values["made_on"] = date.fromisoformat(values["made_on"])
    for key in ("deadline_start", "deadline_end"):
        if values.get(key):
            values[key] = datetime.fromisoformat(values[key])
    values["tags"] = tuple(values.get("tags", ()))
    values.setdefault("url", "")  # revisions recorded before claims had a URL
    return ClaimDefinition(**values)
