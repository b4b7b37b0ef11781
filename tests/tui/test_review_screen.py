"""The review session: queue order, what changed, blind forecasting, the summary."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Label, OptionList, Static

from tests.conftest import Clock
from tests.tui.conftest import (
    SIZE,
    add_claim,
    settle,
    told_it_went_away,
    type_text,
    went_away,
)
from tracker.ledger import EntryStamp, Ledger
from tracker.queries import Queries
from tracker.tui.app import TrackerApp
from tracker.tui.dialogs.conflict import ConflictDialog
from tracker.tui.dialogs.summary import SummaryDialog
from tracker.tui.format import stamp
from tracker.tui.screens import base, review
from tracker.tui.screens.claims import ClaimsScreen
from tracker.tui.screens.review import ReviewScreen
from tracker.tui.widgets.claim_detail import ClaimDetailView
from tracker.tui.widgets.claims_table import ClaimsTable
from tracker.tui.writes import PendingWrite, apply


def shown(app: TrackerApp, selector: str) -> str:
    """The text of a Static (or of the detail pane) as the reviewer reads it."""
    node = app.screen.query_one(selector)
    if isinstance(node, ClaimDetailView):
        node = node.query_one("#detail-body", Static)
    assert isinstance(node, Static)
    console = Console(width=200, record=True)
    console.print(node.content)
    return console.export_text()


async def start_review(pilot: Pilot[None]) -> None:
    """From the app as it opens, into a review session with its queue built."""
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)


async def skip_to(pilot: Pilot[None], slug: str) -> ReviewScreen:
    """In a review session, skip claims in the queue until `slug` is under review."""
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    while screen.item is not None and screen.item.slug != slug:
        await pilot.press("n")
        await settle(pilot)
    assert screen.item is not None, f"{slug} is not in the queue"
    return screen


async def review_ev_share(pilot: Pilot[None]) -> None:
    """Into a review session, past rates-cut to ev-share (where bob forecast 20%)."""
    await start_review(pilot)
    await pilot.press("n")
    await settle(pilot)


def first_palette_hit(app: TrackerApp) -> str:
    options = app.screen.query_one(OptionList)
    return str(options.get_option_at_index(0).prompt) if options.option_count else ""


def queue_slugs(app: TrackerApp) -> list[str]:
    queue = app.screen.query_one("#queue", OptionList)
    return [str(queue.get_option_at_index(index).id) for index in range(queue.option_count)]


async def test_queue_order_and_reasons(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    add_claim(seeded, "daily", "Reviewed daily", cadence="FREQ=DAILY")
    clock.advance(days=2)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert queue_slugs(app) == ["rates-cut", "ev-share", "daily"]
        assert [item.reason_text for item in app.screen.queue] == [
            "deadline passed", "new evidence", "review due",
        ]
        assert "Claim 1 of 3" in shown(app, "#review-progress")


async def test_a_forecast_gone_stale_brings_its_claim_into_the_queue(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    seeded.forecast("fusion-grid", 0.1, reviewer="alice")
    clock.advance(days=91)  # past the default 90 days a forecast stays fresh
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        assert isinstance(app.screen, ReviewScreen)
        reasons = {item.slug: item.reason_text for item in app.screen.queue}
        assert reasons["fusion-grid"] == "forecast stale"
        assert "fusion-grid" in queue_slugs(app)


async def test_blind_forecasting_hides_the_team_until_you_forecast(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        assert "blind" not in shown(app, "#review-progress")  # rates-cut: no one else's
        await pilot.press("n")  # skip rates-cut: ev-share, where bob forecast 20%
        await settle(pilot)
        assert "blind: 1 team forecaster hidden" in shown(app, "#review-progress")
        assert "bob          forecast" not in shown(app, "#since-last")
        assert "1 team forecast hidden" in shown(app, "#since-last")
        detail = shown(app, "#review-detail")
        assert "1 team forecaster hidden" in detail and "bob  " not in detail
        await pilot.press("f")
        await type_text(pilot, "45%")
        await pilot.press("enter")
        await settle(pilot)
        detail = shown(app, "#review-detail")
        assert "bob" in detail and "team median" in detail
        assert "forecast 20%" in shown(app, "#since-last")
    assert queries.claim_detail("ev-share").forecasts[-1].probability == 0.45


async def test_blind_forecasting_reveals_the_team_once_the_claim_is_resolved(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """A closed claim cannot be forecast: nothing is left to anchor, so nothing stays hidden."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await review_ev_share(pilot)
        assert "bob  " not in shown(app, "#review-detail")
        seeded.resolve("ev-share", "no", reviewer="carol", note="sales fell")
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.item is not None
        screen.load_item(screen.item)
        await settle(pilot)
        assert "blind" not in shown(app, "#review-progress")
        assert "bob" in shown(app, "#review-detail")


