"""Inline SVG charts: a calibration chart and one forecast timeline per claim.

Plain strings, no library and no script: every coordinate is printed with a fixed number of
decimals so the same data gives the same bytes, and every user string goes through
`html.escape`. Colours come from the Okabe-Ito palette (readable by colour-blind readers and
in greyscale print, helped by the distinct marker shapes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Final

from tracker.probability import percent_text
from tracker.reports.data import ClaimTimeline, TimelineEvidence, TimelineForecast
from tracker.scoring import CalibrationBin

__all__ = [
    "OUTCOME_COLOURS",
    "REVIEWER_COLOURS",
    "SOURCE_COLOUR",
    "STANCE_COLOURS",
    "STATUS_COLOURS",
    "calibration_chart",
    "evidence_swatch",
    "ink_on",
    "reviewer_colour",
    "stance_marker",
    "status_bar",
    "swatch",
    "timeline_chart",
]

REVIEWER_COLOURS: Final = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                           "#000000", "#999933")
SOURCE_COLOUR: Final = "#6b6b6b"
STANCE_COLOURS: Final = {"supports": "#009E73", "refutes": "#D55E00", "context": "#8a8a8a"}
OUTCOME_COLOURS: Final = {"yes": "#009E73", "no": "#D55E00", "partial": "#E69F00",
                          "annulled": "#8a8a8a"}
_AXIS: Final = "#444444"
_GRID: Final = "#e2e2e2"
_FONT: Final = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"'


def _n(value: float) -> str:
    """A coordinate with one decimal, never '-0.0'."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _luminance(colour: str) -> float:
    """WCAG's relative luminance of a "#rrggbb" colour: 0 black, 1 white."""
    red, green, blue = (
        value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        for value in (int(colour[index:index + 2], 16) / 255 for index in (1, 3, 5))
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def ink_on(background: str) -> str:
    """Black or white text, whichever contrasts more with `background` (they tie at a
    luminance of about 0.179): white on the palette's orange or light blue was about 2:1,
    below the 4.5:1 WCAG asks of small text."""
    return "#000000" if _luminance(background) > 0.179 else "#ffffff"


def reviewer_colour(index: int) -> str:
    return REVIEWER_COLOURS[index % len(REVIEWER_COLOURS)]


def _svg_open(width: int, height: int, label: str, css_class: str) -> str:
    return (f'<svg class="{css_class}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="{escape(label)}" {_FONT} font-size="11">'
            f"<title>{escape(label)}</title>")


# --------------------------------------------------------------------------- calibration


def calibration_chart(bins: Sequence[CalibrationBin], label: str) -> str:
    """Observed frequency against mean forecast per bin: the diagonal is perfect calibration,
    each point is sized by its count and carries its 95 % Wilson interval."""
    width, height = 320, 300
    left, top, size = 52, 14, 240
    right, bottom = left + size, top + size

    def x(p: float) -> float:
        return left + p * size

    def y(p: float) -> float:
        return bottom - p * size

    parts = [_svg_open(width, height, label, "chart calibration")]
    for step in range(11):
        value = step / 10
        colour = _AXIS if step in (0, 10) else _GRID
        parts.append(f'<line x1="{_n(x(value))}" y1="{_n(top)}" x2="{_n(x(value))}" '
                     f'y2="{_n(bottom)}" stroke="{colour}" stroke-width="1"/>')
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y(value))}" x2="{_n(right)}" '
                     f'y2="{_n(y(value))}" stroke="{colour}" stroke-width="1"/>')
        if step % 2 == 0:
            parts.append(f'<text x="{_n(x(value))}" y="{_n(bottom + 14)}" '
                         f'text-anchor="middle" fill="{_AXIS}">{step * 10}%</text>')
            parts.append(f'<text x="{_n(left - 6)}" y="{_n(y(value) + 4)}" '
                         f'text-anchor="end" fill="{_AXIS}">{step * 10}%</text>')
    parts.append(f'<line x1="{_n(x(0))}" y1="{_n(y(0))}" x2="{_n(x(1))}" y2="{_n(y(1))}" '
                 f'stroke="{_AXIS}" stroke-width="1" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{_n(left + size / 2)}" y="{_n(bottom + 30)}" text-anchor="middle" '
                 f'fill="{_AXIS}">forecast probability (bin mean)</text>')
    parts.append(f'<text transform="translate(14 {_n(top + size / 2)}) rotate(-90)" '
                 f'text-anchor="middle" fill="{_AXIS}">observed frequency</text>')
    filled = [cell for cell in bins if cell.count and cell.mean_forecast is not None
              and cell.observed_frequency is not None]
    largest = max((cell.count for cell in filled), default=1)
    for cell in filled:
        assert cell.mean_forecast is not None and cell.observed_frequency is not None
        cx, cy = x(cell.mean_forecast), y(cell.observed_frequency)
        tip = (f"{cell.lower:.1f}-{cell.upper:.1f}: {cell.count} forecasts, mean "
               f"{cell.mean_forecast:.2f}, observed {cell.observed_frequency:.2f}")
        if cell.wilson_low is not None and cell.wilson_high is not None:
            low, high = y(cell.wilson_low), y(cell.wilson_high)
            tip += f", 95% interval [{cell.wilson_low:.2f}, {cell.wilson_high:.2f}]"
            parts.append(f'<line x1="{_n(cx)}" y1="{_n(low)}" x2="{_n(cx)}" y2="{_n(high)}" '
                         f'stroke="{REVIEWER_COLOURS[0]}" stroke-width="1.5"/>')
            for end in (low, high):
                parts.append(f'<line x1="{_n(cx - 4)}" y1="{_n(end)}" x2="{_n(cx + 4)}" '
                             f'y2="{_n(end)}" stroke="{REVIEWER_COLOURS[0]}" '
                             f'stroke-width="1.5"/>')
        radius = 3 + 8 * math.sqrt(cell.count / largest)
        parts.append(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(radius)}" '
                     f'fill="{REVIEWER_COLOURS[0]}" fill-opacity="0.55" '
                     f'stroke="{REVIEWER_COLOURS[0]}" stroke-width="1">'
                     f"<title>{escape(tip)}</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------- timelines


