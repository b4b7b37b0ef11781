"""`tracker export`: write the database back as claim files, one per source.

A source's claims go to the file in the directory that already holds that source (so a file
keeps its name), else to `<source key>.toml`; claims without a source go to `unsourced.toml`.
Files are written in the canonical form (`writer`) and only when their text changes, and every
exported claim's `synced_hash` is set, so the next import knows which side changed what.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from tracker.claimfiles.convert import (
    claim_entry,
    defined_hash,
    definition_of,
    file_hash,
    source_entry,
    with_declined,
)
from tracker.claimfiles.entries import ClaimEntry, ClaimFile, SourceEntry
from tracker.claimfiles.lifecycle import replay
from tracker.claimfiles.merge import changed_entries
from tracker.claimfiles.paths import claim_file_paths
from tracker.claimfiles.problems import Problem, ProblemsFound
from tracker.claimfiles.reader import ReadFile, read_path
from tracker.claimfiles.rules import beside, log_problems
from tracker.claimfiles.writer import render
from tracker.definitions import check_tag, copy_matches, validate_definition
from tracker.errors import CannotWrite, InvalidInput
from tracker.ledger import Ledger
from tracker.queries import ClaimDetail, Queries
from tracker.textfiles import make_folder, read_bytes, write_all_if_changed, write_if_changed

UNSOURCED = "unsourced.toml"


@dataclass(frozen=True)
class ExportedFile:
    path: Path
    claims: int
    changed: bool


@dataclass(frozen=True)
class ExportReport:
    files: tuple[ExportedFile, ...]
    notes: tuple[str, ...]
    copies: tuple[Path, ...] = ()
    """Stored copies of sources written beside their files (from the text the database
    keeps), so the directory can be checked and imported on its own."""


OVERWRITE_REFUSED = ("nothing was written: import these changes first (tracker import "
                     "DIRECTORY), or settle each line as it says, or export with --force to "
                     "write over them")


def export_claims(ledger: Ledger, directory: Path, *, force: bool = False) -> ExportReport:
    """Write every source and claim of the database into `directory`. A file holding what
    the database lacks (a claim or log entry added, a definition edited since the last sync:
    work not imported yet) is not written over unless `force`: nothing is written then. A log
    entry changed in a file is written over with the database's copy, and a note says so."""
    queries = Queries(ledger.engine)
    details = [queries.claim_detail(slug) for slug in queries.slugs()]
    sources = {source.key: source for source in queries.sources()}
    groups: dict[str | None, list[ClaimDetail]] = {key: [] for key in sources}
    for detail in details:
        groups.setdefault(detail.source.key if detail.source else None, []).append(detail)
    make_folder(directory)
    existing, duplicates, notes = _existing_files(directory)
    keys = sorted(groups, key=lambda name: (name is None, name or ""))
    targets = {key: existing.pop(key) for key in keys if key in existing}
    left_alone = [*existing.values(), *duplicates]  # the notes say so
    for key in keys:
        if key not in targets:
            targets[key] = _free_path(directory, key, [*targets.values(), *left_alone])
    declined = queries.declined_entries()
    own_of = {detail.slug: claim_entry(detail) for detail in details}
    entries_of = {slug: with_declined(entry, declined.get(slug, ()))
                  for slug, entry in own_of.items()}
    source_entries = {key: source_entry(source) for key, source in sources.items()}
    seen: dict[Path, bytes | None] | None = None
    if not force:
        # Read before the check, compared again just before writing: an edit saved while
        # this runs is refused then, not written over (nor half of the files written).
        seen = {path: read_bytes(path) for path in targets.values()}
    # Each file there parsed once (after `seen`), for the refusal's check and the notes; not a
    # pipe named like one (reading it blocks: the write refuses it).
    read = {path: read_path(path) for path in targets.values() if path.is_file()}
    entries_of.update(_earlier_definers(read.values(), details, entries_of))
    if not force:
        by_slug = {detail.slug: detail for detail in details}
        declined_ids = {slug: {item.uuid for item in items} for slug, items in declined.items()}
        unimported = [problem for path, held in read.items()
                      for problem in unimported_changes(path, held, by_slug, entries_of,
                                                        source_entries, declined_ids)]
        homes = {detail.slug: targets[key] for key in keys for detail in groups[key]}
        unimported += _written_elsewhere(directory, set(targets.values()), homes)
        if unimported:
            raise ProblemsFound(unimported, OVERWRITE_REFUSED)
    notes += [note for path, held in read.items()
              for note in _changed_entry_notes(path, held, entries_of)]
    files = {targets[key]: ClaimFile(
        source=source_entries[key] if key is not None else None,
        claims=tuple(entries_of[detail.slug] for detail in groups[key])) for key in keys}
    with ledger.transaction() as tx:
        # Taken before any file is written: a database kept busy too long refuses the export
        # with the files as they were, not written without their sync recorded. Imports
        # update claims in their files' order, this in slug order: one at a time, or on
        # PostgreSQL each could wait for a claim the other holds (a deadlock).
        tx.hold_import_lock()
        changed = write_all_if_changed({path: render(file) for path, file in files.items()},
                                       seen)
        copied = {key: _copy_beside(queries, files[targets[key]].source, targets[key])
                  for key in keys}
        for detail in details:
            synced = file_hash(detail.definition)
            if detail.synced_hash != synced:
                tx.set_synced_hash(detail.slug, synced)
    written: list[ExportedFile] = []
    copies: list[Path] = []
    now = ledger.clock()
    for key in keys:
        path = targets[key]
        entries = files[path].claims
        written.append(ExportedFile(path, len(entries), path in changed))
        copy = copied[key]
        if copy is not None and copy.state == "written":
            copies.append(copy.path)
        elif copy is not None and (note := _copy_note(copy, path, key, directory)):
            notes.append(note)
        for entry in entries:
            notes += [f"{path}: '{entry.slug}': {message}; the entry was recorded before "
                      "tracker refused such entries and stays in the log, but `tracker check` "
                      "will report it" for message in log_problems(entry, now)]
            notes += [f"{path}: '{entry.slug}': {message}; the tag was recorded before tracker "
                      "refused such tags, but `tracker check` will report it: give the "
                      f"claim's tags again (tracker edit {entry.slug} --tag ...)"
                      for message in _tag_problems(entry)]
            notes += _own_history_left_out(path, own_of[entry.slug], entry)
            if replay(entry.history)[1]:
                notes.append(f"{path}: the history of '{entry.slug}' is not in clock order (an "
                             "entry was recorded with an earlier time than the change before "
                             "it), so `tracker check` will report it: fix the entry's "
                             "recorded_at in the file")
    notes += [f"{path} was left as it is: " + (
        f"its source '{key}' is not in the database" if key is not None
        else "the database has no claims without a source")
        for key, path in sorted(existing.items(), key=lambda item: str(item[1]))]
    return ExportReport(tuple(written), tuple(notes), tuple(copies))


