"""The report as Markdown (CommonMark with pipe tables): readable raw and rendered.

Every user string is escaped so it cannot open a link, an HTML tag or a table cell of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracker.horizons import as_of_text, instant_text
from tracker.reports.data import (
    CHANGE_KINDS,
    ClaimTimeline,
    DeadlineItem,
    ReportData,
    ScoreTable,
)
from tracker.reports.text import (
    CHANGE_COLUMNS,
    CHANGE_TITLES,
    GROUPING_TITLES,
    STATUS_ROWS,
    change_cells,
    change_sentence,
    count_delta,
    day,
    decomposition_text,
    drop_empty_columns,
    dropped_rows,
    empty_scores,
    forecast_step,
    forecaster_label,
    number,
    percent,
    period_text,
    score_delta,
    scores_intro,
    unfinished_text,
)
from tracker.scoring import BrierDecomposition, CalibrationBin

__all__ = ["md_escape", "render_markdown"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!~$])")
"""Punctuation Markdown reads as markup; "$" too: GitHub reads "$1B ... $2B" as inline math."""
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
"""An ampersand that would start a character reference ("&amp;", "&#60;"): escaped, so the
text shows as typed; any other "&" is left as it is, readable in the raw file."""
_LIST_START = re.compile(r"^(\d{0,9})([-+.)])(?=[\s-]|$)")
"""What would open a list item at the start of a line: "-", "+", "1." or "1)" and a space;
or a horizontal rule, when a dash follows ("---", "-- -")."""
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", "|": "%7C",
               '"': "%22", "\\": "%5C", "`": "%60"}


def md_escape(text: str) -> str:
    """Backslash-escape Markdown punctuation, character references and a list marker at
    the start ("1) cheaper" in a quote became a numbered list); newlines become spaces (one
    cell, one line)."""
    escaped = _ENTITY.sub(r"\\&", _SPECIAL.sub(r"\\\1", " ".join(text.split())))
    return _LIST_START.sub(r"\1\\\2", escaped)


def _link(title: str, url: str) -> str:
    if not url.startswith(("http://", "https://")):
        return md_escape(title)
    safe = "".join(_URL_UNSAFE.get(char, char) for char in url)
    return f"[{md_escape(title)}]({safe})"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """`align` has one letter per column: l or r."""
    marks = ["---:" if letter == "r" else "---" for letter in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(marks) + " |"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return lines


def render_markdown(data: ReportData) -> str:
    lines = [f"# Claims report as of {instant_text(data.as_of)}", ""]
    lines.append(f"Uses only what had been recorded by {as_of_text(data.as_of)}. "
                 f"Changes: {period_text(data)}. {unfinished_text(data)}".rstrip())
    lines.append("")
    lines += _status(data)
    lines += _changes(data)
    lines += _scores(data)
    lines += _calibration(data)
    lines += _deadlines(data)
    lines += _claims(data)
    lines += ["## Scoring conventions", ""]
    lines += [f"- **{item.name}.** {item.text}" for item in data.conventions]
    lines.append("")
    return "\n".join(lines)


def _status(data: ReportData) -> list[str]:
    status, before = data.status, data.previous_status
    rows = [[label, str(status.count(name)),
             count_delta(status.count(name), before.count(name) if before else None)]
            for name, label in STATUS_ROWS]
    rows.append(["**All open**", f"**{status.open}**",
                 count_delta(status.open, before.open if before else None)])
    rows.append(["**Overdue** (open, deadline passed)", f"**{status.overdue}**",
                 count_delta(status.overdue, before.overdue if before else None)])
    rows.append(["**Total**", f"**{status.total}**",
                 count_delta(status.total, before.total if before else None)])
    if before is None:
        return ["## Status", "", *_table(["Status", "Claims"], [row[:2] for row in rows], "lr"),
                ""]
    header = ["Status", "Claims", f"Since {instant_text(before.as_of)}"]
    return ["## Status", "", *_table(header, rows, "lrr"), ""]


def _changes(data: ReportData) -> list[str]:
    counts = data.changes.counts
    lines = ["## What changed", ""]
    lines.append(change_sentence(counts) + ".")
    lines.append("")
    for kind in CHANGE_KINDS:
        changes = data.changes.of_kind(kind)
        if not changes:
            continue
        total = data.changes.total_of_kind(kind)
        shown = f" (latest {len(changes)} of {total})" if total > len(changes) else f" ({total})"
        lines += [f"### {CHANGE_TITLES[kind]}{shown}", ""]
        cells = [change_cells(change) for change in changes]
        for change, row in zip(changes, cells, strict=True):
            row["Claim"] = f"`{change.slug}` {md_escape(change.title)}"
            for name in ("Outcome", "Change", "Details", "By", "Note", "Reason"):
                row[name] = md_escape(row[name])
        columns = drop_empty_columns(CHANGE_COLUMNS[kind], cells)
        lines += _table(columns, [[row[name] for name in columns] for row in cells],
                        "l" * len(columns))
        lines.append("")
    return lines


def _scores(data: ReportData) -> list[str]:
    resolved = data.scores[0].resolved_claims if data.scores else 0
    lines = ["## Scores", "",
             f"{scores_intro(resolved, data.as_of)} Brier: lower is better.", ""]
    for table in data.scores:
        lines += [f"### {GROUPING_TITLES.get(table.by, table.by)}", ""]
        lines += _score_rows(table)
        lines.append("")
        if dropped := dropped_rows(table, md_escape):
            lines += [dropped, ""]
    return lines


def _score_rows(table: ScoreTable) -> list[str]:
    if not table.rows:
        return [empty_scores(table.by)]
    header = [table.by.capitalize(), "n", "Brier"]
    if table.previous is not None:
        header.append("Brier change")
    header += ["Time-avg Brier", "Log", "Baseline", "Peer", "Rel. Brier", "Coverage"]
    rows = []
    for row in table.rows:
        cells = [md_escape(row.key), str(row.n), number(row.brier)]
        if table.previous is not None:
            before = table.previous_row(row.key)
            cells.append(score_delta(row.brier, before.brier if before else None))
        cells += [number(row.brier_time_averaged), number(row.log), number(row.baseline, 1),
                  number(row.peer, 1), number(row.relative_brier), percent(row.coverage)]
        rows.append(cells)
    return _table(header, rows, "l" + "r" * (len(header) - 1))


def _calibration(data: ReportData) -> list[str]:
    lines = ["## Calibration", ""]
    for by, title in (("reviewer", "Reviewers' final forecasts"),
                      ("source", "Sources' implied confidence")):
        table = data.score_table(by)
        lines += [f"### {title}", ""]
        lines += _calibration_table(table.calibration, table.decomposition)
        lines.append("")
    return lines


def _calibration_table(bins: Sequence[CalibrationBin],
                       decomposition: BrierDecomposition | None) -> list[str]:
    filled = [cell for cell in bins if cell.count]
    if not filled:
        return ["No resolved forecasts yet."]
    rows = [[f"{cell.lower:.1f}-{cell.upper:.1f}", str(cell.count),
             number(cell.mean_forecast, 2), number(cell.observed_frequency, 2),
             f"{number(cell.wilson_low, 2)} to {number(cell.wilson_high, 2)}"]
            for cell in filled]
    lines = _table(["Bin", "n", "Mean forecast", "Observed", "95% Wilson interval"], rows,
                   "lrrrr")
    if decomposition is not None:
        lines += ["", f"{decomposition_text(decomposition)} (n = {decomposition.n})."]
    return lines


def _deadlines(data: ReportData) -> list[str]:
    deadlines = data.deadlines
    lines = ["## Deadlines", ""]
    for title, items, total, word in (
        (f"Due within {deadlines.horizon_days} days", deadlines.upcoming,
         deadlines.upcoming_total, "Days left"),
        ("Overdue", deadlines.overdue, deadlines.overdue_total, "Days over"),
    ):
        shown = f" (first {len(items)} of {total})" if total > len(items) else f" ({total})"
        lines += [f"### {title}{shown}", ""]
        if not items:
            lines += ["None.", ""]
            continue
        lines += _table(["Deadline", word, "Claim", "Status", "Team forecast"],
                        [_deadline_row(item) for item in items], "lrllr")
        lines.append("")
    return lines


def _deadline_row(item: DeadlineItem) -> list[str]:
    team = (f"{percent(item.team_forecast)} ({item.forecasters})"
            if item.team_forecast is not None else "-")
    return [day(item.deadline_end), str(abs(item.days)),
            f"`{item.slug}` {md_escape(item.title)}", item.status, team]


def _claims(data: ReportData) -> list[str]:
    lines = ["## Claims", ""]
    if not data.timelines:
        return [*lines, "No claim had activity in the period or was closed.", ""]
    if data.timeline_candidates > len(data.timelines):
        lines += [f"{len(data.timelines)} of {data.timeline_candidates} claims with activity "
                  "in the period or closed (see the conventions).", ""]
    for timeline in data.timelines:
        lines += _claim(timeline)
    return lines


def _claim(timeline: ClaimTimeline) -> list[str]:
    lines = [f"### {md_escape(timeline.title)}", ""]
    facts = [f"`{timeline.slug}`", f"**{timeline.status}**"]
    if timeline.outcome is not None:
        facts.append(f"resolved on {day(timeline.ends_at)}")
    if timeline.made_on is not None:
        facts.append(f"made on {day(timeline.made_on)}")
    if timeline.deadline_end is not None:
        facts.append(f"deadline {day(timeline.deadline_end)}")
    if timeline.source:
        facts.append(f"source {md_escape(timeline.source)}")
    if timeline.implied_confidence is not None:
        facts.append(f"implied confidence {percent(timeline.implied_confidence)}")
    if timeline.tags:
        facts.append("tags " + ", ".join(md_escape(tag) for tag in timeline.tags))
    lines += [" · ".join(facts), ""]
    if timeline.statement:
        lines += [f"> {md_escape(timeline.statement)}", ""]
    reviewers = sorted({item.reviewer for item in timeline.forecasts})
    for reviewer in reviewers:
        steps = " → ".join(forecast_step(item)
                           for item in timeline.forecasts if item.reviewer == reviewer)
        lines.append(f"- Forecasts by {md_escape(reviewer)}: {steps}")
    for item in timeline.evidence:
        when = day(item.observed_on) if item.observed_on else f"recorded {day(item.recorded_at)}"
        retracted = " (retracted)" if item.retracted else ""
        lines.append(f"- Evidence {when}, {item.stance}{retracted}: {_link(item.title, item.url)}")
    for event in timeline.events:
        note = f": {md_escape(event.note)}" if event.note else ""
        lines.append(f"- {event.kind.capitalize()} {md_escape(event.detail)} on {day(event.at)} "
                     f"by {md_escape(event.reviewer)}{note}")
    if reviewers or timeline.evidence or timeline.events:
        lines.append("")
    if timeline.scores:
        rows = [[md_escape(forecaster_label(score)),
                 str(score.n_forecasts), percent(score.final_probability), number(score.brier),
                 number(score.brier_time_averaged), percent(score.coverage)]
                for score in timeline.scores]
        lines += _table(["Forecaster", "Forecasts", "Final", "Brier", "Time-avg Brier",
                         "Coverage"], rows, "lrrrrr")
        lines.append("")
    return lines
