"""`tracker check`, `tracker import`, `tracker export`: claim files <-> the database."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from tracker.claimfiles import (
    ImportReport,
    Prefer,
    ProblemsFound,
    check_paths,
    claim_file_paths,
    default_claims_dir,
    export_claims,
    import_paths,
)
from tracker.claimfiles.paths import LOCAL_CLAIMS_DIR
from tracker.claimfiles.problems import Problem, summary
from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import choice
from tracker.horizons import utc_now
from tracker.vocabulary import plural

PATHS = click.argument("paths", nargs=-1, metavar="[PATH]...",
                       type=click.Path(exists=True, path_type=Path))


def _files(paths: tuple[Path, ...]) -> list[Path]:
    chosen = list(paths) or [default_claims_dir()]
    files = claim_file_paths(chosen)
    if not files:
        shown = ", ".join(str(path) for path in chosen)
        raise click.UsageError(f"no claim files (*.toml) in {shown}: give files or a folder")
    return files


def _print_problems(problems: Sequence[Problem], outcome: str) -> None:
    for problem in problems:
        click.echo(str(problem))
    click.echo(f"{summary(problems)}{outcome}", err=True)


@click.command()
@PATHS
def check(paths: tuple[Path, ...]) -> None:
    """Check claim files and report every problem as FILE:LINE: MESSAGE.

    PATH is a claim file or a folder of them (default: ./claims if it exists, else the
    claims shipped with tracker). Exits 1 if there is any problem.
    """
    files = _files(paths)
    result = check_paths(files, now=utc_now())
    if not result.ok:
        _print_problems(result.problems, "")
        raise click.exceptions.Exit(1)
    click.echo(f"{plural(len(files), 'file')}, {plural(result.claim_count, 'claim')} OK")


@click.command(name="import")
@PATHS
@click.option("--prefer", type=choice(side.value for side in Prefer),
              help="Settle definitions changed on both sides: take the file's or keep the "
              "database's.")
@pass_app
def import_claims(app: AppContext, paths: tuple[Path, ...], prefer: str | None) -> None:
    """Merge claim files into the database (one transaction; nothing if any file has a problem).

    PATH is a claim file or a folder of them (default: ./claims if it exists, else the
    claims shipped with tracker). Log entries are united by id, so importing again changes
    nothing. A definition changed in both the file and the database since the last sync is a
    conflict: it is reported and left alone unless --prefer says which side wins. Exits 1 if
    a file has a problem (nothing is imported then) or a conflict is left.
    """
    files = _files(paths)
    try:
        report = import_paths(app.ledger(), files, reviewer=app.reviewer,
                              prefer=Prefer(prefer) if prefer else None)
    except ProblemsFound as error:
        _print_problems(error.problems, "; nothing was imported")
        raise click.exceptions.Exit(1) from None
    _print_report(report)
    if report.conflicts:
        click.echo(f"{plural(report.conflicts, 'conflict')} left: everything else was imported; "
                   "settle them with --prefer file or --prefer db", err=True)
        raise click.exceptions.Exit(1)


def _print_report(report: ImportReport) -> None:
    for note in report.notes:
        click.echo(str(note), err=note.kind not in ("resolved", "updated"))
    for done in report.files:
        click.echo(done.describe())


@click.command()
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Write over changes in the files that were never imported.")
@pass_app
def export(app: AppContext, directory: Path | None, force: bool) -> None:
    """Write the database as claim files into DIRECTORY (default: ./claims), one per source.

    Files keep their names, are rewritten only when their content changes, and import back
    to the same database (current definitions only: older revisions stay in the database).
    A file holding what the database lacks (a claim or log entry added, a definition edited
    since the last import or export), or anything the export cannot read (a misspelt key, a
    recorded_at without its Z), is not written over: nothing is written, and the command
    names each change and exits 1, unless --force. A log entry changed in a file (never
    imported: the log is append-only) gets the database's copy back, and a note names it.
    """
    target = directory or LOCAL_CLAIMS_DIR
    try:
        report = export_claims(app.ledger(), target, force=force)
    except ProblemsFound as error:
        _print_problems(error.problems, f"; {error.outcome}")
        raise click.exceptions.Exit(1) from None
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for exported in report.files:
        state = "wrote" if exported.changed else "unchanged"
        click.echo(f"{state} {exported.path} ({plural(exported.claims, 'claim')})")
    for copy in report.copies:
        click.echo(f"wrote {copy} (a source's stored copy, from the database)")
    written = sum(1 for exported in report.files if exported.changed)
    copies = len(report.copies)
    copies_written = (f"; {plural(copies, 'stored copy', 'stored copies')} written"
                      if copies else "")
    click.echo(f"{plural(len(report.files), 'claim file')} in {target}, {written} written"
               f"{copies_written}")


COMMANDS = [check, import_claims, export]