def _own_history_left_out(path: Path, own: ClaimEntry, written: ClaimEntry) -> list[str]:
    """Said when the file's history leaves out this database's own entries (another
    database's earlier entry took their place: `with_declined`): the file and the
    database then disagree on the claim until the outcome agreed on is recorded."""
    kept = {entry.id for entry in written.history}
    left_out = [entry for entry in own.history if entry.id not in kept]
    if not left_out:
        return []
    entries = ", ".join(f"{entry.action} {entry.outcome or entry.to} by {entry.by} "
                        f"({entry.id[:8]})" for entry in left_out)
    return [f"{path}: '{own.slug}': this database's {entries} is not in the file, whose "
            f"history has another database's earlier entry in its place: the file says "
            f"{replay(written.history)[0]}, this database {replay(own.history)[0]}; record "
            "the status you agree on"]


def unimported_changes(path: Path, read: ReadFile, details: Mapping[str, ClaimDetail],
                       entries_of: Mapping[str, ClaimEntry],
                       sources: Mapping[str, SourceEntry],
                       declined: Mapping[str, set[str]]) -> list[Problem]:
    """What the claim file at `path` holds that the database lacks, or that cannot be read,
    by line: writing the database over it would lose it. (Sources change only by import, so
    a `[source]` table unlike the database's was edited here.) Entries an import declined
    (`declined`, by slug) are not missing: the database remembers them. `read` is the
    file as read from `path`."""
    unrecognised = read.content is not None and bool(read.problems) and not (
        read.content.claims or read.content.source)  # TOML, but not a claim file's
    if read.content is None or unrecognised:
        first = read.problems[0] if read.problems else Problem(str(path), 1, "unreadable")
        return [Problem(str(path), first.line, f"not a claim file this export can read "
                        f"({first.message}), and the export would write over it")]
    entry = read.content.source
    source = entry.key if entry else None
    # What the reader could not take (an entry whose recorded_at has no zone, a key it does
    # not know, a value of the wrong type) is not in what it read: writing would drop it.
    problems = [Problem(str(path), problem.line, "the export cannot read this and would "
                        f"write over it: {problem.message}") for problem in read.problems]
    if entry is not None and entry.key in sources and entry != sources[entry.key]:
        problems.append(Problem(str(path), entry.where.of("key"), f"the [source] table of "
                                f"'{entry.key}' was changed in this file since it was last "
                                "imported or exported"))
    for claim in read.content.claims:
        detail = details.get(claim.slug)
        if detail is None:
            problems.append(Problem(str(path), claim.where.of("slug"),
                                    f"claim '{claim.slug}' is not in the database"))
            continue
        known = {entry.id for entry in entries_of[claim.slug].log}
        known |= declined.get(claim.slug, set())
        problems += [Problem(str(path), entry.where.of("id"), f"entry {entry.id} of "
                             f"'{claim.slug}' is not in the database")
                     for entry in claim.log if entry.id not in known]
        if _definition_hash(claim, source) not in (file_hash(detail.definition),
                                                   detail.synced_hash):
            problems.append(Problem(str(path), claim.where.of("slug"), f"the definition of "
                                    f"'{claim.slug}' was changed in this file since it was "
                                    "last imported or exported"))
    return sorted(problems)


