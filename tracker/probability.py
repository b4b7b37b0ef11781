"""Reading a probability the ways people write one (0.7, 70% or 7:3 odds), and showing one."""

from __future__ import annotations

import re

_ODDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*$")


def parse_probability(text: str, what: str = "probability",
                      examples: str = "0.7, 70% or odds like 7:3") -> float:
    """Read 0.7, 70% or 7:3 odds as a value in [0, 1]; raise ValueError otherwise, naming the
    value as `what`."""
    cleaned = text.strip()
    if "_" in cleaned:  # float() reads "1_0" as 10: a typo, not a number anyone writes here
        raise ValueError(f"'{text}' is not a {what}: write {examples}")
    if match := _ODDS.match(cleaned):
        favour, against = float(match.group(1)), float(match.group(2))
        if favour + against == 0:
            raise ValueError(f"odds '{text}' say nothing: one side must be above 0, as in 7:3")
        value = favour / (favour + against)
    else:
        try:
            value = float(cleaned[:-1]) / 100 if cleaned.endswith("%") else float(cleaned)
        except ValueError:
            raise ValueError(f"'{text}' is not a {what}: write {examples}") from None
    if value != value or not 0.0 <= value <= 1.0:
        raise ValueError(f"{what} {text} is outside [0, 1]: write a value from 0 to 1")
    return value + 0.0  # "-0" reads as -0.0, which shows as "-0%"


def parse_partial_value(text: str) -> float:
    """The value of a partial resolution (how true the claim came out), read as a
    probability is but named as what it is: 'probability 1.4 is outside [0, 1]' puzzled."""
    return parse_probability(text, "partial value", "0.4 or 40%")


def probability_input(value: float) -> str:
    """The text a form shows for a probability it is given back (a refused forecast): a
    percentage, as forms suggest, where that reads back as exactly `value` ("60%"), else every
    digit, so that saving it again records what was typed (1:2 stays 1/3)."""
    shown = f"{value * 100:.15g}%"
    return shown if parse_probability(shown) == value else repr(value)


def percent_text(value: float) -> str:
    """A probability as a whole percentage, except near the ends, where rounding would show
    0% or 100% for a forecast that is neither: 0.5%, <0.1%, 99.5%, >99.9%."""
    percent = value * 100
    if 0 < percent < 0.1:
        return "<0.1%"
    if 99.9 < percent < 100:
        return ">99.9%"
    if 0 < percent < 1 or 99 < percent < 100:
        return f"{percent:.1f}%"
    return f"{percent:.0f}%"
