"""Number, date and label formatting shared by the renderers: fixed decimals, UTC, no locale."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Final

from tracker.horizons import as_utc, instant_text
from tracker.probability import percent_text
from tracker.reports.data import (
    Change,
    ChangeCounts,
    ClaimScore,
    ReportData,
    ScoreTable,
    StatusCounts,
    TimelineForecast,
)
from tracker.scorebook import NO_SOURCE, Leaderboard
from tracker.scoring import BrierDecomposition
from tracker.vocabulary import plural

__all__ = [
    "CHANGE_COLUMNS",
    "CHANGE_TITLES",
    "GROUPING_TITLES",
    "NOTE_LIMIT",
    "STATUS_ROWS",
    "change_cells",
    "change_sentence",
    "count_delta",
    "day",
    "decomposition_text",
    "drop_empty_columns",
    "dropped_rows",
    "empty_scores",
    "forecast_step",
    "leaderboard_heading",
    "nothing_to_score",
    "number",
    "percent",
    "period_text",
    "score_delta",
    "shorten",
    "stamp",
    "summary_line",
    "unfinished_text",
]

STATUS_ROWS: Final = (
    ("confirmed", "Confirmed"),
    ("partly", "Partly true"),
    ("refuted", "Refuted"),
    ("annulled", "Annulled"),
    ("open", "Open"),
    ("developing", "Developing"),
    ("stalled", "Stalled"),
)
GROUPING_TITLES: Final = {
    "reviewer": "By reviewer",
    "source": "By source (graded on the implied confidence of its wording)",
    "tag": "By tag",
}


CHANGE_TITLES: Final = {
    "resolved": "Resolved", "reopened": "Reopened", "status": "Status changes",
    "new": "New claims", "edited": "Definition edits",
}
CHANGE_COLUMNS: Final = {
    "resolved": ("Recorded", "Claim", "Outcome", "Observed", "By", "Note"),
    "reopened": ("Recorded", "Claim", "Change", "By", "Reason"),
    "status": ("Recorded", "Claim", "Change", "Observed", "By", "Note"),
    "new": ("Recorded", "Claim", "Details", "By"),
    "edited": ("Recorded", "Claim", "By", "Note"),
}
NOTE_LIMIT: Final = 160
"""Notes in the change lists are cut to this many characters; timelines show them whole."""
_CUT: Final = " …"
_WORD_KEPT_WHOLE: Final = 20
"""A word cut by the limit is left out whole if it started this near the cut, else cut."""


def shorten(text: str, limit: int = NOTE_LIMIT) -> str:
    """`text` on one line, at most `limit` characters: cut after a word with " …", or inside
    a long one (textwrap.shorten dropped every word it could not keep whole: a note of one
    long link showed as "…")."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[:limit - len(_CUT)]
    space = head.rfind(" ")
    if flat[len(head)] != " " and space >= 0 and len(head) - space <= _WORD_KEPT_WHOLE:
        head = head[:space]
    return head.rstrip() + _CUT


def change_cells(change: Change) -> dict[str, str]:
    """The plain-text cells of one change for every column it may have; "Claim" is left to
    the renderer (it links it)."""
    return {
        "Recorded": stamp(change.recorded_at), "Claim": "", "Outcome": change.detail,
        "Change": change.detail, "Details": change.detail,
        "Observed": day(change.observed_on) if change.observed_on else "",
        "By": change.reviewer, "Note": shorten(change.note), "Reason": shorten(change.note),
    }


def drop_empty_columns(header: Sequence[str], rows: Sequence[dict[str, str]],
                       keep: Sequence[str] = ("Recorded", "Claim")) -> tuple[str, ...]:
    """The columns of `header` that have a value in some row (and those in `keep`)."""
    return tuple(name for name in header
                 if name in keep or any(row.get(name) for row in rows))


def dropped_rows(table: ScoreTable, escape: Callable[[str], str]) -> str:
    """The rows scored at the previous period's end and not now, with their numbers then."""
    dropped = table.dropped()
    if not dropped:
        return ""
    rows = "; ".join(f"{escape(row.key)} (n {row.n}, Brier {number(row.brier)})"
                     for row in dropped)
    return (f"No longer scored (a claim reopened or annulled, or its tags or source edited), "
            f"as at the previous period's end: {rows}.")


def empty_scores(by: str) -> str:
    """An empty score table, said as `tracker score` says it (`_none_scored`): "no resolved
    claim has a reviewer forecast" was false of a claim whose forecasts all came once its
    outcome was known (the same report's timeline lists them)."""
    reason = _none_scored(by)
    return f"{reason[0].upper()}{reason[1:]} yet."


def _scored_on(by: str) -> str:
    """What a resolved claim is scored on in a grouping: sources on their implied
    confidence, the others on forecasts made before the outcome was known (its observed
    date: a resolution dated back leaves out the forecasts made after that date)."""
    return "an implied confidence" if by == "source" else "a forecast made before its outcome"


def _none_scored(by: str) -> str:
    """Why a grouping has no row. By tag, untagged claims are in no row: "no resolved claim
    has a forecast" was false of forecast claims that simply have no tag."""
    tagged = " with a tag" if by == "tag" else ""
    return f"no resolved claim{tagged} has {_scored_on(by)}"


def leaderboard_heading(board: Leaderboard) -> str:
    """'by reviewer, as of 2024-06-30 (...)': the heading `tracker score` and the app share."""
    when = instant_text(board.as_of) if board.as_of else "now"
    return (f"by {board.by}, as of {when} ({plural(board.resolved_claims, 'resolved claim')}, "
            f"each scored where it has {_scored_on(board.by)}; annulled ones never count)")


