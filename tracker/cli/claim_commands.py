"""Commands that record and read claims: add, edit, list, show, history and the log verbs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import (
    DAY,
    INSTANT,
    PROBABILITY,
    checked_cadence,
    choice,
    no_deadline_word,
    refuse_future,
)
from tracker.definitions import ClaimDefinition, with_deadline_moved
from tracker.horizons import (
    DateError,
    NeedsMadeOn,
    as_of_text,
    cadence_ended,
    parse_cadence,
    parse_deadline,
    utc_now,
)
from tracker.probability import parse_partial_value, parse_probability, percent_text
from tracker.queries import ClaimDetail, ClaimFilter, ClaimRow
from tracker.scorebook import unscored_after
from tracker.serialize import dumps
from tracker.vocabulary import Kind, Outcome, Stance, Status, plural

STATUS_CHOICE = choice(status.value for status in Status)
KIND_CHOICE = choice(kind.value for kind in Kind)
EXPECT_VERSION_HELP = ("Fail if the claim is no longer at this version (the one "
                       "`tracker show SLUG` prints).")


def _deadline_for(text: str | None, made_on: date | None) -> Any:
    if not text:
        return None
    try:
        return parse_deadline(text, made_on)
    except DateError as error:
        advice = " with --made-on" if isinstance(error, NeedsMadeOn) else ""
        raise click.BadParameter(f"{error}{advice}", param_hint="'--deadline'") from None


@click.command()
@click.option("--slug", required=True, help="Stable id: lowercase letters, digits, hyphens.")
@click.option("--title", required=True, help="A short title.")
@click.option("--statement", required=True, help="What is claimed, in plain English.")
@click.option("--criteria", default="",
              help="How the claim will be resolved yes or no (required for a prediction).")
@click.option("--deadline", callback=no_deadline_word,
              help="2025-06-30, 'June 2025', 2025-Q3, '18 months', '1-2 years'; none if "
              "left out (or 'none').")
@click.option("--made-on", type=DAY, help="When the claim was made (relative deadlines count "
              "from here). Default for a derived question: its parent's.")
@click.option("--kind", type=KIND_CHOICE, default=Kind.PREDICTION.value,
              show_default=True)
@click.option("--tag", "tags", multiple=True, help="A tag (one name: no ',' or ';'); repeat "
              "for several.")
@click.option("--parent", help="Slug of the vague claim this one is derived from.")
@click.option("--source", help="Key of the source document (from an imported claims file).")
@click.option("--quote", default="", help="The claim verbatim, as the source words it "
              "(checked against the source's stored copy, when the database keeps one).")
@click.option("--claimant", default="", help="Who made the claim.")
@click.option("--review", "review_cadence", default="", callback=checked_cadence,
              help="Review cadence as an RRULE, e.g. FREQ=MONTHLY;INTERVAL=3.")
@click.option("--confidence", type=PROBABILITY, help="Confidence implied by the source's wording.")
@pass_app
def add(app: AppContext, slug: str, title: str, statement: str, criteria: str,
        deadline: str | None, made_on: date | None, kind: str, tags: tuple[str, ...],
        parent: str | None, source: str | None, quote: str, claimant: str,
        review_cadence: str, confidence: float | None) -> None:
    """Record a new claim.

    \b
    Example:
      tracker add --slug gpu-prices-fall --title "GPU prices fall" \\
        --statement "GPU rental prices fall by half." \\
        --criteria "YES if a major cloud halves its list price; NO otherwise." \\
        --made-on 2025-01-15 --deadline '18 months' --tag compute
    """
    if parent and made_on is None:  # as the ledger would: read here for a relative deadline
        made_on = app.queries().made_on(parent)
    definition = ClaimDefinition(
        slug=slug, title=title, statement=statement, criteria=criteria, made_on=made_on,
        kind=kind, tags=tags, parent=parent, source=source, quote=quote, claimant=claimant,
        review_cadence=review_cadence, implied_confidence=confidence,
        horizon=deadline or "",
    ).with_deadline(_deadline_for(deadline, made_on))
    created = app.ledger().create_claim(definition, app.reviewer)
    click.echo(f"added {created}")
    if kind == Kind.PREDICTION and definition.deadline_end is None:
        click.echo(f"note: {created} has no deadline, so it is never due or overdue: give it "
                   f"one with `tracker edit {created} --deadline ...`", err=True)
    if confidence is not None and made_on is None and source:
        click.echo(f"note: {created} has an implied confidence but no made-on day, so its "
                   "source is not graded on it (the confidence counts as a forecast made "
                   f"that day): give one with `tracker edit {created} --made-on ...`", err=True)
    _note_ended_cadence(created, review_cadence)


def _note_ended_cadence(slug: str, cadence: str | None) -> None:
    """A cadence whose UNTIL has passed asks for no review: likely a typo in its year."""
    if cadence and (ended := cadence_ended(parse_cadence(cadence), utc_now())) is not None:
        click.echo(f"note: the review cadence of {slug} ended on {ended.date()}: it asks for "
                   f"no review after that day; give a later UNTIL with `tracker edit {slug} "
                   "--review ...`", err=True)


@click.command()
@click.argument("slug")
@click.option("--title", help="A new short title.")
@click.option("--statement", help="What is claimed, in plain English.")
@click.option("--criteria", help="How the claim will be resolved yes or no.")
@click.option("--quote", help="The claim verbatim, as the source words it (checked against "
              "the source's stored copy, when the database keeps one).")
@click.option("--deadline", callback=no_deadline_word,
              help="New deadline or horizon (relative to the made-on date); 'none' (or '') "
              "leaves the claim without one.")
@click.option("--made-on", type=DAY, help="New made-on date; a deadline given as a horizon "
              "('2 years') moves with it.")
@click.option("--kind", type=KIND_CHOICE, help="A new kind.")
@click.option("--tag", "tags", multiple=True, help="Replace the tags; repeat for several; "
              "--tag '' removes them all.")
@click.option("--review", "review_cadence", callback=checked_cadence,
              help="Review cadence as an RRULE; '' removes it.")
@click.option("--note", default="", help="Why the definition changed.")
@click.option("--expect-version", type=int, help=EXPECT_VERSION_HELP)
@pass_app
def edit(app: AppContext, slug: str, title: str | None, statement: str | None,
         criteria: str | None, quote: str | None, deadline: str | None,
         made_on: date | None, kind: str | None,
         tags: tuple[str, ...], review_cadence: str | None, note: str,
         expect_version: int | None) -> None:
    """Change a claim's definition; the old one stays as an earlier revision."""
    current = app.queries().claim_detail(slug)
    changes: dict[str, Any] = {
        name: value for name, value in {
            "title": title, "statement": statement, "criteria": criteria, "quote": quote,
            "made_on": made_on, "kind": kind, "review_cadence": review_cadence,
        }.items() if value is not None
    }
    if tags:
        changes["tags"] = () if tags == ("",) else tags
    definition = replace(current.definition, **changes)
    if deadline is None:
        definition = with_deadline_moved(current.definition, definition)
    if deadline == "":
        definition = replace(definition, horizon="").with_deadline(None)
    elif deadline:
        definition = replace(definition, horizon=deadline, deadline_rule="").with_deadline(
            _deadline_for(deadline, definition.made_on)
        )
    if definition == current.definition:
        if changes or deadline is not None:
            raise click.UsageError(f"nothing changes: '{slug}' already has what the options "
                                   "give (`tracker show` prints its definition)")
        raise click.UsageError("nothing to change: give at least one option to edit")
    version = app.ledger().edit_claim(
        slug, definition, app.reviewer,
        expect_version if expect_version is not None else current.version, note,
    )
    click.echo(f"edited {slug} (now version {version})")
    _note_ended_cadence(slug, review_cadence)


