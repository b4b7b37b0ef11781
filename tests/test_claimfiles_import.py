"""Import and export: union of logs by id, three-way definition merge, all-or-nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers import dump
from sqlalchemy import Engine, update

from tests.conftest import Clock, invoke_main
from tracker.claimfiles import (
    Prefer,
    ProblemsFound,
    check_paths,
    export_claims,
    import_paths,
    seed_if_empty,
)
from tracker.claimfiles.paths import claim_file_paths
from tracker.db import make_engine, shipped_claims_dir, upgrade
from tracker.definitions import ClaimDefinition
from tracker.errors import InvalidInput
from tracker.horizons import instant_text
from tracker.ledger import EntryStamp, Ledger
from tracker.models import Evidence
from tracker.queries import Queries, RevisionItem
from tracker.trackrecords import import_track_record

E1 = "00000000-0000-4000-8000-000000000001"
E2 = "00000000-0000-4000-8000-000000000002"
E3 = "00000000-0000-4000-8000-000000000003"
E4 = "00000000-0000-4000-8000-000000000004"
E5 = "00000000-0000-4000-8000-000000000005"

FILE = f'''format = 1

[source]
key = "src"
title = "A source"

[[claims]]
slug = "alpha"
title = "Alpha"
statement = "Alpha happens."
made_on = 2023-06-29
deadline = 2026-06-29
criteria = "Yes if alpha happens."

[[claims.evidence]]
id = "{E1}"
title = "A page"
stance = "supports"
by = "ann"
recorded_at = 2024-02-01T00:00:00Z

[[claims.history]]
id = "{E2}"
action = "status"
to = "developing"
by = "ann"
recorded_at = 2024-02-02T00:00:00Z

[[claims.forecasts]]
id = "{E3}"
p = 0.6
by = "bob"
recorded_at = 2024-02-03T00:00:00Z

[[claims]]
slug = "alpha-child"
title = "Alpha, crisp"
statement = "Alpha happens by 2025."
parent = "alpha"
kind = "fact"
'''


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def clock() -> Clock:
    """After the entries in the files were recorded (the ledger refuses a recorded_at in
    the future)."""
    return Clock(datetime(2024, 3, 1, 12, tzinfo=UTC))


def test_import_creates_claims_with_the_files_ids_and_clocks(
        tmp_path: Path, ledger: Ledger, queries: Queries) -> None:
    report = import_paths(ledger, [write(tmp_path, "a.toml", FILE)], reviewer="importer")
    assert [summary.describe() for summary in report.files] == [
        f"{tmp_path / 'a.toml'}: 2 added, 0 updated, 0 unchanged, 0 conflicts; 3 entries added"]
    detail = queries.claim_detail("alpha")
    assert detail.status == "developing"
    assert detail.source is not None and detail.source.key == "src"
    assert [item.uuid for item in detail.evidence] == [E1]
    assert detail.evidence[0].recorded_at == datetime(2024, 2, 1, tzinfo=UTC)
    assert detail.status_changes[0].uuid == E2
    assert detail.forecasts[0].reviewer == "bob"
    # Created when its log starts, by whoever started it.
    assert detail.revisions[0].recorded_at == datetime(2024, 2, 1, tzinfo=UTC)
    assert detail.revisions[0].reviewer == "ann"
    assert queries.claim_detail("alpha-child").definition.parent == "alpha"
    assert queries.claim_detail("alpha-child").revisions[0].reviewer == "importer"


def test_importing_twice_changes_nothing(tmp_path: Path, ledger: Ledger, engine: Engine) -> None:
    path = write(tmp_path, "a.toml", FILE)
    import_paths(ledger, [path], reviewer="importer")
    before = dump(engine)
    report = import_paths(ledger, [path], reviewer="importer")
    assert dump(engine) == before
    assert not report.changed
    assert report.files[0].unchanged == 2


def test_export_import_export_is_byte_identical(tmp_path: Path, ledger: Ledger,
                                                engine: Engine) -> None:
    import_paths(ledger, [write(tmp_path / "in", "a.toml", FILE)], reviewer="importer")
    ledger.retract_evidence(E1, reason="misread", reviewer="carol")
    ledger.resolve("alpha", "partial", value=0.25, note="half", reviewer="carol")
    ledger.reopen("alpha", reason="too early", reviewer="carol", to_status="stalled")
    ledger.forecast("alpha-child", 0.3, reviewer="dan", rationale="hm")
    first = export_claims(ledger, tmp_path / "one")
    assert [path.name for path in (f.path for f in first.files)] == ["src.toml"]
    before = dump(engine)
    report = import_paths(ledger, claim_file_paths([tmp_path / "one"]), reviewer="importer")
    assert not report.changed and dump(engine) == before
    export_claims(ledger, tmp_path / "two")
    text = (tmp_path / "one" / "src.toml").read_text(encoding="utf-8")
    assert (tmp_path / "two" / "src.toml").read_text(encoding="utf-8") == text
    assert "[claims.evidence.retracted]" in text and 'action = "reopen"' in text
    again = export_claims(ledger, tmp_path / "one")
    assert [exported.changed for exported in again.files] == [False]


def test_export_names_log_entries_that_check_would_refuse(tmp_path: Path, ledger: Ledger,
                                                          engine: Engine) -> None:
    """A database may hold entries recorded before tracker refused them (here an observed
    date after the recording, as earlier versions stored): the log keeps them, and the
    export says `tracker check` will report them."""
    import_paths(ledger, [write(tmp_path / "in", "a.toml", FILE)], reviewer="importer")
    with engine.begin() as connection:
        connection.execute(update(Evidence).where(Evidence.uuid == E1)
                           .values(observed_on=date(2099, 1, 1)))
    later = Ledger(engine, clock=lambda: datetime(2999, 1, 1, tzinfo=UTC))  # a wrong clock
    later.forecast("alpha", 0.5, reviewer="ann")
    report = export_claims(ledger, tmp_path / "one")
    path = tmp_path / "one" / "src.toml"
    assert report.notes[1:] == (
        f"{path}: 'alpha': recorded_at 2999-01-01 is in the future (today is 2024-03-01): "
        "give when the entry was recorded; the entry was recorded before tracker refused "
        "such entries and stays in the log, but `tracker check` will report it",)
    assert report.notes[:1] == (
        f"{path}: 'alpha': observed on 2099-01-01 is more than a day after it is recorded "
        "(2024-02-01): give the day it was published or happened; the entry was recorded "
        "before tracker refused such entries and stays in the log, but `tracker check` will "
        "report it",)
    assert [problem.message for problem in check_paths([path]).problems] == [
        "observed on 2099-01-01 is more than a day after it is recorded (2024-02-01): give the "
        "day it was published or happened"]


def test_export_names_a_history_recorded_out_of_clock_order(tmp_path: Path, ledger: Ledger,
                                                           engine: Engine) -> None:
    """A resolution recorded by a clock that was behind (before the status change it
    follows): the log keeps it, and the export says `tracker check` will report the file."""
    import_paths(ledger, [write(tmp_path / "in", "a.toml", FILE)], reviewer="importer")
    behind = Ledger(engine, clock=lambda: datetime(2024, 1, 15, tzinfo=UTC))
    behind.resolve("alpha", "yes", reviewer="ann")
    report = export_claims(ledger, tmp_path / "one")
    path = tmp_path / "one" / "src.toml"
    assert [note for note in report.notes if "clock order" in note] == [
        f"{path}: the history of 'alpha' is not in clock order (an entry was recorded with an "
        "earlier time than the change before it), so `tracker check` will report it: fix the "
        "entry's recorded_at in the file"]
    assert [problem.line for problem in check_paths([path]).problems] == [
        _line_of(path, 'action = "status"')]


def test_entries_recorded_after_the_import_are_refused_at_their_lines(
        tmp_path: Path, ledger: Ledger, engine: Engine) -> None:
    """The import's clock reads 2024-03-01 (a day's grace, as for every date)."""
    text = (FILE.replace("recorded_at = 2024-02-03", "recorded_at = 2099-02-03")
            .replace("recorded_at = 2024-02-01", "recorded_at = 2024-03-02"))
    path = write(tmp_path, "a.toml", text)
    before = dump(engine)
    with pytest.raises(ProblemsFound) as raised:
        import_paths(ledger, [path], reviewer="importer")
    line = text.split("\n").index("recorded_at = 2099-02-03T00:00:00Z") + 1
    assert [str(problem) for problem in raised.value.problems] == [
        f"{path}:{line}: recorded_at 2099-02-03 is in the future (today is 2024-03-01): give "
        "when the entry was recorded"]
    assert dump(engine) == before


def test_who_created_a_claim_and_when_travels_with_it_where_its_log_cannot_tell(
        tmp_path: Path, engine: Engine, database_url: str) -> None:
    """bob's new claim without a log, imported by ann, read "ann created" at ann's import
    time: reports' new claims and review dates differed between databases. The file says
    so when the earliest log entry would not (alpha's creation is its first evidence's)."""
    bob = Ledger(engine, clock=lambda: datetime(2024, 3, 1, 9, tzinfo=UTC))
    import_paths(bob, [write(tmp_path / "in", "a.toml", FILE)], reviewer="bob")
    bob.create_claim(_definition("loose"), "bob")
    export_claims(bob, tmp_path / "shared")
    text = (tmp_path / "shared" / "unsourced.toml").read_text(encoding="utf-8")
    assert 'created_at = 2024-03-01T09:00:00Z\ncreated_by = "bob"\n' in text
    shared = (tmp_path / "shared" / "src.toml").read_text(encoding="utf-8")
    assert shared.count("created_at") == 1  # alpha-child's (no log); not alpha's
    other = _fresh_engine(tmp_path, database_url)
    try:
        ann = Ledger(other, clock=lambda: datetime(2024, 3, 5, tzinfo=UTC))
        import_paths(ann, claim_file_paths([tmp_path / "shared"]), reviewer="ann")
        created = Queries(other).claim_detail("loose").revisions[0]
        assert (created.reviewer, created.recorded_at) == (
            "bob", datetime(2024, 3, 1, 9, tzinfo=UTC))
        export_claims(ann, tmp_path / "again")
    finally:
        other.dispose()
    for name in ("src.toml", "unsourced.toml"):
        assert ((tmp_path / "again" / name).read_bytes()
                == (tmp_path / "shared" / name).read_bytes())


def test_a_creation_in_the_future_is_refused_at_its_line(tmp_path: Path, ledger: Ledger
                                                         ) -> None:
    text = FILE.replace('kind = "fact"\n', 'kind = "fact"\ncreated_at = 2099-01-01T00:00:00Z\n')
    path = write(tmp_path, "a.toml", text)
    with pytest.raises(ProblemsFound) as raised:
        import_paths(ledger, [path], reviewer="importer")
    line = text.split("\n").index("created_at = 2099-01-01T00:00:00Z") + 1
    assert [str(problem) for problem in raised.value.problems] == [
        f"{path}:{line}: created_at 2099-01-01 is in the future (today is 2024-03-01): give "
        "when the claim was created"]


def test_export_then_import_into_a_fresh_database(tmp_path: Path, ledger: Ledger,
                                                  database_url: str) -> None:
    import_paths(ledger, [write(tmp_path / "in", "a.toml", FILE)], reviewer="importer")
    ledger.create_claim(_definition("loose"), "eve")
    export_claims(ledger, tmp_path / "one")
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["src.toml", "unsourced.toml"]
    other = _fresh_engine(tmp_path, database_url)
    try:
        other_ledger = Ledger(other)
        import_paths(other_ledger, claim_file_paths([tmp_path / "one"]), reviewer="x")
        export_claims(other_ledger, tmp_path / "two")
    finally:
        other.dispose()
    for name in ("src.toml", "unsourced.toml"):
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes()


def _fresh_engine(tmp_path: Path, database_url: str) -> Engine:
    """A second, empty database (SQLite: on PostgreSQL runs this also crosses backends)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(engine)
    return engine


