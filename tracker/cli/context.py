"""What every command needs: the chosen database, the reviewer, and lazy core objects."""

from __future__ import annotations

import getpass
import os
import subprocess
from dataclasses import dataclass, field

import click
from sqlalchemy import Engine

from tracker.db import DatabaseChoice, choose_database, open_database
from tracker.definitions import check_reviewer
from tracker.errors import InvalidInput
from tracker.ledger import Ledger
from tracker.queries import Queries

REVIEWER_ENV = "TRACKER_REVIEWER"


def default_reviewer() -> str:
    """The reviewer when --as is not given: TRACKER_REVIEWER, else git's user.name, else
    the OS user. A bad TRACKER_REVIEWER is a usage error (exit 2), as a bad --as is."""
    if (name := os.environ.get(REVIEWER_ENV)) is not None:
        if not name.strip():  # an unset shell variable exported, not a wish for the default
            raise click.UsageError(f"{REVIEWER_ENV} is set but empty: set it to your name, or "
                                   "unset it to use git's user.name (else the OS user)")
        try:
            return check_reviewer(name)
        except InvalidInput as error:
            raise click.UsageError(f"{REVIEWER_ENV}: {error}") from None
    try:
        git = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=5, check=False
        )
        if git.returncode == 0 and git.stdout.strip():
            return git.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


def named_reviewer(_ctx: click.Context, _param: click.Parameter, value: str | None
                   ) -> str | None:
    """--as given a blank name is a mistake (an unset shell variable, say), not a request
    for the default reviewer."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("the name is empty: give the reviewer's name, or leave --as "
                                 "out to use TRACKER_REVIEWER (else git's user.name, else the "
                                 "OS user)")
    try:
        return check_reviewer(value)
    except InvalidInput as error:
        raise click.BadParameter(str(error)) from None


@dataclass
class AppContext:
    db_option: str | None
    reviewer_option: str | None
    _engine: Engine | None = field(default=None, init=False)

    @property
    def choice(self) -> DatabaseChoice:
        return choose_database(self.db_option)

    @property
    def reviewer(self) -> str:
        return self.reviewer_option or default_reviewer()

    def engine(self) -> Engine:
        """Open (and migrate, for SQLite) the database; a new default one gets the shipped
        claims, so a first `tracker list` already shows real claims."""
        if self._engine is None:
            choice = self.choice
            self._engine = open_database(choice)
            click.get_current_context().call_on_close(self.close)
            if choice.is_default:
                from tracker.claimfiles.seed import seed_if_empty

                seed_if_empty(self._engine)
        return self._engine

    def ledger(self) -> Ledger:
        return Ledger(self.engine())

    def queries(self) -> Queries:
        return Queries(self.engine())

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


pass_app = click.make_pass_decorator(AppContext)
