"""`tracker`: the click group. With no command it opens the review app."""

from __future__ import annotations

import errno
import os
import sys
from typing import NoReturn

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from tracker import __version__
from tracker.cli.context import AppContext, named_reviewer
from tracker.db import URL_EXAMPLES, database_problem, database_url
from tracker.errors import InvalidInput, TrackerError


def _checked_url(_context: click.Context, _option: click.Parameter, url: str | None
                 ) -> str | None:
    """A --db value that cannot name a database is a usage error (exit 2). An empty one too:
    `--db "$TEAM_DB"` with the variable unset must not quietly use the personal default (an
    empty TRACKER_DATABASE_URL does mean unset, as environment variables go)."""
    if url == "":
        raise click.BadParameter("it is empty: give a database URL "
                                 f"({URL_EXAMPLES}), or leave --db out for the default")
    if url is not None:
        try:
            database_url(url)
        except InvalidInput as error:
            raise click.BadParameter(str(error)) from None
    return url


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db", "db_url", metavar="URL", envvar=None, callback=_checked_url,
    help=f"SQLAlchemy database URL, e.g. {URL_EXAMPLES} (default: TRACKER_DATABASE_URL, "
    "else the SQLite file that `tracker db path` prints).",
)
@click.option(
    "--as", "reviewer", metavar="REVIEWER", callback=named_reviewer,
    help="Who records entries (default: TRACKER_REVIEWER, else git's user.name, else the OS user).",
)
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, reviewer: str | None) -> None:
    """Keep track of what experts predicted, what really happened, and who was right.

    Run without a command to open the review app.
    """
    ctx.obj = AppContext(db_url, reviewer)
    if ctx.invoked_subcommand is None:
        from tracker.cli.app_commands import review

        ctx.invoke(review)


def _register() -> None:
    from tracker.cli import (
        app_commands,
        claim_commands,
        db_commands,
        file_commands,
        report_commands,
        score_commands,
        trackrecord_commands,
    )

    for module in (claim_commands, db_commands, file_commands, score_commands,
                   trackrecord_commands, report_commands, app_commands):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


OUT_OF_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
"""Write errors of the machine, not of the tracker: the disk (or a quota, or the largest file
size) is full, for a file or for the output redirected to one."""


def _drop_unwritten_output() -> None:
    """Output the full disk refused is dropped: the interpreter would try to write it again
    on exit, fail, print "Exception ignored ..." and exit 120."""
    try:
        sys.stdout.flush()
    except OSError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _report_bug(error: Exception) -> NoReturn:
    """A bug: said plainly; the traceback is there on request."""
    if os.environ.get("TRACKER_DEBUG"):
        raise error
    click.echo(f"error: tracker failed unexpectedly ({type(error).__name__}: {error}); "
               "this is a bug: please report it with the output of the same command "
               "run with TRACKER_DEBUG=1", err=True)
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: refusals exit 1 with a message, usage errors exit 2, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="tracker", standalone_mode=False)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except TrackerError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    except OperationalError as error:
        click.echo(f"error: the database could not be used: {database_problem(error)}",
                   err=True)
        sys.exit(1)
    except DBAPIError as error:
        click.echo(f"error: the database refused the operation: {database_problem(error)}",
                   err=True)
        sys.exit(1)
    except OSError as error:
        if error.errno not in OUT_OF_ROOM:
            _report_bug(error)
        click.echo(f"error: could not write: {error.strerror}: free some space (or write "
                   "elsewhere) and run the command again", err=True)
        _drop_unwritten_output()
        sys.exit(1)
    except Exception as error:
        _report_bug(error)
    sys.exit(code if isinstance(code, int) else 0)
