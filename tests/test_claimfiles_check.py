"""`check`: every problem of a claim file, each at the line of the key it is about."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.claimfiles import check_paths
from tracker.claimfiles.reader import read_path
from tracker.claimfiles.rules import log_problems

E1 = "00000000-0000-4000-8000-000000000001"
E2 = "00000000-0000-4000-8000-000000000002"
E3 = "00000000-0000-4000-8000-000000000003"
E4 = "00000000-0000-4000-8000-000000000004"

GOOD = f'''format = 1

[source]
key = "src"
title = "A source"

[[claims]]
slug = "alpha"
title = "Alpha"
statement = "Alpha happens."
kind = "prediction"
made_on = 2023-06-29
deadline = 2026-06-29
criteria = "Yes if alpha happens."
review = "FREQ=YEARLY"
confidence = 0.75

[[claims.evidence]]
id = "{E1}"
title = "A page"
url = "https://example.org/a"
stance = "supports"
by = "ann"
recorded_at = 2024-01-01T00:00:00Z

[[claims.history]]
id = "{E2}"
action = "status"
to = "developing"
by = "ann"
recorded_at = 2024-01-02T00:00:00Z

[[claims.forecasts]]
id = "{E3}"
p = 0.6
by = "ann"
recorded_at = 2024-01-03T00:00:00Z
'''


DEFINED = f'defined_at = 2024-01-05T12:00:00Z\ndefined_by = "bob"\ndefined_sha256 = "{"0" * 64}"'
"""Who recorded the definition and when, as export writes it (the hash is not checked)."""


def test_a_definitions_author_as_export_writes_it_is_no_problem(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD.replace("confidence = 0.75", f"confidence = 0.75\n{DEFINED}")
                    ) == []


@pytest.mark.parametrize(("written", "message"), [
    ("2024-01-05T12:00:00", "defined_at has no time zone"),
    ("2024-01-05", "bad date-time: defined_at must be a TOML date-time"),
])
def test_a_defined_at_that_cannot_be_read_is_said_once(tmp_path: Path, written: str,
                                                       message: str) -> None:
    """The three keys are there: only the one that cannot be read is a problem (it was
    also said to be missing, and the other two to be given without it)."""
    text = GOOD.replace("confidence = 0.75", "confidence = 0.75\n" + DEFINED.replace(
        "2024-01-05T12:00:00Z", written))
    found = problems(tmp_path, text)
    assert [(line, found_message[:len(message)]) for _name, line, found_message in found] == [
        (line_of(text, "defined_at = "), message)]


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `marker`."""
    hits = [number for number, line in enumerate(text.split("\n"), 1) if marker in line]
    return hits[occurrence - 1]


def problems(tmp_path: Path, *texts: str) -> list[tuple[str, int, str]]:
    paths = []
    for index, text in enumerate(texts):
        path = tmp_path / f"f{index}.toml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    result = check_paths(paths)
    return [(Path(problem.path).name, problem.line, problem.message) for problem in result.problems]


def one(tmp_path: Path, text: str) -> tuple[int, str]:
    found = problems(tmp_path, text)
    assert len(found) == 1, found
    return found[0][1], found[0][2]


def test_good_file_has_no_problems(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD) == []


