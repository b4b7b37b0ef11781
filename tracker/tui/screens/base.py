"""What the claims screen and the review session share: recording changes to one claim.

The keys open a form for the claim on screen; the form's value is written by a thread worker
through the ledger; the outcome comes back as a message. A conflict shows the fresh claim and
keeps the change; a refusal reopens the form with the reviewer's input and the reason.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, cast

from sqlalchemy.exc import SQLAlchemyError
from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from tracker.db import database_problem
from tracker.errors import Conflict, TrackerError
from tracker.horizons import as_utc
from tracker.queries import ClaimDetail
from tracker.tui.dialogs.conflict import ConflictChoice, ConflictDialog
from tracker.tui.dialogs.edit import EditDialog
from tracker.tui.dialogs.evidence import EvidenceDialog
from tracker.tui.dialogs.forecast import ForecastDialog
from tracker.tui.dialogs.form import FormDialog
from tracker.tui.dialogs.new_claim import NewClaimDialog
from tracker.tui.dialogs.reopen import ReopenDialog
from tracker.tui.dialogs.resolve import ResolveDialog
from tracker.tui.dialogs.retract import RetractDialog
from tracker.tui.dialogs.status import StatusDialog
from tracker.tui.format import percent
from tracker.tui.keymap import bound_actions, key_for
from tracker.tui.messages import WriteConflicted, WriteRefused, WriteSaved
from tracker.tui.writes import (
    Change,
    DefinitionEdit,
    NewClaim,
    NewEvidence,
    NewForecast,
    NewResolution,
    NewStatus,
    PendingWrite,
    Reopening,
    Retraction,
    apply,
)
from tracker.vocabulary import Status

if TYPE_CHECKING:
    from tracker.tui.app import TrackerApp

FORM_FIELDS = {
    "slug": "slug", "parent": "parent", "source": "source", "deadline": "deadline",
    "made_on": "made-on", "review_cadence": "cadence", "quote": "quote",
}
"""The form field (its id) for each field a ledger refusal names (`TrackerError.field`)."""

FORM_ACTIONS = {
    "edit_definition": DefinitionEdit,
    "add_evidence": NewEvidence,
    "forecast": NewForecast,
    "change_status": NewStatus,
    "resolve": NewResolution,
    "reopen": Reopening,
    "retract": Retraction,
}


def _form_action(change: Change) -> str | None:
    """The form action that makes changes like `change`."""
    return next((action for action, kind in FORM_ACTIONS.items() if isinstance(change, kind)),
                None)


def _kind_applies(change: Change, detail: ClaimDetail) -> bool:
    """Whether a change of `change`'s kind can be recorded on the claim as `detail` shows it
    (no status change on a closed claim); its form could only be refused otherwise."""
    action = _form_action(change)
    return action is None or _action_applies(action, detail)


def _change_applies(change: Change, detail: ClaimDetail) -> bool:
    """Whether `change` itself can be recorded on the claim as `detail` shows it (a status
    change to the status the claim has now cannot: someone made it meanwhile)."""
    if isinstance(change, NewStatus) and change.status == detail.status:
        return False
    if isinstance(change, DefinitionEdit) and change.changes_nothing():
        return False  # rebased onto `detail`: the claim has it already
    return _kind_applies(change, detail)


def _action_applies(action: str, detail: ClaimDetail) -> bool:
    """Whether a form action can be recorded on the claim as `detail` shows it."""
    closed = Status(detail.status).is_closed
    if action in ("forecast", "change_status", "resolve"):
        return not closed
    if action == "reopen":
        return closed
    if action == "retract":
        return any(not item.retracted for item in detail.evidence)
    return True


class TrackerScreen(Screen[None]):
    """What every screen of the app shares: the app's core objects, and worker failures
    shown as notifications (Textual delivers a worker's state only to its own screen)."""

    @property
    def tracker(self) -> TrackerApp:
        return cast("TrackerApp", self.app)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed query or write is shown, never fatal: the workers do not exit on error."""
        if event.state is WorkerState.ERROR:
            self.tracker.show_failure(event.worker.error)


class ClaimEditingScreen(TrackerScreen):
    """A screen showing one claim at a time that the reviewer can record entries on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "add_evidence", "Evidence", id="claim.evidence"),
        Binding("f", "forecast", "Forecast", id="claim.forecast"),
        Binding("c", "change_status", "Status", id="claim.status"),
        Binding("x", "resolve", "Resolve", id="claim.resolve"),
        Binding("o", "reopen", "Reopen", id="claim.reopen"),
        Binding("w", "retract", "Retract", id="claim.retract"),
        Binding("d", "edit_definition", "Edit definition", id="claim.edit", show=False),
    ]

    GATED_ACTIONS: ClassVar[frozenset[str]] = frozenset(FORM_ACTIONS)
    """Actions whose keys come and go with the state of the screen (see `check_action`)."""

    detail: ClaimDetail | None = None
    """The claim the keys act on, as last loaded."""

    _enabled_actions: frozenset[str] | None = None
    _form_keys: dict[str, str] | None = None
    """Each key of a form action, as remapped (see `on_key`)."""

    def refresh_keys(self) -> None:
        """Refresh the footer when the keys that apply change (and only then: redrawing
        the footer on every cursor move is not free)."""
        enabled = frozenset(action for action in self.GATED_ACTIONS
                            if self.check_action(action, ()))
        if enabled != self._enabled_actions:
            self._enabled_actions = enabled
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the keys that cannot apply to the claim on screen (the footer follows)."""
        if action not in FORM_ACTIONS:
            return True
        return self.detail is not None and _action_applies(action, self.detail)

    def on_key(self, event: events.Key) -> None:
        """A key hidden because its form cannot apply to this claim (a forecast on a
        resolved one) says why when pressed, instead of doing nothing. Not while typing: the
        key (a remapped ctrl+w) is the field's own then (this runs before its bindings)."""
        if isinstance(self.focused, Input):
            return
        if self._form_keys is None:  # the keymap is set before any key: read it once
            self._form_keys = {key: action for key, action in bound_actions(self).items()
                               if action in FORM_ACTIONS}
        action = self._form_keys.get(event.key)
        detail = self.detail
        if (action is None or detail is None or detail.slug != self.selected_slug()
                or _action_applies(action, detail)):
            return
        event.stop()
        if action == "reopen":
            why = f"{detail.slug} is {detail.status}: there is nothing to reopen"
        elif action == "retract":
            why = f"{detail.slug} has no evidence left to retract"
        else:
            reopen = key_for(self, "reopen")
            why = (f"{detail.slug} is {detail.status}, closed: press {reopen} to reopen it "
                   "first" if reopen else f"{detail.slug} is {detail.status}, closed")
        self.notify(why, severity="warning")

    def open_form(self, detail: ClaimDetail, kind: type[Change], initial: Change | None = None,
                  error: str = "", error_field: str = "") -> None:
        """Open the form for `kind` on `detail`; what it returns is saved."""
        subject = f"{detail.slug} · {detail.definition.title} · {detail.status}"
        options: dict[str, Any] = {"initial": initial, "error": error, "error_field": error_field}
        form: FormDialog[Any]
        if kind is NewForecast:
            mine = [item for item in detail.forecasts if item.reviewer == self.tracker.reviewer]
            if mine:
                subject += f" · your last forecast {percent(mine[-1].probability)}"
            deadline = detail.definition.deadline_end
            if deadline is not None and as_utc(deadline) < self.tracker.now():
                # Scored like any other: a late forecast may already know the outcome.
                subject += (f" · its deadline passed on {deadline:%Y-%m-%d}: the outcome may "
                            "be known already")
            form = ForecastDialog(subject, **options)
        elif kind is NewEvidence:
            form = EvidenceDialog(subject, **options)
        elif kind is NewStatus:
            form = StatusDialog(subject, detail.status, **options)
        elif kind is NewResolution:
            made = [item.made_at for item in detail.forecasts]
            form = ResolveDialog(subject, forecast_times=made, **options)
        elif kind is Reopening:
            form = ReopenDialog(subject, **options)
        elif kind is DefinitionEdit:
            form = EditDialog(subject, detail.definition, **options)
        else:
            # The entries in the order the detail pane lists them.
            form = RetractDialog(subject, detail.evidence_by_day, **options)

        def submitted(change: Change | None) -> None:
            if change is not None:
                self.save(PendingWrite(detail.slug, detail.version, change))

        self.app.push_screen(form, submitted)

    def open_new_claim(self, initial: NewClaim | None = None, error: str = "",
                       error_field: str = "") -> None:
        """Open the new-claim form; what it returns is recorded."""

        def submitted(change: NewClaim | None) -> None:
            if change is not None:
                self.save(PendingWrite(change.definition.slug, 0, change))

        self.app.push_screen(
            NewClaimDialog(initial=initial, error=error, error_field=error_field), submitted)

    def selected_slug(self) -> str | None:
        """The claim the reviewer has on screen now (its detail may still be loading)."""
        raise NotImplementedError

    def _form_action(self, action: str) -> None:
        # A key pressed while the next claim's detail is loading must not act on the last one.
        if self.detail is not None and self.detail.slug == self.selected_slug():
            self.open_form(self.detail, FORM_ACTIONS[action])

    def action_add_evidence(self) -> None:
        self._form_action("add_evidence")

    def action_forecast(self) -> None:
        self._form_action("forecast")

    def action_change_status(self) -> None:
        self._form_action("change_status")

    def action_resolve(self) -> None:
        self._form_action("resolve")

    def action_reopen(self) -> None:
        self._form_action("reopen")

    def action_retract(self) -> None:
        self._form_action("retract")

    def action_edit_definition(self) -> None:
        self._form_action("edit_definition")

    @work(thread=True, exit_on_error=False, group="write")
    def save(self, write: PendingWrite) -> None:
        """Record `write`; report the outcome as a message (conflicts with the fresh claim)."""
        app = self.tracker
        try:
            apply(app.ledger, app.reviewer, write)
        except Conflict as error:
            fresh = self._fresh(write.slug)
            if fresh is None:  # the claim as it is now cannot be read: keep the input
                self.post_message(WriteRefused(write, str(error)))
            else:
                self.post_message(WriteConflicted(write, error, fresh))
        except TrackerError as error:  # with the claim as it is now, if it was changed
            current = None if isinstance(write.change, NewClaim) else self._fresh(write.slug)
            self.post_message(WriteRefused(write, str(error), FORM_FIELDS.get(error.field, ""),
                                           current))
        except SQLAlchemyError as error:  # the form comes back with the input, not lost
            self.post_message(WriteRefused(
                write, f"the database could not save this: {database_problem(error)}"))
        else:
            self.post_message(WriteSaved(write))

    def _fresh(self, slug: str) -> ClaimDetail | None:
        try:
            return self.tracker.queries.claim_detail(slug)
        except (TrackerError, SQLAlchemyError):
            return None

    @on(WriteConflicted)
    def _conflicted(self, message: WriteConflicted) -> None:
        if message.write.slug == self.selected_slug():  # not if the reviewer moved on
            self.claim_changed(message.fresh)

        change = message.write.change
        if isinstance(change, DefinitionEdit):  # carry only its own changes onto the new one
            change = change.rebased(message.fresh.definition)

        def chosen(choice: ConflictChoice | None) -> None:
            if choice == "apply":
                self.save(replace(message.write, version=message.fresh.version, change=change))
            elif choice == "edit":
                self.open_form(message.fresh, type(change), change)
            else:
                self.notify(f"Discarded: {message.write.describe()}", severity="warning")

        made_meanwhile = isinstance(change, DefinitionEdit) and change.changes_nothing()
        self.app.push_screen(
            ConflictDialog(message.write, message.error, message.fresh,
                           can_apply=_change_applies(change, message.fresh),
                           can_edit=_kind_applies(change, message.fresh),
                           why_not="The claim has your change already (made meanwhile): "
                                   "nothing is left to apply." if made_meanwhile else "",
                           hide_team_from=self.hides_team_from()),
            chosen)

    @on(WriteRefused)
    def _refused(self, message: WriteRefused) -> None:
        if isinstance(message.write.change, NewClaim):  # e.g. the slug is taken: fix and retry
            self.open_new_claim(message.write.change, error=message.reason,
                                error_field=message.field)
            return
        change = message.write.change
        kind = type(change)
        moved_on = message.write.slug != self.selected_slug()
        if message.fresh is not None and not moved_on:
            self.claim_changed(message.fresh)
        if (moved_on or self.detail is None or self.detail.slug != message.write.slug
                or kind not in FORM_ACTIONS.values()):  # no form to reopen: say what it was
            self.notify(f"{message.write.describe()}: {message.reason}", title="Not saved",
                        severity="error", timeout=15)
            return
        assert self.detail is not None
        reason = message.reason
        if not _kind_applies(change, self.detail):  # resolved meanwhile
            reopen = key_for(self, "reopen")
            reason = (f"{self.detail.slug} is {self.detail.status} now (changed meanwhile), so "
                      "this no longer applies" + (f": close this form and press {reopen} to "
                                                  "reopen it first" if reopen else ""))
        self.open_form(self.detail, kind, change, error=reason, error_field=message.field)

    def claim_changed(self, detail: ClaimDetail) -> None:
        """A fresher copy of a claim arrived; screens show it."""
        raise NotImplementedError

    def hides_team_from(self) -> str | None:
        """The reviewer from whom the team's forecasts on the claim shown are hidden (blind
        forecasting), if they are: dialogs showing the claim hide them too."""
        return None
