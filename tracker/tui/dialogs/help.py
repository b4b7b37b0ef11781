"""`?`: what the current screen is for and the keys that work on it right now."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tracker.tui.keymap import with_keys
from tracker.tui.widgets.footer import Footer


class HelpDialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, title: str, about: str, keys: Sequence[tuple[str, str, str]]) -> None:
        """`keys` holds (key, what it does, binding id) for the bindings active now."""
        super().__init__()
        self.heading = title
        self.about = about
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=True, header_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("does")
        table.add_column("id (remap in keymap.toml)", style="dim")
        for key, description, binding_id in self.keys:
            table.add_row(key, description, binding_id)
        with Vertical(classes="form -help"):
            yield Label(f"Help: {self.heading}", classes="form-title")
            with VerticalScroll():
                yield Static(Text(self.about))
                yield Static(table)
            yield Static(id="help-keys")  # names keys as remapped: on_mount
        yield Footer()  # its own keys: the screen's, dimmed behind it, do not apply

    def on_mount(self) -> None:
        palette = self.app.get_key_display(  # the app's, not a binding of this screen
            Binding(self.app.COMMAND_PALETTE_BINDING, "command_palette"))
        self.query_one("#help-keys", Static).update(Text(with_keys(
            "{dismiss} closes · " + palette + " opens the command palette", self), style="dim"))
