"""The report as one self-contained HTML file: inline CSS and SVG, no script, no network.

Every user-supplied string (titles, notes, names, tags, URLs) goes through `html.escape`, so a
claim titled ``<script>`` is shown, never run. The only links are the evidence URLs (http and
https only, opened by the reader's choice) and anchors inside the page. Print styles keep each
claim on one page where possible and print evidence URLs after their titles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Final

from tracker.horizons import as_of_text, instant_text
from tracker.reports import svg
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

__all__ = ["render_html"]

CSS: Final = """
:root { --ink: #1d1d1f; --muted: #5f6368; --rule: #dadce0; --soft: #f6f8fa;
  --good: #007a5a; --bad: #b3261e; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 1000px; padding: 24px 28px 48px; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 10px; padding-bottom: 4px;
  border-bottom: 2px solid var(--ink); }
h3 { font-size: 16px; margin: 22px 0 6px; }
p { margin: 6px 0; }
.lead { color: var(--muted); margin: 0; }
nav { margin: 14px 0 0; font-size: 14px; }
nav a { margin-right: 14px; color: var(--ink); }
a { color: #0b57d0; }
code, .slug { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color: var(--muted); }
.muted { color: var(--muted); }
.small { font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 13.5px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nowrap { white-space: nowrap; }
table.changes td:nth-child(2) { min-width: 16em; }
.better { color: var(--good); }
.worse { color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(88px, 1fr));
  gap: 8px; margin: 12px 0; }
.card { border: 1px solid var(--rule); border-left: 6px solid var(--c);
  border-radius: 6px; padding: 8px 12px; }
.card .n { display: block; font-size: 26px; font-weight: 700; line-height: 1.2; }
.card .label { font-size: 13px; color: var(--muted); }
.card .delta { font-size: 12.5px; margin-left: 4px; color: var(--muted); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px;
  font-size: 12px; font-weight: 600; background: var(--c); }
.chart { display: block; max-width: 100%; height: auto; }
.chart.timeline, .chart.status-bar { width: 100%; }
.figures { display: flex; flex-wrap: wrap; gap: 28px; }
figure { margin: 8px 0; flex: 1 1 320px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
.claim { border: 1px solid var(--rule); border-radius: 8px; padding: 12px 16px 8px;
  margin: 16px 0; break-inside: avoid; page-break-inside: avoid; }
.claim h3 { margin: 0 0 2px; }
.meta { font-size: 13px; color: var(--muted); margin: 2px 0 8px; }
.meta span + span::before { content: " · "; }
.statement { margin: 0 0 6px; font-size: 14px; }
.legend { font-size: 12.5px; color: var(--muted); margin: 2px 0 6px; }
.legend span { margin-right: 12px; white-space: nowrap; }
.swatch { vertical-align: middle; margin-right: 3px; }
ul.log { margin: 4px 0 8px; padding-left: 20px; font-size: 13.5px; }
ul.log li { margin: 2px 0; }
.retracted { text-decoration: line-through; color: var(--muted); }
dl { margin: 8px 0; }
dt { font-weight: 600; margin-top: 10px; }
dd { margin: 2px 0 0 0; }
footer { margin-top: 40px; font-size: 12.5px; color: var(--muted);
  border-top: 1px solid var(--rule); padding-top: 8px; }
@media print {
  @page { margin: 16mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  nav { display: none; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  h3, figure, tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: var(--ink); text-decoration: none; }
  ul.log a[href^="http"]::after { content: " <" attr(href) ">"; font-size: 8pt;
    color: var(--muted); word-break: break-all; }
  .claim { border-color: #bbb; }
}
"""


def e(text: str) -> str:
    """Escape a user string for HTML text and attribute values."""
    return escape(text, quote=True)


_BREAK_EVERY: Final = 30
_LONG_WORD: Final = re.compile(rf"[^\s-]{{{_BREAK_EVERY + 1},}}")


def _breakable(text: str) -> str:
    """A user string as element text: escaped, with a break opportunity (<wbr>) every
    `_BREAK_EVERY` characters of a word longer than that. Unbroken, a long URL in a note set
    its table column that wide, and the table ran off the page and the printed sheet."""
    parts, last = [], 0
    for match in _LONG_WORD.finditer(text):
        word = match.group()
        parts.append(e(text[last:match.start()]))
        parts.append("<wbr>".join(e(word[start:start + _BREAK_EVERY])
                                  for start in range(0, len(word), _BREAK_EVERY)))
        last = match.end()
    parts.append(e(text[last:]))
    return "".join(parts)


def _isolated(text: str) -> str:
    """A user string inside the report's own words, `_breakable` and in <bdi>: by the Unicode
    bidi algorithm a name in a right-to-left script otherwise takes the colon, number and date
    after it into its own order, and two such names side by side swap places."""
    return f"<bdi>{_breakable(text)}</bdi>"


def _href(url: str) -> str | None:
    return e(url) if url.startswith(("http://", "https://")) else None


def _sentence(text: str) -> str:
    """`text` with a capital first letter, the rest as it is (str.capitalize made "UTC"
    "utc")."""
    return text[:1].upper() + text[1:]


def _link(title: str, url: str) -> str:
    href = _href(url)
    if href is None:
        return _isolated(title)
    return f'<a href="{href}" rel="noopener noreferrer">{_isolated(title)}</a>'


def _anchor(slug: str) -> str:
    return "claim-" + e(slug)


def render_html(data: ReportData) -> str:
    title = f"Claims report as of {instant_text(data.as_of)}"
    linked = {timeline.slug for timeline in data.timelines}
    body = [
        "<header>", "<h1>Claims report</h1>",
        f'<p class="lead">As of <strong>{e(as_of_text(data.as_of))}</strong>, using only what had '
        f"been recorded by then · changes: {e(period_text(data))}"
        f"{' · ' + e(unfinished_text(data)) if data.unfinished_at else ''}</p>",
        '<nav><a href="#status">Status</a><a href="#changes">What changed</a>'
        '<a href="#scores">Scores</a><a href="#calibration">Calibration</a>'
        '<a href="#deadlines">Deadlines</a><a href="#claims">Claims</a>'
        '<a href="#conventions">Conventions</a></nav>',
        "</header>",
        *_status(data), *_changes(data, linked), *_scores(data), *_calibration(data),
        *_deadlines(data, linked), *_claims(data), *_conventions(data),
        f"<footer>Produced by tracker from the entries recorded by "
        f"{e(instant_text(data.as_of))}. Charts and tables are drawn from the data in this file "
        "alone; nothing is loaded from the network.</footer>",
    ]
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
        *body, "</body>", "</html>", "",
    ])


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool],
           css: str = "") -> list[str]:
    """Cells are HTML already (escaped by the caller)."""
    def cell(tag: str, content: str, is_number: bool) -> str:
        return f'<{tag} class="num">{content}</{tag}>' if is_number else \
            f"<{tag}>{content}</{tag}>"

    head = "".join(cell("th", text, flag) for text, flag in zip(header, numeric, strict=True))
    lines = [f'<table class="{css}">' if css else "<table>", f"<thead><tr>{head}</tr></thead>",
             "<tbody>"]
    for row in rows:
        lines.append("<tr>" + "".join(cell("td", text, flag)
                                      for text, flag in zip(row, numeric, strict=True)) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return lines


# --------------------------------------------------------------------------- status


def _status(data: ReportData) -> list[str]:
    status, before = data.status, data.previous_status
    cards = []
    shown = [*STATUS_ROWS, ("overdue", "Overdue"), ("total", "All claims")]
    for name, label in shown:
        if name == "overdue":
            value, old, colour = status.overdue, before.overdue if before else None, "#b3261e"
        elif name == "total":
            value, old, colour = status.total, before.total if before else None, "#1d1d1f"
        else:
            value = status.count(name)
            old = before.count(name) if before else None
            colour = svg.STATUS_COLOURS[name]
        delta = count_delta(value, old)
        delta_html = f'<span class="delta">{e(delta)}</span>' if delta else ""
        cards.append(f'<div class="card" style="--c: {colour}"><span class="n">{value}'
                     f'{delta_html}</span><span class="label">{e(label)}</span></div>')
    since = (f" Changes are counted since {e(instant_text(before.as_of))}." if before else "")
    return [
        '<section id="status">', "<h2>Status</h2>",
        f"<p>{status.total} claims recorded by the report date: {status.closed} closed, "
        f"{status.open} open, of which {status.overdue} past their deadline.{since}</p>",
        svg.status_bar([(name, status.count(name)) for name, _ in STATUS_ROWS],
                       "Claims by status"),
        '<div class="cards">', *cards, "</div>", "</section>",
    ]


# --------------------------------------------------------------------------- changes


def _claim_cell(slug: str, title: str, linked: set[str]) -> str:
    name = _breakable(title)
    if slug in linked:
        name = f'<a href="#{_anchor(slug)}">{name}</a>'
    return f'{name}<br><span class="slug">{e(slug)}</span>'


def _changes(data: ReportData, linked: set[str]) -> list[str]:
    counts = data.changes.counts
    lines = ['<section id="changes">', "<h2>What changed</h2>",
             f"<p>{e(_sentence(period_text(data)))}: {e(change_sentence(counts))}.</p>"]
    for kind in CHANGE_KINDS:
        changes = data.changes.of_kind(kind)
        if not changes:
            continue
        total = data.changes.total_of_kind(kind)
        shown = f"latest {len(changes)} of {total}" if total > len(changes) else str(total)
        lines.append(f"<h3>{CHANGE_TITLES[kind]} ({shown})</h3>")
        cells = [change_cells(change) for change in changes]
        columns = drop_empty_columns(CHANGE_COLUMNS[kind], cells)
        rows = []
        for change, row in zip(changes, cells, strict=True):
            escaped = {name: _breakable(value) for name, value in row.items()}
            for name in ("Recorded", "Observed"):
                escaped[name] = f'<span class="nowrap">{escaped[name]}</span>'

            escaped["Claim"] = _claim_cell(change.slug, change.title, linked)
            if change.note and row["Note"] != change.note:
                escaped["Note"] = escaped["Reason"] = f'<span title="{e(change.note)}">' \
                    f"{_breakable(row['Note'])}</span>"
            rows.append([escaped[name] for name in columns])
        lines += _table(columns, rows, [False] * len(columns), "changes")
    lines.append("</section>")
    return lines


# --------------------------------------------------------------------------- scores


def _scores(data: ReportData) -> list[str]:
    resolved = data.scores[0].resolved_claims if data.scores else 0
    lines = ['<section id="scores">', "<h2>Scores</h2>",
             f"<p>{e(scores_intro(resolved, data.as_of))} Brier runs from 0 (perfect) to 1; "
             "lower is better. The conventions are at the end of the report.</p>"]
    for table in data.scores:
        lines.append(f"<h3>{e(GROUPING_TITLES.get(table.by, table.by))}</h3>")
        lines += _score_table(table)
        if dropped := dropped_rows(table, _isolated):
            lines.append(f'<p class="muted">{dropped}</p>')
    lines.append("</section>")
    return lines


def _delta_cell(now: float, before: float | None) -> str:
    text = score_delta(now, before)
    if before is None or text in ("+0.000", "-0.000"):
        return e(text)
    css = "better" if now < before else "worse"
    return f'<span class="{css}">{e(text)}</span>'


def _score_table(table: ScoreTable) -> list[str]:
    if not table.rows:
        return [f'<p class="muted">{e(empty_scores(table.by))}</p>']
    header = [e(table.by.capitalize()), "n", "Brier"]
    if table.previous is not None:
        header.append("Brier change")
    header += ["Time-avg Brier", "Log", "Baseline", "Peer", "Rel. Brier", "Coverage"]
    rows = []
    for row in table.rows:
        cells = [_breakable(row.key), str(row.n), number(row.brier)]
        if table.previous is not None:
            before = table.previous_row(row.key)
            cells.append(_delta_cell(row.brier, before.brier if before else None))
        cells += [number(row.brier_time_averaged), number(row.log), number(row.baseline, 1),
                  number(row.peer, 1), number(row.relative_brier), e(percent(row.coverage))]
        rows.append(cells)
    return _table(header, rows, [False] + [True] * (len(header) - 1))


# --------------------------------------------------------------------------- calibration


def _calibration(data: ReportData) -> list[str]:
    lines = ['<section id="calibration">', "<h2>Calibration</h2>",
             "<p>Each point is a bin of final forecasts: its mean forecast against how often the "
             "claims came true, sized by the number of forecasts, with a 95% Wilson interval. "
             "Points on the dashed diagonal are perfectly calibrated.</p>",
             '<div class="figures">']
    tables: list[str] = []
    for by, title in (("reviewer", "Reviewers' final forecasts"),
                      ("source", "Sources' implied confidence")):
        table = data.score_table(by)
        lines.append(f"<figure><figcaption>{e(title)}</figcaption>")
        if any(cell.count for cell in table.calibration):
            lines.append(svg.calibration_chart(table.calibration, f"Calibration: {title}"))
            lines.append(_decomposition(table.decomposition))
        else:
            lines.append('<p class="muted">No resolved forecasts yet.</p>')
        lines.append("</figure>")
        tables += _bins(title, table.calibration)
    lines += ["</div>", *tables, "</section>"]
    return lines


def _decomposition(d: BrierDecomposition | None) -> str:
    if d is None:
        return ""
    return f'<p class="small muted">{decomposition_text(d, "&times;")} (n = {d.n})</p>'


def _bins(title: str, bins: Sequence[CalibrationBin]) -> list[str]:
    filled = [cell for cell in bins if cell.count]
    if not filled:
        return []
    rows = [[f"{cell.lower:.1f}-{cell.upper:.1f}", str(cell.count),
             number(cell.mean_forecast, 2), number(cell.observed_frequency, 2),
             f"{number(cell.wilson_low, 2)} to {number(cell.wilson_high, 2)}"]
            for cell in filled]
    return [f"<h3>{e(title)}: bins</h3>",
            *_table(["Bin", "n", "Mean forecast", "Observed", "95% Wilson interval"], rows,
                    [False, True, True, True, True])]


# --------------------------------------------------------------------------- deadlines


def _deadlines(data: ReportData, linked: set[str]) -> list[str]:
    deadlines = data.deadlines
    lines = ['<section id="deadlines">', "<h2>Deadlines</h2>"]
    for title, items, total, word in (
        (f"Due within {deadlines.horizon_days} days", deadlines.upcoming,
         deadlines.upcoming_total, "Days left"),
        ("Overdue", deadlines.overdue, deadlines.overdue_total, "Days over"),
    ):
        shown = f"first {len(items)} of {total}" if total > len(items) else str(total)
        lines.append(f"<h3>{title} ({shown})</h3>")
        if not items:
            lines.append('<p class="muted">None.</p>')
            continue
        lines += _table(["Deadline", word, "Claim", "Status", "Team forecast"],
                        [_deadline_row(item, linked) for item in items],
                        [False, True, False, False, True])
    lines.append("</section>")
    return lines


def _badge(status: str) -> str:
    colour = svg.STATUS_COLOURS.get(status, "#5f6368")
    return (f'<span class="badge" style="--c: {colour}; color: {svg.ink_on(colour)}">'
            f"{e(status)}</span>")


def _deadline_row(item: DeadlineItem, linked: set[str]) -> list[str]:
    team = (f"{e(percent(item.team_forecast))} ({item.forecasters})"
            if item.team_forecast is not None else "-")
    return [day(item.deadline_end), str(abs(item.days)),
            _claim_cell(item.slug, item.title, linked), _badge(item.status), team]


# --------------------------------------------------------------------------- claims


def _claims(data: ReportData) -> list[str]:
    lines = ['<section id="claims">', "<h2>Claims</h2>"]
    if not data.timelines:
        lines += ['<p class="muted">No claim had activity in the period or was closed.</p>',
                  "</section>"]
        return lines
    lines.append(
        f"<p>{len(data.timelines)} claims with activity in the period or closed by the report "
        + (f"date (of {data.timeline_candidates}; see the conventions)."
           if data.timeline_candidates > len(data.timelines) else "date.")
        + " Each chart shows the claim's open period (shaded), each reviewer's forecast as it "
        "stood over time, the source's implied confidence (dashed), evidence below the axis "
        "and the resolution.</p>"
    )
    for timeline in data.timelines:
        lines += _claim(timeline)
    lines.append("</section>")
    return lines


def _claim(timeline: ClaimTimeline) -> list[str]:
    reviewers = sorted({item.reviewer for item in timeline.forecasts})
    meta = [f'<span class="slug">{e(timeline.slug)}</span>', f"<span>{_badge(timeline.status)}"
            + (f" on {day(timeline.ends_at)}" if timeline.outcome else "") + "</span>"]
    if timeline.made_on is not None:
        meta.append(f"<span>made on {day(timeline.made_on)}</span>")
    if timeline.deadline_end is not None:
        meta.append(f"<span>deadline {day(timeline.deadline_end)}</span>")
    if timeline.source:
        meta.append(f"<span>source {_isolated(timeline.source)}</span>")
    if timeline.implied_confidence is not None:
        meta.append(f"<span>implied confidence {e(percent(timeline.implied_confidence))}</span>")
    if timeline.tags:
        meta.append("<span>" + ", ".join(_isolated(tag) for tag in timeline.tags) + "</span>")
    lines = [f'<article class="claim" id="{_anchor(timeline.slug)}">',
             f"<h3>{_breakable(timeline.title)}</h3>", f'<p class="meta">{"".join(meta)}</p>',
             *([f'<p class="statement">{_breakable(timeline.statement)}</p>']
               if timeline.statement else []),
             svg.timeline_chart(timeline, reviewers), _legend(timeline, reviewers)]
    log = _log(timeline)
    if log:
        lines += ['<ul class="log">', *log, "</ul>"]
    if timeline.scores:
        rows = [[_breakable(forecaster_label(score)),
                 str(score.n_forecasts), e(percent(score.final_probability)),
                 number(score.brier), number(score.brier_time_averaged), e(percent(score.coverage))]
                for score in timeline.scores]
        lines += _table(["Forecaster", "Forecasts", "Final", "Brier", "Time-avg Brier",
                         "Coverage"], rows, [False] + [True] * 5)
    lines.append("</article>")
    return lines


def _legend(timeline: ClaimTimeline, reviewers: Sequence[str]) -> str:
    items = [f"<span>{svg.swatch(svg.reviewer_colour(index))}{_isolated(reviewer)}</span>"
             for index, reviewer in enumerate(reviewers)]
    if timeline.implied_confidence is not None and timeline.made_on is not None:
        items.append(f"<span>{svg.swatch(svg.SOURCE_COLOUR, 'dashed')}"
                     f"{_isolated(timeline.source or 'source')} (implied)</span>")
    stances = sorted({item.stance for item in timeline.evidence if not item.retracted})
    items += [f"<span>{svg.swatch('', stance)}{e(stance)}</span>" for stance in stances]
    if any(item.retracted for item in timeline.evidence):
        items.append(f"<span>{svg.swatch('', 'retracted')}retracted</span>")
    if timeline.outcome is not None:
        colour = svg.OUTCOME_COLOURS.get(timeline.outcome, "#444444")
        items.append(f"<span>{svg.swatch(colour, 'diamond')}outcome</span>")
    if any(not (event.kind == "resolved" and event.at == timeline.ends_at and timeline.outcome)
           for event in timeline.events):
        items.append(f"<span>{svg.swatch('', 'square')}status change</span>")
    if not reviewers:
        items.insert(0, '<span class="muted">no reviewer forecasts</span>')
    return f'<p class="legend">{"".join(items)}</p>'


def _log(timeline: ClaimTimeline) -> list[str]:
    """Forecasts by reviewer, the evidence, then the changes of state in the order they were
    recorded, one line each, as the Markdown report lists them. (Sorted by observed day, a
    back-dated resolution came before the reopening it followed: "resolved, resolved,
    reopened, reopened".)"""
    entries: list[str] = []
    by_reviewer: dict[str, list[str]] = {}
    for item in timeline.forecasts:
        by_reviewer.setdefault(item.reviewer, []).append(forecast_step(item))
    for reviewer in sorted(by_reviewer):
        entries.append(f"<li>Forecasts by {_isolated(reviewer)}: "
                       f"{e(' → '.join(by_reviewer[reviewer]))}</li>")
    for evidence in timeline.evidence:
        when = (day(evidence.observed_on) if evidence.observed_on
                else f"recorded {day(evidence.recorded_at)}")
        css = ' class="retracted"' if evidence.retracted else ""
        retracted = " (retracted)" if evidence.retracted else ""
        entries.append(f"<li{css}>{svg.evidence_swatch(evidence.stance, evidence.retracted)}"
                       f"{e(when)} <em>{e(evidence.stance)}{retracted}</em>: "
                       f"{_link(evidence.title, evidence.url)}</li>")
    for event in timeline.events:
        note = f": {_isolated(event.note)}" if event.note else ""
        entries.append(f"<li><strong>{e(event.kind.capitalize())} {e(event.detail)}</strong> "
                       f"on {e(day(event.at))} by {_isolated(event.reviewer)}{note}</li>")
    return entries


def _conventions(data: ReportData) -> list[str]:
    items = [f"<dt>{e(item.name)}</dt><dd>{e(item.text)}</dd>" for item in data.conventions]
    return ['<section id="conventions">', "<h2>Scoring conventions</h2>", "<dl>", *items,
            "</dl>", "</section>"]
