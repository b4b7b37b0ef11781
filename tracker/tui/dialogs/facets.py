"""The facet picker: status, tag, source and kind side by side; enter applies all four."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from tracker.tui.listing import STATUS_FACETS
from tracker.tui.widgets.facets import FACET_NAMES, Facets
from tracker.tui.widgets.footer import Footer
from tracker.tui.widgets.key_hint import KeyHint
from tracker.vocabulary import Kind


class FacetDialog(ModalScreen[Facets | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Cancel", id="facets.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="facets.apply", priority=True),
        Binding("delete,backspace", "clear", "Any for all", id="facets.clear"),
    ]

    def __init__(self, current: Facets, tags: Sequence[str], sources: Sequence[str],
                 focus: str = "status") -> None:
        super().__init__()
        self.current = current
        self.choices = {
            "status": list(STATUS_FACETS),
            "tag": [(tag, tag) for tag in tags],
            "source": [(source, source) for source in sources],
            "kind": [(kind.value, kind.value) for kind in Kind],
        }
        self.first_focus = focus

    def compose(self) -> ComposeResult:
        with Vertical(classes="form -facets"):
            yield Label("Facets", classes="form-title")
            # A short terminal scrolls the pickers, not the title, their names or the keys.
            with VerticalScroll():
                with Horizontal(classes="facet-names"):  # docked: it does not scroll
                    for name in FACET_NAMES:
                        yield Label(name, classes="facet field-label")
                with Horizontal():
                    for name in FACET_NAMES:
                        yield OptionList(
                            # No id: a tag or source may be called "any" too.
                            Option("any"),
                            *(Option(label, id=value) for label, value in self.choices[name]),
                            id=f"pick-{name}", classes="facet",
                        )
            yield KeyHint("↑↓ choose · tab next · enter applies all · {clear}: any for all · "
                          "{dismiss} cancels", classes="field-hint")  # one line at 80 columns
        yield Footer()  # its own keys: the screen's, dimmed behind it, do not apply

    def on_mount(self) -> None:
        for name in FACET_NAMES:
            picker = self.query_one(f"#pick-{name}", OptionList)
            value = getattr(self.current, name)
            try:
                picker.highlighted = picker.get_option_index(value) if value else 0
            except OptionDoesNotExist:  # a tag or source that is gone since
                picker.highlighted = 0
        self.query_one(f"#pick-{self.first_focus}", OptionList).focus()

    def chosen(self) -> Facets:
        values: dict[str, str | None] = {}
        for name in FACET_NAMES:
            picker = self.query_one(f"#pick-{name}", OptionList)
            index = picker.highlighted
            option_id = None if index is None else picker.get_option_at_index(index).id
            values[name] = option_id  # None: any
        return Facets(**values)

    @on(OptionList.OptionSelected)
    def action_apply(self) -> None:
        self.dismiss(self.chosen())

    def action_clear(self) -> None:
        for picker in self.query(OptionList):
            picker.highlighted = 0
