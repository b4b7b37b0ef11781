from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.conftest import Clock
from tests.helpers import definition, dump
from tracker import definitions
from tracker.claimfiles.exporter import export_claims
from tracker.errors import IllegalTransition, InvalidInput, NotFound, TrackerError
from tracker.horizons import parse_deadline
from tracker.ledger import EntryStamp, Ledger
from tracker.queries import Queries


@pytest.fixture
def claim(ledger: Ledger) -> str:
    return ledger.create_claim(definition(), "ann")


def test_create_and_read_back(ledger: Ledger, queries: Queries, claim: str) -> None:
    detail = queries.claim_detail(claim)
    assert detail.definition == definition()
    assert detail.status == "open"
    assert detail.version == 1
    assert detail.changed_by == "ann"
    assert [revision.version for revision in detail.revisions] == [1]


def test_the_note_given_with_a_new_claim_is_kept_in_its_first_revision(
    ledger: Ledger, queries: Queries
) -> None:
    ledger.create_claim(definition("noted"), "ann", note="from the keynote")
    [revision] = queries.claim_detail("noted").revisions
    assert revision.note == "from the keynote"


def test_edit_is_versioned_and_keeps_old_revision(
    ledger: Ledger, queries: Queries, claim: str
) -> None:
    new = replace(definition(), statement="Changed.", tags=("compute", "serving"))
    assert ledger.edit_claim(claim, new, "bob", expected_version=1, note="clarify") == 2
    detail = queries.claim_detail(claim)
    assert detail.definition.statement == "Changed."
    assert [r.definition.statement for r in detail.revisions] == [
        definition().statement, "Changed."
    ]
    assert detail.revisions[1].note == "clarify"


def test_evidence_and_retraction_are_append_only(
    ledger: Ledger, queries: Queries, claim: str
) -> None:
    uuid = ledger.add_evidence(claim, title="Report", stance="supports", reviewer="ann",
                               url="https://example.org/r", observed_on=date(2024, 1, 2))
    ledger.retract_evidence(uuid, reason="misread", reviewer="bob")
    [item] = queries.claim_detail(claim).evidence
    assert item.retracted and item.retraction is not None
    assert item.retraction.reason == "misread"
    assert item.observed_on == date(2024, 1, 2)
    with pytest.raises(IllegalTransition, match="already retracted"):
        ledger.retract_evidence(uuid, reason="again", reviewer="bob")


def test_evidence_keeps_the_stance_it_was_given(
    ledger: Ledger, queries: Queries, claim: str
) -> None:
    """The stance tells a reader which way the evidence points: each must read back as given."""
    for stance in ("refutes", "context", "supports"):
        ledger.add_evidence(claim, title=stance, stance=stance, reviewer="ann")
    assert {item.title: item.stance for item in queries.claim_detail(claim).evidence} == {
        "refutes": "refutes", "context": "context", "supports": "supports"}


def test_every_entry_reads_back_with_the_words_and_days_it_was_given(
    ledger: Ledger, queries: Queries, claim: str
) -> None:
    """Notes, reasons, summaries and observed days are what a reader of the history weighs:
    none may be dropped on the way to the database."""
    ledger.add_evidence(claim, title="Report", summary="Inference passed 60%.",
                        stance="supports", reviewer="ann")
    ledger.forecast(claim, 0.6, reviewer="ann", rationale="trend holds")
    ledger.change_status(claim, "developing", reviewer="ann", note="signs",
                         observed_on=date(2023, 12, 30))
    ledger.resolve(claim, "yes", reviewer="ann", note="reported", observed_on=date(2023, 12, 31))
    ledger.reopen(claim, reason="report withdrawn", reviewer="bob")
    detail = queries.claim_detail(claim)
    assert detail.evidence[0].summary == "Inference passed 60%."
    assert detail.forecasts[0].rationale == "trend holds"
    assert [(change.note, change.observed_on) for change in detail.status_changes] == [
        ("signs", date(2023, 12, 30)), ("report withdrawn", None)]
    [resolution] = detail.resolutions
    assert (resolution.note, resolution.observed_on) == ("reported", date(2023, 12, 31))


