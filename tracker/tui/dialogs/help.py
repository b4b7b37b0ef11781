"""`?`: what the current screen is for, the keys that work on it now, and its other keys."""

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

from tracker.tui.widgets.footer import Footer
from tracker.tui.widgets.key_hint import KeyHint


class HelpDialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, title: str, about: str, keys: Sequence[tuple[str, str, str]],
                 not_now: Sequence[tuple[str, str, str]] = ()) -> None:
        """`keys` holds (key, what it does, binding id) for the bindings active now;
        `not_now` the same for the screen's other bindings (a resolved claim cannot be
        forecast), listed apart and dimmed."""
        super().__init__()
        self.heading = title
        self.about = about
        self.keys = keys
        self.not_now = not_now

    def compose(self) -> ComposeResult:
        with Vertical(classes="form -help"):
            yield Label(f"Help: {self.heading}", classes="form-title")
            with VerticalScroll():
                yield Static(Text(self.about))
                yield Static(_key_table(self.keys, "key"))
                if self.not_now:
                    yield Static(_key_table(self.not_now, "not now", dim=True))
            yield KeyHint("{dismiss} closes · {command_palette} opens the command palette",
                          id="help-keys")
        yield Footer()  # its own keys: the screen's, dimmed behind it, do not apply


def _key_table(rows: Sequence[tuple[str, str, str]], heading: str, *, dim: bool = False
               ) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", style="dim" if dim else "")
    table.add_column(heading, style="dim" if dim else "bold cyan", no_wrap=True)
    table.add_column("does")
    table.add_column("id (remap in keymap.toml)", style="dim")
    for key, description, binding_id in rows:
        table.add_row(key, description, binding_id)
    return table
