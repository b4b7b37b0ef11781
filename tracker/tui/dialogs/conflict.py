"""Someone else changed the claim first: show the claim as it is now and keep the change.

The reviewer's change is never dropped silently: they apply it to the new version, edit it
in the form again (prefilled), or discard it themselves.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tracker.errors import Conflict
from tracker.queries import ClaimDetail, TimelineEntry, changes_since
from tracker.tui.keymap import labelled_with_key
from tracker.tui.widgets.claim_detail import ClaimDetailView
from tracker.tui.widgets.footer import Footer
from tracker.tui.writes import PendingWrite

ConflictChoice = Literal["apply", "edit"]
CHANGES_SHOWN = 4
"""Lines of changes the dialog lists at most (the claim itself keeps the room below)..."""
ROOMY_HEIGHT = 30
"""...on a terminal this tall; a shorter one (80x24) has room for two."""


class ConflictDialog(ModalScreen[ConflictChoice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "choose('apply')", "Apply to new version", id="conflict.apply"),
        Binding("e", "choose('edit')", "Edit again", id="conflict.edit"),
        Binding("escape", "discard", "Discard", id="conflict.discard"),
    ]

    def __init__(self, write: PendingWrite, error: Conflict, fresh: ClaimDetail,
                 *, can_apply: bool = True, can_edit: bool = True, why_not: str = "",
                 hide_team_from: str | None = None) -> None:
        super().__init__()
        self.write = write
        self.error = error
        self.fresh = fresh
        self.can_apply = can_apply
        """False when the change cannot be made to the claim as it is now (a status change
        on a claim resolved meanwhile): Apply is not offered, it could only be refused."""
        self.can_edit = can_edit
        """False when no change of its kind can be made now (any status change on a claim
        resolved meanwhile): its form could only be refused."""
        self.why_not = why_not
        """Why Apply is not offered, when the claim's status does not say it."""
        self.hide_team_from = hide_team_from

    def compose(self) -> ComposeResult:
        with Vertical(classes="form -conflict"):
            yield Label("Changed by someone else", classes="form-title")
            yield Static(Text(f"{self.error.what_happened}."), id="conflict-reason")
            changes = changes_since(self.fresh, self.error.seen_version)
            if changes:  # what was changed, not only by whom (at 80x24 the claim shows little)
                yield Static(self._changes_text(changes), id="conflict-changes")
            yield Static(Text.assemble(("Your change, kept: " if self.can_edit
                                        else "Your change: ", "bold"),
                                       self.write.describe()), id="conflict-mine")
            if not self.can_apply:
                yield Static(self.why_not or f"It no longer applies to the claim as it is "
                             f"now ({self.fresh.status}).", id="conflict-not-applicable")
            yield Label(f"The claim now (version {self.fresh.version}):", classes="field-label")
            yield ClaimDetailView(id="conflict-fresh")  # takes the room left: the rest shows
            with Horizontal(classes="form-buttons"):
                if self.can_apply:
                    yield Button("Apply to new version", variant="primary", id="apply")
                if self.can_edit:
                    yield Button("Edit again", id="edit")  # + keys, as remapped: on_mount
                yield Button("Discard", variant="error", id="discard")
        yield Footer()  # its own keys: the screen's, dimmed behind it, do not apply

    def _changes_text(self, changes: list[TimelineEntry]) -> Text:
        """The latest changes (they made the claim as it is), one line each, as many as the
        terminal has room for: at 80x24 the dialog must fit whole."""
        room = CHANGES_SHOWN if self.app.size.height >= ROOMY_HEIGHT else 2
        lines = [f"{change.reviewer}: {change.text}" for change in changes]
        if len(lines) > room:
            lines = [f"… {len(lines) - room + 1} earlier changes (tracker history)",
                     *lines[len(lines) - room + 1:]]
        return Text("\n".join(lines), no_wrap=True, overflow="ellipsis")

    def on_mount(self) -> None:
        self.query_one(ClaimDetailView).show(self.fresh, hide_team_from=self.hide_team_from)
        # Focusing the claim scrolled a dialog taller than a small terminal past its heading.
        form = self.query_one(".form")
        self.call_after_refresh(form.scroll_home, animate=False)
        for button in self.query(Button):
            action = "discard" if button.id == "discard" else f"choose('{button.id}')"
            button.label = labelled_with_key(str(button.label), self, action)

    @on(Button.Pressed, "#apply")
    def _apply(self) -> None:
        self.action_choose("apply")

    @on(Button.Pressed, "#edit")
    def _edit(self) -> None:
        self.action_choose("edit")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if parameters == ("apply",):
            return self.can_apply
        return self.can_edit or parameters != ("edit",)

    def action_choose(self, choice: ConflictChoice) -> None:
        self.dismiss(choice)

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(None)
