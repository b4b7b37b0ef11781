"""The shape every form shares: a title, the claim it is about, fields with inline hints.

Each field is checked as it is typed (the hint under it says how the value was read, or what
is wrong) and all of them again on submit; the dialog is dismissed with a typed value only when
every field reads, so nothing reaches the ledger unchecked. A refusal from the ledger reopens
the form with the reviewer's input and the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import urlsplit

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from tracker.definitions import check_as_of, check_observed
from tracker.errors import InvalidInput
from tracker.horizons import DateError, as_of_text, parse_day, parse_instant
from tracker.probability import parse_probability
from tracker.tui.keymap import labelled_with_key
from tracker.tui.widgets.footer import Footer

ResultT = TypeVar("ResultT")


class FieldError(ValueError):
    """A field that does not read; `field` is the id of its widget."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def ledger_rule(field: str, check: Callable[..., object], *values: Any) -> None:
    """One of the ledger's own rules (tracker.definitions), checked while the form is
    filled in: its refusal is shown under `field` before anything is written."""
    try:
        check(*values)
    except InvalidInput as error:
        raise FieldError(field, str(error)) from None


def read_required(field: str, text: str, what: str) -> str:
    if not text.strip():
        raise FieldError(field, f"{what} is required")
    return text.strip()


def read_probability(field: str, text: str,
                     parse: Callable[[str], float] = parse_probability) -> float:
    try:
        return parse(text)
    except ValueError as error:
        raise FieldError(field, str(error)) from None


def read_day(field: str, text: str, today: date) -> date | None:
    """An optional date, read by python-dateutil the same way the CLI reads one ("today" is
    `today`)."""
    if not text.strip():
        return None
    try:
        return parse_day(text, today)
    except DateError as error:
        raise FieldError(field, str(error)) from None


def read_as_of(text: str, now: datetime, what: str = "") -> datetime | None:
    """'' or 'now' means now (None); anything else is read by dateutil, a date meaning its
    end (UTC), as the CLI's --as-of reads it ("yesterday" counts from `now`). With `what`
    (what is shown as of then), a later day than today is refused too. Raises DateError."""
    cleaned = text.strip()
    if not cleaned or cleaned.lower() == "now":
        return None
    moment = parse_instant(cleaned, now)
    if what:
        try:
            check_as_of(moment, now, what)
        except InvalidInput as error:
            raise DateError(str(error)) from None
    return moment


def read_instant(field: str, text: str, now: datetime) -> datetime | None:
    """`read_as_of` for a form field."""
    try:
        return read_as_of(text, now)
    except DateError as error:
        raise FieldError(field, str(error)) from None


def describe_instant(value: datetime | None, empty: str = "now") -> str:
    """How an as-of field was read, as `tracker show --as-of` and reports write it."""
    return empty if value is None else f"read as {as_of_text(value)}"


def set_hint(hint: Static, text: str | Text, *, error: bool) -> None:
    """Show `text` in a hint line, as an error or not."""
    hint.update(text)
    hint.set_class(error, "-error")


def explain_as_of(hint: Static, text: str, now: datetime, what: str, empty: str = "now"
                  ) -> None:
    """Show in `hint` how an as-of field's `text` reads (`read_as_of`, refusing a day after
    today for `what`), or why it does not."""
    try:
        set_hint(hint, describe_instant(read_as_of(text, now, what), empty=empty), error=False)
    except DateError as error:
        set_hint(hint, str(error), error=True)


def read_url(field: str, text: str) -> str:
    url = text.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise FieldError(field, f"'{url}' is not a web address: write https://example.org/…")
    return url


def describe_day(value: date | None) -> str:
    return "no date" if value is None else f"read as {value:%A} {value.day} {value:%B %Y}"


def read_choice(field: str, select: Select[str], what: str) -> str:
    if select.value is Select.NULL:
        raise FieldError(field, f"choose the {what}")
    return str(select.value)


def labelled(label: str, widget: Widget, hint: str = "") -> ComposeResult:
    """A label, the input widget and the hint line where its reading or error appears."""
    yield Label(label, classes="field-label")
    yield widget
    yield Static(hint, id=f"{widget.id}-hint", classes="field-hint")


