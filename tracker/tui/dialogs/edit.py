"""The definition form: what `tracker edit` changes (title, statement, criteria, deadline,
made-on date, kind, tags, review cadence), with a note saying why.

The form opens on the claim's definition; saving records a new revision through the ledger,
checked against the version on screen, and the old definition stays in the history. The
deadline field is empty unless it is to change: it reads dates, quarters, horizons and
ranges as `tracker add --deadline` does, relative ones counted from the made-on field.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, Select

from tracker.definitions import ClaimDefinition
from tracker.horizons import DateError, Deadline, parse_cadence, parse_deadline
from tracker.tui.dialogs.form import (
    FieldError,
    FormDialog,
    describe_day,
    labelled,
    read_day,
    read_required,
)
from tracker.tui.writes import DefinitionEdit
from tracker.vocabulary import Kind


def _day(moment: datetime | None) -> str:
    return "none" if moment is None else moment.date().isoformat()


def describe_deadline(start: datetime | None, end: datetime | None) -> str:
    return f"{_day(start)} .. {_day(end)}" if start is not None else _day(end)


def _deadline_of(definition: ClaimDefinition) -> str:
    return describe_deadline(definition.deadline_start, definition.deadline_end)


def read_tags(text: str) -> tuple[str, ...]:
    """Comma-separated tags, each once, sorted (as the ledger stores them)."""
    return tuple(sorted({tag.strip() for tag in text.split(",") if tag.strip()}))


def _deadline_text(definition: ClaimDefinition) -> str:
    """The deadline as the form can read it back: its horizon as written, else its dates."""
    if definition.horizon:
        return definition.horizon
    if definition.deadline_start is not None and definition.deadline_end is not None:
        return f"{_day(definition.deadline_start)}..{_day(definition.deadline_end)}"
    return "" if definition.deadline_end is None else _day(definition.deadline_end)


def _same_deadline(one: ClaimDefinition, other: ClaimDefinition) -> bool:
    return (one.deadline_start, one.deadline_end) == (other.deadline_start, other.deadline_end)


def _comparable(definition: ClaimDefinition) -> ClaimDefinition:
    """What 'unchanged' means: the same text apart from surrounding blanks, the same tags."""
    return replace(definition, title=definition.title.strip(),
                   statement=definition.statement.strip(), criteria=definition.criteria.strip(),
                   tags=tuple(sorted(set(definition.tags))))


class EditDialog(FormDialog[DefinitionEdit]):
    HEADING = "Edit definition"
    FORM_CLASSES = "-edit"

    def __init__(self, subject: str, current: ClaimDefinition, *,
                 initial: DefinitionEdit | None = None, error: str = "") -> None:
        super().__init__(subject, initial=initial, error=error)
        self.current = current
        """The definition on screen: what 'unchanged' is measured against."""
        self.start = initial.definition if initial is not None else current
        """What the fields open with: the reviewer's own edit when the form reopens."""

    def fields(self) -> ComposeResult:
        start = self.start
        yield from labelled("Title", Input(value=start.title, id="title"))
        yield from labelled("Statement", Input(value=start.statement, id="statement"))
        yield from labelled("Resolution criteria", Input(value=start.criteria, id="criteria"))
        # Empty means unchanged; a deadline this edit already changes (the form reopened after
        # a refusal or a conflict) is shown as text, so saving again keeps it.
        yield from labelled("Deadline", Input(
            value="" if _same_deadline(start, self.current) else _deadline_text(start),
            id="deadline", placeholder="unchanged; or 2025-06-30, 'June 2025', 2025-Q3, "
                                       "'18 months', '1-2 years'"),
            f"unchanged: {_deadline_of(self.current)}")
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
        yield from labelled("Note", Input(
            value=self.initial_value("note"), id="note",
            placeholder="why the definition changes (kept with the revision)"))

    def on_mount(self) -> None:
        # Focusing the first field scrolls the tall form down to it; show the heading too.
        self.call_after_refresh(self.query_one(".form").scroll_home, animate=False)

    def _text(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    def _made_on(self) -> date | None:
        try:
            return read_day("made-on", self._text("made-on"))
        except FieldError:
            return self.start.made_on  # its own hint says what is wrong with it

    def _deadline(self, text: str, made_on: date | None) -> Deadline | None:
        if not text.strip():
            return None
        try:
            return parse_deadline(text, made_on)
        except DateError as error:
            raise FieldError("deadline", str(error)) from None

    def hint(self, field: str, value: Any) -> str:
        text = str(value)
        if field == "made-on":
            if self.is_mounted:  # a relative deadline counts from it
                self._explain("deadline", self._text("deadline"))
            return describe_day(read_day(field, text))
        if field == "deadline":
            deadline = self._deadline(text, self._made_on())
            if deadline is None:
                return f"unchanged: {_deadline_of(self.current)}"
            return f"read as {describe_deadline(deadline.start, deadline.end)}"
        if field == "cadence" and text.strip():
            try:
                parse_cadence(text)
            except DateError as error:
                raise FieldError(field, str(error)) from None
            return "ok"
        return ""

    def read(self) -> DefinitionEdit:
        made_on = read_day("made-on", self._text("made-on"))
        cadence = self._text("cadence").strip()
        self.hint("cadence", cadence)  # raises if it does not read
        definition = replace(
            self.start,
            title=read_required("title", self._text("title"), "a title"),
            statement=read_required("statement", self._text("statement"), "a statement"),
            criteria=self._text("criteria").strip(),
            made_on=made_on,
            kind=str(self.query_one("#kind", Select).value),
            tags=read_tags(self._text("tags")),
            review_cadence=cadence,
        )
        deadline_text = self._text("deadline").strip()
        deadline = self._deadline(deadline_text, made_on)
        if deadline is not None:
            definition = replace(definition, horizon=deadline_text,
                                 deadline_rule="").with_deadline(deadline)
        else:  # an empty field keeps the claim's deadline as it is now
            current = self.current
            definition = replace(definition, horizon=current.horizon,
                                 deadline_start=current.deadline_start,
                                 deadline_end=current.deadline_end,
                                 deadline_rule=current.deadline_rule)
        if _comparable(definition) == _comparable(self.current):
            raise FieldError("title", "nothing changed: edit a field, or esc to cancel")
        return DefinitionEdit(self.current, definition, self._text("note").strip())