def _short_date(moment: datetime | date | None) -> str:
    if moment is None:
        return "-"
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def _deadline_text(row: ClaimRow | ClaimDetail) -> str:
    start = row.deadline_start if isinstance(row, ClaimRow) else row.definition.deadline_start
    end = row.deadline_end if isinstance(row, ClaimRow) else row.definition.deadline_end
    if start is not None:
        return f"{_short_date(start)}..{_short_date(end)}"
    return _short_date(end)


@click.command(name="list")
@click.option("--status", "statuses", type=STATUS_CHOICE, multiple=True,
              help="Only claims with this status; repeat for several.")
@click.option("--tag", help="Only claims with this tag.")
@click.option("--source", help="Only claims from this source key.")
@click.option("--kind", type=KIND_CHOICE)
@click.option("--due", help="Only open claims due by then: a date, or a horizon like '30 days'.")
@click.option("--search", default="", help="Words that the slug or title contains, in any order.")
@click.option("--sort", type=choice(["slug", "title", "status", "deadline", "made_on",
                                     "changed", "evidence"]), default="slug",
              show_default=True, help="Order of the list; 'evidence' is by the latest day "
              "evidence speaks of (its observed date, else the day it was recorded).")
@click.option("--limit", type=click.IntRange(min=1), help="Show at most this many.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def list_claims(app: AppContext, statuses: tuple[str, ...], tag: str | None, source: str | None,
                kind: str | None, due: str | None, search: str, sort: str, limit: int | None,
                as_json: bool) -> None:
    """List claims (filters combine)."""
    due_by = None
    if due:
        try:
            today = utc_now().date()
            due_by = parse_deadline(due, today, today).end
        except DateError as error:
            raise click.BadParameter(str(error), param_hint="'--due'") from None
    criteria = ClaimFilter(statuses=statuses, tag=tag, source=source, kind=kind, due_by=due_by,
                           text=search)
    rows = app.queries().list_claims(criteria, sort=sort, limit=limit, reviewer=app.reviewer)
    if as_json:
        click.echo(dumps(rows))
        return
    if not rows:
        click.echo("no claims yet: `tracker import` loads claim files, `tracker add` "
                   "records one" if app.queries().is_empty() else "no claims match", err=True)
        return
    width = max(len(row.slug) for row in rows)
    for row in rows:  # in the order asked for, so a derived question names its parent
        parent = f"  (derived from {row.parent})" if row.parent else ""
        click.echo(f"{row.slug:<{width}}  {row.status:<10}  {_deadline_text(row):<22}  "
                   f"{row.title}{parent}")


