"""`tracker score`: the leaderboard, as of any date."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import INSTANT, choice, refuse_future
from tracker.reports.text import (
    calibration_title,
    decomposition_text,
    leaderboard_heading,
    nothing_to_score,
    number,
    percent,
)
from tracker.scorebook import GROUPINGS, Grouping, Leaderboard, leaderboard, only_sources_scored
from tracker.serialize import dumps


def _columns(text: str) -> int:
    """The terminal columns `text` takes: two for a wide (CJK) character, none for a combining
    mark. Padded by its length, a tag such as 大模型 pushed its row's numbers out of their
    columns."""
    return sum(0 if unicodedata.combining(char)
               else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def render_leaderboard(board: Leaderboard, sources_scored: bool = False) -> str:
    """The plain-text leaderboard `tracker score` prints (the app shows the same numbers)."""
    lines = [f"scores {leaderboard_heading(board)}"]
    if not board.rows:
        lines.append(nothing_to_score(board, sources_scored))
        return "\n".join(lines)
    width = max(12, *(_columns(row.key) for row in board.rows))
    header = (f"{board.by:<{width}}  {'n':>5}  {'brier':>6}  {'b.time':>6}  {'log':>7}  "
              f"{'baseline':>8}  {'peer':>7}  {'rel.b':>6}  {'cover':>5}")
    lines += [header, "-" * len(header)]
    for row in board.rows:
        padding = " " * (width - _columns(row.key))
        lines.append(
            f"{row.key}{padding}  {row.n:>5}  {number(row.brier):>6}  "
            f"{number(row.brier_time_averaged):>6}  {number(row.log):>7}  "
            f"{number(row.baseline, 1):>8}  {number(row.peer, 1):>7}  "
            f"{number(row.relative_brier):>6}  {percent(row.coverage):>5}"
        )
    lines += ["", f"{calibration_title(board)}:",
              f"{'bin':<10}  {'n':>5}  {'forecast':>8}  {'observed':>8}  95% Wilson interval"]
    for cell in board.calibration:
        if cell.count:
            lines.append(
                f"{cell.lower:.1f}-{cell.upper:.1f}   {cell.count:>5}  "
                f"{number(cell.mean_forecast, 2):>8}  {number(cell.observed_frequency, 2):>8}"
                f"  [{number(cell.wilson_low, 2)}, {number(cell.wilson_high, 2)}]"
            )
    if board.decomposition is not None:
        lines.append(decomposition_text(board.decomposition))
    return "\n".join(lines)


@click.command()
@click.option("--as-of", type=INSTANT, help="Use only what had been recorded by then (a date "
              "means its end, UTC). Default: now.")
@click.option("--by", type=choice(GROUPINGS), default="reviewer", show_default=True,
              help="Rows per reviewer, per source (graded on its implied confidence), per tag "
              "or per period (quarter of resolution).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, one object per row.")
@pass_app
def score(app: AppContext, as_of: datetime | None, by: Grouping, as_json: bool) -> None:
    """Who was right: Brier (final and time-averaged), log, baseline and peer scores."""
    refuse_future(as_of, "--as-of", "scores")
    board = leaderboard(app.engine(), by, as_of)
    if as_json:
        click.echo(dumps(list(board.rows)))
    else:
        click.echo(render_leaderboard(board, only_sources_scored(app.engine(), board)))


COMMANDS = [score]
