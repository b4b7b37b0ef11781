"""Team mode: two reviewers change the same claim; one wins, the other is told, none is lost."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.engine import make_url

from tests.conftest import CliOutcome
from tests.helpers import definition
from tracker import db
from tracker.claimfiles.exporter import export_claims
from tracker.claimfiles.importer import ImportReport, import_paths
from tracker.db import make_engine, upgrade
from tracker.definitions import SourceInfo
from tracker.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    SlugTaken,
    UnseenEntries,
)
from tracker.ledger import EntryStamp, Ledger, LedgerTransaction
from tracker.models import EvidenceRetraction, Source
from tracker.queries import Queries
from tracker.trackrecords import import_track_record


def test_second_writer_with_a_stale_version_gets_a_conflict(engine: Engine) -> None:
    ann, bob, reader = Ledger(engine), Ledger(engine), Queries(engine)
    slug = ann.create_claim(definition(), "ann")
    seen_by_ann = reader.claim_detail(slug).version
    seen_by_bob = reader.claim_detail(slug).version

    ann.change_status(slug, "developing", reviewer="ann", expected_version=seen_by_ann)
    with pytest.raises(Conflict) as conflict:
        bob.resolve(slug, "no", reviewer="bob", expected_version=seen_by_bob)

    message = str(conflict.value)
    assert "changed by ann" in message and "since you loaded it" in message
    assert conflict.value.current_version == 2
    detail = reader.claim_detail(slug)
    assert (detail.status, detail.version) == ("developing", 2)
    assert detail.resolutions == ()
    # Bob reloads and retries: his change goes through on top of Ann's.
    bob.resolve(slug, "no", reviewer="bob", expected_version=detail.version)
    assert reader.claim_detail(slug).status == "refuted"


def test_stale_definition_edit_is_refused(engine: Engine) -> None:
    ledger, reader = Ledger(engine), Queries(engine)
    slug = ledger.create_claim(definition(), "ann")
    ledger.edit_claim(slug, definition(title="Ann's title"), "ann", expected_version=1)
    with pytest.raises(Conflict, match="changed by ann"):
        ledger.edit_claim(slug, definition(title="Bob's title"), "bob", expected_version=1)
    assert reader.claim_detail(slug).definition.title == "Ann's title"


def test_simultaneous_writers_exactly_one_wins_and_appends_never_conflict(
    engine: Engine,
) -> None:
    ledger, reader = Ledger(engine), Queries(engine)
    slug = ledger.create_claim(definition(), "ann")
    writers = 6
    barrier = threading.Barrier(writers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def review(index: int) -> None:
        mine = Ledger(engine)
        barrier.wait()
        mine.forecast(slug, index / 10, reviewer=f"r{index}")
        try:
            mine.change_status(slug, "stalled" if index % 2 else "developing",
                               reviewer=f"r{index}", expected_version=1)
            result = "won"
        except Conflict:
            result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=review, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["conflict"] * (writers - 1) + ["won"]
    detail = reader.claim_detail(slug)
    assert detail.version == 2
    assert len(detail.status_changes) == 1
    assert len(detail.forecasts) == writers, "every append is kept"


def test_a_second_retraction_waits_for_the_first_and_is_refused(engine: Engine) -> None:
    """On PostgreSQL six parallel `tracker retract` of one entry wrote three retractions;
    later retracts of it failed with MultipleResultsFound."""
    ledger, reader = Ledger(engine), Queries(engine)
    slug = ledger.create_claim(definition(), "ann")
    entry = ledger.add_evidence(slug, title="A page", stance="supports", reviewer="ann")
    outcome: list[BaseException | None] = []

    def retract_too() -> None:
        try:
            Ledger(engine).retract_evidence(entry, reason="bob's reason", reviewer="bob")
            outcome.append(None)
        except IllegalTransition as error:
            outcome.append(error)

    with ledger.transaction() as tx:
        tx.retract_evidence(entry, reason="ann's reason", reviewer="ann")
        second = threading.Thread(target=retract_too)
        second.start()
        second.join(0.5)
        assert second.is_alive(), "the second retraction waits for the first to commit"
    second.join()
    assert len(outcome) == 1 and "already retracted by ann" in str(outcome[0])
    (item,) = reader.claim_detail(slug).evidence
    assert item.retraction is not None and item.retraction.reviewer == "ann"
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(EvidenceRetraction)) == 1


def _in_a_thread_while_open(engine: Engine, start: Callable[[LedgerTransaction], object],
                            then: Callable[[Ledger], object]) -> list[BaseException | None]:
    """Run `then` in a thread while a transaction that ran `start` is still open; the
    thread must wait for it, then finish after it commits. Its outcome: None or the error."""
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            then(Ledger(engine))
            outcome.append(None)
        except Exception as error:  # reported to the test, which names it
            outcome.append(error)

    with Ledger(engine).transaction() as tx:
        start(tx)
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second writer waits for the first to commit"
    thread.join()
    return outcome


def test_two_writers_naming_the_same_new_reviewer_both_succeed(engine: Engine) -> None:
    """On PostgreSQL one of eight parallel `tracker --as samenew forecast` failed with
    "duplicate key value violates unique constraint uq_reviewers_name"."""
    ledger = Ledger(engine)
    slug = ledger.create_claim(definition(), "ann")
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.forecast(slug, 0.4, reviewer="samenew"),
        lambda second: second.forecast(slug, 0.6, reviewer="samenew"))
    assert outcome == [None]
    assert [item.reviewer for item in Queries(engine).claim_detail(slug).forecasts] == [
        "samenew", "samenew"]


def test_two_reviewers_adding_the_same_slug_at_once_are_told_it_is_taken(
        engine: Engine) -> None:
    """On PostgreSQL one of three parallel `tracker add --slug dup1` failed with "the database
    refused the change (duplicate key value violates unique constraint uq_claims_slug...)"
    (the app's form could not show it under the slug)."""
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.create_claim(definition("dup1"), "ann"),
        lambda second: second.create_claim(definition("dup1", title="Bob's"), "bob"))
    assert len(outcome) == 1 and type(outcome[0]) is SlugTaken, outcome
    assert "'dup1'" in str(outcome[0]) and "pick another slug" in str(outcome[0])
    assert outcome[0].field == "slug"
    assert Queries(engine).claim_detail("dup1").definition.title == definition().title


