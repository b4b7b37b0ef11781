"""A line of hints that names keys by their actions, filled in as the keymap has them."""

from __future__ import annotations

from textual.widgets import Static

from tracker.tui.keymap import with_keys


class KeyHint(Static):
    """`template` with each `{action}` replaced, once mounted, by the key that runs it on
    this screen: "{close} returns to the claims" reads "esc returns..." unless remapped."""

    def __init__(self, template: str, *, id: str | None = None, classes: str | None = None
                 ) -> None:
        super().__init__(id=id, classes=classes)
        self.template = template

    def on_mount(self) -> None:
        self.update(with_keys(self.template, self.screen))