def test_an_entry_whose_recorded_at_cannot_be_read_is_checked_all_the_same(
        tmp_path: Path) -> None:
    """An entry whose recorded_at had no zone was left out of the check: its other problems
    (here a bad id and stance) came only once the time was fixed."""
    text = GOOD.replace(f'id = "{E1}"', 'id = "not-a-uuid"').replace(
        'stance = "supports"', 'stance = "agrees"').replace(
        "recorded_at = 2024-01-01T00:00:00Z", "recorded_at = 2024-01-01T00:00:00\n"
        "observed_on = 2023-12-01")
    assert [(line, message.split(":")[0]) for _name, line, message in problems(tmp_path, text)] == [
        (line_of(text, "not-a-uuid"), "id 'not-a-uuid' is not a UUID"),
        (line_of(text, "agrees"), "unknown stance 'agrees'"),
        (line_of(text, "recorded_at = 2024-01-01T"), "recorded_at has no time zone"),
    ]
    # A forecast copied with its id kept: the duplicate came only once the time was fixed.
    copied = GOOD + (f'\n[[claims.forecasts]]\nid = "{E3}"\np = 0.7\nby = "ann"\n'
                     "recorded_at = 2024-01-04T00:00:00\n")
    assert [message.split(":")[0] for _name, _line, message in problems(tmp_path, copied)] == [
        f"duplicate entry id {E3}", "recorded_at has no time zone"]


def test_a_history_entry_whose_recorded_at_cannot_be_read_has_no_date_compared_to_it(
        tmp_path: Path) -> None:
    """Its observed_on is not said to come after a time that was never read."""
    text = GOOD.replace("recorded_at = 2024-01-02T00:00:00Z",
                        "recorded_at = 2024-01-02T00:00:00\nobserved_on = 2023-12-01")
    assert [(line, message.split(":")[0]) for _name, line, message in problems(tmp_path, text)] == [
        (line_of(text, "recorded_at = 2024-01-02T"), "recorded_at has no time zone")]