def test_lifecycle_status_resolve_reopen(ledger: Ledger, queries: Queries, claim: str) -> None:
    assert ledger.change_status(claim, "developing", reviewer="ann", note="signs") == 2
    assert ledger.resolve(claim, "partial", value=0.4, reviewer="ann", note="half") == 3
    assert queries.claim_detail(claim).status == "partly"
    with pytest.raises(IllegalTransition, match="reopen"):
        ledger.change_status(claim, "stalled", reviewer="ann")
    with pytest.raises(IllegalTransition, match="reopen"):
        ledger.resolve(claim, "yes", reviewer="ann")
    with pytest.raises(IllegalTransition, match="reopen"):
        ledger.forecast(claim, 0.5, reviewer="ann")
    assert ledger.reopen(claim, reason="new data", reviewer="bob") == 4
    assert ledger.resolve(claim, "no", reviewer="bob") == 5
    detail = queries.claim_detail(claim)
    assert detail.status == "refuted"
    assert [r.outcome for r in detail.resolutions] == ["partial", "no"]
    assert detail.resolution is not None and detail.resolution.value == 0.0
    assert [c.is_reopen for c in detail.status_changes] == [False, True]


@pytest.mark.parametrize(
    ("outcome", "value", "status", "scored"),
    [("yes", None, "confirmed", 1.0), ("no", None, "refuted", 0.0),
     ("partial", 0.25, "partly", 0.25), ("annulled", None, "annulled", None)],
)
def test_resolution_outcomes(ledger: Ledger, queries: Queries, claim: str, outcome: str,
                             value: float | None, status: str, scored: float | None) -> None:
    ledger.resolve(claim, outcome, value=value, reviewer="ann")
    detail = queries.claim_detail(claim)
    assert detail.status == status
    assert detail.resolution is not None and detail.resolution.value == scored


def test_forecasts_accept_the_whole_closed_interval(
    ledger: Ledger, queries: Queries, claim: str
) -> None:
    for probability in (0.0, 0.5, 1.0):
        ledger.forecast(claim, probability, reviewer="ann")
    assert [f.probability for f in queries.claim_detail(claim).forecasts] == [0.0, 0.5, 1.0]


def test_a_forecast_of_negative_zero_is_stored_as_zero(
    ledger: Ledger, queries: Queries, claim: str
) -> None:
    """PostgreSQL keeps the sign of -0.0: `tracker show` then listed the forecast as -0%."""
    ledger.forecast(claim, -0.0, reviewer="ann")
    [forecast] = queries.claim_detail(claim).forecasts
    assert forecast.probability == 0.0 and math.copysign(1.0, forecast.probability) == 1.0


def test_parent_shows_derived_questions(ledger: Ledger, queries: Queries, claim: str) -> None:
    ledger.create_claim(definition("serving-majority-2026", parent=claim), "ann")
    assert [c.slug for c in queries.claim_detail(claim).children] == ["serving-majority-2026"]
    assert queries.claim_detail("serving-majority-2026").definition.parent == claim


def test_a_derived_question_given_no_made_on_day_takes_its_parents(
    ledger: Ledger, queries: Queries, claim: str
) -> None:
    """It is asked when its parent was made (claims/README), and scored from then: without
    the day it opened when it was recorded, and its forecasts covered less time."""
    ledger.create_claim(definition("derived", parent=claim, made_on=None), "ann")
    assert queries.claim_detail("derived").definition.made_on == date(2023, 6, 29)
    ledger.create_claim(definition("own-day", parent=claim, made_on=date(2024, 1, 2)), "ann")
    assert queries.claim_detail("own-day").definition.made_on == date(2024, 1, 2)
    ledger.create_claim(definition("no-parent", made_on=None), "ann")
    assert queries.claim_detail("no-parent").definition.made_on is None


