"""What a form asks the ledger to record, as plain values, and the one function that does it.

Forms return these values (never widgets), so a refused or conflicting write can reopen the
form with exactly what the reviewer typed: nothing typed is ever lost.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from tracker.definitions import ClaimDefinition, with_deadline_moved
from tracker.ledger import Ledger
from tracker.probability import percent_text


@dataclass(frozen=True)
class NewForecast:
    probability: float
    rationale: str = ""


@dataclass(frozen=True)
class NewEvidence:
    title: str
    stance: str
    url: str = ""
    summary: str = ""
    observed_on: date | None = None


@dataclass(frozen=True)
class NewStatus:
    status: str
    note: str = ""
    observed_on: date | None = None


@dataclass(frozen=True)
class NewResolution:
    outcome: str
    value: float | None = None
    note: str = ""
    observed_on: date | None = None


@dataclass(frozen=True)
class Reopening:
    reason: str


@dataclass(frozen=True)
class Retraction:
    evidence_uuid: str
    reason: str


DEADLINE_FIELDS = frozenset({"horizon", "deadline_start", "deadline_end", "deadline_rule"})


@dataclass(frozen=True)
class DefinitionEdit:
    """The claim's definition as the reviewer wants it (a new revision, the old one kept),
    and the definition they started from, so the edit can be carried onto a newer one."""

    base: ClaimDefinition
    definition: ClaimDefinition
    note: str = ""

    def rebased(self, onto: ClaimDefinition) -> DefinitionEdit:
        """The same edit made on `onto`: the fields this edit changed take its values, every
        other field keeps what `onto` has (someone else's changes are not undone)."""
        changed = {item.name: getattr(self.definition, item.name) for item in fields(self.base)
                   if getattr(self.definition, item.name) != getattr(self.base, item.name)}
        definition = replace(onto, **changed)
        if not DEADLINE_FIELDS & changed.keys():
            # A new made-on day moves a deadline `onto` counts from it ("18 months"), as
            # the form and `tracker edit --made-on` move it.
            definition = with_deadline_moved(onto, definition)
        return DefinitionEdit(onto, definition, self.note)

    def changes_nothing(self) -> bool:
        """Whether the definition is its base's: the same texts apart from surrounding
        blanks, the same tags. Saving it would record a revision that changes nothing
        (after a conflict: someone else made the same change meanwhile)."""
        return _comparable(self.definition) == _comparable(self.base)


def _comparable(definition: ClaimDefinition) -> ClaimDefinition:
    return replace(definition, title=definition.title.strip(),
                   statement=definition.statement.strip(), criteria=definition.criteria.strip(),
                   quote=definition.quote.strip(), tags=tuple(sorted(set(definition.tags))))


@dataclass(frozen=True)
class NewClaim:
    """A claim to record, as `tracker add` records one (its slug is the PendingWrite's)."""

    definition: ClaimDefinition


@dataclass(frozen=True)
class ReviewDone:
    """The reviewer finished looking at a claim in a review session."""

    seen_through: datetime | None = None
    """When the latest entry by someone else that the reviewer was shown was recorded: such
    entries recorded since refuse the mark (see `LedgerTransaction.mark_reviewed`)."""


Change = (NewForecast | NewEvidence | NewStatus | NewResolution | Reopening | Retraction
          | DefinitionEdit | NewClaim | ReviewDone)


@dataclass(frozen=True)
class PendingWrite:
    """A change to one claim, with the version of the claim the reviewer was looking at."""

    slug: str
    version: int
    change: Change

    def describe(self) -> str:
        change = self.change
        match change:
            case NewForecast(probability=probability):
                return f"forecast {percent_text(probability)} on {self.slug}"
            case NewEvidence(title=title):
                return f"evidence '{title}' on {self.slug}"
            case NewStatus(status=status):
                return f"{self.slug} is now {status}"
            case NewResolution(outcome=outcome, value=value):
                shown = f"partial {value:g}" if value is not None else outcome
                return f"resolved {self.slug}: {shown}"
            case Reopening():
                return f"reopened {self.slug}"
            case Retraction():
                return f"retracted evidence on {self.slug}"
            case DefinitionEdit():
                return f"edited the definition of {self.slug}"
            case NewClaim():
                return f"new claim {self.slug}"
            case ReviewDone():
                return f"reviewed {self.slug}"


def apply(ledger: Ledger, reviewer: str, write: PendingWrite) -> None:
    """Record `write` through the ledger; raises the ledger's typed errors unchanged."""
    slug, change = write.slug, write.change
    match change:
        case NewForecast():
            ledger.forecast(slug, change.probability, rationale=change.rationale,
                            reviewer=reviewer)
        case NewEvidence():
            ledger.add_evidence(slug, title=change.title, stance=change.stance, url=change.url,
                                summary=change.summary, observed_on=change.observed_on,
                                reviewer=reviewer)
        case NewStatus():
            ledger.change_status(slug, change.status, note=change.note,
                                 observed_on=change.observed_on, reviewer=reviewer,
                                 expected_version=write.version)
        case NewResolution():
            ledger.resolve(slug, change.outcome, value=change.value, note=change.note,
                           observed_on=change.observed_on, reviewer=reviewer,
                           expected_version=write.version)
        case Reopening():
            ledger.reopen(slug, reason=change.reason, reviewer=reviewer,
                          expected_version=write.version)
        case Retraction():
            ledger.retract_evidence(change.evidence_uuid, reason=change.reason,
                                    reviewer=reviewer)
        case DefinitionEdit():
            ledger.edit_claim(slug, change.definition, reviewer, expected_version=write.version,
                              note=change.note)
        case NewClaim():
            ledger.create_claim(change.definition, reviewer)
        case ReviewDone():
            ledger.mark_reviewed(slug, reviewer, seen_through=change.seen_through)
