"""`tracker report`: a standalone report as of any date, or a periodic series of them."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import INSTANT, choice, refuse_future, standard_output
from tracker.errors import InvalidInput
from tracker.horizons import DateError, as_of_text, parse_day, parse_instant, utc_now
from tracker.vocabulary import plural

if TYPE_CHECKING:
    from tracker.reports.render import Format

FORMAT_CHOICES = ("md", "html", "json")
"""tracker.reports.FORMATS, spelled out: importing the report code costs every command ~40 ms."""


def _since(text: str, as_day: bool) -> datetime | date:
    try:
        return parse_day(text, utc_now().date()) if as_day else parse_instant(text)
    except DateError as error:
        raise click.BadParameter(str(error), param_hint="--since") from None


@click.command()
@click.option("--as-of", type=INSTANT,
              help="Use only what had been recorded by then (a date means its end, UTC). "
              "Default: now.")
@click.option("--since", "since_text", metavar="DATE",
              help="Previous period end: list what changed after it and compare with it. "
              "With --every: the first day of the series.")
@click.option("--format", "format_", type=choice(FORMAT_CHOICES),
              help="md, html (one self-contained file) or json. Default: from the -o suffix, "
              "else md; html for a series (--every).")
@click.option("-o", "--output", type=click.Path(path_type=str), callback=standard_output,
              help="Write the report to this file instead of printing it (a folder, or a "
              "path ending in /: report-YYYY-MM-DD.EXT in it, as the app's report form does; "
              "- prints it).")
@click.option("--every", metavar="PERIOD",
              help="Write a series: month, quarter, year or an RFC 5545 RRULE "
              "(e.g. 'FREQ=WEEKLY;BYDAY=SU'). Needs --since and --out-dir.")
@click.option("--until", type=INSTANT, help="With --every: the last period end to include "
              "(default: now).")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path),
              help="With --every: the folder for the reports and index.")
@pass_app
def report(app: AppContext, as_of: datetime | None, since_text: str | None,
           format_: str | None, output: str | None, every: str | None,
           until: datetime | None, out_dir: Path | None) -> None:
    """A report to circulate: statuses, what changed, scores, calibration, deadlines and
    each claim's timeline, as of any date. Only entries recorded by then are used, so a
    report for a past date is the same whenever it is made.

    \b
    Examples:
      tracker report --format html -o report.html
      tracker report --as-of 2024-06-30 --since 2024-03-31 --format md
      tracker report --every quarter --since 2024-01-01 --out-dir reports/
    """
    # Imported here: the report code is only needed by this command.
    from tracker.reports import build_report, format_for, render, write_report
    from tracker.reports.files import SUFFIX_FORMATS, report_name

    if every is not None:
        _series(app, every, since_text, until, out_dir, as_of, output, format_)
        return
    for name, value in (("--until", until), ("--out-dir", out_dir)):
        if value is not None:
            raise click.UsageError(f"{name} goes with --every (a series of reports)")
    refuse_future(as_of, "--as-of", "a report")
    moment = as_of or utc_now()
    since = None if since_text is None else _since(since_text, as_day=False)
    if isinstance(since, datetime) and since >= moment:
        raise click.BadParameter(
            f"{as_of_text(since)} is not before the report date {as_of_text(moment)}: give an "
            "earlier date",
            param_hint="--since")
    assert since is None or isinstance(since, datetime)
    if output is None:
        text = render(build_report(app.engine(), moment, since=since),
                      cast("Format", format_ or "md"))
        click.echo(text, nl=False)
        return
    if not output.strip():
        raise click.BadParameter("give a file or a folder to write the report to",
                                 param_hint="-o")
    path = Path(output)
    if output.endswith(("/", os.sep)) or path.is_dir():
        path = path / report_name(moment, cast("Format", format_ or "md"))
    if format_ is None and path.suffix and path.suffix.lower() not in SUFFIX_FORMATS:
        raise click.BadParameter(
            f"{path.name}: tracker writes md, html or json reports: name the file .md, "
            ".html or .json, or give --format", param_hint="-o")
    chosen = format_for(path, default=cast("Format", format_ or "md"))
    if format_ and chosen != format_:
        raise click.BadParameter(f"{path.name} names a {chosen} file but --format is "
                                 f"{format_}: change one of them", param_hint="-o")
    written = write_report(app.engine(), path, chosen, moment, since)
    click.echo(f"wrote {path}" if written else f"unchanged {path} (same report)", err=True)


def _series(app: AppContext, every: str, since_text: str | None, until: datetime | None,
            out_dir: Path | None, as_of: datetime | None, output: str | None,
            format_: str | None) -> None:
    from tracker.reports import check_period, write_series

    if since_text is None:
        raise click.UsageError("--every needs --since DATE: the first day of the series")
    if out_dir is None:
        raise click.UsageError("--every needs --out-dir DIR: where to write the reports")
    if as_of is not None or output is not None:
        raise click.UsageError("--every writes one report per period end: use --until and "
                               "--out-dir instead of --as-of and -o")
    try:
        check_period(every.strip())
    except InvalidInput as error:
        raise click.BadParameter(str(error), param_hint="'--every'") from None
    refuse_future(until, "--until", "a report")
    since = _since(since_text, as_day=True)
    assert isinstance(since, date)
    if until is not None and until.date() < since:
        raise click.UsageError(f"--until {until.date()} is before --since {since}: the series "
                               "runs from --since to --until")
    result = write_series(app.engine(), every.strip(), since, until or utc_now(), out_dir,
                          cast("Format", format_ or "html"))
    for path in result.written:
        click.echo(f"wrote {path}")
    for path in result.unchanged:
        click.echo(f"unchanged {path}")
    click.echo(f"{plural(len(result.entries), 'report')}: "
               f"{plural(len(result.written), 'file')} written, {len(result.unchanged)} unchanged")


COMMANDS = [report]