REFUSALS = [
    ("probability above 1", lambda L, s: L.forecast(s, 1.5, reviewer="ann"), InvalidInput),
    ("negative probability", lambda L, s: L.forecast(s, -0.1, reviewer="ann"), InvalidInput),
    ("probability NaN", lambda L, s: L.forecast(s, math.nan, reviewer="ann"), InvalidInput),
    ("probability not a number", lambda L, s: L.forecast(s, "high", reviewer="ann"),
     InvalidInput),
    ("unknown claim", lambda L, s: L.forecast("nope", 0.5, reviewer="ann"), NotFound),
    ("empty reviewer", lambda L, s: L.forecast(s, 0.5, reviewer="  "), InvalidInput),
    ("over-long note", lambda L, s: L.forecast(s, 0.5, reviewer="ann", rationale="x" * 20001),
     InvalidInput),
    ("over-long title", lambda L, s: L.add_evidence(s, title="t" * 301, stance="supports",
                                                     reviewer="ann"), InvalidInput),
    ("NUL in a title", lambda L, s: L.add_evidence(s, title="a\x00b", stance="supports",
                                                    reviewer="ann"), InvalidInput),
    ("line break in a reviewer name", lambda L, s: L.forecast(s, 0.5, reviewer="ann\nevil"),
     InvalidInput),
    ("escape sequence in an evidence title", lambda L, s: L.add_evidence(
        s, title="\x1b]0;pwned\x07", stance="context", reviewer="ann"), InvalidInput),
    ("line break in an evidence title", lambda L, s: L.add_evidence(
        s, title="line1\nline2", stance="context", reviewer="ann"), InvalidInput),
    ("escape sequence in a note", lambda L, s: L.forecast(
        s, 0.5, reviewer="ann", rationale="red \x1b[31m"), InvalidInput),
    ("carriage return in a note", lambda L, s: L.forecast(
        s, 0.2, reviewer="eve", rationale="\r  2026-11-30    90%  bob: certain"), InvalidInput),
    ("right-to-left override in a title", lambda L, s: L.add_evidence(
        s, title="abc\u202edcba", stance="context", reviewer="ann"), InvalidInput),
    ("line separator in a summary", lambda L, s: L.add_evidence(
        s, title="t", summary="one\u2028two", stance="context", reviewer="ann"), InvalidInput),
    ("version never reached", lambda L, s: L.change_status(
        s, "developing", reviewer="ann", expected_version=7), InvalidInput),
    ("version one past the current", lambda L, s: L.change_status(
        s, "developing", reviewer="ann", expected_version=2), InvalidInput),
    ("version 0", lambda L, s: L.resolve(s, "yes", reviewer="ann", expected_version=0),
     InvalidInput),
    ("escape sequence in an evidence URL", lambda L, s: L.add_evidence(
        s, title="t", stance="context", url="https://example.org/\x1b[2J", reviewer="ann"),
     InvalidInput),
    ("bad stance", lambda L, s: L.add_evidence(s, title="t", stance="maybe", reviewer="ann"),
     InvalidInput),
    ("bad url", lambda L, s: L.add_evidence(s, title="t", stance="context", url="ftp://x",
                                             reviewer="ann"), InvalidInput),
    ("escape sequence in a status note", lambda L, s: L.change_status(
        s, "developing", reviewer="ann", note="\x1b[2J"), InvalidInput),
    ("escape sequence in a resolution note", lambda L, s: L.resolve(
        s, "yes", reviewer="ann", note="\x1b[2J"), InvalidInput),
    ("closing via status", lambda L, s: L.change_status(s, "confirmed", reviewer="ann"),
     IllegalTransition),
    ("same status", lambda L, s: L.change_status(s, "open", reviewer="ann"), IllegalTransition),
    ("unknown status", lambda L, s: L.change_status(s, "done", reviewer="ann"), InvalidInput),
    ("reopen open claim", lambda L, s: L.reopen(s, reason="r", reviewer="ann"),
     IllegalTransition),
    ("partial without value", lambda L, s: L.resolve(s, "partial", reviewer="ann"),
     InvalidInput),
    ("partial out of range", lambda L, s: L.resolve(s, "partial", value=1.2, reviewer="ann"),
     InvalidInput),
    ("value on yes", lambda L, s: L.resolve(s, "yes", value=0.2, reviewer="ann"), InvalidInput),
    ("partial of 1", lambda L, s: L.resolve(s, "partial", value=1.0, reviewer="ann"),
     InvalidInput),
    ("partial of 0", lambda L, s: L.resolve(s, "partial", value=0, reviewer="ann"),
     InvalidInput),
    ("forecast made after today", lambda L, s: L.forecast(
        s, 0.5, reviewer="ann", made_at=datetime(2024, 1, 3, tzinfo=UTC)), InvalidInput),
    ("evidence observed after today", lambda L, s: L.add_evidence(
        s, title="t", stance="context", reviewer="ann", observed_on=date(2024, 1, 3)),
     InvalidInput),
    ("status observed after today", lambda L, s: L.change_status(
        s, "developing", reviewer="ann", observed_on=date(2024, 1, 3)), InvalidInput),
    ("outcome observed after today", lambda L, s: L.resolve(
        s, "yes", reviewer="ann", observed_on=date(2024, 1, 3)), InvalidInput),
    ("unknown outcome", lambda L, s: L.resolve(s, "maybe", reviewer="ann"), InvalidInput),
    ("duplicate slug", lambda L, s: L.create_claim(definition(s), "ann"), InvalidInput),
    ("bad slug", lambda L, s: L.create_claim(definition("Bad Slug"), "ann"), InvalidInput),
    ("missing parent", lambda L, s: L.create_claim(definition("x", parent="ghost"), "ann"),
     NotFound),
    ("bad cadence", lambda L, s: L.create_claim(definition("x", review_cadence="often"), "ann"),
     InvalidInput),
    ("deadline before made-on", lambda L, s: L.create_claim(
        definition("x", made_on=date(2025, 1, 1)).with_deadline(
            __import__("tracker.horizons", fromlist=["parse_deadline"]).parse_deadline(
                "2024-01-01")), "ann"), InvalidInput),
    ("made on after today", lambda L, s: L.create_claim(
        definition("x", made_on=date(2024, 1, 3)), "ann"), InvalidInput),
    ("edited to be made on after today", lambda L, s: L.edit_claim(
        s, definition(s, made_on=date(2024, 1, 3)), "ann"), InvalidInput),
    ("empty statement", lambda L, s: L.create_claim(definition("x", statement=" "), "ann"),
     InvalidInput),
    ("unknown kind", lambda L, s: L.create_claim(definition("x", kind="rumour"), "ann"),
     InvalidInput),
    ("slug changed by an edit", lambda L, s: L.edit_claim(s, definition("renamed"), "ann"),
     InvalidInput),
    ("escape sequence in an edit's note", lambda L, s: L.edit_claim(
        s, definition(s, title="Retitled"), "ann", note="\x1b[2J"), InvalidInput),
    ("retract unknown evidence", lambda L, s: L.retract_evidence("no-such-entry", reason="r",
                                                                  reviewer="ann"), NotFound),
    ("retract without reason", lambda L, s: L.retract_evidence("no-such", reason=" ",
                                                                reviewer="ann"), InvalidInput),
]