def _print_detail(detail: ClaimDetail) -> None:
    d = detail.definition
    echo = click.echo
    echo(click.style(f"{d.slug}: {d.title}", bold=True))
    echo(f"status     {detail.status} (version {detail.version}, changed by "
         f"{detail.changed_by} at {detail.changed_at:%Y-%m-%d %H:%M} UTC)")
    if detail.as_of is not None:
        echo(f"as of      {as_of_text(detail.as_of)}")
    echo(f"kind       {d.kind}" + (f", by {d.claimant}" if d.claimant else ""))
    if detail.source:
        echo(f"source     {detail.source.title} ({detail.source.key})")
    echo(f"made on    {_short_date(d.made_on)}")
    echo(f"deadline   {_deadline_text(detail)}" + (f"  [{d.deadline_rule}]" if d.deadline_rule
                                                     else ""))
    if d.parent:
        echo(f"parent     {d.parent}")
    if d.tags:
        echo(f"tags       {', '.join(d.tags)}")
    if d.review_cadence:
        echo("reviewed   " + "\n           ".join(d.review_cadence.splitlines()))
    if d.implied_confidence is not None:
        echo(f"confidence {percent_text(d.implied_confidence)} implied by: "
             f"{d.confidence_words or '-'}")
    echo(f"\n{d.statement}")
    if d.quote:
        echo(f"\nquote{f' ({d.quote_lang})' if d.quote_lang else ''}: {d.quote}")
    if d.criteria:
        echo(f"\ncriteria: {d.criteria}")
    if detail.children:
        echo("\nderived questions:")
        for child in detail.children:
            echo(f"  {child.slug:<40} {child.status:<10} {child.title}")
    if detail.evidence:
        echo("\nevidence:")
        for item in detail.evidence_by_day:
            mark = " (retracted)" if item.retracted else ""
            echo(f"  {_short_date(item.observed_on):<10}  {item.stance:<8}  {item.title}{mark}")
            if item.url:
                echo(f"              {item.url}")
    if detail.forecasts:
        echo("\nforecasts:")
        for forecast in detail.forecasts:
            echo(f"  {forecast.made_at:%Y-%m-%d}  {percent_text(forecast.probability):>6}  "
                 f"{forecast.reviewer}" + (f": {forecast.rationale}" if forecast.rationale
                                            else ""))
    if detail.resolution:
        resolution = detail.resolution
        # The observed day, not the day recorded, is when scoring takes the outcome as known.
        when = (f", recorded {resolution.recorded_at:%Y-%m-%d}, observed "
                f"{resolution.observed_on.isoformat()}" if resolution.observed_on
                else f" on {resolution.recorded_at:%Y-%m-%d}")
        echo(f"\nresolved {resolution.outcome}"
             + (f" ({resolution.value:g})" if resolution.outcome == "partial" else "")
             + f" by {resolution.reviewer}{when}"
             + (f": {resolution.note}" if resolution.note else ""))