def _definition(slug: str) -> ClaimDefinition:
    return ClaimDefinition(slug=slug, title="Loose", statement="A loose claim.", kind="opinion")


def test_a_file_with_a_problem_imports_nothing(tmp_path: Path, ledger: Ledger,
                                               engine: Engine) -> None:
    good = write(tmp_path, "a.toml", FILE)
    bad = write(tmp_path, "b.toml", FILE.replace('key = "src"', 'key = "other"')
                .replace('slug = "alpha"', 'slug = "beta"')
                .replace('slug = "alpha-child"', 'slug = "beta-child"')
                .replace('parent = "alpha"', 'parent = "beta"')
                .replace("-00000000000", "-00000000001")
                .replace('stance = "supports"', 'stance = "agrees"'))
    before = dump(engine)
    with pytest.raises(ProblemsFound) as raised:
        import_paths(ledger, [good, bad], reviewer="importer")
    assert [problem.path for problem in raised.value.problems] == [str(bad)]
    assert dump(engine) == before
    broken = write(tmp_path, "c.toml", FILE + "\n[[claims]\n")
    with pytest.raises(ProblemsFound):
        import_paths(ledger, [good, broken], reviewer="importer")
    assert dump(engine) == before


def test_an_id_used_by_another_claim_in_the_database_imports_nothing(
        tmp_path: Path, ledger: Ledger, engine: Engine) -> None:
    ledger.create_claim(_definition("loose"), "eve")
    ledger.add_evidence("loose", title="Elsewhere", stance="context", reviewer="eve",
                        stamp=_stamp(E1))
    before = dump(engine)
    with pytest.raises(ProblemsFound) as raised:
        import_paths(ledger, [write(tmp_path, "a.toml", FILE)], reviewer="importer")
    assert str(raised.value.problems[0]).endswith(
        "already belongs to an evidence entry of claim 'loose' in the database: entries do "
        "not move between claims: if it is that entry, delete it here (it stays with "
        "'loose'); if it is another, give this entry a new id")
    assert dump(engine) == before