@pytest.mark.parametrize(("old", "new", "expected", "key"), [
    ('kind = "prediction"', 'kind = "guess"', "unknown kind 'guess'", "kind"),
    ('to = "developing"', 'to = "flying"', "unknown status 'flying'", "to"),
    ('stance = "supports"', 'stance = "agrees"', "unknown stance 'agrees'", "stance"),
    ('action = "status"\nto = "developing"', 'action = "resolve"\noutcome = "maybe"',
     "unknown outcome 'maybe'", "outcome"),
    ('action = "status"', 'action = "close"', "unknown action 'close'", "action"),
    ("confidence = 0.75", "confidence = 1.5", "confidence 1.5 is outside [0, 1]", "confidence"),
    ("p = 0.6", "p = -0.1", "p -0.1 is outside [0, 1]", "p"),
    ('action = "status"\nto = "developing"', 'action = "resolve"\noutcome = "partial"\n'
     "value = 2", "value 2.0 is outside [0, 1]", "value"),
    ("made_on = 2023-06-29", 'made_on = "June 2023"', "bad date: made_on", "made_on"),
    ("made_on = 2023-06-29", 'made_on = "2023-13"', "bad date: made_on", "made_on"),
    ('title = "A page"', 'title = "A page"\nobserved_on = "2024-01-01"', "bad date: observed_on",
     "observed_on"),
    ("recorded_at = 2024-01-03T00:00:00Z", "recorded_at = 2024-01-03T00:00:00",
     "recorded_at has no time zone", "recorded_at"),
    ('review = "FREQ=YEARLY"', 'review = "EVERY=YEAR"', "bad RRULE", "review"),
    ("deadline = 2026-06-29", "deadline = 2023-01-01", "before made_on 2023-06-29", "deadline"),
    ('criteria = "Yes if alpha happens."', 'criteria = ""', "has no resolution criteria",
     "criteria"),
    ("confidence = 0.75", 'confidence = 0.75\nparent = "nobody"',
     "parent 'nobody' of 'alpha' is not among the claims checked: check the slug", "parent"),
    ('url = "https://example.org/a"', 'url = "example.org/a"', "must start with http", "url"),
    ('stance = "supports"', 'stance = "supports"\nstanse = "x"', "did you mean 'stance'?",
     "stanse"),
    (f'id = "{E3}"', 'id = "not-a-uuid"', "is not a UUID", "id"),
    ('by = "ann"\nrecorded_at = 2024-01-03', 'by = ""\nrecorded_at = 2024-01-03',
     "has no reviewer", "by"),
    ("deadline = 2026-06-29", "deadline = 2026-06-29\ndeadline_end = 2026-07-01",
     "not both", "deadline"),
    ('by = "ann"\nrecorded_at = 2024-01-03', 'by = "ann\\nevil"\nrecorded_at = 2024-01-03',
     "by holds a line break or another control character", "by"),
    ('title = "Alpha"', 'title = "Al\\u0000pha"', "title holds a NUL character", "title"),
    ('title = "A source"', 'title = "A source"\nnotes = "see \\u0000 here"',
     "notes holds a NUL character", "notes"),
    ('title = "A source"', 'title = "A source"\nauthors = ["Ann\\u0000"]',
     "authors holds a NUL character", "authors"),
    ('title = "Alpha"', 'title = "Al\\u001b]0;pwned\\u0007pha"',
     "title holds the control character \\u001b: remove it", "title"),
    ('title = "Alpha"', 'title = "Al\\npha"', "title holds a line break: give it on one line",
     "title"),
    ('criteria = "Yes if alpha happens."', 'criteria = "Yes if alpha happens."\ntags = ["ai;ml"]',
     "tag 'ai;ml' holds ';'", "tags"),
    ("confidence = 0.75", 'confidence = 0.75\ndefined_by = "bob"\n'
     f'defined_sha256 = "{"0" * 64}"', "defined_by, defined_sha256 without defined_at: the "
     "three go together", "defined_by"),
    ("confidence = 0.75", f"confidence = 0.75\n{DEFINED.replace('0' * 64, 'a1b2')}",
     "defined_sha256 is not a SHA-256 in lowercase hex", "defined_sha256"),
    ("confidence = 0.75", f"confidence = 0.75\n{DEFINED.replace('0' * 64, '0' * 65)}",
     "defined_sha256 is not a SHA-256 in lowercase hex", "defined_sha256"),
    ("confidence = 0.75", "confidence = 0.75\n" + DEFINED.replace(
        '"bob"', '"bob\\nevil"'), "defined_by holds a line break", "defined_by"),
    ("confidence = 0.75", "confidence = 0.75\n" + DEFINED.replace('"bob"', '" "'),
     'defined_by is empty: add defined_by = "NAME"', "defined_by"),
    ("confidence = 0.75", 'confidence = 0.75\ndefined_note = "clearer"',
     "defined_note without defined_at, defined_by and defined_sha256", "defined_note"),
    ("confidence = 0.75", "confidence = 0.75\n" + DEFINED + '\ndefined_note = "a\\u0000b"',
     "defined_note holds a NUL character", "defined_note"),
    ("confidence = 0.75", "confidence = 0.75\n" + DEFINED.replace("2024-01-05", "2023-12-31"),
     "defined_at 2023-12-31 12:00 UTC is before the claim was created (2024-01-01 00:00 UTC, its "
     "created_at or first log entry)", "defined_at"),
])
def test_each_problem_is_found_at_its_line(tmp_path: Path, old: str, new: str,
                                           expected: str, key: str) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    line, message = one(tmp_path, text)
    assert expected in message
    marker = f"{key} = "
    assert line == line_of(text, marker, occurrence=_occurrence(text, marker, new))


def _occurrence(text: str, marker: str, new: str) -> int:
    """Which occurrence of `marker` in `text` is the first one in the replaced part."""
    before = text[:text.index(new)].split("\n")[:-1]
    return sum(1 for line in before if marker in line) + 1


def test_duplicate_slug_in_one_file_and_across_files(tmp_path: Path) -> None:
    claim = GOOD[GOOD.index("[[claims]]"):GOOD.index("[[claims.evidence]]")]
    twice = GOOD + "\n" + claim
    found = problems(tmp_path, twice)
    assert [(line, message[:23]) for _name, line, message in found] == [
        (line_of(twice, 'slug = "alpha"', 2), "duplicate slug 'alpha':")]
    other = 'format = 1\n\n' + claim
    found = problems(tmp_path, GOOD, other)
    assert found == [("f1.toml", line_of(other, "slug ="),
                      f"duplicate slug 'alpha': also at {tmp_path / 'f0.toml'}:8")]