def test_two_reviewers_cannot_make_claims_each_others_parents_at_once(
        engine: Engine) -> None:
    """On PostgreSQL a1 given the parent b1 while b1 was given the parent a1 both passed the
    loop check (neither saw the other's change): both claims dropped out of every tree."""
    ledger, reader = Ledger(engine), Queries(engine)
    for slug in ("a1", "b1"):
        ledger.create_claim(definition(slug), "ann")
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.edit_claim(
            "a1", replace(reader.claim_detail("a1").definition, parent="b1"), "ann"),
        lambda second: second.edit_claim(
            "b1", replace(reader.claim_detail("b1").definition, parent="a1"), "bob"))
    assert len(outcome) == 1 and isinstance(outcome[0], InvalidInput), outcome
    assert "parent cycle: b1 -> a1 -> b1" in str(outcome[0])
    assert [(row.slug, row.parent) for row in reader.list_claims()] == [
        ("a1", "b1"), ("b1", None)]


def test_a_forecast_waits_for_a_resolution_under_way_and_is_refused(engine: Engine) -> None:
    """On PostgreSQL a forecast made while another reviewer was resolving the claim read it
    still open and was recorded after the resolution: accepted, and then never scored (in
    150 races of two forecasts and a resolution, 164 of 300 forecasts)."""
    ledger = Ledger(engine)
    slug = ledger.create_claim(definition(), "ann")
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.resolve(slug, "yes", reviewer="ann"),
        lambda second: second.forecast(slug, 0.6, reviewer="bob"))
    assert len(outcome) == 1 and isinstance(outcome[0], IllegalTransition), outcome
    assert f"claim '{slug}' is confirmed" in str(outcome[0])
    assert Queries(engine).claim_detail(slug).forecasts == ()