@pytest.mark.parametrize(("label", "operation", "error"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_are_typed_and_leave_the_database_unchanged(
    engine: Engine, ledger: Ledger, claim: str, label: str, operation, error  # type: ignore[no-untyped-def]
) -> None:
    before = dump(engine)
    with pytest.raises(error) as raised:
        operation(ledger, claim)
    assert len(str(raised.value)) > 10, "the message should tell the user what to do"
    assert dump(engine) == before


@pytest.mark.parametrize(("made", "field"), [
    (lambda L, s: L.create_claim(definition("x", parent="ghost"), "ann"), "parent"),
    (lambda L, s: L.create_claim(definition("x", source="ghost"), "ann"), "source"),
    (lambda L, s: L.create_claim(definition("x", made_on=date(2024, 1, 3)), "ann"), "made_on"),
    (lambda L, s: L.create_claim(definition(s), "ann"), "slug"),
    (lambda L, s: L.create_claim(definition("x", review_cadence="often"), "ann"),
     "review_cadence"),
    (lambda L, s: L.create_claim(definition("x", made_on=date(2023, 6, 1)).with_deadline(
        parse_deadline("2023-01-01")), "ann"), "deadline"),
])
def test_a_refusal_names_the_field_it_is_about(
    ledger: Ledger, claim: str, made: Any, field: str
) -> None:
    """So a form can show the reason under that field."""
    with pytest.raises(TrackerError) as raised:
        made(ledger, claim)
    assert raised.value.field == field


def test_a_claim_may_be_made_today_or_tomorrow_but_no_later(ledger: Ledger) -> None:
    ledger.create_claim(definition("today", made_on=date(2024, 1, 1)), "ann")
    ledger.create_claim(definition("tomorrow", made_on=date(2024, 1, 2)), "ann")  # east of UTC
    with pytest.raises(InvalidInput, match="made on 2024-01-03 is more than a day after"):
        ledger.create_claim(definition("later", made_on=date(2024, 1, 3)), "ann")


def test_an_observation_may_be_dated_tomorrow_but_no_later(
    ledger: Ledger, queries: Queries, claim: str
) -> None:
    """The test clock reads 2024-01-01 (UTC); east of UTC it may already be the 2nd."""
    ledger.add_evidence(claim, title="t", stance="context", reviewer="ann",
                        observed_on=date(2024, 1, 2))
    with pytest.raises(InvalidInput, match=r"observed on 2024-01-03 is more than a day after "
                                           r"it is recorded \(2024-01-01\)"):
        ledger.add_evidence(claim, title="t", stance="context", reviewer="ann",
                            observed_on=date(2024, 1, 3))
    assert [item.observed_on for item in queries.claim_detail(claim).evidence] == [
        date(2024, 1, 2)]


def test_a_reopened_claim_is_open_unless_told_otherwise_and_never_closed(
    engine: Engine, ledger: Ledger, queries: Queries, claim: str
) -> None:
    """Reopening undoes a resolution: the claim must come back open to forecasts, not
    closed under another outcome with no resolution to say so."""
    ledger.resolve(claim, "yes", reviewer="ann")
    before = dump(engine)
    with pytest.raises(IllegalTransition, match="must be open, developing or stalled"):
        ledger.reopen(claim, reason="wrong call", reviewer="bob", to_status="refuted")
    assert dump(engine) == before
    ledger.reopen(claim, reason="wrong call", reviewer="bob")
    assert queries.claim_detail(claim).status == "open"
    ledger.resolve(claim, "no", reviewer="bob")
    ledger.reopen(claim, reason="not yet", reviewer="bob", to_status="stalled")
    assert queries.claim_detail(claim).status == "stalled"


def test_reopen_requires_a_reason(engine: Engine, ledger: Ledger, claim: str) -> None:
    ledger.resolve(claim, "yes", reviewer="ann")
    before = dump(engine)
    with pytest.raises(InvalidInput, match="reason"):
        ledger.reopen(claim, reason="", reviewer="ann")
    assert dump(engine) == before


def test_a_failure_midway_writes_nothing(engine: Engine, ledger: Ledger, claim: str) -> None:
    """Several operations in one transaction: the last fails, none is kept."""
    before = dump(engine)
    with pytest.raises(NotFound), ledger.transaction() as tx:
        tx.add_evidence(claim, title="kept?", stance="context", reviewer="new-reviewer")
        tx.forecast(claim, 0.3, reviewer="ann")
        tx.forecast("missing", 0.3, reviewer="ann")
    assert dump(engine) == before


def test_as_of_uses_only_entries_recorded_by_then(
    ledger: Ledger, queries: Queries, claim: str, clock: Clock
) -> None:
    ledger.forecast(claim, 0.6, reviewer="ann")
    ledger.change_status(claim, "developing", reviewer="ann")
    checkpoint = clock.advance(days=1)
    clock.advance(days=1)
    ledger.add_evidence(claim, title="Later", stance="refutes", reviewer="bob")
    ledger.edit_claim(claim, replace(definition(), title="Renamed"), "bob")
    ledger.resolve(claim, "no", reviewer="bob")
    past = queries.claim_detail(claim, as_of=checkpoint)
    assert past.status == "developing"
    assert past.version == 2
    assert past.definition.title == definition().title
    assert past.evidence == ()
    assert [f.probability for f in past.forecasts] == [0.6]
    now = queries.claim_detail(claim)
    assert (now.status, now.version, now.definition.title) == ("refuted", 4, "Renamed")
    with pytest.raises(NotFound):
        queries.claim_detail(claim, as_of=clock.now.replace(year=2000))


def test_long_texts_keep_their_line_breaks_and_tabs(ledger: Ledger, queries: Queries,
                                                    claim: str) -> None:
    ledger.add_evidence(claim, title="One line", summary="First.\nSecond,\tindented.",
                        stance="context", reviewer="ann")
    assert queries.claim_detail(claim).evidence[0].summary == "First.\nSecond,\tindented."
    with pytest.raises(InvalidInput, match=r"^title holds a line break: give it on one line$"):
        ledger.edit_claim(claim, definition(claim, title="Two\nlines"), "ann")
    with pytest.raises(InvalidInput, match=r"^summary holds the control character \\u001b: "
                                           r"remove it$"):
        ledger.add_evidence(claim, title="t", summary="\x1b[2J", stance="context",
                            reviewer="ann")


@pytest.mark.parametrize(("tag", "message"), [
    ("ai;ml", r"^tag 'ai;ml' holds ';', which separates tags "),
    ("us, eu", r"^tag 'us, eu' holds ',', which separates tags "),
    ("two\nlines", r"^tag holds a line break: give it on one line$"),
    ("a\tb", r"^tag holds the control character \\u0009: remove it$"),
])
def test_a_tag_is_one_name_that_reads_back_as_one(ledger: Ledger, claim: str, tag: str,
                                                  message: str) -> None:
    """A tag holding ';' was stored, and came back as two from export-forecasts then
    import-forecasts (the tags column is ';'-separated); one holding ',' split in two when
    the app's form was saved; one with a line break broke `tracker show` and the score
    tables."""
    with pytest.raises(InvalidInput, match=message):
        ledger.edit_claim(claim, definition(claim, tags=("compute", tag)), "ann")


def test_a_tag_stored_before_the_rule_stays_through_an_edit_and_export_names_it(
    ledger: Ledger, queries: Queries, claim: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database from before the rule held 'ai;ml': every edit of the claim was refused
    until its tags were given again, and its export wrote a file `check` refuses, unsaid."""
    with monkeypatch.context() as before_the_rule:
        before_the_rule.setattr(definitions, "check_tag", lambda tag: tag)
        ledger.edit_claim(claim, definition(claim, tags=("ai;ml", "compute")), "ann")
    ledger.edit_claim(claim, definition(claim, title="Retitled", tags=("ai;ml", "compute")),
                      "ann")
    assert queries.claim_detail(claim).definition.tags == ("ai;ml", "compute")
    with pytest.raises(InvalidInput, match=r"^tag 'us;eu' holds ';'"):  # a new one is checked
        ledger.edit_claim(claim, definition(claim, tags=("ai;ml", "us;eu")), "ann")
    notes = export_claims(ledger, tmp_path / "claims").notes
    assert any(f"'{claim}': tag 'ai;ml' holds ';'" in note and "`tracker check` will report "
               f"it: give the claim's tags again (tracker edit {claim} --tag ...)" in note
               for note in notes), notes


def test_an_entry_is_retracted_by_the_start_of_its_id(ledger: Ledger, queries: Queries,
                                                      claim: str) -> None:
    """Messages show an entry as its first 8 characters ("(2079e26c)"); `tracker retract`
    took only the whole lower-case id."""
    first = ledger.add_evidence(claim, title="One", stance="context", reviewer="ann",
                                stamp=EntryStamp("2079e26c-0000-4000-8000-000000000001"))
    ledger.add_evidence(claim, title="Two", stance="context", reviewer="ann",
                        stamp=EntryStamp("2079e26c-1111-4000-8000-000000000002"))
    with pytest.raises(InvalidInput, match="is the start of more than one entry"):
        ledger.retract_evidence("2079e26c", reason="r", reviewer="ann")
    with pytest.raises(NotFound, match="no evidence entry 2079e26d"):
        ledger.retract_evidence("2079E26D", reason="r", reviewer="ann")
    with pytest.raises(InvalidInput, match=r"^evidence id '2079e26' is too short: give at "
                                           r"least its first 8 characters"):
        ledger.retract_evidence("2079e26", reason="r", reviewer="ann")
    ledger.retract_evidence(first.upper()[:13], reason="misread", reviewer="ann")
    retracted = {item.uuid: item.retraction for item in queries.claim_detail(claim).evidence}
    assert retracted[first] is not None and retracted[first].reason == "misread"
    assert retracted["2079e26c-1111-4000-8000-000000000002"] is None


def test_an_id_start_is_matched_as_text_not_as_a_pattern(
    engine: Engine, ledger: Ledger, claim: str
) -> None:
    """'%' and '_' are wildcards in SQL's LIKE: read as a pattern, eight underscores would be
    the start of every id, and retract whichever entry came first."""
    ledger.add_evidence(claim, title="Only", stance="context", reviewer="ann")
    before = dump(engine)
    for given in ("________", "%%%%%%%%"):
        with pytest.raises(NotFound, match=f"^no evidence entry {given}: "):
            ledger.retract_evidence(given, reason="r", reviewer="ann")
    assert dump(engine) == before


def test_a_write_the_database_refuses_is_named_as_such_and_leaves_nothing(
    engine: Engine, ledger: Ledger, claim: str
) -> None:
    """An id already taken reaches the database's unique index: the user is told so, in the
    tracker's terms and with nothing kept, not shown a driver's traceback."""
    taken = ledger.add_evidence(claim, title="One", stance="context", reviewer="ann")
    before = dump(engine)
    with pytest.raises(InvalidInput, match=r"^the database refused the change \([^\n]*\); "
                                           r"nothing was written$"):  # one line, as said
        ledger.add_evidence(claim, title="Two", stance="context", reviewer="ann",
                            stamp=EntryStamp(taken))
    assert dump(engine) == before


def test_an_imported_entry_keeps_its_recorded_time_and_enters_now(
    ledger: Ledger, queries: Queries, clock: Clock, claim: str
) -> None:
    recorded = clock.now - timedelta(days=30)
    write_began = clock.now
    ledger.add_evidence(claim, title="Old news", stance="context", reviewer="bob",
                        stamp=EntryStamp(recorded_at=recorded))
    [entry] = [entry for entry in queries.timeline(claim) if entry.kind == "evidence"]
    assert entry.recorded_at == recorded
    assert write_began < entry.entered_at <= clock.now  # the ledger's clock at the write


@pytest.mark.parametrize("write", [
    lambda L, s, stamp: L.add_evidence(s, title="t", stance="context", reviewer="bob",
                                       stamp=stamp),
    lambda L, s, stamp: L.forecast(s, 0.5, reviewer="bob", stamp=stamp),
    lambda L, s, stamp: L.change_status(s, "developing", reviewer="bob", stamp=stamp),
    lambda L, s, stamp: L.resolve(s, "yes", reviewer="bob", stamp=stamp),
], ids=["evidence", "forecast", "status", "resolution"])
def test_an_entry_stamped_as_recorded_after_tomorrow_is_refused_by_the_ledger(
    engine: Engine, ledger: Ledger, claim: str, write: Any
) -> None:
    """The write path checks the time an import gives, not only the claim-file reader: an
    entry dated years ahead would sort after everything recorded until then."""
    before = dump(engine)
    with pytest.raises(InvalidInput, match=r"^recorded_at 2099-01-01 is in the future \(today "
                                           r"is 2024-01-01\)"):
        write(ledger, claim, EntryStamp(recorded_at=datetime(2099, 1, 1, tzinfo=UTC)))
    assert dump(engine) == before


def test_a_review_mark_is_refused_over_an_entry_imported_since_the_reviewer_looked(
    engine: Engine, ledger: Ledger, queries: Queries, clock: Clock, claim: str
) -> None:
    """Imported from a claim file while ann had the claim on screen: recorded long before
    what she saw, it still reached this database after it."""
    seen = max(entry.entered_at for entry in queries.timeline(claim))
    clock.advance(minutes=1)
    ledger.add_evidence(claim, title="Old news", stance="context", reviewer="bob",
                        stamp=EntryStamp(recorded_at=seen - timedelta(days=30)))
    before = dump(engine)
    with pytest.raises(TrackerError, match=f"^{claim} has 1 entry by bob new since"):
        ledger.mark_reviewed(claim, "ann", seen_through=seen)
    assert dump(engine) == before


def test_a_review_mark_is_refused_over_entries_recorded_since_the_reviewer_looked(
    engine: Engine, ledger: Ledger, queries: Queries, clock: Clock, claim: str
) -> None:
    """The mark hides what came before it from the reviewer's queue: bob's evidence, added
    while ann had the claim on screen, left her queue unread."""
    seen = max(entry.entered_at for entry in queries.timeline(claim))
    clock.advance(minutes=1)
    ledger.forecast(claim, 0.6, reviewer="ann")  # her own: she knows of it
    ledger.mark_reviewed(claim, "ann", seen_through=seen)
    clock.advance(minutes=1)
    uuid = ledger.add_evidence(claim, title="News", stance="supports", reviewer="bob")
    before = dump(engine)
    with pytest.raises(TrackerError, match=(
            f"^{claim} has 1 entry by bob new since it was shown to you: read it, then "
            "mark the claim reviewed$")):
        ledger.mark_reviewed(claim, "ann", seen_through=seen)
    assert dump(engine) == before
    seen = max(entry.entered_at for entry in queries.timeline(claim))
    clock.advance(minutes=1)
    ledger.retract_evidence(uuid, reason="misread", reviewer="cat")
    ledger.change_status(claim, "developing", reviewer="bob")
    ledger.forecast(claim, 0.3, reviewer="bob")  # an opinion, maybe hidden: not counted
    with pytest.raises(TrackerError, match=r"has 2 entries by bob, cat new since it was shown "
                                           r"to you: read them, then mark the claim reviewed$"):
        ledger.mark_reviewed(claim, "ann", seen_through=seen)
    ledger.mark_reviewed(claim, "ann", seen_through=max(
        entry.recorded_at for entry in queries.timeline(claim)))
    assert queries.reviewer_trails("ann")[claim].last_reviewed_at is not None


@pytest.mark.parametrize("write", [
    lambda L, s: L.edit_claim(s, definition(s, title="Retitled"), "bob"),
    lambda L, s: L.resolve(s, "no", reviewer="bob"),
], ids=["revision", "resolution"])
def test_a_review_mark_is_refused_over_a_new_definition_or_outcome_by_someone_else(
    engine: Engine, ledger: Ledger, queries: Queries, clock: Clock, claim: str, write: Any
) -> None:
    """A changed question or its outcome is news as much as evidence is: a mark made over
    it hid it from the reviewer's queue."""
    seen = max(entry.entered_at for entry in queries.timeline(claim))
    clock.advance(minutes=1)
    write(ledger, claim)
    before = dump(engine)
    with pytest.raises(TrackerError, match=f"^{claim} has 1 entry by bob new since"):
        ledger.mark_reviewed(claim, "ann", seen_through=seen)
    assert dump(engine) == before


def test_a_reviewers_own_entries_since_do_not_refuse_their_review_mark(
    ledger: Ledger, queries: Queries, clock: Clock, claim: str
) -> None:
    """She knows what she wrote herself while the claim was on her screen."""
    seen = max(entry.entered_at for entry in queries.timeline(claim))
    clock.advance(minutes=1)
    ledger.add_evidence(claim, title="Mine", stance="context", reviewer="ann")
    ledger.edit_claim(claim, definition(claim, title="Retitled"), "ann")
    ledger.mark_reviewed(claim, "ann", seen_through=seen)
    assert queries.reviewer_trails("ann")[claim].last_reviewed_at == clock.now