def test_an_id_used_by_another_kind_of_entry_of_the_claim_imports_nothing(
        tmp_path: Path, ledger: Ledger, engine: Engine) -> None:
    """alpha's status change turned into a resolution in the file, its id kept: the id is
    the database's status change, so the file's resolution is refused at its line, not
    passed over as a copy of it."""
    path = write(tmp_path, "a.toml", FILE)
    import_paths(ledger, [path], reviewer="importer")
    before = dump(engine)
    write(tmp_path, "a.toml", FILE.replace('action = "status"\nto = "developing"',
                                           'action = "resolve"\noutcome = "yes"'))
    with pytest.raises(ProblemsFound) as raised:
        import_paths(ledger, [path], reviewer="importer")
    assert [str(problem) for problem in raised.value.problems] == [
        f"{path}:{_line_of(path, E2)}: entry id {E2} already belongs to a status entry of "
        "claim 'alpha' in the database: give this entry a new id"]
    assert dump(engine) == before


def test_a_file_cannot_close_a_parent_loop_through_the_database(
        tmp_path: Path, ledger: Ledger, engine: Engine) -> None:
    """cx's file named cy as its parent while the database had cy under cx: both dropped out
    of every tree, and the export no longer checked."""
    ledger.create_claim(_definition("cx"), "eve")
    ledger.create_claim(replace(_definition("cy"), parent="cx"), "eve")
    path = write(tmp_path, "c.toml", 'format = 1\n\n[[claims]]\nslug = "cx"\ntitle = "Loose"\n'
                 'statement = "A loose claim."\nkind = "opinion"\nparent = "cy"\n')
    before = dump(engine)
    with pytest.raises(ProblemsFound) as raised:
        import_paths(ledger, [path], reviewer="importer")
    assert [str(problem) for problem in raised.value.problems] == [
        f"{path}:8: parent cycle: cx -> cy -> cx: a claim cannot be its own ancestor"]
    assert dump(engine) == before


def test_the_ledger_refuses_a_parent_that_descends_from_the_claim(ledger: Ledger) -> None:
    """The CLI's `edit --parent` and the app's form write through the ledger too."""
    ledger.create_claim(_definition("cx"), "eve")
    ledger.create_claim(replace(_definition("cy"), parent="cx"), "eve")
    ledger.create_claim(replace(_definition("cz"), parent="cy"), "eve")
    with pytest.raises(InvalidInput, match=r"^parent cycle: cx -> cz -> cy -> cx: a claim "
                                           r"cannot be its own ancestor$"):
        ledger.edit_claim("cx", replace(_definition("cx"), parent="cz"), "eve")
    ledger.edit_claim("cz", replace(_definition("cz"), parent="cx"), "eve")  # no loop: fine


def _stamp(uuid: str) -> EntryStamp:
    return EntryStamp(uuid, datetime(2024, 1, 1, tzinfo=UTC))


def test_entries_only_in_the_database_are_kept(tmp_path: Path, ledger: Ledger,
                                               queries: Queries) -> None:
    path = write(tmp_path, "a.toml", FILE)
    import_paths(ledger, [path], reviewer="importer")
    ledger.add_evidence("alpha", title="Mine", stance="refutes", reviewer="carol")
    ledger.forecast("alpha", 0.2, reviewer="carol")
    extra = FILE.replace("[[claims]]\nslug = \"alpha-child\"", f'''[[claims.forecasts]]
id = "{E4}"
p = 0.9
by = "bob"
recorded_at = 2024-03-01T00:00:00Z

[[claims]]
slug = "alpha-child"''')
    report = import_paths(ledger, [write(tmp_path, "a.toml", extra)], reviewer="importer")
    assert report.files[0].entries_added == 1
    detail = queries.claim_detail("alpha")
    assert {item.title for item in detail.evidence} == {"A page", "Mine"}
    assert sorted(item.probability for item in detail.forecasts) == [0.2, 0.6, 0.9]


def _edit(ledger: Ledger, queries: Queries, slug: str, **changes: object) -> None:
    detail = queries.claim_detail(slug)
    ledger.edit_claim(slug, replace(detail.definition, **changes), "carol")


def test_definition_three_way_merge(tmp_path: Path, ledger: Ledger, queries: Queries) -> None:
    path = write(tmp_path, "a.toml", FILE)
    import_paths(ledger, [path], reviewer="importer")
    # Only the file changed: a new revision.
    write(tmp_path, "a.toml", FILE.replace("Alpha happens.", "Alpha surely happens."))
    report = import_paths(ledger, [path], reviewer="importer")
    assert (report.files[0].updated, report.conflicts) == (1, 0)
    detail = queries.claim_detail("alpha")
    assert detail.definition.statement == "Alpha surely happens."
    assert [revision.reviewer for revision in detail.revisions] == ["ann", "importer"]
    # Only the database changed: kept (the file is just behind).
    _edit(ledger, queries, "alpha", title="Alpha (edited)")
    report = import_paths(ledger, [path], reviewer="importer")
    assert (report.files[0].updated, report.conflicts) == (0, 0)
    assert queries.claim_detail("alpha").definition.title == "Alpha (edited)"


def test_both_sides_changed_is_a_conflict_unless_a_side_is_preferred(
        tmp_path: Path, ledger: Ledger, queries: Queries, engine: Engine) -> None:
    path = write(tmp_path, "a.toml", FILE)
    import_paths(ledger, [path], reviewer="importer")
    _edit(ledger, queries, "alpha", title="Alpha (database)")
    changed = FILE.replace('title = "Alpha"', 'title = "Alpha (file)"').replace(
        "[[claims.forecasts]]", f'''[[claims.evidence]]
id = "{E4}"
title = "New page"
stance = "context"
by = "ann"
recorded_at = 2024-02-05T00:00:00Z

[[claims.forecasts]]''')
    write(tmp_path, "a.toml", changed)
    report = import_paths(ledger, [path], reviewer="importer")
    assert report.conflicts == 1 and report.files[0].conflicts == 1
    note = report.notes[0]
    assert note.kind == "CONFLICT" and note.line == 8 and "'alpha'" in note.message
    detail = queries.claim_detail("alpha")
    assert detail.definition.title == "Alpha (database)"
    assert E4 in {item.uuid for item in detail.evidence}  # the log was still merged
    # Still a conflict on the next import, until a side is chosen.
    assert import_paths(ledger, [path], reviewer="importer").conflicts == 1
    report = import_paths(ledger, [path], reviewer="importer", prefer=Prefer.DB)
    assert report.conflicts == 0 and report.notes[0].kind == "resolved"
    assert queries.claim_detail("alpha").definition.title == "Alpha (database)"
    before = dump(engine)
    assert import_paths(ledger, [path], reviewer="importer").conflicts == 0
    assert dump(engine) == before
    # And --prefer file takes the file's.
    _edit(ledger, queries, "alpha", title="Alpha (database again)")
    write(tmp_path, "a.toml", changed.replace("Alpha (file)", "Alpha (file again)"))
    report = import_paths(ledger, [path], reviewer="importer", prefer=Prefer.FILE)
    assert report.files[0].updated == 1
    assert queries.claim_detail("alpha").definition.title == "Alpha (file again)"


def _resolved_yes(by: str, recorded_at: str) -> str:
    """FILE with alpha resolved yes (entry E4) after its status change."""
    return FILE.replace("[[claims.forecasts]]", f'''[[claims.history]]
id = "{E4}"
action = "resolve"
outcome = "yes"
by = "{by}"
recorded_at = {recorded_at}

[[claims.forecasts]]''')