def test_a_track_record_import_builds_on_an_edit_under_way(
        engine: Engine, tmp_path: Path) -> None:
    """On PostgreSQL a track record's import read a claim's definition while a reviewer's
    edit of it was under way, waited for it, and then wrote its new title over the old
    definition: the reviewer's new criteria were lost without a word."""
    header = "question_id,title,forecaster,probability,forecast_at,outcome,resolved_at\n"
    record = tmp_path / "record.csv"
    record.write_text(header + "Q1,Will X ship?,ann,0.4,2024-01-05,,\n")
    import_track_record(Ledger(engine), record)
    record.write_text(header + "Q1,Will X ship by June?,ann,0.4,2024-01-05,,\n")
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.edit_claim("q1", replace(
            Queries(engine).claim_detail("q1").definition, criteria="Bob's criteria"), "bob"),
        lambda second: import_track_record(second, record))
    assert outcome == [None]
    detail = Queries(engine).claim_detail("q1")
    assert (detail.definition.title, detail.definition.criteria) == (
        "Will X ship by June?", "Bob's criteria")
    assert detail.version == 3


def test_an_import_plans_again_a_claim_changed_while_it_planned(
        engine: Engine, tmp_path: Path) -> None:
    """On PostgreSQL an import of a file that retitles a claim, run while a reviewer's edit
    of that claim was under way, failed as a whole with "changed by bob ... since you loaded
    it": other writers do not wait for imports. It now reports the definition changed on
    both sides as a CONFLICT and merges the rest, as on SQLite (one writer at a time)."""
    ledger, reader = Ledger(engine), Queries(engine)
    ledger.create_claim(definition("x1"), "ann")
    export_claims(ledger, tmp_path / "out")
    (path,) = (tmp_path / "out").glob("*.toml")
    path.write_text(path.read_text().replace(f'title = "{definition().title}"',
                                             'title = "The file\'s title"'))
    reports: list[ImportReport] = []
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.edit_claim("x1", replace(
            reader.claim_detail("x1").definition, criteria="Bob's criteria"), "bob"),
        lambda second: reports.append(import_paths(second, [path], reviewer="carol")))
    assert outcome == [None]
    assert [note.kind for note in reports[0].notes] == ["CONFLICT"]
    assert "'x1'" in reports[0].notes[0].message
    detail = reader.claim_detail("x1")
    assert (detail.version, detail.definition.title, detail.definition.criteria) == (
        2, definition().title, "Bob's criteria")


def test_an_import_plans_again_a_retraction_made_while_it_planned(
        engine: Engine, tmp_path: Path) -> None:
    """On PostgreSQL an import of a file retracting an entry, run while bob's retraction
    of it was under way, failed as a whole with "evidence 'A page' was already retracted by
    bob". It now skips the file's retraction (the database keeps its own) and merges the
    rest, as on SQLite."""
    ledger = Ledger(engine)
    ledger.create_claim(definition("x1"), "ann")
    entry = ledger.add_evidence("x1", title="A page", stance="supports", reviewer="ann")
    export_claims(ledger, tmp_path / "out")
    paths = sorted((tmp_path / "out").glob("*.toml"))
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    import_paths(Ledger(other), paths, reviewer="carol")
    Ledger(other).retract_evidence(entry, reason="carol's reason", reviewer="carol")
    export_claims(Ledger(other), tmp_path / "out")
    other.dispose()
    reports: list[ImportReport] = []
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.retract_evidence(entry, reason="bob's reason", reviewer="bob"),
        lambda second: reports.append(import_paths(second, paths, reviewer="carol")))
    assert outcome == [None]
    assert [note.kind for note in reports[0].notes] == ["skipped"]
    (item,) = Queries(engine).claim_detail("x1").evidence
    assert item.retraction is not None and item.retraction.reviewer == "bob"