@click.command()
@click.argument("slug")
@click.option("--as-of", type=INSTANT, help="Show the claim as it stood then: only what had "
              "been recorded by then (a date means its end, UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def show(app: AppContext, slug: str, as_of: datetime | None, as_json: bool) -> None:
    """Show one claim: definition, state, evidence, forecasts and resolution."""
    refuse_future(as_of, "--as-of", "the claim")
    detail = app.queries().claim_detail(slug, as_of)
    if as_json:
        click.echo(dumps(detail))
    else:
        _print_detail(detail)


@click.command()
@click.argument("slug")
@click.option("--as-of", type=INSTANT, help="Only the entries recorded by then (a date means "
              "its end, UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def history(app: AppContext, slug: str, as_of: datetime | None, as_json: bool) -> None:
    """Every log entry of a claim, in the order it was recorded, with entry ids."""
    refuse_future(as_of, "--as-of", "the history")
    entries = app.queries().timeline(slug, as_of)
    if as_json:
        click.echo(dumps(entries))
        return
    for entry in entries:
        observed = entry.occurred if isinstance(entry.occurred, date) and not isinstance(
            entry.occurred, datetime) else None
        click.echo(f"{entry.recorded_at:%Y-%m-%d %H:%M:%S}  {entry.kind:<10}  "
                   f"{entry.reviewer:<16}  {entry.text}"
                   + (f" (observed {observed.isoformat()})" if observed else "")
                   + f"  [{entry.uuid}]")
    declined = () if as_of is not None else app.queries().declined_entries(slug).get(slug, ())
    if declined:
        click.echo("not merged here (entries from claim files that this history leaves no room "
                   "for):")
        for item in declined:
            values = item.entry
            click.echo(f"  {values['recorded_at'][:19].replace('T', ' ')}  {item.kind:<10}  "
                       f"{values['by']:<16}  {_declined_text(values)}: {item.reason}  "
                       f"[{item.uuid}]")


def _declined_text(values: dict[str, Any]) -> str:
    if "evidence" in values:
        return f"retracted evidence {values['evidence']}: {values['reason']}"
    what = values["action"]
    outcome = values.get("outcome") or values.get("to") or ""
    return f"{what} {outcome}".strip() + (f": {values['note']}" if values.get("note") else "")


@click.command()
@click.argument("slug")
@click.option("--url", default="", help="Where the evidence can be read.")
@click.option("--title", required=True, help="The title of the page or document.")
@click.option("--summary", default="", help="One factual line on what it says.")
@click.option("--stance", type=choice(s.value for s in Stance), required=True)
@click.option("--observed", type=DAY, help="When it was published or happened.")
@pass_app
def evidence(app: AppContext, slug: str, url: str, title: str, summary: str, stance: str,
             observed: date | None) -> None:
    """Add an evidence entry to a claim's log."""
    uuid = app.ledger().add_evidence(slug, url=url, title=title, summary=summary, stance=stance,
                                     observed_on=observed, reviewer=app.reviewer)
    click.echo(f"added evidence {uuid} to {slug}")


@click.command()
@click.argument("evidence_id")
@click.option("--note", "reason", required=True, help="Why the evidence is withdrawn.")
@pass_app
def retract(app: AppContext, evidence_id: str, reason: str) -> None:
    """Withdraw an evidence entry (it stays in the log, marked retracted). EVIDENCE_ID is
    the entry's id, or its first 8 or more characters, as `tracker history` shows it."""
    done = app.ledger().retract_evidence(evidence_id, reason=reason, reviewer=app.reviewer)
    click.echo(f"retracted evidence '{done.title}' ({done.evidence_uuid})")


@click.command()
@click.argument("slug")
@click.argument("status", type=choice(["open", "developing", "stalled"]))
@click.option("--note", default="", help="Why.")
@click.option("--observed", type=DAY, help="When the change happened in the world.")
@click.option("--expect-version", type=int, help=EXPECT_VERSION_HELP)
@pass_app
def status(app: AppContext, slug: str, status: str, note: str, observed: date | None,
           expect_version: int | None) -> None:
    """Move an open claim between open, developing and stalled (resolve closes it)."""
    version = app.ledger().change_status(slug, status, note=note, observed_on=observed,
                                         reviewer=app.reviewer, expected_version=expect_version)
    click.echo(f"{slug} is now {status.lower()} (version {version})")


@click.command()
@click.argument("slug")
@click.argument("probability")
@click.option("--note", default="", help="Your rationale.")
@pass_app
def forecast(app: AppContext, slug: str, probability: str, note: str) -> None:
    """Record your probability that the claim comes true: 0.7, 70% or 7:3."""
    try:
        value = parse_probability(probability)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'PROBABILITY'") from None
    app.ledger().forecast(slug, value, rationale=note, reviewer=app.reviewer)
    click.echo(f"forecast {percent_text(value)} on {slug} by {app.reviewer}")


def _read_outcome(text: str) -> tuple[str, float | None]:
    name, colon, raw_value = text.partition(":")
    choices = ", ".join(outcome.value for outcome in Outcome)
    if name.lower() not in {outcome.value for outcome in Outcome}:
        raise click.BadParameter(f"'{text}': use one of {choices} (partial as partial:0.4)",
                                 param_hint="'OUTCOME'")
    if name.lower() != "partial":
        if colon:
            raise click.BadParameter(f"only partial takes a value, not '{name}'",
                                     param_hint="'OUTCOME'")
        return name.lower(), None
    if not raw_value:
        raise click.BadParameter("partial needs a value in [0, 1]: write partial:0.4",
                                 param_hint="'OUTCOME'")
    try:
        return "partial", parse_partial_value(raw_value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'OUTCOME'") from None


@click.command()
@click.argument("slug")
@click.argument("outcome", metavar="yes|no|partial:VALUE|annulled")
@click.option("--note", default="", help="Why; cite the evidence.")
@click.option("--observed", type=DAY, help="When the outcome became known.")
@click.option("--expect-version", type=int, help=EXPECT_VERSION_HELP)
@pass_app
def resolve(app: AppContext, slug: str, outcome: str, note: str, observed: date | None,
            expect_version: int | None) -> None:
    """Close a claim with its outcome (annulled claims are never scored)."""
    name, value = _read_outcome(outcome)
    version = app.ledger().resolve(slug, name, value=value, note=note, observed_on=observed,
                                   reviewer=app.reviewer, expected_version=expect_version)
    shown = name if value is None else f"{name}:{value:g}"  # 'partial:40%' as partial:0.4
    click.echo(f"resolved {slug} {shown} (version {version})")
    if observed is not None and name != Outcome.ANNULLED.value:
        forecasts = app.queries().claim_detail(slug).forecasts
        later = unscored_after(observed, (forecast.made_at for forecast in forecasts))
        if later:  # as the app's resolve form says before it is saved
            click.echo(f"note: {plural(later, 'forecast')} made on or after {observed} will not "
                       "be scored: the outcome counts as known from that day's start")


@click.command()
@click.argument("slug")
@click.option("--note", "reason", required=True, help="Why the resolution is reopened.")
@click.option("--expect-version", type=int, help=EXPECT_VERSION_HELP)
@pass_app
def reopen(app: AppContext, slug: str, reason: str, expect_version: int | None) -> None:
    """Reopen a closed claim; its earlier resolution stays in the log."""
    version = app.ledger().reopen(slug, reason=reason, reviewer=app.reviewer,
                                  expected_version=expect_version)
    click.echo(f"reopened {slug} (version {version})")


COMMANDS = [add, edit, list_claims, show, history, evidence, retract, status, forecast, resolve,
            reopen]