def _micros(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _month_starts(start: datetime, end: datetime, every: int) -> list[datetime]:
    """First days of months (January-aligned every `every` months) inside [start, end]."""
    year, month = start.year, start.month
    ticks: list[datetime] = []
    while True:
        moment = datetime(year, month, 1, tzinfo=UTC)
        if moment > end:
            return ticks
        if moment >= start and (month - 1) % every == 0:
            ticks.append(moment)
        month += 1
        if month == 13:
            year, month = year + 1, 1


def _ticks(start: datetime, end: datetime) -> list[tuple[datetime, str]]:
    days = (end - start).days
    if days <= 100:
        return [(tick, tick.strftime("%Y-%m")) for tick in _month_starts(start, end, 1)]
    if days <= 800:
        return [(tick, tick.strftime("%Y-%m")) for tick in _month_starts(start, end, 3)]
    years = _month_starts(start, end, 12)
    step = max(1, math.ceil(len(years) / 8))
    return [(tick, str(tick.year)) for tick in years[::step]]


def _range(timeline: ClaimTimeline) -> tuple[datetime, datetime]:
    moments = [timeline.opened_at, timeline.ends_at]
    # Evidence without an observed-on date sits at its recording time, which can be long
    # after the events: it is drawn only if it falls inside the range anyway.
    moments += [item.at for item in timeline.evidence if item.observed_on is not None]
    moments += [event.at for event in timeline.events]
    moments += [item.made_at for item in timeline.forecasts if item.made_at <= timeline.ends_at]
    start, end = min(moments), max(moments)
    deadline = timeline.deadline_end
    if deadline is not None and deadline > end and deadline - end <= (end - start) / 2:
        end = deadline
    if end - start < timedelta(days=2):
        start, end = start - timedelta(days=3), end + timedelta(days=3)
    pad = (end - start) / 40
    return start - pad, end + pad


def stance_marker(stance: str, cx: float, cy: float, retracted: bool, tip: str = "") -> str:
    """The evidence marker: triangle up (supports), down (refutes), circle (context)."""
    colour = STANCE_COLOURS.get(stance, STANCE_COLOURS["context"])
    fill = "none" if retracted else colour
    title = f"<title>{escape(tip)}</title>" if tip else ""
    common = f'fill="{fill}" stroke="{colour}" stroke-width="1.2"'
    if stance == "supports":
        points = f"{_n(cx)},{_n(cy - 5)} {_n(cx + 5)},{_n(cy + 4)} {_n(cx - 5)},{_n(cy + 4)}"
        return f'<polygon points="{points}" {common}>{title}</polygon>'
    if stance == "refutes":
        points = f"{_n(cx)},{_n(cy + 5)} {_n(cx + 5)},{_n(cy - 4)} {_n(cx - 5)},{_n(cy - 4)}"
        return f'<polygon points="{points}" {common}>{title}</polygon>'
    return f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="4" {common}>{title}</circle>'


def _day(moment: datetime | date) -> str:
    return moment.date().isoformat() if isinstance(moment, datetime) else moment.isoformat()


def _evidence_tip(item: TimelineEvidence) -> str:
    when = item.observed_on.isoformat() if item.observed_on else f"recorded {_day(item.at)}"
    retracted = " (retracted)" if item.retracted else ""
    return f"{when} {item.stance}{retracted}: {item.title}"


def _steps(forecasts: Sequence[TimelineForecast], opened: datetime, ends: datetime
           ) -> list[tuple[datetime, TimelineForecast]]:
    """One reviewer's forecast in force over time, as scoring counts it: from when it was
    made (not before the claim opened) until replaced; same-instant ones, the last wins."""
    steps: list[tuple[datetime, TimelineForecast]] = []
    for item in forecasts:
        if item.made_at > ends or (item.made_at == ends and ends != opened):
            continue
        at = max(item.made_at, opened)
        if steps and steps[-1][0] == at:
            steps[-1] = (at, item)
        else:
            steps.append((at, item))
    return steps


def _forecast_tip(reviewer: str, item: TimelineForecast, at: datetime) -> str:
    """Made before the claim opened, a forecast is drawn from the opening: the tip gives
    both days (it gave the opening day alone, as if the forecast were made then)."""
    tip = f"{reviewer}: {percent_text(item.probability)} on {_day(item.made_at)}"
    return tip if item.made_at >= at else f"{tip} (counted from {_day(at)}, when it opened)"


def timeline_chart(timeline: ClaimTimeline, reviewers: Sequence[str]) -> str:
    """Each reviewer's forecast as a step line over the claim's open period (shaded), the
    source's implied confidence dashed, evidence markers below the axis, the deadline dotted
    and the resolution as a vertical line with a diamond at the outcome."""
    width, height = 720, 190
    left, right, top, bottom = 62, 704, 30, 132
    strip = 150
    start, end = _range(timeline)
    t0, t1 = _micros(start), _micros(end)

    def x(moment: datetime) -> float:
        return left + (right - left) * (_micros(moment) - t0) / (t1 - t0)

    def y(p: float) -> float:
        return bottom - p * (bottom - top)

    label = f"Forecasts over time for {timeline.title}"
    parts = [_svg_open(width, height, label, "chart timeline")]
    opened_x, ends_x = x(timeline.opened_at), x(timeline.ends_at)
    parts.append(f'<rect x="{_n(opened_x)}" y="{_n(top)}" width="{_n(max(ends_x - opened_x, 0))}"'
                 f' height="{_n(bottom - top)}" fill="#f1f5fa"/>')
    for value in (0.0, 0.25, 0.5, 0.75, 1.0):
        colour = _AXIS if value == 0.0 else _GRID
        parts.append(f'<line x1="{left}" y1="{_n(y(value))}" x2="{right}" y2="{_n(y(value))}" '
                     f'stroke="{colour}" stroke-width="1"/>')
        if value in (0.0, 0.5, 1.0):
            parts.append(f'<text x="{left - 6}" y="{_n(y(value) + 4)}" text-anchor="end" '
                         f'fill="{_AXIS}">{int(value * 100)}%</text>')
    for tick, text in _ticks(start, end):
        tx = x(tick)
        parts.append(f'<line x1="{_n(tx)}" y1="{bottom}" x2="{_n(tx)}" y2="{bottom + 4}" '
                     f'stroke="{_AXIS}" stroke-width="1"/>')
        parts.append(f'<text x="{_n(tx)}" y="{height - 6}" text-anchor="middle" '
                     f'fill="{_AXIS}">{text}</text>')
    parts.append(f'<text x="{left - 6}" y="{strip + 4}" text-anchor="end" '
                 f'fill="{_AXIS}">evidence</text>')
    parts.append(f'<line x1="{left}" y1="{strip}" x2="{right}" y2="{strip}" stroke="{_GRID}" '
                 'stroke-width="1"/>')
    deadline = timeline.deadline_end
    if deadline is not None and start <= deadline <= end:
        dx = x(deadline)
        parts.append(f'<line x1="{_n(dx)}" y1="{top}" x2="{_n(dx)}" y2="{bottom}" '
                     f'stroke="{_AXIS}" stroke-width="1" stroke-dasharray="1 3">'
                     f"<title>deadline {_day(deadline)}</title></line>")
        parts.append(f'<text x="{_n(dx)}" y="{top - 6}" text-anchor="middle" '
                     f'fill="{_AXIS}">deadline</text>')
    if timeline.implied_confidence is not None and timeline.made_on is not None:
        cy = y(timeline.implied_confidence)
        parts.append(f'<line x1="{_n(opened_x)}" y1="{_n(cy)}" x2="{_n(ends_x)}" y2="{_n(cy)}" '
                     f'stroke="{SOURCE_COLOUR}" stroke-width="1.5" stroke-dasharray="6 3">'
                     f"<title>{escape(_source_tip(timeline))}</title></line>")
    for index, reviewer in enumerate(reviewers):
        own = [item for item in timeline.forecasts if item.reviewer == reviewer]
        steps = _steps(own, timeline.opened_at, timeline.ends_at)
        if not steps:
            continue
        colour = reviewer_colour(index)
        points = []
        for (at, forecast), following in zip(steps, [*steps[1:], None], strict=True):
            until = following[0] if following else timeline.ends_at
            points.append(f"{_n(x(at))},{_n(y(forecast.probability))}")
            points.append(f"{_n(x(until))},{_n(y(forecast.probability))}")
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')
        for at, forecast in steps:
            tip = _forecast_tip(reviewer, forecast, at)
            parts.append(f'<circle cx="{_n(x(at))}" cy="{_n(y(forecast.probability))}" r="3" '
                         f'fill="{colour}"><title>{escape(tip)}</title></circle>')
    for event in timeline.events:
        if event.kind == "resolved" and event.at == timeline.ends_at and timeline.outcome:
            continue  # the resolution in force is drawn below
        ex = x(event.at)
        tip = f"{_day(event.at)} {event.kind} {event.detail}"
        parts.append(f'<rect x="{_n(ex - 3)}" y="{top - 3}" width="6" height="6" fill="#ffffff" '
                     f'stroke="{_AXIS}" stroke-width="1"><title>{escape(tip)}</title></rect>')
    for item in timeline.evidence:
        if not start <= item.at <= end:
            continue
        parts.append(stance_marker(item.stance, x(item.at), strip, item.retracted,
                                   _evidence_tip(item)))
    if timeline.outcome is not None:
        rx = x(timeline.ends_at)
        colour = OUTCOME_COLOURS.get(timeline.outcome, _AXIS)
        parts.append(f'<line x1="{_n(rx)}" y1="{top}" x2="{_n(rx)}" y2="{bottom}" '
                     f'stroke="{colour}" stroke-width="2"/>')
        text = timeline.outcome
        if timeline.outcome_value is not None:
            ry = y(timeline.outcome_value)
            parts.append(f'<polygon points="{_n(rx)},{_n(ry - 6)} {_n(rx + 6)},{_n(ry)} '
                         f'{_n(rx)},{_n(ry + 6)} {_n(rx - 6)},{_n(ry)}" fill="{colour}" '
                         f'stroke="#ffffff" stroke-width="1"/>')
            if timeline.outcome == "partial":
                text = f"partial {timeline.outcome_value:g}"
        anchor = "end" if rx > (left + right) / 2 else "start"
        offset = -4 if anchor == "end" else 4
        parts.append(f'<text x="{_n(rx + offset)}" y="{top - 18}" text-anchor="{anchor}" '
                     f'fill="{_AXIS}" font-weight="bold">resolved {escape(text)} '
                     f"{_day(timeline.ends_at)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _source_tip(timeline: ClaimTimeline) -> str:
    assert timeline.implied_confidence is not None
    who = timeline.source or "source"
    return f"{who}: implied confidence {percent_text(timeline.implied_confidence)}"


STATUS_COLOURS: Final = {
    "confirmed": "#009E73", "partly": "#E69F00", "refuted": "#D55E00", "annulled": "#9a9a9a",
    "open": "#0072B2", "developing": "#56B4E9", "stalled": "#CC79A7",
}


def status_bar(counts: Sequence[tuple[str, int]], label: str) -> str:
    """One horizontal bar split by status, each part as wide as its share of the claims."""
    width, height = 720, 30
    total = sum(count for _, count in counts)
    parts = [_svg_open(width, height, label, "chart status-bar")]
    if total == 0:
        parts.append(f'<rect x="0" y="4" width="{width}" height="22" fill="{_GRID}"/></svg>')
        return "".join(parts)
    x = 0.0
    for name, count in counts:
        if not count:
            continue
        share = width * count / total
        colour = STATUS_COLOURS.get(name, _AXIS)
        parts.append(f'<rect x="{_n(x)}" y="4" width="{_n(share)}" height="22" '
                     f'fill="{colour}"><title>{escape(name)}: {count}</title></rect>')
        if share >= 28:
            parts.append(f'<text x="{_n(x + share / 2)}" y="19" text-anchor="middle" '
                         f'fill="{ink_on(colour)}" font-weight="bold">{count}</text>')
        x += share
    parts.append("</svg>")
    return "".join(parts)


def evidence_swatch(stance: str, retracted: bool) -> str:
    """The evidence marker as a legend mark, hollow when retracted."""
    return ('<svg class="swatch" viewBox="0 0 22 12" width="22" height="12" aria-hidden="true">'
            + stance_marker(stance, 11, 6, retracted) + "</svg>")


def swatch(colour: str, kind: str = "line") -> str:
    """A small legend mark: a solid line, a dashed line, or an evidence marker."""
    head = '<svg class="swatch" viewBox="0 0 22 12" ' \
           'width="22" height="12" aria-hidden="true">'
    if kind == "dashed":
        body = (f'<line x1="1" y1="6" x2="21" y2="6" stroke="{colour}" stroke-width="2" '
                'stroke-dasharray="5 2"/>')
    elif kind in STANCE_COLOURS:
        body = stance_marker(kind, 11, 6, False)
    elif kind == "retracted":
        body = stance_marker("supports", 11, 6, True)
    elif kind == "diamond":
        body = f'<polygon points="11,1 16,6 11,11 6,6" fill="{colour}"/>'
    elif kind == "square":
        body = f'<rect x="7" y="2" width="8" height="8" fill="#ffffff" stroke="{_AXIS}"/>'
    else:
        body = f'<line x1="1" y1="6" x2="21" y2="6" stroke="{colour}" stroke-width="2.5"/>'
    return head + body + "</svg>"
