"""`tracker check`: every problem of a set of claim files, each as `file:line: message`.

Per-file rules live in `rules`; here are the checks that need all the files at once:
duplicate slugs, source keys and entry ids, parents that do not exist, parent cycles.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tracker.claimfiles.entries import ClaimEntry, EvidenceEntry
from tracker.claimfiles.problems import Problem
from tracker.claimfiles.reader import ReadFile, read_path
from tracker.claimfiles.rules import file_problems, recorded_later


@dataclass(frozen=True)
class CheckResult:
    """The files as read and every problem found in them (in file, then line order)."""

    files: tuple[ReadFile, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def claim_count(self) -> int:
        return sum(len(read.content.claims) for read in self.files if read.content is not None)


def check_paths(paths: Sequence[Path], known_slugs: Collection[str] = (),
                now: datetime | None = None) -> CheckResult:
    """Read and check claim files; `known_slugs` are claims that exist elsewhere (the
    database), so children in the files may name them as parents; with `now`, an entry
    recorded after it is a problem too."""
    return check_files([read_path(path) for path in paths], known_slugs, now)


def check_files(files: Sequence[ReadFile], known_slugs: Collection[str] = (),
                now: datetime | None = None,
                known_parents: Mapping[str, str] | None = None) -> CheckResult:
    """`known_parents`: the parent of each claim elsewhere that has one (the database's, on
    import), so a file cannot close a loop through claims it does not hold."""
    problems: list[Problem] = []
    for read in files:
        problems.extend(read.problems)
        if read.content is not None:
            problems.extend(file_problems(read.content, read.path, read.directory))
            if now is not None:
                problems += [Problem(read.path, line, message)
                             for claim in read.content.claims
                             for line, message in recorded_later(claim, now)]
    problems.extend(_across_files(files, known_slugs, known_parents or {}))
    order = {read.path: index for index, read in enumerate(files)}
    problems.sort(key=lambda problem: (order.get(problem.path, len(order)), problem.line,
                                       problem.message))
    return CheckResult(tuple(files), tuple(dict.fromkeys(problems)))


def _across_files(files: Sequence[ReadFile], known_slugs: Collection[str],
                  known_parents: Mapping[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    slugs: dict[str, tuple[str, int]] = {}
    sources: dict[str, tuple[str, int]] = {}
    entry_ids: dict[str, tuple[str, int]] = {}
    claims: list[tuple[str, ClaimEntry]] = []
    for read in files:
        if read.content is None:
            continue
        source = read.content.source
        if source is not None and source.key:
            line = source.where.of("key")
            if source.key in sources:
                first = sources[source.key]
                problems.append(Problem(read.path, line, f"source '{source.key}' is also "
                                        f"defined at {first[0]}:{first[1]}: keep one file per "
                                        "source"))
            else:
                sources[source.key] = (read.path, line)
        for claim in read.content.claims:
            if not claim.slug:
                continue
            claims.append((read.path, claim))
            line = claim.where.of("slug")
            if claim.slug in slugs:
                first = slugs[claim.slug]
                problems.append(Problem(read.path, line, f"duplicate slug '{claim.slug}': also "
                                        f"at {first[0]}:{first[1]}"))
            else:
                slugs[claim.slug] = (read.path, line)
            problems.extend(_duplicate_ids(read.path, claim, entry_ids))
    every_slug = set(slugs) | set(known_slugs)
    in_files = {claim.slug for _path, claim in claims}
    parents = {slug: parent for slug, parent in known_parents.items() if slug not in in_files}
    parents |= {claim.slug: claim.parent for _path, claim in claims if claim.parent}
    for path, claim in claims:
        if not claim.parent or claim.parent == claim.slug:
            continue
        if claim.parent not in every_slug:
            # `tracker check one.toml` sees that file only: its parent may be in another
            problems.append(Problem(path, claim.where.of("parent"), f"parent '{claim.parent}' "
                                    f"of '{claim.slug}' is not among the claims checked: "
                                    "check the slug, or check the file that holds it too"))
        elif cycle := _cycle(claim.slug, parents):
            problems.append(Problem(path, claim.where.of("parent"),
                                    f"parent cycle: {' -> '.join(cycle)}: a claim cannot be "
                                    "its own ancestor"))
    return problems


def _duplicate_ids(path: str, claim: ClaimEntry,
                   seen: dict[str, tuple[str, int]]) -> list[Problem]:
    problems: list[Problem] = []
    entries = (*claim.evidence, *claim.history, *claim.forecasts, *claim.unplaced)
    located = [(item.id, item.where) for item in entries]
    located += [(item.retracted.id, item.retracted.where) for item in entries
                if isinstance(item, EvidenceEntry) and item.retracted is not None]
    for entry_id, where in sorted(located, key=lambda pair: pair[1].line):
        if not entry_id:
            continue
        line = where.of("id")
        if entry_id in seen:
            first = seen[entry_id]
            problems.append(Problem(path, line, f"duplicate entry id {entry_id}: also used at "
                                    f"{first[0]}:{first[1]}; give this entry a new id"))
        else:
            seen[entry_id] = (path, line)
    return problems


def _cycle(slug: str, parents: dict[str, str]) -> list[str]:
    """The parent chain from `slug` back to itself, or [] if it never returns."""
    chain = [slug]
    current = parents.get(slug)
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return [*chain, slug] if current == slug else []