def test_history_after_the_databases_latest_change_is_appended(
        tmp_path: Path, engine: Engine, queries: Queries) -> None:
    ledger = Ledger(engine, clock=lambda: datetime(2024, 3, 1, tzinfo=UTC))
    path = write(tmp_path, "a.toml", FILE)
    import_paths(ledger, [path], reviewer="importer")
    ledger.change_status("alpha", "stalled", reviewer="carol")  # 2024-03-01
    early = _resolved_yes("ann", "2024-02-02T12:00:00Z")
    report = import_paths(ledger, [write(tmp_path, "a.toml", early)], reviewer="importer")
    assert report.files[0].entries_skipped == 1
    assert report.notes[0].kind == "skipped"
    assert "before the database's latest status change" in report.notes[0].message
    assert queries.claim_detail("alpha").status == "stalled"
    # Declined, the entry is remembered; changed in the file, it is tried again.
    late = early.replace("2024-02-02T12:00:00Z", "2024-03-01T12:00:00Z")
    report = import_paths(ledger, [write(tmp_path, "a.toml", late)], reviewer="importer")
    assert report.files[0].entries_added == 1 and report.notes == ()
    assert queries.claim_detail("alpha").status == "confirmed"
    export_claims(ledger, tmp_path / "out")  # once, from the log: no longer as declined
    assert (tmp_path / "out" / "src.toml").read_text(encoding="utf-8").count(E4) == 1


def test_retraction_from_a_file_is_added_to_existing_evidence(
        tmp_path: Path, ledger: Ledger, queries: Queries) -> None:
    path = write(tmp_path, "a.toml", FILE)
    import_paths(ledger, [path], reviewer="importer")
    when = "recorded_at = 2024-02-01T00:00:00Z"
    retracted = FILE.replace(when, f'''{when}

[claims.evidence.retracted]
id = "{E4}"
reason = "wrong page"
by = "bob"
recorded_at = 2024-02-10T00:00:00Z''')
    report = import_paths(ledger, [write(tmp_path, "a.toml", retracted)], reviewer="importer")
    assert report.files[0].entries_added == 1
    retraction = queries.claim_detail("alpha").evidence[0].retraction
    assert retraction is not None and (retraction.uuid, retraction.reason) == (E4, "wrong page")


def test_an_entry_changed_in_the_file_is_reported_and_not_rewritten(
        tmp_path: Path, ledger: Ledger, queries: Queries) -> None:
    path = write(tmp_path, "a.toml", FILE)
    import_paths(ledger, [path], reviewer="importer")
    edited = FILE.replace('title = "A page"', 'title = "A better title"')
    report = import_paths(ledger, [write(tmp_path, "a.toml", edited)], reviewer="importer")
    assert [note.kind for note in report.notes] == ["differs"]
    assert report.notes[0].line == 15
    assert queries.claim_detail("alpha").evidence[0].title == "A page"


def test_order_of_files_does_not_matter(tmp_path: Path, database_url: str,
                                        engine: Engine) -> None:
    """(Both at one moment: alpha-child has no log, so each export writes when it was
    created, at its import.)"""
    def moment() -> datetime:
        return datetime(2024, 3, 1, 12, tzinfo=UTC)

    parent = write(tmp_path / "in", "b-parent.toml", FILE.replace(
        FILE[FILE.index('[[claims]]\nslug = "alpha-child"'):], ""))
    child = write(tmp_path / "in", "a-child.toml", 'format = 1\n\n' + FILE[FILE.index(
        '[[claims]]\nslug = "alpha-child"'):])
    ledger = Ledger(engine, clock=moment)
    import_paths(ledger, [child, parent], reviewer="importer")  # the child's file first
    export_claims(ledger, tmp_path / "one")
    other = _fresh_engine(tmp_path, database_url)
    try:
        import_paths(Ledger(other, clock=moment), [parent, child], reviewer="importer")
        export_claims(Ledger(other, clock=moment), tmp_path / "two")
    finally:
        other.dispose()
    for name in ("src.toml", "unsourced.toml"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_seed_if_empty_imports_the_shipped_claims_once(engine: Engine, queries: Queries) -> None:
    shipped = claim_file_paths([shipped_claims_dir()])
    assert shipped
    report = seed_if_empty(engine)
    assert report is not None and report.files[0].added > 0
    count = queries.count_claims()
    assert count == sum(summary.added for summary in report.files)
    assert seed_if_empty(engine) is None
    assert queries.count_claims() == count


@pytest.fixture
def two_databases(tmp_path: Path, engine: Engine) -> Iterator[tuple[Ledger, Ledger]]:
    """ann's and bob's databases, each holding FILE: a team sharing claim files in git."""
    bob_engine = _fresh_engine(tmp_path, "")
    try:
        ann = Ledger(engine, clock=Clock(datetime(2024, 3, 2, tzinfo=UTC)))
        bob = Ledger(bob_engine, clock=Clock(datetime(2024, 3, 3, tzinfo=UTC)))
        start = tmp_path / "start"
        import_paths(ann, [write(start, "a.toml", FILE)], reviewer="x")
        export_claims(ann, start)  # the file the team starts from: as ann's database has it
        import_paths(bob, claim_file_paths([start]), reviewer="x")
        yield ann, bob
    finally:
        bob_engine.dispose()


def _sync(ledger: Ledger, directory: Path) -> tuple[list[str], bytes]:
    """Import the directory's files, export over them: what a pull then a push does."""
    report = import_paths(ledger, claim_file_paths([directory]), reviewer="x")
    export_claims(ledger, directory)
    return [str(note) for note in report.notes], (directory / "src.toml").read_bytes()


def test_a_status_change_made_while_another_closed_the_claim_stays_in_the_files(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger], engine: Engine) -> None:
    """ann stalls alpha while bob resolves it. bob's database cannot take ann's change (it
    came before his resolution): it used to say so on every import and refuse every export
    ("entry ... is not in the database") until --force dropped ann's entry from the file,
    which ann's next export wrote back. Declined once, it is remembered and kept in files."""
    ann, bob = two_databases
    ann.change_status("alpha", "stalled", reviewer="ann", note="no news")
    ann_entry = Queries(ann.engine).claim_detail("alpha").status_changes[-1]
    bob.resolve("alpha", "yes", reviewer="bob", note="it happened")
    bob_entry = Queries(bob.engine).claim_detail("alpha").resolutions[-1]
    shared = tmp_path / "shared"
    export_claims(ann, shared)  # ann pushes first
    notes, merged = _sync(bob, shared)
    assert len(notes) == 1 and "was not merged" in notes[0] and "remembers the entry" in notes[0]
    assert merged.count(b"[[claims.history]]") == 3  # FILE's, ann's and bob's
    assert _sync(bob, shared) == ([], merged)  # said once; nothing left to import
    shown = invoke_main(["--db", str(bob.engine.url), "history", "alpha"])
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.splitlines()[-2:] == [
        "not merged here (entries from claim files that this history leaves no room for):",
        f"  {ann_entry.recorded_at:%Y-%m-%d %H:%M:%S}  history     ann               status "
        f"stalled: no news: it was recorded at {ann_entry.recorded_at:%Y-%m-%d %H:%M:%S}Z, "
        f"before the database's latest status change "
        f"({bob_entry.recorded_at:%Y-%m-%d %H:%M:%S}Z), and history cannot be inserted into "
        "the past  "
        f"[{ann_entry.uuid}]"]
    notes, after_ann = _sync(ann, shared)  # ann takes bob's resolution after her change
    assert notes == [] and after_ann == merged
    assert Queries(ann.engine).claim_detail("alpha").status == "confirmed"
    assert Queries(bob.engine).claim_detail("alpha").status == "confirmed"
    before = dump(engine)
    assert _sync(ann, shared) == ([], merged) and dump(engine) == before


