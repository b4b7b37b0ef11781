"""The scores screen shows exactly what `tracker score` prints, as of any date."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace

import pytest
from rich.console import Console
from sqlalchemy import Engine
from textual.pilot import Pilot
from textual.widgets import Static

from tests.conftest import Clock
from tests.tui.conftest import (
    SIZE,
    definition,
    settle,
    told_it_went_away,
    type_text,
    went_away,
)
from tracker.cli.score_commands import render_leaderboard
from tracker.ledger import Ledger
from tracker.scorebook import leaderboard
from tracker.tui.app import TrackerApp
from tracker.tui.screens import scores
from tracker.tui.screens.claims import ClaimsScreen
from tracker.tui.screens.scores import BIN_WIDTH, ScoresScreen, render_scores


def scores_text(app: TrackerApp) -> str:
    console = Console(width=200, record=True)
    console.print(app.screen.query_one("#scores", Static).content)
    return console.export_text()


def screen_rows(app: TrackerApp, keys: list[str]) -> dict[str, list[str]]:
    lines = scores_text(app).splitlines()
    return {key: next(line.split() for line in lines if line.split()[:1] == [key])
            for key in keys}


async def open_scores(pilot: Pilot[None]) -> None:
    """From the app as it opens, to the scores screen with its board shown."""
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)


def cli_rows(engine: Engine, by: str) -> dict[str, list[str]]:
    board = leaderboard(engine, by)  # type: ignore[arg-type]
    lines = render_leaderboard(board).splitlines()
    keys = [row.key for row in board.rows]
    return {key: next(line.split() for line in lines if line.split()[:1] == [key])
            for key in keys}


async def test_scores_match_the_cli_and_go_back_in_time(
    seeded: Ledger, engine: Engine, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    seeded.forecast("rates-cut", 0.7, reviewer="alice")
    seeded.forecast("rates-cut", 0.35, reviewer="bob")
    clock.advance(days=30)
    seeded.forecast("gdp-growth", 0.9, reviewer="alice", allow_closed=True,
                    made_at=clock.now.replace(year=2023))
    seeded.resolve("rates-cut", "no", reviewer="bob")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_scores(pilot)
        assert isinstance(app.screen, ScoresScreen)
        expected = cli_rows(engine, "reviewer")
        assert set(expected) == {"alice", "bob"}
        assert screen_rows(app, list(expected)) == expected
        await pilot.press("g")  # by source
        await pilot.press("g")  # by tag
        await settle(pilot)
        expected = cli_rows(engine, "tag")
        assert screen_rows(app, list(expected)) == expected
        await pilot.press("a")
        await type_text(pilot, "2023-12-01")
        assert "read as 2023-12-01 (end of day UTC)" in str(
            app.screen.query_one("#as-of-hint", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert "as of 2023-12-01 (0 resolved claims" in scores_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, ClaimsScreen)


async def test_scores_that_cannot_be_computed_are_not_left_as_those_asked_before(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen stayed on "Scoring…" when the scores failed, and after g it went on
    showing the scores by reviewer under "by source"."""
    seeded.forecast("rates-cut", 0.7, reviewer="alice")
    seeded.resolve("rates-cut", "no", reviewer="bob")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_scores(pilot)
        assert "alice" in scores_text(app)
        monkeypatch.setattr(scores, "leaderboard", went_away)
        await pilot.press("g")
        await settle(pilot)
        assert told_it_went_away(app)
        assert " ".join(scores_text(app).split()) == (
            "The scores could not be computed (see the error message): g or a date in "
            "'as of' asks again.")
        screen = app.screen
        assert isinstance(screen, ScoresScreen)
        screen.on_resize()  # a resize draws what is shown again: not the scores before
        assert "alice" not in scores_text(app)


async def test_without_forecasts_the_screen_points_to_the_source_scores(
    seeded: Ledger, engine: Engine, tui: Callable[..., TrackerApp]
) -> None:
    """Claims read from a report carry the confidence their wording implies, so the source
    has scores before anyone has forecast (the shipped claims are like this)."""
    seeded.create_claim(replace(definition("solar-cheap", "Solar gets cheaper"),
                                implied_confidence=0.8), "alice")
    seeded.resolve("solar-cheap", "yes", reviewer="bob")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await open_scores(pilot)
        shown = " ".join(scores_text(app).split())
        assert shown.endswith(
            "nothing to score yet: no resolved claim has a forecast made before its outcome; "
            "the sources are graded on the confidence their wording implied: see the scores by "
            "source")
        assert render_leaderboard(leaderboard(engine), sources_scored=True).endswith(
            shown[-60:]), "the same words as `tracker score`"
        await pilot.press("g")  # by source
        await settle(pilot)
        assert screen_rows(app, ["iea-2023"]) == cli_rows(engine, "source")


async def type_as_of(pilot: Pilot[None], text: str) -> None:
    """On a scores screen opened now, type `text` into its as-of field (not entered)."""
    await open_scores(pilot)
    await pilot.press("a")
    await type_text(pilot, text)
    await settle(pilot)


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_a_mistyped_as_of_date_shows_its_whole_hint(
    seeded: Ledger, tui: Callable[..., TrackerApp], size: tuple[int, int]
) -> None:
    """The hint lists the forms a date may take; cut to the bar's height it lost the last.
    Beside the date at 80 columns it wrapped into a column of nine lines: it is under the bar,
    the screen's width, and the scores follow it."""
    app = tui()
    async with app.run_test(size=size) as pilot:
        await type_as_of(pilot, "garbage")
        hint = app.screen.query_one("#as-of-hint", Static)
        text = str(hint.render())
        assert "cannot read 'garbage'" in text and "'2025'" in text
        bar = app.screen.query_one("#scores-bar")
        assert hint.region.y >= bar.region.bottom and hint.size.width >= size[0] - 4
        assert 1 <= hint.size.height <= 2
        assert app.screen.query_one("#scores-body").region.y >= hint.region.bottom