def test_duplicate_entry_ids(tmp_path: Path) -> None:
    text = GOOD.replace(f'id = "{E3}"', f'id = "{E1}"')
    line, message = one(tmp_path, text)
    assert line == line_of(text, f'id = "{E1}"', 2)
    assert message.startswith(f"duplicate entry id {E1}: also used at ")


@pytest.mark.parametrize(("history", "bad", "expected"), [
    ('action = "resolve"\noutcome = "yes"', 'action = "status"\nto = "stalled"',
     "is confirmed (closed)"),
    ('action = "resolve"\noutcome = "no"', 'action = "resolve"\noutcome = "yes"',
     "already refuted"),
    ('action = "status"\nto = "stalled"', 'action = "reopen"\nnote = "why"',
     "not closed: nothing to reopen"),
    ('action = "status"\nto = "stalled"', 'action = "status"\nto = "stalled"',
     "already stalled"),
])
def test_lifecycle_is_replayed_in_recorded_at_order(tmp_path: Path, history: str, bad: str,
                                                    expected: str) -> None:
    # The bad entry comes first in the file but was recorded later.
    text = GOOD.replace('action = "status"\nto = "developing"', bad).replace(
        "[[claims.forecasts]]",
        f'[[claims.history]]\nid = "00000000-0000-4000-8000-00000000000a"\n{history}\n'
        'by = "ann"\nrecorded_at = 2024-01-01T12:00:00Z\n\n[[claims.forecasts]]')
    line, message = one(tmp_path, text)
    assert expected in message
    assert line == line_of(text, "action = ")


def test_quote_must_be_in_the_stored_copy_ignoring_whitespace(tmp_path: Path) -> None:
    copy = "引言\n\n用不了多久,大家會把80%算力從\n TrAIning 轉(zhuǎn)向 Serving\n".encode()
    (tmp_path / "copy.txt").write_bytes(copy)
    digest = hashlib.sha256(copy).hexdigest()
    source = f'title = "A source"\ncopy = "copy.txt"\ncopy_sha256 = "{digest}"'
    quote = 'quote = "用不了多久,大家會把80%算力從 TrAIning 轉(zhuǎn)向Serving"'
    text = GOOD.replace('title = "A source"', source).replace(
        'title = "Alpha"', f'title = "Alpha"\n{quote}')
    assert problems(tmp_path, text) == []
    wrong = text.replace("80%算力", "90%算力")
    line, message = one(tmp_path, wrong)
    assert line == line_of(wrong, "quote = ")
    assert "is not in the stored copy 'copy.txt'" in message


def test_stored_copy_must_match_its_sha256(tmp_path: Path) -> None:
    (tmp_path / "copy.txt").write_bytes(b"changed")
    text = GOOD.replace('title = "A source"',
                        f'title = "A source"\ncopy = "copy.txt"\ncopy_sha256 = "{"0" * 64}"')
    line, message = one(tmp_path, text)
    assert line == line_of(text, "copy_sha256")
    assert hashlib.sha256(b"changed").hexdigest() in message
    missing = text.replace('copy = "copy.txt"', 'copy = "gone.txt"')
    line, message = one(tmp_path, missing)
    assert (line, "is not beside this file" in message) == (line_of(missing, "copy = "), True)


def test_a_copy_sha256_in_uppercase_hex_matches(tmp_path: Path) -> None:
    """As PowerShell's Get-FileHash prints it: the hash is the same."""
    (tmp_path / "copy.txt").write_bytes(b"the words")
    digest = hashlib.sha256(b"the words").hexdigest().upper()
    assert problems(tmp_path, GOOD.replace('title = "A source"', f'title = "A source"\n'
                                           f'copy = "copy.txt"\ncopy_sha256 = "{digest}"')) == []


