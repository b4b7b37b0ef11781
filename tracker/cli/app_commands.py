"""`tracker review`: open the Textual app (also what `tracker` alone does)."""

from __future__ import annotations

import os
import sys

import click

from tracker.cli.context import AppContext, named_reviewer, pass_app

BLIND_ENV = "TRACKER_BLIND"
_SWITCH_WORDS = {"1": True, "true": True, "yes": True, "on": True,
                 "0": False, "false": False, "no": False, "off": False}


def default_blind() -> bool:
    """Blind forecasting unless TRACKER_BLIND says off (0, false, no, off)."""
    text = os.environ.get(BLIND_ENV, "").strip().lower()
    if not text:
        return True
    if text not in _SWITCH_WORDS:
        raise click.UsageError(f"{BLIND_ENV}={os.environ[BLIND_ENV]!r} is neither on nor off: "
                               "use 1 or 0 (also true/false, yes/no, on/off)")
    return _SWITCH_WORDS[text]


def on_a_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.command()
@click.option("--blind/--no-blind", default=None,
              help="Hide the team's forecasts on a claim until you have made yours in the "
              f"session (default: on, unless {BLIND_ENV}=0). ctrl+b switches it in the app.")
@click.option("--as", "reviewer", metavar="REVIEWER", callback=named_reviewer,
              help="Who reviews (the same as `tracker --as REVIEWER review`).")
@pass_app
def review(app: AppContext, blind: bool | None, reviewer: str | None) -> None:
    """Open the review app on the configured database."""
    if not on_a_terminal():  # `tracker > out` or a script: the app would wait for ever
        raise click.UsageError("the review app needs a terminal, and standard input or "
                               "output is not one: give a command instead (`tracker --help` "
                               "lists them)")
    # Textual is imported here, not at module level: plain CLI commands stay fast.
    from tracker.tui.app import make_app

    blind = default_blind() if blind is None else blind
    engine = app.engine()
    make_app(engine, reviewer=reviewer or app.reviewer, blind=blind).run()


COMMANDS = [review]