def test_an_import_waits_for_a_claim_being_added_and_merges_into_it(
        engine: Engine, tmp_path: Path) -> None:
    """On PostgreSQL an import of a file holding claim x1, run while a reviewer was adding
    x1 in the app, planned it as new and failed as a whole: "a claim with slug 'x1' was just
    added by someone else: pick another slug", advice that does not fit an import."""
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    Ledger(other).create_claim(definition("x1"), "ann")
    Ledger(other).add_evidence("x1", title="A page", stance="supports", reviewer="ann")
    export_claims(Ledger(other), tmp_path / "out")
    other.dispose()
    paths = sorted((tmp_path / "out").glob("*.toml"))
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.create_claim(definition("x1", title="Bob's x1"), "bob"),
        lambda second: import_paths(second, paths, reviewer="carol"))
    assert outcome == [None]
    detail = Queries(engine).claim_detail("x1")
    assert (detail.definition.title, [item.title for item in detail.evidence]) == (
        "Bob's x1", ["A page"])


def test_two_imports_of_the_same_new_source_both_succeed(engine: Engine) -> None:
    info = SourceInfo(key="report", title="A report")
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.upsert_source(info),
        lambda second: second.upsert_source(replace(info, title="A report, retitled")))
    assert outcome == [None]
    with engine.connect() as connection:
        assert connection.execute(select(Source.key, Source.title)).all() == [
            ("report", "A report, retitled")]


def test_an_import_waits_for_another_to_finish(engine: Engine) -> None:
    """Its plan is read first: a second import planning meanwhile would write over it."""
    outcome = _in_a_thread_while_open(engine, LedgerTransaction.hold_import_lock,
                                      _take_the_import_lock)
    assert outcome == [None]


def _take_the_import_lock(ledger: Ledger) -> None:
    with ledger.transaction() as tx:
        tx.hold_import_lock()


def test_a_review_mark_waits_for_an_import_and_then_sees_what_it_wrote(engine: Engine) -> None:
    """On PostgreSQL a mark made while an import was writing passed its check (the rows were
    not visible yet) and then hid them: the claim never came back into the queue."""
    ledger = Ledger(engine)
    slug = ledger.create_claim(definition(), "ann")
    seen = max(entry.entered_at for entry in Queries(engine).timeline(slug))

    def import_evidence(tx: LedgerTransaction) -> None:
        tx.hold_import_lock()
        tx.add_evidence(slug, title="Old news", stance="context", reviewer="bob",
                        stamp=EntryStamp(recorded_at=seen - timedelta(days=3)))

    outcome = _in_a_thread_while_open(
        engine, import_evidence,
        lambda second: second.mark_reviewed(slug, "alice", seen_through=seen))
    assert len(outcome) == 1 and isinstance(outcome[0], UnseenEntries)


@pytest.mark.parametrize("write", ["evidence", "retraction", "status"])
def test_a_review_mark_waits_for_a_write_to_the_claim_and_then_sees_it(
        engine: Engine, write: str) -> None:
    """On PostgreSQL a mark made while another reviewer's write to the claim was under way
    passed its check (the row was not visible yet) and was stamped after the entry it had
    not seen: the claim never came back into the reviewer's queue for it."""
    ledger = Ledger(engine)
    slug = ledger.create_claim(definition(), "ann")
    entry = ledger.add_evidence(slug, title="A page", stance="supports", reviewer="ann")
    seen = max(item.entered_at for item in Queries(engine).timeline(slug))
    writes: dict[str, Callable[[LedgerTransaction], object]] = {
        "evidence": lambda tx: tx.add_evidence(slug, title="News", stance="context",
                                               reviewer="bob"),
        "retraction": lambda tx: tx.retract_evidence(entry, reason="a misquote",
                                                     reviewer="bob"),
        "status": lambda tx: tx.change_status(slug, "developing", reviewer="bob"),
    }
    outcome = _in_a_thread_while_open(
        engine, writes[write],
        lambda second: second.mark_reviewed(slug, "alice", seen_through=seen))
    assert len(outcome) == 1 and isinstance(outcome[0], UnseenEntries)


