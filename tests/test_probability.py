"""Reading a probability the ways people write one."""

from __future__ import annotations

import math

import pytest

from tracker.probability import parse_probability, percent_text, probability_input


@pytest.mark.parametrize(("text", "value"), [
    ("0.7", 0.7), (" 0.7 ", 0.7), ("70%", 0.7), ("70 %", 0.7), ("7:3", 0.7), ("1:3", 0.25),
    ("0:5", 0.0), ("5:0", 1.0), ("1e-3", 0.001), ("0", 0.0), ("100%", 1.0),
    ("1:1.5", 0.4), ("2.5 : 7.5", 0.25),
])
def test_decimals_percentages_and_odds(text: str, value: float) -> None:
    assert parse_probability(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["-0", "-0%", " -0.0 "])
def test_a_negative_zero_reads_as_zero(text: str) -> None:
    """`tracker forecast CLAIM -- -0` confirmed "forecast -0%", and a form refilled with it
    showed -0%: the value read is 0, not -0."""
    value = parse_probability(text)
    assert value == 0.0 and math.copysign(1.0, value) == 1.0
    assert percent_text(value) == "0%" and probability_input(value) == "0%"


@pytest.mark.parametrize(("text", "message"), [
    ("0:0", "odds '0:0' say nothing: one side must be above 0"),
    ("lots", "'lots' is not a probability: write 0.7, 70% or odds like 7:3"),
    ("3/10", "is not a probability"),
    ("1_0%", "'1_0%' is not a probability"),  # float() reads it as 10%
    ("0.7_5", "is not a probability"),
    ("", "is not a probability"),
    ("1.5", "outside \\[0, 1\\]"),
    ("150%", "outside \\[0, 1\\]"),
    ("-0.1", "outside \\[0, 1\\]"),
    ("nan", "outside \\[0, 1\\]"),
])
def test_what_does_not_read_says_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_probability(text)


@pytest.mark.parametrize(("value", "shown"), [
    (0.0, "0%"), (0.0004, "<0.1%"), (0.001, "0.1%"), (0.005, "0.5%"), (0.01, "1%"),
    (0.7, "70%"), (0.99, "99%"), (0.994, "99.4%"), (0.999, "99.9%"), (0.9995, ">99.9%"),
    (1.0, "100%"),
])
def test_a_percentage_is_never_rounded_to_a_certainty(value: float, shown: str) -> None:
    """0.005 showed as "0%" in `tracker forecast`, `show` and `history`."""
    assert percent_text(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (0.6, "60%"), (0.29, "29%"), (0.0, "0%"), (1.0, "100%"), (0.001, "0.1%"),
    (1 / 3, "0.3333333333333333"), (0.123, "0.123"),  # 12.3% reads as 0.12300000000000001
])
def test_a_form_is_refilled_with_a_percentage_only_where_it_reads_back_exactly(
        value: float, shown: str) -> None:
    """A refused forecast typed as 60% came back as 0.6; 1:2 must still come back as 1/3."""
    assert probability_input(value) == shown
    assert parse_probability(shown) == value