async def test_scores_as_of_a_later_day_than_today_are_refused_as_tracker_score_does(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await type_as_of(pilot, "2099-01-01")
        refusal = "scores as of 2099-01-01 would be about the future"
        assert refusal in str(app.screen.query_one("#as-of-hint", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.as_of is None  # type: ignore[attr-defined]


async def test_a_typed_date_says_enter_shows_it_and_escape_leaves_the_field_first(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await type_as_of(pilot, "2024-01-01")
        hint = app.screen.query_one("#as-of-hint", Static)
        assert str(hint.render()).endswith(" · enter shows the scores then")
        await pilot.press("escape")  # out of the field, still on the scores
        await settle(pilot)
        assert isinstance(app.screen, ScoresScreen)
        assert app.focused is app.screen.query_one("#scores-body")
        await pilot.press("a", "enter")
        await settle(pilot)
        assert app.screen.as_of is not None  # type: ignore[attr-defined]
        assert "enter" not in str(hint.render())
        await pilot.press("a", "ctrl+u")  # cleared, not entered: still the scores then
        await settle(pilot)
        assert str(hint.render()) == "as of now · enter shows the scores then"
        await pilot.press("escape")
        await pilot.press("escape")  # from the scores: back to the claims
        await settle(pilot)
        assert not isinstance(app.screen, ScoresScreen)


def test_calibration_numbers_go_under_their_bin_when_the_line_has_no_room(
    seeded: Ledger, engine: Engine
) -> None:
    """At 80 columns a bin's chart and its numbers do not fit on one line; wrapped by the
    terminal, the numbers started at column 0 among the chart lines."""
    seeded.create_claim(replace(definition("solar-cheap", "Solar gets cheaper"),
                                implied_confidence=0.8), "alice")
    seeded.resolve("solar-cheap", "yes", reviewer="bob")
    board = leaderboard(engine, "source")

    def lines(width: int) -> list[str]:
        console = Console(width=width, no_color=True, highlight=False)
        with console.capture() as captured:
            console.print(render_scores(board, width=width))
        return captured.get().splitlines()

    wide, narrow = lines(120), lines(78)
    assert "Calibration of implied confidences (all rows)" in wide
    assert any(line.startswith("0.8-0.9") and "forecast 0.80" in line for line in wide)
    bin_line = next(index for index, line in enumerate(narrow) if line.startswith("0.8-0.9"))
    assert "forecast" not in narrow[bin_line]
    assert narrow[bin_line + 1].strip().startswith("forecast 0.80  observed 1.00")
    assert narrow[bin_line + 1].startswith(" " * BIN_WIDTH)
    assert max(len(line) for line in narrow) <= 78


def test_long_keys_wrap_whole_at_80_columns_instead_of_reading_as_one(
    seeded: Ledger, engine: Engine
) -> None:
    """Two reviewers named by their e-mail addresses both showed as 'alexandra.konstanti…',
    one with Brier 0.040 and the other 0.810: which was whose could not be read."""
    seeded.create_claim(definition("solar-cheap", "Solar gets cheaper"), "alice")
    for reviewer, probability in (("alexandra.konstantinopoulou@example.com", 0.2),
                                  ("alexandra.konstantinopoulou@example.org", 0.9)):
        seeded.forecast("solar-cheap", probability, reviewer=reviewer)
    seeded.resolve("solar-cheap", "no", reviewer="bob")
    console = Console(width=78, no_color=True, highlight=False)
    with console.capture() as captured:
        console.print(render_scores(leaderboard(engine), width=78))
    text = captured.get()
    assert "…" not in text
    lines = [line.split() for line in text.splitlines()]
    for address, brier in (("example.com", "0.040"), ("example.org", "0.810")):
        row = next(index for index, cells in enumerate(lines) if brier in cells)
        folded = itertools.takewhile(lambda cells: len(cells) == 1, lines[row + 1:])
        key = lines[row][0] + "".join(cells[0] for cells in folded)
        assert key == f"alexandra.konstantinopoulou@{address}"


def test_a_zero_within_bin_covariance_is_not_shown_negative(seeded: Ledger,
                                                            engine: Engine) -> None:
    """As `tracker score` writes it: sums that give -5.6e-17 for a covariance of 0 (forecasts
    of 90% and 97% on two claims both partly true at 0.3) showed '-0.0000'."""
    for slug, probability in (("solar-cheap", 0.9), ("wind-cheap", 0.97)):
        seeded.create_claim(definition(slug, "Cheaper"), "alice")
        seeded.forecast(slug, probability, reviewer="alice")
        seeded.resolve(slug, "partial", value=0.3, reviewer="bob")
    console = Console(width=200, no_color=True, highlight=False)
    with console.capture() as captured:
        console.print(render_scores(leaderboard(engine), width=200))
    assert "within-bin covariance 0.0000" in captured.get()
    assert "-0.0000" not in captured.get()