def _changed_entry_notes(path: Path, read: ReadFile,
                         entries_of: Mapping[str, ClaimEntry]) -> list[str]:
    """The log entries the file at `path` holds changed (an edit by hand: no import takes
    one, the log is append-only), which the export writes over with the database's copy.
    Not refused: two databases that took different copies of one entry (one imported it
    after the edit) would each refuse every export after a sync."""
    content = read.content
    if content is None:
        return []
    return [f"{path}:{line}: entry {entry_id} of '{claim.slug}' was changed in this file; "
            "log entries are never changed, so the export wrote the database's copy over it: "
            "to correct the entry, retract it or record a new one"
            for claim in content.claims if claim.slug in entries_of
            for entry_id, line in changed_entries(claim, entries_of[claim.slug], clocks=False)]


def _earlier_definers(read: Iterable[ReadFile], details: Iterable[ClaimDetail],
                      entries_of: Mapping[str, ClaimEntry]) -> dict[str, ClaimEntry]:
    """The claims whose file already names who recorded their current definition (its
    defined_sha256 matches) earlier than this database does, or where this database names
    nobody, with the file's defined_* keys: each database holds the revision it recorded or
    imported (an import before the keys existed, or past a hand edit, credits the importer),
    and writing its own would flip the keys at every export of another. Not a credit from
    before the claim's creation as this export writes it (a database that created the claim
    later, from a file that did not say when): `check` refuses a definition recorded before
    its claim."""
    held = {claim.slug: claim for file in read if file.content is not None
            for claim in file.content.claims}
    earlier: dict[str, ClaimEntry] = {}
    for detail in details:
        own, file = entries_of[detail.slug], held.get(detail.slug)
        if (file is None or file.defined_at is None or not file.defined_by.strip()
                or file.defined_sha256 != defined_hash(file_hash(detail.definition),
                                                       file.defined_note)):
            continue
        created = own.created_of("")[0]
        if created is not None and file.defined_at < created:
            continue
        if own.defined_at is None or file.defined_at < own.defined_at:
            earlier[detail.slug] = replace(own, defined_at=file.defined_at,
                                           defined_by=file.defined_by.strip(),
                                           defined_note=file.defined_note,
                                           defined_sha256=file.defined_sha256)
    return earlier


def _written_elsewhere(directory: Path, targets: set[Path],
                       homes: Mapping[str, Path]) -> list[Problem]:
    """Claims in a file this export leaves alone that it writes into another file (a claim
    moved, a source split over two files): both files would hold them, and fail `check`."""
    problems: list[Problem] = []
    for path in claim_file_paths([directory]):
        if path in targets or (content := read_path(path).content) is None:
            continue
        problems += [Problem(str(path), claim.where.of("slug"), f"claim '{claim.slug}' is "
                             f"written to {homes[claim.slug].name} by this export (its "
                             "source's file), so it would be in two files: move it there, or "
                             "delete it here")
                     for claim in content.claims if claim.slug in homes]
    return problems


def _tag_problems(entry: ClaimEntry) -> list[str]:
    problems = []
    for tag in entry.tags:
        try:
            check_tag(tag)
        except InvalidInput as error:
            problems.append(str(error))
    return problems


