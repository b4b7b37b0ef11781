"""The detail pane: everything about one claim, read from a `ClaimDetail` snapshot."""

from __future__ import annotations

import itertools
import re
from datetime import date

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tracker.definitions import changed_fields
from tracker.queries import ClaimDetail, EvidenceItem
from tracker.tui.format import day, deadline, percent, stamp
from tracker.tui.widgets.forecast_chart import forecast_chart

STANCE_STYLE = {"supports": "green", "refutes": "red", "context": "blue"}
STATUS_STYLE = {
    "open": "bold", "developing": "bold cyan", "stalled": "bold yellow",
    "confirmed": "bold green", "partly": "bold blue", "refuted": "bold red",
    "annulled": "dim",
}
"""Terminal colours, which each theme maps to its own: partly is blue, not magenta, which
Textual's dark themes show in the very red of refuted."""


class HyphenBreaks:
    """`text` as Rich wraps it, except that a word longer than the line (a slug in a narrow
    column) breaks after one of its hyphens, not at the column's edge: "embedding-multimo" /
    "dal-image-file-au" / "dio" reads "embedding-" / "multimodal-image-" / "file-audio". A
    review cadence's rule breaks after its semicolons the same way ("FREQ=MONTHLY;" /
    "INTERVAL=6", not "FREQ=MONTHLY;INTE" / "RVAL=6")."""

    def __init__(self, text: Text) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        cuts = [word.start() + cut for word in re.finditer(r"\S+", self.text.plain)
                if cell_len(word.group()) > width
                for cut in _hyphen_cuts(word.group(), width)]
        yield from self.text.divide(cuts)  # each part from a new line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)


def _hyphen_cuts(word: str, width: int) -> list[int]:
    """Where to break `word` so that each line fills up to `width` with whole parts, each
    ending in a hyphen or semicolon; a part longer than that is left whole (Rich folds it)."""
    cuts: list[int] = []
    offset = line = 0
    for part in re.findall(r"[^-;]*[-;]+|[^-;]+", word):
        if line and line + cell_len(part) > width:
            cuts.append(offset)
            line = 0
        line += cell_len(part)
        offset += len(part)
    return cuts


WEB_ADDRESS = re.compile(r"https?://[^\s\x00-\x1f\x7f]+")


def _url_style(url: str) -> Style:
    """Underlined blue, and a terminal hyperlink (OSC 8) where `url` is a plain web address:
    a click opens it whole even where the pane folds it over two lines. Anything else (a
    text stored before control characters were refused) is never handed to the terminal."""
    style = Style(color="blue", underline=True)
    return style + Style(link=url) if WEB_ADDRESS.fullmatch(url) else style


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold underline")


def _evidence_line(item: EvidenceItem) -> Text:
    line = Text(f"{day(item.observed_on):<10}  ")  # undated: "–", the stances still aligned
    line.append(f"{item.stance:<8}", style=STANCE_STYLE.get(item.stance, ""))
    line.append(f"  {item.title}", style="strike dim" if item.retracted else "")
    line.append(f"  ({item.reviewer})", style="dim")
    if item.url:
        line.append("\n  ")
        line.append(item.url, style=_url_style(item.url))
    if item.summary:
        line.append(f"\n  {item.summary}", style="italic")
    if item.retraction is not None:
        line.append(f"\n  retracted by {item.retraction.reviewer}: {item.retraction.reason}",
                    style="red")
    return line


def _facts(detail: ClaimDetail) -> list[RenderableType]:
    d = detail.definition
    facts = Text(f"deadline {deadline(d.deadline_start, d.deadline_end, between=' .. ')}")
    if d.deadline_rule:
        facts.append(f"\n  {d.deadline_rule}", style="dim")
    facts.append(f"\nmade on {day(d.made_on)} · {d.kind}")
    if d.claimant:
        facts.append(f" by {d.claimant}")
    if d.tags:
        facts.append(f"\ntags {', '.join(d.tags)}")
    if d.review_cadence:
        facts.append("\nreview cadence " + "\n  ".join(d.review_cadence.splitlines()))
    if d.parent:
        facts.append(f"\nderived from {d.parent}")
    parts: list[RenderableType] = [HyphenBreaks(facts)]  # the parent's slug
    if d.implied_confidence is not None:
        words = f" (“{d.confidence_words}”)" if d.confidence_words else ""
        parts.append(Text(f"implied confidence {percent(d.implied_confidence)}{words}",
                          style="dim"))
    return parts


def _source(detail: ClaimDetail) -> list[RenderableType]:
    d = detail.definition
    if not d.quote and detail.source is None:
        return []
    language = f" ({d.quote_lang})" if d.quote_lang else ""  # the app's form asks none
    parts: list[RenderableType] = [_heading(f"Quote{language}" if d.quote else "Source")]
    if d.quote:
        parts.append(Text(f"“{d.quote}”", style="italic"))
    if detail.source is not None:
        source = detail.source
        line = Text(f"— {source.title}")
        if source.publisher:
            line.append(f", {source.publisher}")
        if source.published_on:
            line.append(f" ({day(source.published_on)})")
        if source.url:
            line.append(" ")
            line.append(source.url, style=_url_style(source.url))
        parts.append(line)
    return parts