def _checks(directory: Path) -> list[str]:
    return [str(problem) for problem in check_paths(claim_file_paths([directory])).problems]


def test_two_resolutions_of_one_claim_leave_files_that_check_and_agree(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """ann resolves alpha yes while bob resolves it no. Writing both into the file made a
    history `check` refused ("already confirmed at this point"): nobody could import the
    folder any more. The file keeps the earlier (ann's); each database keeps its own until
    someone records the outcome agreed on, which then reaches both."""
    ann, bob = two_databases
    ann.resolve("alpha", "yes", reviewer="ann")
    bob.resolve("alpha", "no", reviewer="bob")
    shared = tmp_path / "shared"
    export_claims(bob, shared)  # bob pushes first
    notes, after_ann = _sync(ann, shared)
    assert len(notes) == 1 and "already refuted" not in notes[0] and "not merged" in notes[0]
    assert _checks(shared) == []
    notes, after_bob = _sync(bob, shared)
    assert len(notes) == 1 and _checks(shared) == [] and after_bob == after_ann
    assert b'outcome = "yes"' in after_bob and b'outcome = "no"' not in after_bob
    [said] = [note for note in export_claims(bob, shared).notes if "'alpha'" in note]
    assert "this database's resolve no by bob" in said and "is not in the file" in said
    assert "the file says confirmed, this database refuted" in said
    assert [Queries(ledger.engine).claim_detail("alpha").status for ledger in (ann, bob)] == [
        "confirmed", "refuted"]
    bob.reopen("alpha", reason="ann was right", reviewer="bob")
    bob.resolve("alpha", "yes", reviewer="bob", note="agreed")
    for ledger in (bob, ann, bob):
        notes, text = _sync(ledger, shared)
        assert notes == [] and _checks(shared) == []
    assert [Queries(ledger.engine).claim_detail("alpha").status for ledger in (ann, bob)] == [
        "confirmed", "confirmed"]
    assert _sync(ann, shared)[1] == text


def test_a_change_after_a_declined_one_is_still_merged(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """bob's database declined ann's 'stalled' (his 'developing' came first there); ann's
    later resolution fits bob's history and used to be declined with it ("it follows an
    entry which was not merged"): the claim was never resolved in bob's database."""
    ann, bob = two_databases
    ann.change_status("alpha", "stalled", reviewer="ann")
    bob.change_status("alpha", "stalled", reviewer="bob", note="bob's")
    assert isinstance(ann.clock, Clock)
    ann.clock.advance(days=2)
    ann.resolve("alpha", "yes", reviewer="ann")
    shared = tmp_path / "shared"
    export_claims(ann, shared)  # both of ann's entries reach bob in one import
    notes, text = _sync(bob, shared)
    assert len(notes) == 1 and "not merged" in notes[0]
    assert _checks(shared) == []
    assert Queries(bob.engine).claim_detail("alpha").status == "confirmed"
    assert _sync(ann, shared) == ([], text)


def test_two_retractions_of_one_entry_settle_on_the_earlier_in_every_file(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    ann, bob = two_databases
    bob.retract_evidence(E1, reason="bob's reason", reviewer="bob")
    ann.retract_evidence(E1, reason="ann's reason", reviewer="ann")  # earlier: ann's clock
    shared = tmp_path / "shared"
    export_claims(bob, shared)  # bob pushes first
    notes, after_ann = _sync(ann, shared)
    assert len(notes) == 1 and "already retracted here" in notes[0]
    assert b"ann's reason" in after_ann and b"bob's reason" not in after_ann
    notes, after_bob = _sync(bob, shared)
    assert len(notes) == 1 and "already retracted here" in notes[0]
    assert after_bob == after_ann
    assert _sync(ann, shared) == ([], after_ann) and _sync(bob, shared) == ([], after_ann)


def test_export_keeps_the_name_of_the_file_holding_a_source(tmp_path: Path,
                                                            ledger: Ledger) -> None:
    folder = tmp_path / "claims"
    path = write(folder, "my-notes.toml", "# a comment export will not keep\n" + FILE)
    import_paths(ledger, [path], reviewer="importer")
    report = export_claims(ledger, folder)
    assert [(exported.path.name, exported.changed) for exported in report.files] == [
        ("my-notes.toml", True)]
    assert sorted(item.name for item in folder.iterdir()) == ["my-notes.toml"]
    assert not path.read_text(encoding="utf-8").startswith("#")
    assert [exported.changed for exported in export_claims(ledger, folder).files] == [False]


def test_a_track_record_both_databases_imported_does_not_stop_their_exports(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """Each database gives a track record's forecasts the time it imported them, so the
    other's file differs from it in that alone: no one's work, and no reason for an export
    to refuse (it refused as for a log entry changed in the file)."""
    ann, bob = two_databases
    record = tmp_path / "record.csv"
    record.write_text("question_id,title,forecaster,probability,forecast_at,outcome,resolved_at\n"
                      "q1,A question,carol,0.6,2024-01-10,,\n", encoding="utf-8")
    import_track_record(ann, record)
    import_track_record(bob, record)
    shared = tmp_path / "shared"
    export_claims(ann, shared)
    report = import_paths(bob, claim_file_paths([shared]), reviewer="x")
    assert len(report.notes) == 1 and ("differs from the database's copy only in when it was "
                                       "recorded") in str(report.notes[0])
    assert not any("was changed" in note for note in export_claims(bob, shared).notes)
    forecast = Queries(bob.engine).claim_detail("q1").forecasts[0]
    assert f"recorded_at = {forecast.recorded_at:%Y-%m-%dT%H:%M:%S}Z" in "".join(
        path.read_text(encoding="utf-8") for path in shared.glob("*.toml"))


def test_two_databases_holding_different_copies_of_an_entry_both_export(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """ann records evidence and exports it; a typo in it is fixed by hand in the file, which
    bob imports (the fixed copy is new to him). Refusing a changed entry, each database then
    refused every export after importing the other's file; each writes its own copy and says
    so, and each import says the file's copy differs."""
    ann, bob = two_databases
    ann.add_evidence("alpha", title="Teh page", stance="supports", reviewer="ann")
    shared = tmp_path / "shared"
    export_claims(ann, shared)
    path = shared / "src.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Teh page", "The page"),
                    encoding="utf-8")
    import_paths(bob, claim_file_paths([shared]), reviewer="x")
    for ledger, own, other in ((ann, "Teh page", "The page"), (bob, "The page", "Teh page"),
                               (ann, "Teh page", "The page")):
        assert other in path.read_text(encoding="utf-8")
        report = import_paths(ledger, claim_file_paths([shared]), reviewer="x")
        assert [note.kind for note in report.notes] == ["differs"]
        notes = export_claims(ledger, shared).notes
        assert [note for note in notes if "was changed in this file" in note] == [
            f"{path}:{_line_of(path, own) - 2}: entry "  # the entry's [[claims.evidence]]
            f"{Queries(ledger.engine).claim_detail('alpha').evidence[-1].uuid} of 'alpha' was "
            "changed in this file; log entries are never changed, so the export wrote the "
            "database's copy over it: to correct the entry, retract it or record a new one"]
        assert own in path.read_text(encoding="utf-8")


def _line_of(path: Path, text: str) -> int:
    """The line of `path` that holds `text` first (its title: two after the entry's start)."""
    return next(number for number, line in enumerate(
        path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


ALPHA = 'slug = "alpha"'


def _carols_edit(ann: Ledger, shared: Path) -> tuple[RevisionItem, Path]:
    """carol edits alpha's statement in ann's database, which exports it to `shared`: her
    revision, and the file."""
    definition = Queries(ann.engine).claim_detail("alpha").definition
    ann.edit_claim("alpha", replace(definition, statement="Alpha surely happens."), "carol",
                   note="firmer, as the source says")
    export_claims(ann, shared)
    return Queries(ann.engine).claim_detail("alpha").revisions[-1], shared / "src.toml"


def _third_database(tmp_path: Path) -> Engine:
    """Another empty database, beside the fixture's two."""
    engine = make_engine(f"sqlite:///{tmp_path / 'third.db'}")
    upgrade(engine)
    return engine


def test_a_definition_edit_is_recorded_as_its_authors_in_every_database(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """ann stalls alpha, then carol edits it, in ann's database. bob's import used to record
    the edit as bob's, at his import: it is carol's, at her time, there and in a database
    created from the file, in its place after the status change (the same versions), and
    every database exports the same file."""
    ann, bob = two_databases
    ann.change_status("alpha", "stalled", reviewer="ann")
    edited, path = _carols_edit(ann, tmp_path / "shared")
    shared = path.parent

    def versions(ledger: Ledger) -> list[tuple[int, str]]:
        detail = Queries(ledger.engine).claim_detail("alpha")
        return sorted([(item.version, item.reviewer) for item in detail.revisions[1:]]
                      + [(item.version, item.to_status) for item in detail.status_changes])

    assert versions(ann) == [(2, "developing"), (3, "stalled"), (4, "carol")]
    written = path.read_bytes()
    assert ('defined_by = "carol"\ndefined_note = "firmer, as the source says"\n'
            'defined_sha256 = "') in written.decode()
    report = import_paths(bob, claim_file_paths([shared]), reviewer="bob")
    assert [str(note) for note in report.notes] == [
        f"updated {path}:{_line_of(path, ALPHA)}: 'alpha' takes the file's "
        f"statement as carol recorded it at {instant_text(edited.recorded_at)}"]
    revision = Queries(bob.engine).claim_detail("alpha").revisions[-1]
    assert (revision.reviewer, revision.recorded_at, revision.note) == (
        "carol", edited.recorded_at, "firmer, as the source says")
    assert versions(bob) == versions(ann)
    export_claims(bob, shared)
    assert path.read_bytes() == written
    third = _third_database(tmp_path)
    try:
        report = import_paths(Ledger(third), claim_file_paths([shared]), reviewer="dan")
        assert report.notes == ()
        revisions = Queries(third).claim_detail("alpha").revisions
        assert [(item.reviewer, item.recorded_at, item.definition.statement)
                for item in revisions] == [
            ("ann", datetime(2024, 2, 1, tzinfo=UTC), "Alpha surely happens."),
            ("carol", edited.recorded_at, "Alpha surely happens.")]
        assert revisions[-1].note == "firmer, as the source says"
        assert versions(Ledger(third)) == versions(ann)
        export_claims(Ledger(third), tmp_path / "again")
        assert (tmp_path / "again" / "src.toml").read_bytes() == written
    finally:
        third.dispose()


@pytest.mark.parametrize(("typed", "statement"), [
    ("Alpha certainly happens.", "Alpha certainly happens."),
    ("because bob said so", "Alpha surely happens.")])
def test_a_definition_edited_by_hand_in_the_file_is_the_importers(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger], typed: str, statement: str
) -> None:
    """The file names carol's definition, but its statement, or her note, was changed by hand
    since: the edit is bob's, now, and said to be (it would otherwise put carol's name on
    words she never recorded)."""
    ann, bob = two_databases
    edited, path = _carols_edit(ann, tmp_path / "shared")
    shared = path.parent
    text = path.read_text(encoding="utf-8")
    original = "Alpha surely happens." if typed.startswith("Alpha") else edited.note
    path.write_text(text.replace(original, typed), encoding="utf-8")
    report = import_paths(bob, claim_file_paths([shared]), reviewer="bob")
    why = (f"it is not the definition carol recorded at {instant_text(edited.recorded_at)}, "
           "or not with that note (defined_sha256 does not match: edited in the file since)")
    assert [str(note) for note in report.notes] == [
        f"updated {path}:{_line_of(path, ALPHA)}: 'alpha' takes the file's "
        f"statement, recorded as bob's edit: {why}"]
    revision = Queries(bob.engine).claim_detail("alpha").revisions[-1]
    assert (revision.reviewer, revision.definition.statement, revision.note) == (
        "bob", statement, f"imported from {path}")
    assert revision.recorded_at > edited.recorded_at  # bob's import, on bob's clock
    third = _third_database(tmp_path)
    try:
        report = import_paths(Ledger(third), claim_file_paths([shared]), reviewer="dan")
        assert [str(note) for note in report.notes] == [
            f"differs {path}:{_line_of(path, 'defined_at = ')}: 'alpha' is created with the "
            f"file's definition, recorded as ann's: {why}"]
        assert [item.reviewer for item in Queries(third).claim_detail("alpha").revisions] == [
            "ann"]
    finally:
        third.dispose()
    export_claims(bob, shared)
    assert 'defined_by = "bob"' in path.read_text(encoding="utf-8")


def test_a_definition_taken_over_a_later_one_of_this_database_is_the_importers(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """carol's edit is older than the one bob made since: taking the file's with --prefer
    file cannot put carol's revision before bob's, so the revision is the importer's, now."""
    ann, bob = two_databases
    edited, path = _carols_edit(ann, tmp_path / "shared")
    bob.edit_claim("alpha", replace(Queries(bob.engine).claim_detail("alpha").definition,
                                    title="Alpha (bob)"), "bob")
    own = Queries(bob.engine).claim_detail("alpha").revisions[-1]
    assert own.recorded_at > edited.recorded_at
    shared = path.parent
    report = import_paths(bob, claim_file_paths([shared]), reviewer="x", prefer=Prefer.FILE)
    assert [note.message for note in report.notes if note.kind == "updated"] == [
        "'alpha' takes the file's title, statement, recorded as x's edit: carol recorded it at "
        f"{instant_text(edited.recorded_at)}, before this database's latest definition "
        f"({instant_text(own.recorded_at)})"]
    revision = Queries(bob.engine).claim_detail("alpha").revisions[-1]
    assert (revision.reviewer, revision.definition.title) == ("x", "Alpha")
    assert revision.recorded_at > own.recorded_at


def _edit_credited_to_x_in_bob(tmp_path: Path, ann: Ledger, bob: Ledger) -> RevisionItem:
    """carol's edit in ann's database, which bob took from a file without the defined_ keys
    (his database credits his import's reviewer, x), then ann's export: the file credits
    carol, earlier than bob's database does."""
    edited, path = _carols_edit(ann, tmp_path / "shared")
    keys = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines()
                     if line.startswith("defined_"))
    path.write_text(path.read_text(encoding="utf-8").replace(keys + "\n", ""),
                    encoding="utf-8")
    assert "defined_" not in path.read_text(encoding="utf-8")
    _sync(bob, path.parent)
    assert 'defined_by = "x"' in path.read_text(encoding="utf-8")
    _sync(ann, path.parent)
    return edited


def test_databases_that_credit_one_definition_differently_export_the_earlier_credit(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """bob took carol's edit from a file written before files said who edited a definition:
    his database holds it as his. Each export writing its own database's author would flip
    the keys at every sync; the file keeps the earlier one, carol's, from every database."""
    ann, bob = two_databases
    edited = _edit_credited_to_x_in_bob(tmp_path, ann, bob)
    shared = tmp_path / "shared"
    path = shared / "src.toml"
    written = path.read_bytes()
    assert f"defined_at = {edited.recorded_at:%Y-%m-%dT%H:%M:%S}Z\n" in written.decode()
    assert 'defined_by = "carol"' in written.decode()
    for ledger in (bob, ann, bob):
        notes, text = _sync(ledger, shared)
        assert (notes, text) == ([], written)


def test_an_earlier_credit_is_exported_with_its_name_trimmed(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """The name in a kept credit was padded by hand ('  carol '): imports read it trimmed,
    and the export that keeps the credit writes it as they read it."""
    ann, bob = two_databases
    _edit_credited_to_x_in_bob(tmp_path, ann, bob)
    path = tmp_path / "shared" / "src.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('defined_by = "carol"', 'defined_by = "  carol "'),
                    encoding="utf-8")
    export_claims(bob, path.parent)
    assert 'defined_by = "carol"\n' in path.read_text(encoding="utf-8")


def test_a_definition_is_not_put_before_a_later_status_change_of_this_database(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """bob stalls alpha after carol's edit (in ann's database) was recorded, then imports
    it. Recorded at carol's time, her revision came after bob's change in versions but
    before it in time: the claim read as last changed by carol, before bob's change, and as
    of a moment between the two it read as a version that held bob's change. It is the
    importer's, now, as an edit older than the database's latest definition is; the file
    keeps carol's credit, and the exports settle."""
    ann, bob = two_databases
    edited, path = _carols_edit(ann, tmp_path / "shared")
    bob.change_status("alpha", "stalled", reviewer="bob")
    stalled = Queries(bob.engine).claim_detail("alpha").status_changes[-1]
    assert stalled.recorded_at > edited.recorded_at
    report = import_paths(bob, claim_file_paths([path.parent]), reviewer="x")
    assert [str(note) for note in report.notes] == [
        f"updated {path}:{_line_of(path, ALPHA)}: 'alpha' takes the file's statement, "
        f"recorded as x's edit: carol recorded it at {instant_text(edited.recorded_at)}, "
        f"before this database's latest status change ({instant_text(stalled.recorded_at)})"]
    detail = Queries(bob.engine).claim_detail("alpha")
    revision = detail.revisions[-1]
    assert (revision.reviewer, revision.version) == ("x", stalled.version + 1)
    assert revision.recorded_at > stalled.recorded_at
    assert (detail.changed_by, detail.changed_at) == ("x", revision.recorded_at)
    between = Queries(bob.engine).claim_detail("alpha", edited.recorded_at)
    assert between.version < stalled.version
    export_claims(bob, path.parent)
    written = path.read_bytes()
    assert 'defined_by = "carol"' in written.decode()
    for ledger in (ann, bob, ann):
        assert _sync(ledger, path.parent) == ([], written)


def test_an_earlier_credit_is_not_kept_before_the_claims_creation_here(
        tmp_path: Path, engine: Engine) -> None:
    """A file that says who edited a definition but not when the claim was created (its
    created_at taken out, no log): a database that creates the claim from it records it now,
    after the edit. Its export kept the file's earlier credit beside its own created_at, a
    definition recorded before its claim: `check` refused the file, and so did every import
    of it. The export writes its own (no credit: it holds the one definition)."""
    ann = Ledger(engine, clock=Clock(datetime(2024, 3, 2, tzinfo=UTC)))
    path = write(tmp_path / "shared", "src.toml", FILE)
    import_paths(ann, [path], reviewer="x")
    _edit(ann, Queries(ann.engine), "alpha-child", statement="Alpha surely happens by 2025.")
    export_claims(ann, path.parent)
    text = path.read_text(encoding="utf-8")
    assert 'defined_by = "carol"' in text
    path.write_text("\n".join(line for line in text.split("\n")
                              if not line.startswith("created_")), encoding="utf-8")
    third = _third_database(tmp_path)
    try:
        bob = Ledger(third, clock=Clock(datetime(2024, 3, 3, tzinfo=UTC)))
        report = import_paths(bob, [path], reviewer="bob")
        assert [note.kind for note in report.notes] == ["differs"]
        export_claims(bob, path.parent)
        assert check_paths([path]).problems == ()
        assert import_paths(ann, [path], reviewer="x").notes == ()
    finally:
        third.dispose()


def test_a_definition_both_sides_made_alike_is_synced_so_a_later_edit_is_no_conflict(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """ann and bob make the same edit; bob imports ann's file (nothing to take) and, before
    exporting, edits the claim again. The import that found the two definitions equal
    records that file and database agree: importing the same file once more finds only the
    database changed since, not a conflict."""
    ann, bob = two_databases
    for ledger, name in ((ann, "ann"), (bob, "bob")):
        definition = Queries(ledger.engine).claim_detail("alpha").definition
        ledger.edit_claim("alpha", replace(definition, statement="Alpha surely happens."), name)
    shared = tmp_path / "shared"
    export_claims(ann, shared)
    report = import_paths(bob, claim_file_paths([shared]), reviewer="x")
    assert (report.files[0].unchanged, report.notes) == (2, ())
    definition = Queries(bob.engine).claim_detail("alpha").definition
    bob.edit_claim("alpha", replace(definition, title="Alpha (bob)"), "bob")
    report = import_paths(bob, claim_file_paths([shared]), reviewer="x")
    assert (report.conflicts, report.notes) == (0, ())
    assert Queries(bob.engine).claim_detail("alpha").definition.title == "Alpha (bob)"


def test_a_padded_name_in_defined_by_is_credited_trimmed(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """defined_by padded by hand ('  carol '): the import credits carol, and says so, by
    the name as every other name is read (trimmed)."""
    ann, bob = two_databases
    edited, path = _carols_edit(ann, tmp_path / "shared")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('defined_by = "carol"', 'defined_by = "  carol "'),
                    encoding="utf-8")
    report = import_paths(bob, claim_file_paths([path.parent]), reviewer="bob")
    assert [str(note) for note in report.notes] == [
        f"updated {path}:{_line_of(path, ALPHA)}: 'alpha' takes the file's "
        f"statement as carol recorded it at {instant_text(edited.recorded_at)}"]
    revision = Queries(bob.engine).claim_detail("alpha").revisions[-1]
    assert (revision.reviewer, revision.recorded_at) == ("carol", edited.recorded_at)


def test_a_history_entry_recorded_at_the_instant_of_the_latest_is_appended(
        tmp_path: Path, ledger: Ledger, queries: Queries) -> None:
    """Entries recorded at one instant keep their written order: one added to the file at
    the instant of the database's latest status change is not put into the past, and is
    merged as a database importing the whole file at once takes it."""
    path = write(tmp_path, "a.toml", FILE)
    import_paths(ledger, [path], reviewer="importer")
    same = _resolved_yes("bob", "2024-02-02T00:00:00Z")  # FILE's status change's instant
    assert check_paths([write(tmp_path, "a.toml", same)]).problems == ()
    report = import_paths(ledger, [path], reviewer="importer")
    assert (report.files[0].entries_added, report.notes) == (1, ())
    detail = queries.claim_detail("alpha")
    assert detail.status == "confirmed" and detail.resolutions[0].uuid == E4


def test_a_definition_recorded_at_the_instant_of_its_claims_creation_keeps_its_credit(
        tmp_path: Path, engine: Engine, database_url: str) -> None:
    """carol edits bob's new claim within its creation's second: the file's defined_at and
    created_at are one instant. That is not before the creation: a database created from the
    file credits carol (and says nothing), and one that took the definition from a file
    without the keys (it credits nobody) exports hers, so the keys do not flip."""
    moment = datetime(2024, 3, 1, 9, tzinfo=UTC)
    ann = Ledger(engine, clock=lambda: moment)
    ann.create_claim(_definition("loose"), "bob")
    ann.edit_claim("loose", replace(_definition("loose"), statement="Firmer."), "carol",
                   note="as the source says")
    shared = tmp_path / "shared"
    export_claims(ann, shared)
    path = shared / "unsourced.toml"
    written = path.read_text(encoding="utf-8")
    assert ("created_at = 2024-03-01T09:00:00Z\ncreated_by = \"bob\"\n"
            "defined_at = 2024-03-01T09:00:00Z\ndefined_by = \"carol\"\n") in written
    later = Clock(datetime(2024, 3, 2, tzinfo=UTC))
    third = _third_database(tmp_path)
    try:
        report = import_paths(Ledger(third, clock=later), [path], reviewer="dan")
        assert report.notes == ()
        assert [(item.reviewer, item.recorded_at)
                for item in Queries(third).claim_detail("loose").revisions] == [
            ("bob", moment), ("carol", moment)]
        export_claims(Ledger(third, clock=later), shared)
        assert path.read_text(encoding="utf-8") == written
    finally:
        third.dispose()
    path.write_text("".join(line for line in written.splitlines(keepends=True)
                            if not line.startswith("defined_")), encoding="utf-8")
    other = _fresh_engine(tmp_path, database_url)
    try:
        import_paths(Ledger(other, clock=later), [path], reviewer="dan")
        export_claims(ann, shared)
        export_claims(Ledger(other, clock=later), shared)
        assert path.read_text(encoding="utf-8") == written
    finally:
        other.dispose()


@pytest.mark.parametrize(("to", "status"), [("", "open"), ('to = "stalled"\n', "stalled")])
def test_a_reopening_from_a_file_reopens_to_the_status_it_gives(
        tmp_path: Path, ledger: Ledger, to: str, status: str) -> None:
    """`to` is optional on a reopen entry (open by default): the database holds it as
    reopened to that status, and neither the next import nor an export over the file says
    the entry was changed in the file."""
    reopen = (f'[[claims.history]]\nid = "{E5}"\naction = "reopen"\n{to}note = "too early"\n'
              'by = "bob"\nrecorded_at = 2024-02-05T00:00:00Z\n\n')
    reopened = _resolved_yes("bob", "2024-02-04T00:00:00Z").replace(
        "[[claims.forecasts]]", reopen + "[[claims.forecasts]]")
    path = write(tmp_path / "shared", "a.toml", reopened)
    import_paths(ledger, [path], reviewer="importer")
    assert Queries(ledger.engine).claim_detail("alpha").status == status
    assert import_paths(ledger, [path], reviewer="importer").notes == ()
    assert not [note for note in export_claims(ledger, path.parent).notes
                if "was changed in this file" in note]


def test_a_forecast_made_when_it_was_recorded_is_the_same_entry_whether_said_or_not(
        tmp_path: Path, ledger: Ledger) -> None:
    """made_at written equal to recorded_at (the default, said): the database's copy, which
    the export writes without it, is the same entry; importing the file again says nothing."""
    path = write(tmp_path, "a.toml", FILE.replace(
        "recorded_at = 2024-02-03T00:00:00Z", "recorded_at = 2024-02-03T00:00:00Z\n"
        "made_at = 2024-02-03T00:00:00Z"))
    import_paths(ledger, [path], reviewer="importer")
    assert import_paths(ledger, [path], reviewer="importer").notes == ()


def test_a_definition_is_not_put_before_a_later_resolution_of_this_database(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """As for a status change: bob resolves alpha after carol's edit (in ann's database) was
    recorded, then imports it. Her revision cannot go before his resolution: it is the
    importer's, now, after it."""
    ann, bob = two_databases
    edited, path = _carols_edit(ann, tmp_path / "shared")
    bob.resolve("alpha", "yes", reviewer="bob")
    resolved = Queries(bob.engine).claim_detail("alpha").resolutions[-1]
    report = import_paths(bob, claim_file_paths([path.parent]), reviewer="x")
    assert [note.message for note in report.notes] == [
        "'alpha' takes the file's statement, recorded as x's edit: carol recorded it at "
        f"{instant_text(edited.recorded_at)}, before this database's latest resolution "
        f"({instant_text(resolved.recorded_at)}) (a closed claim: its scores may change)"]
    revision = Queries(bob.engine).claim_detail("alpha").revisions[-1]
    assert (revision.reviewer, revision.version) == ("x", resolved.version + 1)
    assert revision.recorded_at > resolved.recorded_at > edited.recorded_at


def test_a_forecast_made_elsewhere_reaches_a_claim_resolved_here(
        tmp_path: Path, two_databases: tuple[Ledger, Ledger]) -> None:
    """ann forecasts alpha while bob resolves it: bob's import adds her forecast to his
    closed claim (the ledger refuses a new forecast on one, not a merged one)."""
    ann, bob = two_databases
    ann.forecast("alpha", 0.8, reviewer="ann")
    made = Queries(ann.engine).claim_detail("alpha").forecasts[-1]
    bob.resolve("alpha", "yes", reviewer="bob")
    shared = tmp_path / "shared"
    export_claims(ann, shared)
    report = import_paths(bob, claim_file_paths([shared]), reviewer="x")
    assert (report.files[0].entries_added, report.notes) == (1, ())
    detail = Queries(bob.engine).claim_detail("alpha")
    assert detail.status == "confirmed" and made.uuid in {item.uuid for item in detail.forecasts}