def test_a_forecast_waits_for_a_write_to_its_claim_under_way(engine: Engine) -> None:
    """On PostgreSQL a forecast made while carol's evidence was being written was committed
    first, entered after it: alice, shown the claim between the two, saw bob's forecast
    and not the evidence, and her review mark (checked against the forecast's time) was
    accepted, hiding the evidence from her queue."""
    ledger = Ledger(engine)
    slug = ledger.create_claim(definition(), "ann")
    outcome = _in_a_thread_while_open(
        engine, lambda tx: tx.add_evidence(slug, title="Carol's news", stance="refutes",
                                           reviewer="carol"),
        lambda second: second.forecast(slug, 0.3, reviewer="bob"))
    assert outcome == [None]
    entered = {entry.kind: entry.entered_at for entry in Queries(engine).timeline(slug)}
    assert entered["evidence"] < entered["forecast"]


def test_a_forecast_under_way_does_not_hold_its_claim(engine: Engine) -> None:
    """A track record's import adds forecasts to hundreds of claims in one transaction: with
    each claim locked until it ended, every write to those claims waited for it (and an
    export updating them in another order could deadlock with it on PostgreSQL)."""
    slug = Ledger(engine).create_claim(definition(), "ann")
    outcome = _in_a_thread_while_open_without_waiting(  # the forecast as imports record them
        engine, lambda tx: tx.forecast(slug, 0.4, reviewer="carol", allow_closed=True),
        lambda second: second.add_evidence(slug, title="News", stance="context",
                                           reviewer="bob"))
    assert outcome in ([None], None), "the evidence did not wait"


def _in_a_thread_while_open_without_waiting(
        engine: Engine, start: Callable[[LedgerTransaction], object],
        then: Callable[[Ledger], object]) -> list[BaseException | None] | None:
    """Run `then` in a thread while a transaction that ran `start` is still open; on
    PostgreSQL it must end before that transaction does. Its outcome: None or the error
    (no outcome at all on SQLite, where one writer at a time has nothing to show)."""
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            then(Ledger(engine))
            outcome.append(None)
        except Exception as error:  # reported to the test, which names it
            outcome.append(error)

    with Ledger(engine).transaction() as tx:
        start(tx)
        if engine.dialect.name == "sqlite":
            return None
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(5)
        assert not thread.is_alive(), "the second writer waited for the first to commit"
    return outcome


def test_two_reviewers_forecasting_a_claim_at_once_do_not_wait_for_each_other(
        engine: Engine) -> None:
    """A forecast holds its claim's state with a share lock (a resolution under way must
    not slip past it), which other forecasts share: an exclusive one queued every reviewer
    forecasting the claim behind the first one's transaction."""
    slug = Ledger(engine).create_claim(definition(), "ann")
    outcome = _in_a_thread_while_open_without_waiting(
        engine, lambda tx: tx.forecast(slug, 0.4, reviewer="carol"),
        lambda second: second.forecast(slug, 0.7, reviewer="bob"))
    assert outcome in ([None], None), "the second forecast waited"