async def test_without_blind_forecasting_the_team_is_shown_at_once(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui(blind=False)
    async with app.run_test(size=SIZE) as pilot:
        await review_ev_share(pilot)
        assert "team median" in shown(app, "#review-detail")
        await pilot.press("ctrl+b")  # blind again, from the keyboard
        await settle(pilot)
        assert "hidden until you forecast" in shown(app, "#review-detail")


async def test_changes_since_the_last_review_come_first(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    seeded.mark_reviewed("ev-share", "alice")
    clock.advance(days=3)
    seeded.add_evidence("ev-share", title="Tariffs announced", stance="refutes", reviewer="bob")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await review_ev_share(pilot)
        since = shown(app, "#since-last")
        assert "Since your last review (2024-01-01) · 1 new" in since
        assert "Tariffs announced" in since and "Sales up 30%" not in since


async def test_evidence_imported_since_the_last_review_is_listed_as_imported(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    """Recorded by bob in his database before alice's last review, merged in after ten
    entries of carl's: listed first, where it is not missed, and said to be imported."""
    recorded = clock.now
    clock.advance(hours=1)
    seeded.mark_reviewed("ev-share", "alice")
    for number in range(1, 11):
        clock.advance(hours=1)
        seeded.add_evidence("ev-share", title=f"Report {number}", stance="context",
                            reviewer="carl")
    clock.advance(days=3)
    seeded.add_evidence("ev-share", title="Tariffs announced", stance="refutes", reviewer="bob",
                        stamp=EntryStamp(recorded_at=recorded))
    imported = stamp(clock.now)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await review_ev_share(pilot)
        since = shown(app, "#since-last").splitlines()
        assert "· 11 new" in since[0]
        assert since[1].startswith(f"  {stamp(recorded)}  evidence")
        assert f"(imported {imported}) [refutes] Tariffs announced" in since[1]
        assert "[context] Report 10" in since[2] and "(imported" not in since[2]
        assert not any("Sales up 30%" in line for line in since)


async def test_changes_since_the_last_review_are_listed_by_the_time_they_show(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    """Listed newest first by when they reached this database, they showed when they were
    recorded: bob's report, recorded after the last review and merged in two days later,
    came first with a time earlier than carl's under it."""
    seeded.mark_reviewed("ev-share", "alice")
    recorded = clock.advance(days=1)
    clock.advance(days=1)
    seeded.add_evidence("ev-share", title="Carl's report", stance="context", reviewer="carl")
    clock.advance(days=1)
    seeded.add_evidence("ev-share", title="Bob's report", stance="context", reviewer="bob",
                        stamp=EntryStamp(recorded_at=recorded))
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await review_ev_share(pilot)
        carls, bobs = shown(app, "#since-last").splitlines()[1:3]
        assert "Carl's report" in carls and "Bob's report" in bobs
        assert bobs.startswith(f"  {stamp(recorded)}") and carls[:18] > bobs[:18]
        assert "(imported" not in bobs  # recorded after the last review: not late news


async def test_the_newest_changes_are_listed_first_and_the_rest_counted(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    add_claim(seeded, "daily", "Reviewed daily", cadence="FREQ=DAILY")  # due after ev-share
    seeded.mark_reviewed("ev-share", "alice")
    clock.advance(days=2)
    for number in range(1, 21):
        clock.advance(hours=1)
        for slug in ("ev-share", "daily"):  # both longer than the pane
            seeded.add_evidence(slug, title=f"Report {number}", stance="context",
                                reviewer="bob")
    seeded.forecast("ev-share", 0.3, reviewer="bob")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await review_ev_share(pilot)
        lines = shown(app, "#since-last").splitlines()
        assert lines[1].strip() == "1 team forecast hidden (blind)"
        titles = [line.split("[context] ")[1].strip() for line in lines if "[context]" in line]
        assert titles == [f"Report {number}" for number in range(20, 12, -1)]
        assert lines[0].strip() == "Since your last review (2024-01-01) · 20 new"  # above the cut
        view = app.screen.query_one(ClaimDetailView)
        assert view.region.height > 0 and view.max_scroll_y > 0
        view.scroll_end(animate=False)
        await settle(pilot)
        await pilot.press("n")  # the next claim opens at its top
        await settle(pilot)
        view = app.screen.query_one(ClaimDetailView)
        assert queue_slugs(app)[0] == "daily" and view.max_scroll_y > 0
        assert view.scroll_y == 0


async def test_a_long_slug_in_the_queue_is_cut_not_wrapped(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    slug = "privacy-permission-embedding-minor-versions"
    add_claim(seeded, slug, "Minor versions add privacy controls", cadence="FREQ=DAILY")
    for number in range(8):  # a long log: what changed could fill the screen
        seeded.add_evidence(slug, title=f"Report {number}", stance="context", reviewer="bob")
    clock.advance(days=2)
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_review(pilot)
        queue = app.screen.query_one("#queue", OptionList)
        prompt = next(str(queue.get_option_at_index(index).prompt)
                      for index in range(queue.option_count)
                      if queue.get_option_at_index(index).id == slug)
        start, end = prompt.splitlines()[0].split("…")
        assert slug.startswith(start) and slug.endswith(end)
        assert len(start) + 1 + len(end) <= queue.scrollable_content_region.width
        # What changed since the last review leaves most of a small screen to the claim.
        screen = await skip_to(pilot, slug)
        since = screen.query_one("#since-last")
        assert since.outer_size.height <= 8 < screen.query_one("#review-detail").outer_size.height


async def test_long_slugs_that_differ_at_the_end_stay_apart_in_the_queue(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    """Cut at the end, both read "cadence-anthropic-claude-two-m…"; the detail pane has the
    whole slug of the claim under review."""
    slugs = [f"cadence-anthropic-claude-two-majors-by-{year}" for year in (2026, 2027)]
    for slug in slugs:
        add_claim(seeded, slug, "Two major Claude versions", cadence="FREQ=DAILY")
    clock.advance(days=2)
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_review(pilot)
        queue = app.screen.query_one("#queue", OptionList)
        first_lines = {str(queue.get_option(slug).prompt).splitlines()[0] for slug in slugs}
        assert {line.rstrip()[-4:] for line in first_lines} == {"2026", "2027"}
        await skip_to(pilot, slugs[0])
        assert shown(app, "#review-detail").startswith(slugs[0])


def lines_spelling(slug: str, lines: list[str], first: int) -> list[str]:
    """The lines from `first` on that spell `slug` between them."""
    taken: list[str] = []
    while "".join(taken) != slug and first + len(taken) < len(lines):
        taken.append(lines[first + len(taken)].strip())
    return taken


async def test_at_80x24_the_detail_pane_breaks_deadlines_and_slugs_between_their_parts(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    """The pane's right column is 17 cells wide there: a window read "2024-01-01..2024" /
    "-12-31", a slug longer than the column was cut at its edge ("privacy-permissio" /
    "n-embedding-minor" / "-versions"), and a cadence "FREQ=DAILY;INTER" / "VAL=1"."""
    parent, slug, child = ("privacy-permission-embedding-minor-versions",
                           "embedding-multimodal-image-file-audio",
                           "audio-and-image-embeddings-ship")
    add_claim(seeded, parent, "Minor versions add privacy controls")
    add_claim(seeded, slug, "One model embeds images, files and audio", parent=parent,
              deadline="2024-01-01..2024-12-31", cadence="FREQ=DAILY;INTERVAL=1")
    add_claim(seeded, child, "Audio and image embeddings ship", parent=slug)
    clock.advance(days=2)
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_review(pilot)
        screen = await skip_to(pilot, slug)
        body = screen.query_one("#review-detail #detail-body", Static)
        console = Console(width=body.content_region.width, record=True)
        console.print(body.content)
        lines = console.export_text().splitlines()
        column = next(line.index("deadline") for line in lines if "deadline" in line)
        right = [line[column:].strip() for line in lines]  # deadline, tags, questions
        deadline = right.index("deadline")
        assert right[deadline + 1:deadline + 3] == ["2024-01-01 ..", "2024-12-31"]
        cadence = right.index("review cadence")
        assert right[cadence + 1:cadence + 3] == ["FREQ=DAILY;", "INTERVAL=1"]
        for whole, above in ((parent, "derived from"), (child, "open")):
            parts = lines_spelling(whole, right, right.index(above) + 1)
            assert "".join(parts) == whole and len(parts) > 1
            assert all(part.endswith("-") for part in parts[:-1]), parts


async def test_a_url_the_pane_folds_is_one_terminal_link(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    """At 80 columns an evidence URL is folded over lines; each piece carries the whole
    address as its link (OSC 8), so a click on any of them opens the page."""
    url = "https://example.org/reports/2025/a-long-path-to-the-evidence-page?section=results"
    seeded.add_evidence("rates-cut", title="A report", stance="supports", url=url,
                        reviewer="bob")
    clock.advance(days=1)
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_review(pilot)
        screen = await skip_to(pilot, "rates-cut")
        body = screen.query_one("#review-detail #detail-body", Static)
        console = Console(width=body.content_region.width)
        lines = console.render_lines(body.content, console.options.update_width(
            body.content_region.width), pad=False)
        linked = [[text for text, style, _ in line if style and style.link == url]
                  for line in lines]
        assert "".join(piece for line in linked for piece in line) == url
        assert sum(bool(line) for line in linked) > 1, "folded over lines"


async def test_an_empty_queue_says_so_and_leaves_nothing_stale_behind(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    seeded.resolve("rates-cut", "no", reviewer="bob")
    seeded.mark_reviewed("ev-share", "alice")
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        assert isinstance(app.screen, SummaryDialog)
        assert "Nothing needs your attention now" in str(app.screen.query_one(Label).render())
        review = app.screen_stack[-2]
        assert isinstance(review, ReviewScreen)
        assert str(review.query_one("#review-progress", Static).render()) == (
            "Nothing needs your attention now")
        body = review.query_one(ClaimDetailView).query_one("#detail-body", Static)
        assert str(body.render()) == "", "not 'no claim selected'"


async def test_a_queue_that_cannot_be_built_says_so_and_ending_shows_no_summary(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen stayed on "Building your review queue…", and esc then showed a summary
    saying "Nothing needs your attention now", still to review 0."""

    monkeypatch.setattr(review, "load_queue", went_away)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert shown(app, "#review-progress").strip() == (
            "The review queue could not be built (see the error message): esc ends the "
            "session.")
        assert told_it_went_away(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)


async def test_ending_a_session_before_its_queue_is_built_shows_no_summary(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Esc while the queue was still read showed "Nothing needs your attention now"."""
    built, queue_may_come = review.load_queue, threading.Event()

    def held(*args: object, **options: object) -> object:  # a slow shared database
        queue_may_come.wait(timeout=30)
        return built(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(review, "load_queue", held)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        try:
            await settle(pilot)
            await pilot.press("r")
            await pilot.pause()
            assert shown(app, "#review-progress").strip() == "Building your review queue…"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ClaimsScreen)
        finally:
            queue_may_come.set()
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)


def summary_rows(app: TrackerApp) -> list[list[str]]:
    """The session summary's table, a row of words each."""
    console = Console(width=80, record=True)
    console.print(app.screen.query_one("#summary-table", Static).content)
    return [line.split() for line in console.export_text().splitlines()]


@pytest.mark.parametrize(("keys", "counted"), [
    (("escape",), ["resolved", "1"]),  # the session ended on it
    (("n", "escape"), ["skipped", "1"]),  # skipped after it was resolved
])
async def test_a_claim_resolved_in_the_session_is_not_still_to_review(
    seeded: Ledger, tui: Callable[..., TrackerApp], keys: tuple[str, ...], counted: list[str]
) -> None:
    """Ending the session on a claim just resolved, or skipping it then, counted it as still
    to review; the next session's queue does not have it."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        await pilot.press("x", "enter", "down", "down", "enter", "ctrl+s")  # rates-cut: no
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)
        assert isinstance(app.screen, SummaryDialog)
        summary = summary_rows(app)
        assert counted in summary
        assert ["still", "to", "review", "1"] in summary, "ev-share only"


async def test_session_summary_counts_and_review_marks(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        await pilot.press("x", "enter", "down", "down", "enter", "ctrl+s")  # rates-cut: no
        await settle(pilot)
        await pilot.press("enter")  # done with rates-cut
        await settle(pilot)
        await pilot.press("n")  # skip ev-share: the queue is empty
        await settle(pilot)
        assert isinstance(app.screen, SummaryDialog)
        tally = app.screen.tally
        assert (tally.reviewed, tally.resolved, tally.skipped, tally.forecasts) == (1, 1, 1, 0)
        summary = summary_rows(app)
        assert ["reviewed", "1"] in summary and ["resolved", "1"] in summary
        assert ["skipped", "1"] in summary and ["forecasts", "0"] in summary
        assert ["still", "to", "review", "1"] in summary, "the skipped claim comes back"
        review = app.screen_stack[-2]  # what shows behind the summary: the queue done
        assert isinstance(review, ReviewScreen)
        behind = "".join(str(review.query_one(selector, Static).render())
                         for selector in ("#review-progress", "#since-last"))
        assert behind == "Queue done: 2 claims"
        assert not review.query_one("#queue", OptionList).option_count
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
        table = app.screen.query_one(ClaimsTable)  # reloaded: shows what the session did
        assert table.cell(table.slugs.index("rates-cut"), "status") == "refuted"
    assert queries.claim_detail("rates-cut").status == "refuted"
    trails = queries.reviewer_trails("alice")
    assert trails["rates-cut"].last_reviewed_at is not None
    assert "ev-share" not in trails or trails["ev-share"].last_reviewed_at is None


async def test_jumping_to_a_claim_from_the_palette_ends_the_review_with_its_summary(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        await pilot.press("f")
        await type_text(pilot, "70%")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await type_text(pilot, "Fusion power")
        for _ in range(100):  # the palette searches the database in the background
            await pilot.pause(0.02)
            if "fusion-grid" in first_palette_hit(app):
                break
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryDialog)  # not a silent end: the tally is shown
        assert app.screen.tally.forecasts == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClaimsScreen)
        assert not any(isinstance(screen, ReviewScreen) for screen in app.screen_stack)
        assert app.screen.query_one(ClaimsTable).current_slug == "fusion-grid"
    assert [item.probability for item in queries.claim_detail("rates-cut").forecasts] == [0.7]


async def test_view_claims_over_the_summary_shows_the_summary_once(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        await pilot.press("escape")  # ends the session: its summary
        await settle(pilot)
        app.action_show_claims()  # what the palette's View claims runs
        await settle(pilot)
        assert [type(screen).__name__ for screen in app.screen_stack] == [
            "ClaimsScreen", "ReviewScreen", "SummaryDialog"]
        await pilot.press("enter")
        await settle(pilot)
        assert [type(screen).__name__ for screen in app.screen_stack] == ["ClaimsScreen"]


async def test_a_conflict_in_a_review_keeps_the_team_hidden_and_lists_the_change(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """The conflict dialog shows the claim as blind as the review does, and once it is
    closed, what changed since the last review includes the change met there."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await review_ev_share(pilot)
        seeded.change_status("ev-share", "stalled", reviewer="bob", note="supply issues")
        await pilot.press("c", "enter", "down", "enter", "ctrl+s")  # developing
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        fresh = shown(app, "#conflict-fresh")
        assert "1 team forecaster hidden" in fresh and "bob  " not in fresh
        await pilot.press("escape")  # discard
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert "status open -> stalled: supply issues" in shown(app, "#since-last")


async def test_at_80_columns_each_change_since_the_last_review_shows_its_text(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """The date, kind and reviewer took the whole pane: every line ended in "…" before its
    text. A narrow pane gives the text a line of its own."""
    app = tui()
    async with app.run_test(size=(80, 24)) as pilot:
        await start_review(pilot)
        panel = app.screen.query_one("#since-last", Static)
        console = Console(width=panel.content_region.width, record=True)
        console.print(panel.content)
        text = console.export_text()
        assert "revision   alice" in text and "\n    created" in text
    async with tui().run_test(size=SIZE) as pilot:  # wide: one line each
        await start_review(pilot)
        panel = pilot.app.screen.query_one("#since-last", Static)
        console = Console(width=panel.content_region.width, record=True)
        console.print(panel.content)
        assert "revision   alice        created" in console.export_text()


async def test_done_over_evidence_added_meanwhile_shows_it_before_marking(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp]
) -> None:
    """Bob's evidence, added while alice had the claim on screen, was hidden by her "Done":
    the claim left her queue unread."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.selected_slug() == "rates-cut"
        seeded.add_evidence("rates-cut", title="Bob's refutation", stance="refutes",
                            reviewer="bob")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.selected_slug() == "rates-cut", "not marked, not moved on"
        assert "Bob's refutation" in shown(app, "#since-last")
        assert [notice.message for notice in app._notifications] == [
            "reviewed rates-cut: rates-cut has 1 entry by bob new since it was shown "
            "to you: read it, then mark the claim reviewed"]
        assert "rates-cut" not in {slug for slug, trail in
                                   queries.reviewer_trails("alice").items()
                                   if trail.last_reviewed_at}
        await pilot.press("enter")
        await settle(pilot)
        assert screen.selected_slug() == "ev-share"
    assert queries.reviewer_trails("alice")["rates-cut"].last_reviewed_at is not None


def held_marks(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Writes wait, as on a slow shared database, until the event returned is set: keys
    pressed before then arrive while the write is being saved, however busy the machine."""
    write_may_end = threading.Event()

    def held_apply(ledger: Ledger, reviewer: str, write: PendingWrite) -> None:
        write_may_end.wait(timeout=30)
        apply(ledger, reviewer, write)

    monkeypatch.setattr(base, "apply", held_apply)
    return write_may_end


@pytest.mark.parametrize("second", ["enter", "n"])
async def test_done_or_skip_pressed_while_the_mark_is_saved_is_ignored(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp],
    monkeypatch: pytest.MonkeyPatch, second: str
) -> None:
    """The second key, pressed before the first mark was saved, marked the first claim
    again (enter) or skipped (n), then moved past the second claim, never shown."""
    write_may_end = held_marks(monkeypatch)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.selected_slug() == "rates-cut"
        try:
            await pilot.press("enter", second)
            await pilot.pause()
        finally:
            write_may_end.set()
        await settle(pilot)
        assert screen.selected_slug() == "ev-share"
        assert (screen.tally.reviewed, screen.tally.skipped) == (1, 0)
    trails = queries.reviewer_trails("alice")
    assert "ev-share" not in trails or trails["ev-share"].last_reviewed_at is None


async def test_skip_pressed_while_the_next_claim_is_read_waits_for_it(
    seeded: Ledger, queries: Queries, tui: Callable[..., TrackerApp],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """n, n skipped rates-cut, then ev-share while it was still being read: the claim
    before it was on screen, so ev-share was passed over (and counted skipped) unseen."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.selected_slug() == "rates-cut"
        timeline, read_may_end = app.queries.timeline, threading.Event()

        def held_timeline(*args: object, **options: object) -> object:  # a slow database
            read_may_end.wait(timeout=30)
            return timeline(*args, **options)  # type: ignore[arg-type]

        monkeypatch.setattr(app.queries, "timeline", held_timeline)
        try:
            await pilot.press("n", "n")  # the second while ev-share is being read
            await pilot.pause()
        finally:
            read_may_end.set()
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert screen.selected_slug() == "ev-share"
        assert screen.detail is not None and screen.detail.slug == "ev-share"
        assert screen.tally.skipped == 1


async def test_a_form_key_pressed_while_the_last_mark_is_saved_waits(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the last claim, enter then f opened a form that the summary then covered, and
    closing the summary threw away what was typed in it."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await review_ev_share(pilot)  # the last claim of the queue
        write_may_end = held_marks(monkeypatch)
        try:
            await pilot.press("enter", "f")
            await pilot.pause()
        finally:
            write_may_end.set()
        await settle(pilot)
        assert [type(screen).__name__ for screen in app.screen_stack] == [
            "ClaimsScreen", "ReviewScreen", "SummaryDialog"]


async def test_a_mark_that_fails_unforeseen_leaves_done_working(
    seeded: Ledger, tui: Callable[..., TrackerApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = [RuntimeError("disk on fire")]

    def failing_once(ledger: Ledger, reviewer: str, write: PendingWrite) -> None:
        if failures:
            raise failures.pop()
        apply(ledger, reviewer, write)

    monkeypatch.setattr(base, "apply", failing_once)
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.selected_slug() == "rates-cut"
        assert any("disk on fire" in notice.message for notice in app._notifications)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.selected_slug() == "ev-share"


async def test_only_others_entries_set_what_was_seen(
    seeded: Ledger, clock: Clock, tui: Callable[..., TrackerApp]
) -> None:
    """Alice's clock ran ahead of bob's: her own forecast set the moment "seen through",
    and bob's evidence, recorded after she looked but stamped earlier, was hidden by Done.
    Bob's forecasts do not hold Done back: blind forecasting may hide them from her."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        clock.advance(minutes=10)
        await pilot.press("f")
        await type_text(pilot, "40%")
        await pilot.press("enter")
        await settle(pilot)
        clock.advance(minutes=-5)  # bob's clock is behind alice's
        seeded.add_evidence("rates-cut", title="Bob's late news", stance="refutes",
                            reviewer="bob")
        seeded.forecast("rates-cut", 0.2, reviewer="bob")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.selected_slug() == "rates-cut"
        assert any("1 entry by bob new since" in notice.message
                   for notice in app._notifications)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.selected_slug() == "ev-share"


async def test_quit_in_a_review_session_shows_its_summary_first(
    seeded: Ledger, tui: Callable[..., TrackerApp]
) -> None:
    """q ended the app at once, the session's tally unseen."""
    app = tui()
    async with app.run_test(size=SIZE) as pilot:
        await start_review(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, SummaryDialog) and app.screen.tally.skipped == 1
        assert "esc quits tracker" in str(app.screen.query_one(".field-hint", Static).render())
        assert app.return_code is None, "not quit yet"
        await pilot.press("escape")
        await pilot.pause()
        assert app.return_code == 0, "closing the summary quits"
