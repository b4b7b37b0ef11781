"""The edit form: what `tracker edit` changes (the definition's fields and the verbatim
quote), with a note saying why.

The form opens on the claim's definition; saving records a new revision through the ledger,
checked against the version on screen, and the old definition stays in the history. An
empty deadline field keeps the claim's deadline.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.widgets import Input

from tracker.definitions import ClaimDefinition
from tracker.tui.dialogs.definition import DefinitionForm
from tracker.tui.dialogs.form import FieldError, labelled
from tracker.tui.writes import DefinitionEdit


class EditDialog(DefinitionForm[DefinitionEdit]):
    HEADING = "Edit definition"

    def __init__(self, subject: str, current: ClaimDefinition, *,
                 initial: DefinitionEdit | None = None, error: str = "",
                 error_field: str = "") -> None:
        super().__init__(subject, initial=initial, error=error, error_field=error_field)
        self.current = current
        """The definition on screen: what 'unchanged' is measured against."""
        self.kept_deadline = current
        self.stored_tags = frozenset(current.tags)
        self.start = initial.definition if initial is not None else current
        """What the fields open with: the reviewer's own edit when the form reopens."""

    def fields(self) -> ComposeResult:
        yield from self.definition_fields()
        yield from labelled("Quote", Input(
            value=self.start.quote, id="quote",
            placeholder="the claim verbatim, as the source words it (checked against the "
                        "source's stored copy, when the database keeps one)"))
        yield from labelled("Note", Input(
            value=self.initial_value("note"), id="note",
            placeholder="why the definition changes (kept with the revision)"))

    def read(self) -> DefinitionEdit:
        definition = self.read_definition(replace(self.start, quote=self.text("quote").strip()))
        edit = DefinitionEdit(self.current, definition, self.text("note").strip())
        if edit.changes_nothing():
            raise FieldError("title", "nothing changed: edit a field, or esc to cancel")
        return edit