def test_an_export_waits_for_an_import_and_then_records_its_sync(
        engine: Engine, tmp_path: Path) -> None:
    """The export's bookkeeping (each claim's synced definition) updated claims in slug
    order while an import wrote to them in its file's order: on PostgreSQL each waited for a
    claim the other held, and the export failed with "deadlock detected"."""
    ledger = Ledger(engine)
    for slug in ("a1", "b1"):
        ledger.create_claim(definition(slug), "ann")
    outcome: list[BaseException | None] = []

    def export() -> None:
        try:
            export_claims(Ledger(engine), tmp_path / "out")
            outcome.append(None)
        except Exception as error:  # reported to the test, which names it
            outcome.append(error)

    with ledger.transaction() as tx:
        tx.hold_import_lock()
        tx.add_evidence("b1", title="News", stance="context", reviewer="carol")
        exporting = threading.Thread(target=export)
        exporting.start()
        exporting.join(0.5)
        assert exporting.is_alive(), "the export waits for the import"
        tx.edit_claim("a1", replace(Queries(engine).claim_detail("a1").definition,
                                    title="A1, retitled"), "carol")
    exporting.join()
    assert outcome == [None]
    assert {detail.slug: detail.synced_hash is not None for detail in (
        Queries(engine).claim_detail(slug) for slug in ("a1", "b1"))} == {"a1": True, "b1": True}


def test_a_write_that_waited_too_long_on_sqlite_says_what_to_do(
        engine: Engine, run_cli: Callable[..., CliOutcome], database_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`tracker evidence` while another process held the SQLite file's write lock for more
    than 10 seconds printed "error: the database could not be used: database is locked",
    which reads like a broken file."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers wait for each other's rows, not for the database")
    Ledger(engine).create_claim(definition(), "ann")
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 2_000)
    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        outcome = run_cli("evidence", definition().slug, "--title", "News", "--stance",
                          "context")
    finally:
        holder.close()
    assert outcome.exit_code == 1
    assert outcome.stderr == (
        "error: the database could not be used: database is locked: another process kept it "
        "busy writing for more than 2 seconds (an import, perhaps): try again when it has "
        "finished\n")


def test_an_export_that_waited_too_long_on_sqlite_leaves_the_files_as_they_were(
        engine: Engine, run_cli: Callable[..., CliOutcome], database_url: str,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`tracker export` while another process held the SQLite write lock wrote every file,
    then failed to record the sync and said "try again": the files had changed, though the
    user was told the export had failed. The lock is now taken before any file is written."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers wait for each other's rows, not for the database")
    Ledger(engine).create_claim(definition(), "ann")
    out = tmp_path / "out"
    assert run_cli("export", str(out)).exit_code == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    Ledger(engine).add_evidence(definition().slug, title="News", stance="context",
                                reviewer="ann")
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 1_000)
    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        refused = run_cli("export", str(out))
    finally:
        holder.close()
    assert refused.exit_code == 1
    assert "busy writing for more than 1 seconds" in refused.stderr
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before
    assert run_cli("export", str(out)).exit_code == 0
    assert b'title = "News"' in (out / next(iter(before))).read_bytes()


def test_a_claim_read_while_it_is_edited_is_read_at_one_moment(engine: Engine) -> None:
    """`tracker show` and the app's detail pane read a claim's row, then its log. On
    PostgreSQL each statement saw what was committed before it: an edit committed between
    the two showed version 1's row beside version 2's revision, and a save from that pane
    was refused as "changed by" someone who had changed nothing since."""
    ledger = Ledger(engine)
    ledger.create_claim(definition(), "ann")
    reader = threading.get_ident()
    edited: list[int] = []

    def edit_after_the_first_read(_connection: object, _cursor: object, statement: str,
                                  *_args: object) -> None:
        if threading.get_ident() == reader and statement.startswith("SELECT") and not edited:
            editing = threading.Thread(target=lambda: edited.append(ledger.edit_claim(
                definition().slug, definition(title="Retitled"), "bob")))
            editing.start()
            editing.join()

    event.listen(engine, "after_cursor_execute", edit_after_the_first_read)
    try:
        detail = Queries(engine).claim_detail(definition().slug)
    finally:
        event.remove(engine, "after_cursor_execute", edit_after_the_first_read)
    assert edited == [2], "the edit ran between the reads"
    assert (detail.version, detail.definition.title) == (1, definition().title)
    assert [revision.version for revision in detail.revisions] == [1]
