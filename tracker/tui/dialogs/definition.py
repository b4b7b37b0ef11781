"""What the new-claim and edit-definition forms share: the fields of a claim's definition
that `tracker add` and `tracker edit` both take, read the way those commands read them.

Title, statement, criteria, deadline, made-on date, kind, tags and review cadence. The
deadline reads dates, quarters, horizons and ranges as `--deadline` does, relative ones
counted from the made-on field (and explained again when it changes); an empty deadline
field keeps `kept_deadline`'s (the claim's current one when editing, none for a new claim),
and 'none' removes it (as `tracker edit --deadline ''` does). A deadline before the made-on
date is refused under the field as either date is typed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.widgets import Input, Select

from tracker.definitions import (
    CRITERIA_HINT,
    ClaimDefinition,
    check_deadline_window,
    check_made_on,
    check_tag,
    deadline_moved_to,
    lacks_criteria,
)
from tracker.horizons import (
    NO_DEADLINE,
    DateError,
    Deadline,
    cadence_ended,
    check_cadence,
    parse_deadline,
    removes_deadline,
)
from tracker.tui.dialogs.form import (
    FieldError,
    FormDialog,
    describe_day,
    labelled,
    ledger_rule,
    read_day,
    read_required,
)
from tracker.tui.format import deadline
from tracker.vocabulary import Kind

ResultT = TypeVar("ResultT")


def deadline_of(definition: ClaimDefinition) -> str:
    return deadline(definition.deadline_start, definition.deadline_end)


def deadline_text(definition: ClaimDefinition) -> str:
    """The deadline as the form can read it back: its horizon as written, else its dates,
    else the word for none (an empty field would keep the claim's)."""
    if definition.horizon:
        return definition.horizon
    return NO_DEADLINE if definition.deadline_end is None else deadline_of(definition)


def same_deadline(one: ClaimDefinition, other: ClaimDefinition) -> bool:
    return (one.deadline_start, one.deadline_end) == (other.deadline_start, other.deadline_end)


def read_tags(text: str, stored: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Comma-separated tags, each once, sorted (as the ledger stores them); one the ledger
    would refuse (a ';' in it) is shown under the field as it is typed, unless the claim
    has it already (recorded before the rule: the ledger keeps it through an edit)."""
    tags = tuple(sorted({tag.strip() for tag in text.split(",") if tag.strip()}))
    for tag in set(tags) - stored:
        ledger_rule("tags", check_tag, tag)
    return tags


class DefinitionForm(FormDialog[ResultT]):
    """Subclasses set `start` (what the fields open with) and `kept_deadline`, and compose
    `definition_fields()` among their own."""

    FORM_CLASSES: ClassVar[str] = "-definition"
    EMPTY_DEADLINE: ClassVar[str] = "no deadline"
    start: ClaimDefinition
    kept_deadline: ClaimDefinition
    """Whose deadline an empty deadline field keeps."""
    stored_tags: frozenset[str] = frozenset()
    """The tags the claim has already: kept as they are (see `read_tags`)."""

    def definition_fields(self) -> ComposeResult:
        start = self.start
        yield from labelled("Title", Input(value=start.title, id="title"))
        yield from labelled("Statement", Input(value=start.statement, id="statement",
                                               placeholder="what is claimed, in plain English"))
        yield from labelled("Resolution criteria", Input(
            value=start.criteria, id="criteria", placeholder="how it resolves yes or no"))
        # A deadline that differs from the kept one (a form reopened after a refusal or a
        # conflict) is shown as text, so saving again keeps it.
        yield from labelled("Deadline", Input(
            value="" if same_deadline(start, self.kept_deadline) else deadline_text(start),
            id="deadline", placeholder="2025-06-30, 'June 2025', 2025-Q3, '18 months', "
                                       "'1-2 years'"),
            self._empty_deadline())
        yield from labelled("Made on", Input(
            value="" if start.made_on is None else start.made_on.isoformat(), id="made-on",
            placeholder="when the claim was made: 2023-06-29"))
        yield from labelled("Kind", Select([(kind.value, kind.value) for kind in Kind],
                                           value=start.kind, allow_blank=False, id="kind"))
        yield from labelled("Tags", Input(value=", ".join(start.tags), id="tags",
                                          placeholder="comma-separated: compute, serving"))
        yield from labelled("Review cadence", Input(
            value=start.review_cadence, id="cadence",
            placeholder="an RRULE such as FREQ=MONTHLY;INTERVAL=3 (optional)"))

    def on_mount(self) -> None:
        # Focusing the first field scrolls the tall form down to it; show the heading too.
        self.call_after_refresh(self.query_one(".form").scroll_home, animate=False)

    def _empty_deadline(self) -> str:
        if self.kept_deadline.deadline_end is None:
            return self.EMPTY_DEADLINE
        return f"unchanged: {deadline_of(self.kept_deadline)} ('{NO_DEADLINE}' removes it)"

    def _read_made_on(self, text: str) -> date | None:
        """The made-on date; the ledger's rule that it is not after today is checked here
        too, so the form says so while it is typed."""
        now = self.app.now()  # type: ignore[attr-defined]
        day = read_day("made-on", text, now.date())
        ledger_rule("made-on", check_made_on, day, now)
        return day

    def _made_on(self) -> date | None:
        try:
            return read_day("made-on", self.text("made-on"),
                            self.app.now().date())  # type: ignore[attr-defined]
        except FieldError:
            return self.start.made_on  # its own hint says what is wrong with it

    def _deadline_text(self, typed: str, made_on: date | None) -> str:
        """What the deadline is read from: as typed, else a kept horizon that counts from a
        made-on date now changed ("2 years" moves with it), else nothing (kept as it is)."""
        if typed.strip() or deadline_moved_to(self.kept_deadline, made_on) is None:
            return typed.strip()
        return self.kept_deadline.horizon

    def _deadline(self, text: str, made_on: date | None) -> Deadline | None:
        """`text` (see `_deadline_text`) read as a deadline; None for none typed."""
        if not text:
            return None
        try:
            return parse_deadline(text, made_on)
        except DateError as error:
            raise FieldError("deadline", str(error)) from None

    def hint(self, field: str, value: Any) -> str:
        text = str(value)
        if field == "made-on":
            if self.is_mounted:  # a relative deadline counts from it
                self._explain("deadline", self.text("deadline"))
            return describe_day(self._read_made_on(text))
        if field == "deadline":
            if removes_deadline(text):
                return self.EMPTY_DEADLINE
            made_on = self._made_on()
            read = self._deadline(self._deadline_text(text, made_on), made_on)
            kept = self.kept_deadline
            start, end = (kept.deadline_start, kept.deadline_end) if read is None else (
                read.start, read.end)
            ledger_rule("deadline", check_deadline_window, start, end, made_on)
            if read is None:
                return self._empty_deadline()
            return f"read as {deadline(read.start, read.end)}"
        if field == "tags":
            read_tags(text, self.stored_tags)
            return ""
        if field == "cadence" and text.strip():
            try:
                rule = check_cadence(text)
            except DateError as error:
                raise FieldError(field, str(error)) from None
            ended = cadence_ended(rule, self.app.now())  # type: ignore[attr-defined]
            return "ok" if ended is None else (
                f"ok, but it ended on {ended.date()}: no review is due after that day")
        return ""

    def _read_tags(self) -> tuple[str, ...]:
        """The tags typed; as they were if the field still lists them as it opened (a tag
        stored before the rule with a ',' in it would read back as two)."""
        text = self.text("tags")
        if text.strip() == ", ".join(self.start.tags):
            return self.start.tags
        return read_tags(text, self.stored_tags)

    def read_definition(self, base: ClaimDefinition) -> ClaimDefinition:
        """`base` with the fields' values; raises FieldError for the first that does not read."""
        made_on = self._read_made_on(self.text("made-on"))
        cadence = self.text("cadence").strip()
        self.hint("cadence", cadence)  # raises if it does not read
        definition = replace(
            base,
            title=read_required("title", self.text("title"), "a title"),
            statement=read_required("statement", self.text("statement"), "a statement"),
            criteria=self.text("criteria").strip(),
            made_on=made_on,
            kind=str(self.query_one("#kind", Select).value),
            tags=self._read_tags(),
            review_cadence=cadence,
        )
        if lacks_criteria(definition):
            raise FieldError("criteria", f"a prediction needs resolution criteria: {CRITERIA_HINT}")
        if removes_deadline(self.text("deadline")):
            return replace(definition, horizon="").with_deadline(None)
        typed = self._deadline_text(self.text("deadline"), made_on)
        deadline = self._deadline(typed, made_on)
        if deadline is not None:
            definition = replace(definition, horizon=typed, deadline_rule="").with_deadline(
                deadline)
        else:
            kept = self.kept_deadline
            definition = replace(definition, horizon=kept.horizon, deadline_rule=kept.deadline_rule,
                                 deadline_start=kept.deadline_start, deadline_end=kept.deadline_end)
        ledger_rule("deadline", check_deadline_window, definition.deadline_start,
                    definition.deadline_end, made_on)
        return definition
