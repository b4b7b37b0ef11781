"""Click parameter types: bad dates and probabilities are usage errors (exit code 2)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import click

from tracker.definitions import check_as_of
from tracker.errors import InvalidInput
from tracker.horizons import (
    DateError,
    check_cadence,
    parse_day,
    parse_instant,
    removes_deadline,
    utc_now,
)
from tracker.probability import parse_probability


class ProbabilityType(click.ParamType):  # type: ignore[type-arg]
    name = "PROBABILITY"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_probability(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class DayType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return parse_day(str(value), utc_now().date())
        except DateError as error:
            self.fail(str(error), param, ctx)


class InstantType(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_instant(str(value))
        except DateError as error:
            self.fail(str(error), param, ctx)


PROBABILITY = ProbabilityType()
DAY = DayType()
INSTANT = InstantType()


def choice(values: Iterable[str]) -> click.Choice[str]:
    """A named choice, read in any case ('HTML', 'Supports') as statuses and outcomes are,
    and given to the command as the vocabulary spells it."""
    return click.Choice(list(values), case_sensitive=False)


def standard_output(_context: click.Context, _option: click.Parameter, value: Any) -> Any:
    """An output of '-' is standard output, as other tools read it: as if none were given."""
    return None if value is not None and str(value) == "-" else value


def checked_cadence(_context: click.Context, _option: click.Parameter, text: str | None
                    ) -> str | None:
    """A review cadence that does not read (or never comes round) is a usage error (exit 2),
    as a deadline that does not read is; '' removes one."""
    if text:
        try:
            check_cadence(text)
        except DateError as error:
            raise click.BadParameter(str(error)) from None
    return text


def no_deadline_word(_context: click.Context, _option: click.Parameter, text: str | None
                     ) -> str | None:
    """'none' as a deadline means no deadline, as '' does (and as in the app's forms)."""
    return "" if text is not None and removes_deadline(text) else text


def refuse_future(moment: datetime | None, option: str, what: str) -> None:
    """An as-of option names today or an earlier day (`check_as_of`): a usage error else."""
    if moment is not None:
        try:
            check_as_of(moment, utc_now(), what)
        except InvalidInput as error:
            raise click.BadParameter(str(error), param_hint=f"'{option}'") from None
