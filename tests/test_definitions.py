"""A claim's definition checked before it is stored: pure functions of the definition."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.helpers import definition
from tracker.definitions import (
    SLUG_PATTERN,
    changed_fields,
    check_probability,
    check_reviewer,
    copy_matches,
    validate_definition,
)
from tracker.errors import InvalidInput
from tracker.horizons import end_of_day, parse_deadline
from tracker.models import SLUG_MAX, TITLE_MAX, URL_MAX


@pytest.mark.parametrize(("changes", "message"), [
    ({"slug": "-shift"}, "slug '-shift' is not valid: use lowercase letters, digits and hyphens, "
                         "starting with a letter or digit, at most 80 characters"),
    ({"slug": "a" * (SLUG_MAX + 1)}, "is not valid"),
    ({"title": "t" * (TITLE_MAX + 1)}, "title is 301 characters long; the limit is 300"),
    ({"title": "   "}, "title is empty: give a title"),
    ({"title": "80% of\ncompute"}, "title holds a line break: give it on one line"),
    ({"title": "80% \u202e%08 fo"}, "title holds the control character \\\\u202e: remove it"),
    ({"statement": "Before long\u2028 80%"}, "statement holds the control character \\\\u2028"),
    ({"criteria": "  \n"}, "prediction 'serving-shift' has no resolution criteria"),
    ({"kind": "Prediction", "criteria": ""}, "has no resolution criteria"),
    ({"url": "https://" + "x" * URL_MAX}, "url is 2008 characters long; the limit is 2000"),
    ({"implied_confidence": 1.5}, "implied confidence 1.5 is outside \\[0, 1\\]"),
    ({"parent": "serving-shift"}, "claim 'serving-shift' cannot be its own parent"),
])
def test_a_definition_a_reader_would_stumble_on_is_refused(changes: dict[str, Any],
                                                           message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        validate_definition(definition(**changes))


def test_a_slug_ending_in_a_line_break_is_refused() -> None:
    """'$' also matches before a final line break: `tracker add --slug $'gpu-prices\\n'` was
    stored, printed over two lines in `tracker list`, and `tracker show gpu-prices` did not
    find it. A claim file's slug and source key are checked with the same pattern."""
    with pytest.raises(InvalidInput) as refused:
        validate_definition(definition("gpu-prices\n"))
    assert str(refused.value).startswith("slug 'gpu-prices\\n' is not valid:")  # one line
    assert not SLUG_PATTERN.match("acme\n")


def test_the_limits_themselves_are_allowed() -> None:
    valid = validate_definition(definition("a" * SLUG_MAX, title="t" * TITLE_MAX,
                                           url="https://example.org/" + "x" * (URL_MAX - 20)))
    assert (len(valid.slug), len(valid.title), len(valid.url)) == (SLUG_MAX, TITLE_MAX, URL_MAX)


def test_a_definition_is_stored_in_one_form() -> None:
    """Tags trimmed, each once and sorted; the kind as the vocabulary spells it."""
    valid = validate_definition(definition(kind=" Prediction ", tags=(" robots", "ai", "robots ")))
    assert (valid.kind, valid.tags) == ("prediction", ("ai", "robots"))


def test_a_tag_stored_before_the_separator_rule_stays_through_an_edit() -> None:
    """Refused for a new tag ('a,b' would read back as two), but kept where it was stored,
    only checked as a text: a control character is refused all the same."""
    with pytest.raises(InvalidInput, match="holds ','"):
        validate_definition(definition(tags=("a,b",)))
    assert validate_definition(definition(tags=("a,b",)), frozenset({"a,b"})).tags == ("a,b",)
    with pytest.raises(InvalidInput, match="tag holds the control character \\\\u001b"):
        validate_definition(definition(tags=("a\x1bb",)), frozenset({"a\x1bb"}))


def test_a_deadline_may_end_on_the_day_the_claim_was_made() -> None:
    made_on = date(2023, 6, 29)
    valid = validate_definition(definition(made_on=made_on, deadline_end=end_of_day(made_on)))
    assert valid.deadline_end == end_of_day(made_on)


def test_an_https_url_is_taken() -> None:
    assert validate_definition(definition(url="https://example.org")).url == "https://example.org"


def test_a_deadline_keeps_a_rule_of_its_own() -> None:
    """Claim files cite the rule that set a deadline ('medium term -> 3 years (rule H3)'):
    the deadline's own description does not replace it."""
    ruled = definition(deadline_rule="rule H3").with_deadline(parse_deadline("2026"))
    assert ruled.deadline_rule == "rule H3"
    assert definition().with_deadline(parse_deadline("2026")).deadline_rule == (
        "end of the period 2026")


def test_an_edit_of_several_deadline_fields_is_named_once() -> None:
    edited = definition(horizon="2026", deadline_rule="end of the period 2026",
                        deadline_end=datetime(2026, 12, 31, tzinfo=UTC), title="Another")
    assert changed_fields(definition(), edited) == ["title", "deadline"]


def test_a_probability_is_a_number_from_zero_to_one() -> None:
    for value in (math.nan, True):
        with pytest.raises(InvalidInput, match=f"^probability '{value}' is not a number"):
            check_probability(value)
    zero = check_probability(-0.0)
    assert zero == 0.0 and math.copysign(1.0, zero) == 1.0  # not shown as "-0%"


def test_a_reviewer_name_is_trimmed_and_on_one_line() -> None:
    assert check_reviewer("  ann  ") == "ann"
    for name in ("an\tn", "an\x1bn"):
        with pytest.raises(InvalidInput, match="holds a line break or another control"):
            check_reviewer(name)


def test_a_copy_matches_a_hash_written_in_capitals() -> None:
    data = b"the source's own words"
    assert copy_matches(data, hashlib.sha256(data).hexdigest().upper())
    assert not copy_matches(data, "")
    assert not copy_matches(b"other words", hashlib.sha256(data).hexdigest())