def scores_intro(resolved: int, as_of: datetime) -> str:
    """The first line of a report's scores: how many claims, and which of them score."""
    return (f"{plural(resolved, 'resolved claim')} as of {instant_text(as_of)}, each scored where "
            "it has a forecast made before its outcome (a source: an implied confidence); "
            "annulled claims never count.")


def calibration_title(board: Leaderboard) -> str:
    """What the calibration chart is of: grouped by source, the implied confidences; by tag or
    period, every reviewer's final forecasts once, not the rows' pairs."""
    what = "implied confidences" if board.by == "source" else "final forecasts"
    if board.by in ("tag", "period"):  # a claim with two tags is in two rows, untagged in none
        return f"calibration of {what} (each reviewer's once, whatever its rows)"
    return f"calibration of {what} (all rows)"


def nothing_to_score(board: Leaderboard, sources_scored: bool) -> str:
    """What an empty leaderboard says (`tracker score` and the app), pointing to the
    source scores when those exist (see `scorebook.only_sources_scored`)."""
    text = f"nothing to score yet: {_none_scored(board.by)}"
    if sources_scored:
        text += ("; the sources are graded on the confidence their wording implied: see the "
                 "scores by source")
    return text


def forecaster_label(score: ClaimScore) -> str:
    """A reviewer's name, or which source's implied confidence a score grades."""
    if not score.is_source:
        return score.forecaster
    if score.forecaster == NO_SOURCE:
        return "implied confidence (no source)"
    return f"{score.forecaster} (source)"


def stamp(moment: datetime) -> str:
    """When an entry was recorded, to the minute: '2024-05-02 09:00'."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M")


def day(moment: datetime | date | None) -> str:
    if moment is None:
        return "-"
    if isinstance(moment, datetime):
        return as_utc(moment).date().isoformat()
    return moment.isoformat()


def number(value: float | None, digits: int = 3) -> str:
    """A score as every view writes it (`tracker score`, the app, reports): fixed digits,
    '-' when there is none, and no '-0.0' for a small negative that rounds to zero."""
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def decomposition_text(d: BrierDecomposition, times: str = "x") -> str:
    """The Murphy decomposition as every view writes it (`times` is how HTML writes the x).
    Through `number`: the within-bin covariance, which may be negative, comes out of its sums a
    hair below zero when it is zero (every outcome in a bin the same partial value), and its
    own format printed that as '-0.0000'."""
    return (f"Brier {number(d.brier, 4)} = reliability {number(d.reliability, 4)} - "
            f"resolution {number(d.resolution, 4)} + uncertainty {number(d.uncertainty, 4)} + "
            f"within-bin variance {number(d.within_bin_variance, 4)} - 2 {times} within-bin "
            f"covariance {number(d.within_bin_covariance, 4)}")


def forecast_step(item: TimelineForecast) -> str:
    """A forecast in a claim's history: "60% (2024-03-01)", and said when scoring leaves it
    out (made once the outcome was known), which the history otherwise does not show."""
    late = ", after the outcome: not scored" if item.after_outcome else ""
    return f"{percent(item.probability)} ({day(item.made_at)}{late})"


def percent(value: float | None) -> str:
    return "-" if value is None else percent_text(value)


def count_delta(now: int, before: int | None) -> str:
    if before is None:
        return ""
    change = now - before
    return f"+{change}" if change > 0 else str(change)


def score_delta(now: float, before: float | None, digits: int = 3) -> str:
    """'+0.012' or '-0.004'; 'new' for a row that had no score at the previous date."""
    if before is None:
        return "new"
    text = number(now - before, digits)
    return text if text.startswith("-") else f"+{text}"


def unfinished_text(data: ReportData) -> str:
    """For a period not over when the report was written: that it can still change."""
    if data.unfinished_at is None:
        return ""
    return (f"Written at {instant_text(data.unfinished_at)}, before the end of this period: "
            f"entries recorded until {instant_text(data.as_of)} can still change it.")


def period_text(data: ReportData) -> str:
    if data.since is None:
        return "everything recorded up to the report date"
    return f"entries recorded after {instant_text(data.since)}"


def summary_line(status: StatusCounts) -> str:
    """One line for an index: '12 claims: 3 confirmed, 1 partly, 1 refuted, ...'."""
    closed = [f"{status.count(name)} {name}" for name in ("confirmed", "partly", "refuted",
                                                          "annulled") if status.count(name)]
    parts = [*closed, f"{status.open} open", f"{status.overdue} overdue"]
    return f"{status.total} claims: " + ", ".join(parts)


def change_sentence(counts: ChangeCounts) -> str:
    """'1 new claim, 3 resolutions, ... and 2 forecasts by 2 reviewers on 2 claims'. The
    retractions are their own count: the entries they withdraw may be from any period ("0
    evidence entries (1 retracted)" read as a part of none)."""
    return (
        f"{plural(counts.new_claims, 'new claim')}, {plural(counts.resolutions, 'resolution')}, "
        f"{plural(counts.reopenings, 'reopening')}, "
        f"{plural(counts.status_changes, 'status change')}, "
        f"{plural(counts.edits, 'definition edit')}, "
        f"{plural(counts.evidence, 'evidence entry', 'evidence entries')}, "
        f"{plural(counts.retractions, 'retraction')} and {plural(counts.forecasts, 'forecast')} by "
        f"{plural(counts.forecasters, 'reviewer')} on {plural(counts.forecast_claims, 'claim')}"
    )
