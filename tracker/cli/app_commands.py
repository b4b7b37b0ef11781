"""`tracker review`: open the Textual app (also what `tracker` alone does)."""

from __future__ import annotations

import click

from tracker.cli.context import AppContext, pass_app


@click.command()
@pass_app
def review(app: AppContext) -> None:
    """Open the review app on the configured database."""
    # Textual is imported here, not at module level: plain CLI commands stay fast.
    from tracker.tui.app import make_app

    engine = app.engine()
    make_app(engine, reviewer=app.reviewer).run()


COMMANDS = [review]