class FormDialog(ModalScreen[ResultT | None], Generic[ResultT]):
    """Base for forms: subclasses compose `fields`, read them in `read`, and may explain a
    field while it is typed in `hint`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save", priority=True),
    ]
    AUTO_FOCUS = ""
    """The first field is focused in on_mount instead: Textual's auto focus comes before the
    first layout and scrolls a form that does not fit to centre the field, hiding the
    heading and the claim the form is about."""
    HEADING: ClassVar[str] = ""
    FORM_CLASSES: ClassVar[str] = ""
    """Extra classes of the form's box (app.tcss styles some forms apart)."""

    def __init__(self, subject: str, *, initial: ResultT | None = None, error: str = "",
                 error_field: str = "") -> None:
        super().__init__()
        self.subject = subject
        self.initial = initial
        self.error = error
        self.error_field = error_field
        """The field a refusal was about: it has the focus, and its hint shows the reason
        until its value changes."""
        self._refused_value: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(classes=f"form {self.FORM_CLASSES}".strip()):
            yield Label(self.HEADING, classes="form-title")
            yield Static(self.subject, classes="form-subject")
            # At the top: a reopened long form shows its top, and the reason must be seen.
            yield Static(self.error, id="form-error", classes="-visible" if self.error else "")
            yield from self.fields()
            with Horizontal(classes="form-buttons"):
                yield Button("Save", variant="primary", id="save")  # + its key: on_mount
                yield Button("Cancel", id="cancel")
        yield Footer()  # this form's keys: its Save may be below the fold of a small terminal

    def fields(self) -> ComposeResult:
        raise NotImplementedError

    def read(self) -> ResultT:
        raise NotImplementedError

    def hint(self, field: str, value: Any) -> str:
        """What to show under `field` while it holds `value`; raise FieldError if it is wrong."""
        return ""

    def initial_value(self, name: str, default: Any = "") -> Any:
        return default if self.initial is None else getattr(self.initial, name, default)

    def text(self, field: str) -> str:
        """What the Input with id `field` holds."""
        return self.query_one(f"#{field}", Input).value

    def read_observed(self, text: str, field: str = "observed") -> date | None:
        """An optional observed date; the ledger's rule that it is not after today is
        checked here too, so the form says so while the date is typed."""
        now = self.app.now()  # type: ignore[attr-defined]
        day = read_day(field, text, now.date())
        ledger_rule(field, check_observed, day, now)
        return day

    def _set_hint(self, field: str, text: str, *, error: bool) -> None:
        hint = self.query_one(f"#{field}-hint", Static)
        set_hint(hint, text, error=error)
        if error:  # a form scrolled to its field keeps the reason under it in view
            hint.call_after_refresh(hint.scroll_visible, animate=False)

    def _explain(self, field: str | None, value: Any) -> None:
        if not field or not self.query(f"#{field}-hint"):
            return
        if field == self.error_field:
            if self._refused_value is None or value == self._refused_value:
                self._refused_value = value  # the refusal stays until the value changes
                self._set_hint(field, self.error, error=True)
                return
            self.error_field = ""
            self.query_one("#form-error").remove_class("-visible")
        try:
            self._set_hint(field, self.hint(field, value), error=False)
        except FieldError as problem:
            self._set_hint(problem.field, str(problem), error=True)

    def on_mount(self) -> None:
        self.app.steady_cursors(self)  # type: ignore[attr-defined]
        for button, label, action in (("#save", "Save", "submit"), ("#cancel", "Cancel", "cancel")):
            self.query_one(button, Button).label = labelled_with_key(label, self, action)
        for widget in self.query(Input):
            if widget.value:
                self._explain(widget.id, widget.value)
        first: Widget | None
        if self.error_field and not self.query(f"#{self.error_field}-hint"):
            self.error_field = ""  # a field this form does not have: the banner says it
        if self.error_field:
            first = self.query_one(f"#{self.error_field}")
        else:
            first = next((widget for widget in self.query("*") if widget.can_focus), None)
        self.set_focus(first, scroll_visible=False)  # not AUTO_FOCUS: see there

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        self._explain(event.input.id, event.value)

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        self._explain(event.select.id, event.value)

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#save")
    def action_submit(self) -> None:
        try:
            value = self.read()
        except FieldError as problem:
            self._set_hint(problem.field, str(problem), error=True)
            self.query_one(f"#{problem.field}").focus()
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
