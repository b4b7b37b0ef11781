"""Retracting evidence: pick the entry, say why. The entry stays in the log, marked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from tracker.queries import EvidenceItem
from tracker.tui.dialogs.form import FieldError, FormDialog, labelled, read_required
from tracker.tui.format import day
from tracker.tui.writes import Retraction


class RetractDialog(FormDialog[Retraction]):
    HEADING = "Retract evidence"

    def __init__(self, subject: str, evidence: Sequence[EvidenceItem], **kwargs: Any) -> None:
        super().__init__(subject, **kwargs)
        self.evidence = [item for item in evidence if not item.retracted]

    def fields(self) -> ComposeResult:
        options = OptionList(
            *(Option(f"{day(item.observed_on)}  {item.stance:<8}  {item.title}", id=item.uuid)
              for item in self.evidence),
            id="entry",
        )
        yield from labelled("Entry", options)
        yield from labelled("Why retract it? (required)",
                            Input(value=self.initial_value("reason"), id="reason"))

    def on_mount(self) -> None:
        uuids = [item.uuid for item in self.evidence]
        chosen = self.initial_value("evidence_uuid", None)
        if chosen is None:
            highlighted: int | None = 0
        elif chosen in uuids:
            highlighted = uuids.index(chosen)
        else:  # retracted meanwhile: none is chosen, so saving again cannot retract
            highlighted = None  # another entry with the reason given for this one
        self.query_one("#entry", OptionList).highlighted = highlighted

    @on(OptionList.OptionSelected, "#entry")
    def _entry_chosen(self) -> None:
        self.query_one("#reason", Input).focus()

    def read(self) -> Retraction:
        options = self.query_one("#entry", OptionList)
        if options.highlighted is None:
            raise FieldError("entry", "choose the entry to retract")
        uuid = options.get_option_at_index(options.highlighted).id
        assert uuid is not None
        return Retraction(uuid, read_required("reason", self.query_one("#reason", Input).value,
                                              "a reason"))