def test_a_copy_named_outside_the_files_folder_is_refused(tmp_path: Path) -> None:
    """Even where that file exists and matches: the copy is stored beside its claim file
    (an export writes it there)."""
    (tmp_path / "copy.txt").write_bytes(b"the words")
    digest = hashlib.sha256(b"the words").hexdigest()
    text = GOOD.replace('title = "A source"', f'title = "A source"\ncopy = "../copy.txt"\n'
                        f'copy_sha256 = "{digest}"')
    (tmp_path / "claims").mkdir()
    assert one(tmp_path / "claims", text) == (
        line_of(text, "copy = "), "copy '../copy.txt' must be a file name beside this file")


def test_malformed_toml_reports_the_parsers_line_and_column(tmp_path: Path) -> None:
    text = GOOD.replace('title = "Alpha"', 'title = "Alpha')
    line, message = one(tmp_path, text)
    assert line == line_of(text, 'title = "Alpha')
    assert message.startswith("malformed TOML: ") and "(column " in message


def test_a_byte_order_mark_is_named_as_such(tmp_path: Path) -> None:
    """A file saved as "UTF-8 with BOM" (Windows PowerShell's utf8, some editors) read
    `1: malformed TOML: Invalid statement (column 1)` on a line that reads `format = 1`."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert [(problem.line, problem.message) for problem in check_paths([path]).problems] == [
        (1, "the file starts with a byte order mark (BOM): save it as UTF-8 without one")]


def test_a_merge_left_unfinished_is_named_as_such(tmp_path: Path) -> None:
    """What a git merge leaves: markers around both sides, or, once they are deleted, two
    entries run together (tomllib's own words were "Invalid statement", "Cannot overwrite
    a value")."""
    markers = GOOD.replace("[[claims.forecasts]]", "<<<<<<< HEAD\n[[claims.forecasts]]", 1)
    markers = markers.rstrip("\n") + "\n=======\n>>>>>>> bob\n"
    line, message = one(tmp_path, markers)
    assert line == line_of(markers, "<<<<<<< HEAD")
    assert message.startswith("git merge conflict markers") and "delete the marker" in message
    run_together = GOOD.replace("[[claims.forecasts]]", "", 1)
    line, message = one(tmp_path, run_together)
    assert message.endswith("'id' is given twice in one table; after a merge, two entries may "
                            "have lost the [[...]] header between them (each entry needs its "
                            "own)")


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = (GOOD.replace('kind = "prediction"', 'kind = "guess"')
            .replace("confidence = 0.75", "confidence = 7")
            .replace('stance = "supports"', 'stance = "agrees"')
            .replace("p = 0.6", "p = 6"))
    other = text.replace('slug = "alpha"', 'slug = "beta"').replace('key = "src"', 'key = "two"')
    for index in "123":
        other = other.replace(f"-00000000000{index}", f"-00000000010{index}")
    found = problems(tmp_path, text, other)
    assert len(found) == 8
    assert [line for name, line, _ in found if name == "f0.toml"] == [
        line_of(text, "kind ="), line_of(text, "confidence ="), line_of(text, "stance ="),
        line_of(text, "p =")]


def test_parent_cycle_and_missing_format(tmp_path: Path) -> None:
    text = '''[[claims]]
slug = "a"
title = "A"
statement = "A."
kind = "fact"
parent = "b"

[[claims]]
slug = "b"
title = "B"
statement = "B."
kind = "fact"
parent = "a"
'''
    found = problems(tmp_path, text)
    assert [(line, message.split(":")[0]) for _name, line, message in found] == [
        (1, "missing `format = 1` at the top of the file"),
        (6, "parent cycle"), (13, "parent cycle")]


def test_status_entry_to_a_closed_status_and_reopen_rules(tmp_path: Path) -> None:
    text = GOOD.replace('to = "developing"', 'to = "confirmed"')
    line, message = one(tmp_path, text)
    assert line == line_of(text, "action = ") and 'close a claim with action = "resolve"' in message
    text = GOOD.replace('action = "status"\nto = "developing"', 'action = "reopen"\n'
                        "observed_on = 2024-01-01")
    found = problems(tmp_path, text)
    messages = [message for _name, _line, message in found]
    assert any("reason for reopening (note) is missing" in message for message in messages)
    assert any("reopen entry takes no observed_on" in message for message in messages)
    assert any("nothing to reopen" in message for message in messages)


RESOLVED = GOOD.replace('action = "status"\nto = "developing"',
                        'action = "resolve"\noutcome = "yes"')


@pytest.mark.parametrize(("text", "after", "added", "message"), [
    (GOOD, "recorded_at = 2024-01-01T00:00:00Z", "observed_on = 2024-01-03",
     "observed on 2024-01-03 is more than a day after it is recorded (2024-01-01): give the "
     "day it was published or happened"),
    (GOOD, 'to = "developing"', "observed_on = 2024-02-01",
     "observed on 2024-02-01 is more than a day after it is recorded (2024-01-02): give the "
     "day it was published or happened"),
    (RESOLVED, 'outcome = "yes"', "observed_on = 2024-02-01",
     "observed on 2024-02-01 is more than a day after it is recorded (2024-01-02): give the "
     "day it was published or happened"),
    (GOOD, "recorded_at = 2024-01-03T00:00:00Z", "made_at = 2024-02-01T09:00:00Z",
     "forecast made on 2024-02-01 is more than a day after it is recorded (2024-01-03): give "
     "when the forecast was made"),
], ids=["evidence", "status", "resolve", "forecast"])
def test_a_date_after_the_entry_was_recorded_is_refused_at_its_line(
    tmp_path: Path, text: str, after: str, added: str, message: str
) -> None:
    assert problems(tmp_path, RESOLVED) == []
    text = text.replace(after, f"{after}\n{added}")
    assert one(tmp_path, text) == (line_of(text, added), message)


def test_an_observation_may_be_dated_the_day_after_its_recording(tmp_path: Path) -> None:
    """A day's grace: east of UTC, the local date is already the next day."""
    text = GOOD.replace("recorded_at = 2024-01-01T00:00:00Z",
                        "recorded_at = 2024-01-01T00:00:00Z\nobserved_on = 2024-01-02")
    assert problems(tmp_path, text) == []


def test_with_a_clock_every_entry_recorded_after_it_is_a_problem(tmp_path: Path) -> None:
    later = GOOD.replace("recorded_at = 2024-", "recorded_at = 2099-").replace(
        "by = \"ann\"\nrecorded_at = 2099-01-01T00:00:00Z",
        "by = \"ann\"\nrecorded_at = 2099-01-01T00:00:00Z\n\n[claims.evidence.retracted]\n"
        f"id = \"{E4}\"\nreason = \"misread\"\nby = \"bob\"\nrecorded_at = 2099-01-04T00:00:00Z", 1)
    path = tmp_path / "f.toml"
    path.write_text(later, encoding="utf-8")
    assert check_paths([path]).problems == ()  # no clock: nothing to compare with
    found = check_paths([path], now=datetime(2026, 11, 29, 12, tzinfo=UTC)).problems
    assert [(problem.line, problem.message) for problem in found] == [
        (line_of(later, f"2099-01-0{day}"), f"recorded_at 2099-01-0{day} is in the future "
                                           "(today is 2026-11-29): give when the entry was "
                                           "recorded")
        for day in (1, 4, 2, 3)]  # evidence, its retraction, history, forecast: in line order


def test_with_a_clock_a_definition_recorded_after_it_is_a_problem(tmp_path: Path) -> None:
    text = GOOD.replace("confidence = 0.75", "confidence = 0.75\n" + DEFINED.replace(
        "2024-01-05", "2099-01-05"))
    path = tmp_path / "f.toml"
    path.write_text(text, encoding="utf-8")
    found = check_paths([path], now=datetime(2026, 11, 29, 12, tzinfo=UTC)).problems
    assert [(problem.line, problem.message) for problem in found] == [
        (line_of(text, "defined_at = "), "defined_at 2099-01-05 is in the future (today is "
         "2026-11-29): give when the definition was recorded")]


def test_a_claim_made_after_it_is_first_recorded_is_a_problem(tmp_path: Path) -> None:
    """An import records a new claim at its earliest log entry (2024-01-01 here)."""
    for made_on, expected in (("2024-01-02", []), ("2024-01-03", [
            "made on 2024-01-03 is more than a day after it is recorded (2024-01-01): give "
            "the day the claim was made"])):
        text = GOOD.replace("made_on = 2023-06-29", f"made_on = {made_on}")
        assert [(line, message) for _path, line, message in problems(tmp_path, text)] == [
            (line_of(text, "made_on = "), message) for message in expected]


def test_an_export_names_a_claim_made_after_its_first_entry(tmp_path: Path) -> None:
    """A database written before the rule may hold one; the export says check will report it
    (the export's notes come from log_problems)."""
    path = tmp_path / "f.toml"
    path.write_text(GOOD.replace("made_on = 2023-06-29", "made_on = 2024-01-03"),
                    encoding="utf-8")
    content = read_path(path).content
    assert content is not None
    assert log_problems(content.claims[0], datetime(2026, 11, 29, tzinfo=UTC)) == [
        "made on 2024-01-03 is more than a day after it is recorded (2024-01-01): give the "
        "day the claim was made"]


def test_with_a_clock_a_claim_without_a_log_made_after_it_is_a_problem(tmp_path: Path) -> None:
    bare = GOOD[:GOOD.index("[[claims.evidence]]")].replace(
        "made_on = 2023-06-29", "made_on = 2026-12-25").replace(
        "deadline = 2026-06-29", "deadline = 2027-06-29")
    path = tmp_path / "f.toml"
    path.write_text(bare, encoding="utf-8")
    assert check_paths([path]).problems == ()  # no log and no clock: nothing to compare with
    found = check_paths([path], now=datetime(2026, 11, 29, 12, tzinfo=UTC)).problems
    assert [(problem.line, problem.message) for problem in found] == [
        (line_of(bare, "made_on = "), "made on 2026-12-25 is more than a day after it is "
                                      "recorded (2026-11-29): give the day the claim was made")]


def test_a_partial_resolution_of_zero_or_one_is_refused(tmp_path: Path) -> None:
    for value, full in (("1.0", "yes"), ("0", "no")):
        text = RESOLVED.replace('outcome = "yes"', f'outcome = "partial"\nvalue = {value}')
        line, message = one(tmp_path, text)
        assert line == line_of(text, "value = ")
        assert message == (f"a partial value of {float(value):g} is a full '{full}': resolve "
                           f"it as {full}, or give a value between 0 and 1")


@pytest.mark.parametrize(("copy", "expected"), [
    ("Café prices rise.".encode("latin-1"), "is not UTF-8 text (byte 3 is not)"),
    (b"Alpha\x00 happens.", "holds a NUL character: store the source as plain text"),
])
def test_a_stored_copy_must_be_plain_utf8_text(tmp_path: Path, copy: bytes,
                                               expected: str) -> None:
    """Quotes are matched, and the copy kept in the database, as text (PostgreSQL cannot
    store NUL)."""
    (tmp_path / "copy.txt").write_bytes(copy)
    digest = hashlib.sha256(copy).hexdigest()
    text = GOOD.replace('title = "A source"',
                        f'title = "A source"\ncopy = "copy.txt"\ncopy_sha256 = "{digest}"')
    line, message = one(tmp_path, text)
    assert line == line_of(text, "copy = ")
    assert message.startswith(f"the stored copy 'copy.txt' {expected}")
