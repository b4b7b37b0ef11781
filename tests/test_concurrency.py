"""Team mode: two reviewers change the same claim; one wins, the other is told, none is lost."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from tests.helpers import definition
from tracker.errors import Conflict
from tracker.ledger import Ledger
from tracker.queries import Queries


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
