"""The new-claim form: what `tracker add` takes, checked as it is typed.

The slug comes first (lowercase letters, digits and hyphens; it never changes), then the
definition's fields, then where the claim comes from: the claim it is derived from, the
source document's key, the verbatim quote, who made it and the confidence its wording
implies. Saving records it through the ledger; a slug already taken reopens the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from tracker.definitions import SLUG_PATTERN, ClaimDefinition
from tracker.errors import NotFound
from tracker.models import SLUG_MAX
from tracker.probability import probability_input
from tracker.tui.dialogs.definition import DefinitionForm
from tracker.tui.dialogs.form import FieldError, labelled, read_probability
from tracker.tui.format import read_as_percent
from tracker.tui.writes import NewClaim

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp


@dataclass(frozen=True)
class ParentRead:
    """What a worker read of a parent typed in the form."""

    slug: str
    found: bool
    made_on: date | None = None

BLANK = ClaimDefinition(slug="", title="", statement="")


def read_slug(field: str, text: str) -> str:
    slug = text.strip()
    if not slug:
        raise FieldError(field, "a slug is required: lowercase words joined by hyphens")
    if not SLUG_PATTERN.match(slug) or len(slug) > SLUG_MAX:
        raise FieldError(field, f"'{slug}' is not a slug: use lowercase letters, digits and "
                                f"hyphens, at most {SLUG_MAX} characters")
    return slug


class NewClaimDialog(DefinitionForm[NewClaim]):
    HEADING = "New claim"

    def __init__(self, *, initial: NewClaim | None = None, error: str = "",
                 error_field: str = "") -> None:
        super().__init__("Recorded as `tracker add` records it; its log starts empty.",
                         initial=initial, error=error, error_field=error_field)
        self.start = initial.definition if initial is not None else BLANK
        self.kept_deadline = BLANK
        self.parent_read: ParentRead | None = None
        """What a worker read of the parent typed last."""

    def fields(self) -> ComposeResult:
        start = self.start
        yield from labelled("Slug", Input(value=start.slug, id="slug",
                                          placeholder="serving-shift-80pct (never changes)"))
        yield from self.definition_fields()
        yield from labelled("Derived from", Input(
            value=start.parent or "", id="parent",
            placeholder="the slug of the vaguer claim this one makes checkable (optional)"))
        yield from labelled("Source", Input(
            value=start.source or "", id="source",
            placeholder="the key of the source document, as in its claims file (optional)"))
        yield from labelled("Quote", Input(value=start.quote, id="quote",
                                           placeholder="the claim verbatim, as the source words "
                                                       "it (optional)"))
        yield from labelled("Claimant", Input(value=start.claimant, id="claimant",
                                              placeholder="who made the claim (optional)"))
        confidence = start.implied_confidence
        yield from labelled("Implied confidence", Input(
            value="" if confidence is None else probability_input(confidence), id="confidence",
            placeholder="what the wording implies: 0.7, 70% or 7:3 (optional)"))

    def hint(self, field: str, value: Any) -> str:
        text = str(value)
        if field == "slug" and text.strip():
            read_slug(field, text)
            return "ok"
        parent = self._typed_parent()
        if field == "parent" and parent is not None and not parent.found:
            raise FieldError(field, f"no claim '{parent.slug}': add it first, or leave this "
                                    "empty")
        if field == "made-on" and not text.strip() and self._parent_slug():
            super().hint(field, value)  # explains a relative deadline again
            if parent is None:
                return "no date: a derived question takes its parent's"
            if not parent.found:
                return "no date"
            return (f"no date: its parent's, {parent.made_on}" if parent.made_on
                    else "no date (its parent has none)")
        if field == "confidence" and text.strip():
            read = f"read as {read_as_percent(read_probability(field, text))}"
            if self.text("source").strip() and self._made_on() is None:
                read += ": without a made-on day its source is not graded on it"
            return read
        return super().hint(field, value)

    @property
    def tracker(self) -> TrackerApp:
        return cast("TrackerApp", self.app)

    def _parent_slug(self) -> str:
        return self.text("parent").strip() if self.is_mounted else ""

    def _typed_parent(self) -> ParentRead | None:
        """What was read of the parent now typed (None: nothing typed, or not read yet)."""
        read = self.parent_read
        return read if read is not None and read.slug == self._parent_slug() else None

    def _inherited_day(self) -> date | None:
        """The parent's made-on day, once read, while the made-on field is empty."""
        parent = self._typed_parent()
        return None if parent is None or self.text("made-on").strip() else parent.made_on

    def _read_made_on(self, text: str) -> date | None:
        return super()._read_made_on(text) if text.strip() else self._inherited_day()

    def _made_on(self) -> date | None:
        return super()._made_on() or self._inherited_day()

    @on(Input.Changed, "#parent")
    def _read_parents_day(self, event: Input.Changed) -> None:
        if slug := event.value.strip():
            self._load_parents_day(slug)

    @work(thread=True, exclusive=True, group="parents-day", exit_on_error=False)
    def _load_parents_day(self, slug: str) -> None:
        """A derived question without a day of its own is made on its parent's: a relative
        deadline counts from it, as `tracker add --parent` counts it."""
        try:
            read = ParentRead(slug, True, self.tracker.queries.made_on(slug))
        except NotFound:
            read = ParentRead(slug, False)
        self.app.call_from_thread(self._parents_day_read, read)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A parent whose day could not be read is said so (the app's failure notice); the
        form goes on, and the ledger gives a derived question its parent's day when saved."""
        if event.state is WorkerState.ERROR:
            self.tracker.show_failure(event.worker.error)

    def _parents_day_read(self, read: ParentRead) -> None:
        self.parent_read = read
        for field in ("parent", "made-on", "deadline", "confidence"):
            self._explain(field, self.text(field))

    @on(Input.Changed, "#made-on, #source, #parent")
    def _explain_dependents(self, event: Input.Changed) -> None:
        """Whether the confidence is graded depends on these fields too, and a parent gives
        an empty made-on day its own."""
        self._explain("confidence", self.text("confidence"))
        if event.input.id == "parent":
            self._explain("made-on", self.text("made-on"))

    def read(self) -> NewClaim:
        slug = read_slug("slug", self.text("slug"))
        confidence = self.text("confidence").strip()
        base = ClaimDefinition(
            slug=slug, title="", statement="",
            parent=self.text("parent").strip() or None,
            source=self.text("source").strip() or None,
            quote=self.text("quote").strip(), claimant=self.text("claimant").strip(),
            implied_confidence=read_probability("confidence", confidence) if confidence else None,
        )
        return NewClaim(self.read_definition(base))