def _observed(day: date | None) -> str:
    """The day a change was observed, where given: scoring counts the outcome known from it,
    not from the moment it was recorded."""
    return f", observed {day.isoformat()}" if day else ""


def _history(detail: ClaimDetail) -> list[RenderableType]:
    parts: list[RenderableType] = []
    if len(detail.revisions) > 1:  # who changed what the claim says, and why
        parts.append(_heading("Definition history"))
        for before, revision in itertools.pairwise(detail.revisions):
            fields = ", ".join(changed_fields(before.definition, revision.definition))
            changed = f" changed {fields}" if fields else ""  # none: a definition taken again
            line = Text(f"  {stamp(revision.recorded_at)}  v{revision.version}{changed} "
                        f"({revision.reviewer})")
            if revision.note:
                line.append(f": {revision.note}", style="italic")
            parts.append(line)
    if detail.status_changes:
        parts.append(_heading("Status history"))
        for change in detail.status_changes:
            verb = "reopened" if change.is_reopen else "status"
            line = Text(f"  {stamp(change.recorded_at)}  {verb} {change.from_status} → "
                        f"{change.to_status} ({change.reviewer}){_observed(change.observed_on)}")
            if change.note:
                line.append(f": {change.note}", style="italic")
            parts.append(line)
    if detail.resolutions:
        parts.append(_heading("Resolution"))
        for resolution in detail.resolutions:
            outcome = resolution.outcome
            if resolution.value is not None and outcome == "partial":
                outcome = f"partial {resolution.value:g}"
            in_force = resolution is detail.resolution
            line = Text(f"  {stamp(resolution.recorded_at)}  {outcome} ({resolution.reviewer})"
                        f"{_observed(resolution.observed_on)}",
                        style="bold" if in_force else "dim strike")
            if resolution.note:
                line.append(f": {resolution.note}", style="italic")
            parts.append(line)
    return parts


def render_detail(detail: ClaimDetail, hide_team_from: str | None = None) -> RenderableType:
    """The claim as text in two columns: what it says and its log on the left, its facts,
    forecasts and derived questions on the right. `hide_team_from` names the reviewer whose
    own forecasts stay visible while everyone else's are hidden (blind forecasting)."""
    d = detail.definition
    title = Text(f"{d.slug}", style="bold")
    title.append(f"  {d.title}  ")
    title.append(f"[{detail.status}]", style=STATUS_STYLE.get(detail.status, ""))
    title.append(f"  v{detail.version}, changed by {detail.changed_by} "
                 f"{stamp(detail.changed_at)}", style="dim")
    left: list[RenderableType] = [_heading("Statement"), Text(d.statement), *_source(detail)]
    left += [_heading("Resolution criteria"),
             Text(d.criteria or "none written yet", style="" if d.criteria else "dim")]
    live = sum(not item.retracted for item in detail.evidence)
    left.append(_heading(f"Evidence ({live})"))
    left += [_evidence_line(item) for item in detail.evidence_by_day] or [
        Text("  none yet", style="dim")]
    left += _history(detail)
    right: list[RenderableType] = [*_facts(detail), _heading("Forecasts"),
                                   forecast_chart(detail.forecasts, hide_team_from)]
    if detail.children:
        right.append(_heading(f"Derived questions ({len(detail.children)})"))
        for child in detail.children:
            line = Text(f"{child.status:<10} ", style=STATUS_STYLE.get(child.status, ""))
            line.append(child.slug)
            right.append(HyphenBreaks(line))
    columns = Table.grid(expand=True, padding=(0, 2))
    # Fold, not ellipsis: a quote in Chinese or a URL has no space to wrap at, and a verbatim
    # quote cut short with "…" is no longer the quote.
    columns.add_column(ratio=3, overflow="fold")
    columns.add_column(ratio=2, overflow="fold")
    columns.add_row(Group(*left), Group(*right))
    return Group(HyphenBreaks(title), columns)


class ClaimDetailView(VerticalScroll):
    """A scrollable pane showing one claim, or a short message when there is none."""

    def compose(self) -> ComposeResult:
        yield Static(Text("no claim selected", style="dim"), id="detail-body")

    shown_slug: str | None = None

    def show(self, detail: ClaimDetail, hide_team_from: str | None = None) -> None:
        """Show `detail`: from its top for another claim, where the reviewer was for a fresher
        copy of the same one (after a save)."""
        self.query_one("#detail-body", Static).update(render_detail(detail, hide_team_from))
        if detail.slug != self.shown_slug:
            self.shown_slug = detail.slug
            self.scroll_home(animate=False)

    def show_message(self, message: str) -> None:
        self.query_one("#detail-body", Static).update(Text(message, style="dim"))
        self.shown_slug = None
        self.scroll_home(animate=False)
