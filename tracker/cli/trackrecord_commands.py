"""`tracker import-forecasts` / `export-forecasts`: track records in and out as CSV or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import choice, standard_output
from tracker.trackrecords import export_rows, import_track_record, write_track_record
from tracker.vocabulary import plural


@click.command(name="import-forecasts")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_app
def import_forecasts(app: AppContext, file: Path) -> None:
    """Import a track record: CSV, or a JSON array of objects, with the columns question_id, title,
    forecaster, probability, forecast_at, outcome, resolved_at and optionally tags
    (';'-separated), url, created_at (the day the question was asked; default: the day of its
    first forecast; an ISO moment instead opens a new question then, without a made-on day, as
    export-forecasts writes for a claim that has none). Outcome: yes, no, a number in [0, 1],
    annulled, or empty while open; resolved_at: the day the outcome was observed, or the ISO
    moment it was resolved (forecasts count until then). A claim already here keeps its
    criteria, deadline, source and start; rows change its title, and url, tags and made-on day
    where given; the file does not undo what someone did here since (a question listed as open
    does not reopen a claim, an outcome dated before the claim was last reopened or resolved
    here does not close it or replace its outcome, a title, url, tags or made-on day the claim
    had before an edit here does not undo the edit; what earlier files set, later ones may
    change). Forecasts made at or after their question's outcome are kept but never scored:
    their lines are named by the import that adds them (or that records the outcome leaving
    them unscored), not again by a re-import. Bad rows are listed by line and nothing is
    imported; re-importing the same file adds nothing.

    \b
    Example (CSV):
      question_id,title,forecaster,probability,forecast_at,outcome,resolved_at,tags
      gpu-prices,GPU prices fall in 2025,ann,0.6,2025-01-10,yes,2025-12-31,compute
      gpu-prices,GPU prices fall in 2025,bob,30%,2025-02-01,yes,2025-12-31,compute
      open-question,An open question,ann,0.4,2025-03-01,,,
    """
    summary = import_track_record(app.ledger(), file)
    click.echo(
        f"{file}: {plural(summary.questions_added, 'question')} added, "
        f"{summary.questions_updated} updated, {plural(summary.forecasts_added, 'forecast')} "
        f"added ({summary.unchanged_forecasts} already there), "
        f"{plural(summary.resolutions_added, 'resolution')} added"
    )
    if summary.kept_resolved:
        click.echo(f"kept resolved, though open in the file (reopen with `tracker reopen SLUG "
                   f"--note REASON` if the file is right): {', '.join(summary.kept_resolved)}")
    if summary.kept_open:
        click.echo("kept open, reopened here after the outcome the file gives (resolve with "
                   f"`tracker resolve` if the file is right): {', '.join(summary.kept_open)}")
    if summary.kept_outcome:
        click.echo("kept as resolved here, after the other outcome the file gives (reopen and "
                   "resolve with `tracker reopen` and `tracker resolve` if the file is right): "
                   f"{', '.join(summary.kept_outcome)}")
    if summary.kept_fields:
        kept = ", ".join(f"{slug} ({', '.join(fields)})" for slug, fields in summary.kept_fields)
        click.echo("kept as edited here, where the file gives what the claim had before (change "
                   f"them with `tracker edit` if the file is right): {kept}")
    if summary.changed_outcome:
        changed = ", ".join(f"{slug} ({before} -> {after})"
                            for slug, before, after in summary.changed_outcome)
        click.echo(f"outcomes changed to the file's: {changed}")
    if summary.after_outcome:
        count = len(summary.after_outcome)
        lines = ", ".join(str(line) for line in summary.after_outcome)
        click.echo(f"{plural(count, 'forecast')} made at or after the question's outcome, kept "
                   f"but never scored (check forecast_at and resolved_at): {file} "
                   f"{'line' if count == 1 else 'lines'} {lines}")


@click.command(name="export-forecasts")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              callback=standard_output,
              help="Write to this file (default, or -: standard output).")
@click.option("--format", "fmt", type=choice(["csv", "json"]),
              help="Default: from the file's extension, else csv.")
@pass_app
def export_forecasts(app: AppContext, output: Path | None, fmt: str | None) -> None:
    """Export every forecast with its question and outcome (and each question without a
    forecast, on a row of its own), in the import-forecasts format."""
    chosen = fmt or ("json" if output is not None and output.suffix.lower() == ".json"
                     else "csv")
    text = write_track_record(export_rows(app.engine()), output, chosen)
    if output is None:
        click.echo(text, nl=False)
    else:
        click.echo(f"wrote {output}", err=True)


COMMANDS = [import_forecasts, export_forecasts]