def _definition_hash(claim: ClaimEntry, source: str | None) -> str | None:
    """The hash an import compares (None: a definition no import would take)."""
    try:
        return validate_definition(definition_of(claim, source)).content_hash()
    except InvalidInput:
        return None


CopyState = Literal["missing", "present", "other", "written", "unwritable"]


@dataclass(frozen=True)
class _Copy:
    name: str
    path: Path
    state: CopyState
    reason: str = ""


def _copy_beside(queries: Queries, source: SourceEntry | None, claim_file: Path
                 ) -> _Copy | None:
    """The source's stored copy beside its exported file: already there, another file in
    its place, or written from the text the database keeps when that text is the very copy
    copy_sha256 names."""
    if source is None or not source.copy:
        return None
    path = beside(source.copy, claim_file.parent)
    if path is None:  # the database holds a name leading elsewhere: not written there
        return _Copy(source.copy, claim_file.parent / source.copy, "missing")
    if path.exists():
        return _Copy(source.copy, path, "present" if _holds(path, source.copy_sha256)
                     else "other")
    text = queries.stored_copy(source.key)
    if text is None or not copy_matches(text.encode(), source.copy_sha256):
        return _Copy(source.copy, path, "missing")
    try:
        make_folder(path.parent)  # a copy may be named in a folder beside its file
        write_if_changed(path, text)
    except CannotWrite as error:  # the claim files are written all the same
        return _Copy(source.copy, path, "unwritable", str(error))
    return _Copy(source.copy, path, "written")


def _copy_note(copy: _Copy, claim_file: Path, key: str | None, directory: Path) -> str:
    """What the export says about a copy it did not write ('' for one already there)."""
    if copy.state == "missing":
        return (f"{claim_file}: the stored copy '{copy.name}' of source '{key}' is not in "
                f"{directory}: put it there so `tracker check` can verify the quotes")
    if copy.state == "unwritable":
        return (f"{claim_file}: the stored copy of source '{key}' was not written "
                f"({copy.reason}), so `tracker check` will report it missing")
    if copy.state == "other":
        return (f"{claim_file}: {copy.path} is not the stored copy of source '{key}' (its "
                "sha256 is not the file's copy_sha256; another source's copy may have the "
                "same name), so `tracker check` will report it: move that file away, or name "
                "each source's copy apart, and export again")
    return ""


def _holds(path: Path, sha256: str) -> bool:
    try:
        return path.is_file() and copy_matches(path.read_bytes(), sha256)
    except OSError:
        return False


def _file_name(key: str | None) -> str:
    if key is None:
        return UNSOURCED
    return f"{key}-source.toml" if f"{key}.toml" == UNSOURCED else f"{key}.toml"


def _free_path(directory: Path, key: str | None, taken: Iterable[Path]) -> Path:
    """Where a source without a file of its own is written: its name, unless that file is
    (or links to) one in `taken`: another source is written to it (a file renamed, or linked,
    to that name, or two keys giving one name), or the export leaves it as it is (a source
    the database lacks, a second file of one source): then its name with -2, -3, ... that no
    file has. Written to one file, the two sources' claims were one source's, the other's
    lost."""
    held = {path.resolve() for path in taken}
    name = _file_name(key)
    path, number = directory / name, 1
    while path.resolve() in held or (number > 1 and (path.exists() or path.is_symlink())):
        number += 1
        path = directory / f"{name.removesuffix('.toml')}-{number}.toml"
    return path


def _existing_files(directory: Path
                    ) -> tuple[dict[str | None, Path], list[Path], list[str]]:
    """The claim file already holding each source key (None: the claims without a source),
    among the files an import of `directory` reads: a hidden one (an editor's or a user's
    backup) is no claim file, and writing the database into it would leave the file that
    imports read as it was. Also the files holding a key a file before them holds (left as
    they are), and notes saying so."""
    found: dict[str | None, Path] = {}
    duplicates: list[Path] = []
    notes: list[str] = []
    for path in claim_file_paths([directory]):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        source = data.get("source")
        key = source.get("key") if isinstance(source, dict) else None
        if not isinstance(key, str | None) or (key is None and "claims" not in data
                                               and "format" not in data):
            continue  # not a claim file this export could have written
        if key in found:
            notes.append(f"{path} holds the same source as {found[key].name} and was left as "
                         f"it is: an export writes that source only to {found[key].name} "
                         "(merge the two files, or remove this one)")
            duplicates.append(path)
            continue
        found[key] = path
    return found, duplicates, notes
