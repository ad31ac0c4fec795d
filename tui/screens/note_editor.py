"""The note editor: nothing typed into it is lost.

The editor closes only when its text is durable somewhere: saved in the store, or (when the store
cannot be written: a full disk, a read-only folder, a lock held too long) in a draft, in the data
directory's `drafts/` or else the user's cache directory.  "Note saved." shows only after the write
returned, and a save takes exactly the text the editor held when the key was pressed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Label, Static, TextArea

from store.errors import PaperdeckError
from store.models import Change
from tui import bindings
from tui.text import clean, safe

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.desk import Desk

NOTE_EDITOR_LIMIT = 500_000
"""Characters: larger notes are refused by the editor (`paperdeck note ID --edit` edits them).
Textual's TextArea took 0.8 s to open a 1 MB note here and 0.15 s per key in it, with the app
frozen meanwhile; a 10 MB note, 12 s."""

DRAFT_DELAY = 0.5
"""Seconds: unsaved text is written to a draft at most this long after it was typed."""

DRAFT_RETRY = 2.0
"""Seconds between attempts while no draft could be written anywhere."""


@dataclass
class NoteSaving:
    """How the editor reaches the store; `save` answers later, through one of its callbacks."""

    save: Callable[[str, Callable[[str], None], Callable[[str], None]], None]
    """(text, saved(note as stored), failed(one-line reason)): save off the UI thread."""
    save_now: Callable[[str], None]
    """At exit: save synchronously, else keep a draft; never raises."""
    save_draft: Callable[[str], Path]
    """Write a draft; returns where it went, raises PaperdeckError or OSError."""
    drop_draft: Callable[[], None]


class NoteText(TextArea):
    """The editor's text area.  `ctrl+s` and `escape` are handled here, in the order keys
    reached it, so a save sees every key typed before it however fast they came."""

    class SaveNote(Message):
        def __init__(self, text: str, close: bool) -> None:
            super().__init__()
            self.text = text
            self.close = close

    async def _on_key(self, event: events.Key) -> None:
        if event.key in ("ctrl+s", "escape"):
            event.stop()
            event.prevent_default()
            self.post_message(self.SaveNote(self.text, close=event.key == "escape"))
            return
        # The text area's own keys (ctrl+k, home, arrows…) run here, in order: Textual runs a
        # binding only when its key has bubbled up to the app, after the text area has typed the
        # characters that came after it in the same burst.
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)


class NoteEditor(ModalScreen[None]):
    """`n`: a Markdown note.  `ctrl+s` saves; `escape` saves and closes."""

    DEFAULT_CSS = """
    #note-text {
        height: 1fr;
        margin: 1 0;
    }
    #note-status {
        height: auto;
        display: none;
    }
    #note-help {
        color: $text-muted;
    }
    """

    BINDINGS = bindings.NOTE_EDITOR  # NoteText takes the keys; these show them in the footer

    def __init__(self, title: str, text: str, *, stored: str, saving: NoteSaving) -> None:
        super().__init__()
        self.paper_title = title
        self.initial = text
        self.text = text
        """What the editor holds now (kept here too: it outlives the TextArea at unmount)."""
        self.stored = stored
        """The note as the store has it, as far as this editor knows."""
        self.drafted: str | None = None
        """Text known to be in a draft."""
        self.draft_path: Path | None = None
        self.saving: str | None = None
        """Text being saved now (one save at a time: each starts from the last one's result)."""
        self.queued: str | None = None
        self.close_when_saved = False
        self.failure: str | None = None
        self.may_close_with_draft = False
        """Set when a save on `escape` failed: the next `escape` closes, keeping the draft."""
        self.closed = False
        self._saving = saving
        self._draft_timer: Timer | None = None
        self._early_keys: list[events.Key] = []
        self.area = NoteText(self.initial, id="note-text", soft_wrap=True, tab_behavior="indent")
        """Kept: it still holds the text at unmount, when messages about it may be unread."""

    def compose(self) -> ComposeResult:
        with Vertical(id="note-dialog", classes="dialog"):
            yield Label(Text.assemble(("Note: ", "bold"), safe(self.paper_title)))
            yield self.area
            yield Static("", id="note-status")  # wraps: a reason names a file
            yield Label(
                Text("ctrl+s save · esc save and close · Markdown", style="dim"), id="note-help"
            )

    def on_mount(self) -> None:
        editor = self.area
        editor.focus()
        editor.move_cursor(editor.document.end)
        for key in self._early_keys:
            editor.post_message(key)
        self._early_keys.clear()
        if self.text != self.stored:  # a recovered draft
            self.schedule_draft()

    def on_key(self, event: events.Key) -> None:
        # Keys typed right after `n` (a fast typist, a paste, a burst from tmux) can reach the
        # screen before its text area has focus: hand them on, in order, instead of losing them.
        if self.area.has_focus:
            return
        event.stop()
        event.prevent_default()
        key = events.Key(event.key, event.character)
        if not self.area.is_mounted:
            self._early_keys.append(key)
            return
        self.area.focus()
        self.area.post_message(key)

    @property
    def durable(self) -> bool:
        return self.text in (self.stored, self.drafted)

    def show_status(self, message: str, style: str = "") -> None:
        status = self.query_one("#note-status", Static)
        status.update(Text(clean(message), style=style))
        status.display = bool(message)

    # -- drafts ------------------------------------------------------------------------------

    @on(TextArea.Changed)
    def changed(self, event: TextArea.Changed) -> None:
        self.text = event.text_area.text
        self.may_close_with_draft = False
        self.schedule_draft()

    def schedule_draft(self, delay: float = DRAFT_DELAY) -> None:
        # At most `delay` after the first unsaved key: typing on never postpones the draft.
        if self._draft_timer is None and not self.durable:
            self._draft_timer = self.set_timer(delay, self.write_draft)

    def write_draft(self) -> bool:
        """Make the current text durable in a draft now; False (and a retry soon) if it
        could not be written anywhere."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        text = self.text
        if text in (self.stored, self.drafted):
            return True
        try:
            self.draft_path = self._saving.save_draft(text)
        except (PaperdeckError, OSError) as error:
            reason = str(error) if isinstance(error, PaperdeckError) else error.strerror
            self.show_status(f"Not saved anywhere yet, retrying: {reason}", "bold red")
            if self.is_mounted and not self.closed:
                self._draft_timer = self.set_timer(DRAFT_RETRY, self.write_draft)
            return False
        self.drafted = text
        if self.failure is not None:
            self.show_failure()
        return True

    # -- saving ------------------------------------------------------------------------------

    @on(NoteText.SaveNote)
    def save_note(self, event: NoteText.SaveNote) -> None:
        event.stop()
        self.request_save(event.text, close=event.close)

    def action_save(self) -> None:
        self.request_save(self.area.text, close=False)

    def action_close(self) -> None:
        self.request_save(self.area.text, close=True)

    def request_save(self, text: str, *, close: bool) -> None:
        self.text = text
        if close and text == self.stored and self.saving is None:
            self.close()
            return
        if close and self.may_close_with_draft and text == self.drafted:
            self.notify(
                f"Note not saved ({self.failure}); its draft is kept in {self.draft_path} and "
                "comes back when you open this note.",
                severity="warning",
                timeout=10,
                markup=False,
            )
            self.close()
            return
        if text == self.stored and self.saving is None:
            self.notify("Note saved.", timeout=2, markup=False)
            return
        if close:
            self.write_draft()  # text typed just before `escape` is durable before we wait
        self.close_when_saved = close
        if self.saving is not None:
            self.queued = text  # saved when the save under way returns
            self.show_status("Saving… (waiting for the previous save)", "dim")
            return
        self.start_save(text)

    def start_save(self, text: str) -> None:
        self.saving = text
        self.show_status("Saving…", "dim")
        self._saving.save(
            text, lambda stored: self.saved(text, stored), lambda why: self.save_failed(text, why)
        )

    def saved(self, text: str, stored: str) -> None:
        self.saving = None
        self.failure = None
        self.may_close_with_draft = False
        elsewhere = stored != text
        self.stored = stored
        if elsewhere:
            self.take_in_other_version(text, stored)
        if self.text == self.stored:
            self.drafted = None
            self.draft_path = None
            self._saving.drop_draft()
        queued, self.queued = self.queued, None
        if queued is not None and queued != self.stored and not elsewhere:
            self.start_save(queued)
            return
        if elsewhere:
            self.show_status(
                "This note was also changed elsewhere; that version is below yours now.", "bold"
            )
            self.close_when_saved = False
            return
        self.show_status("")
        self.notify("Note saved.", timeout=2, markup=False)
        if self.close_when_saved and self.text == self.stored:
            self.close()

    def take_in_other_version(self, text: str, stored: str) -> None:
        """The store kept another process's version below ours: show it, so the next save
        starts from what is stored (one banner, once) and keeps it."""
        if not self.is_mounted:
            return
        area = self.area
        if area.text == text:
            area.load_text(stored)
            area.move_cursor(area.document.end)
            self.text = stored
        elif stored.startswith(text.rstrip()):
            # Typed on while it saved: keep the new typing, add the other version below it.
            area.insert(stored[len(text.rstrip()) :], area.document.end)
            self.text = area.text

    def save_failed(self, text: str, reason: str) -> None:
        self.saving = None
        self.failure = reason
        self.queued = None
        self.write_draft()
        self.may_close_with_draft = self.close_when_saved and self.drafted == self.text
        self.close_when_saved = False
        self.show_failure()

    def show_failure(self) -> None:
        if self.failure is None:
            return
        reason = self.failure.rstrip(". ")
        if self.drafted != self.text:
            self.show_status(f"Not saved: {reason}.", "bold red")
        elif self.may_close_with_draft:
            self.show_status(
                f"Not saved: {reason}. Draft kept in {self.draft_path}; ctrl+s retries, "
                "esc again closes and keeps the draft.",
                "bold red",
            )
        else:
            self.show_status(
                f"Not saved: {reason}. Draft kept in {self.draft_path}; ctrl+s or esc retries.",
                "bold red",
            )

    def close(self) -> None:
        self.closed = True
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        self.dismiss(None)

    def on_unmount(self) -> None:
        # Closed any other way (the app quitting, the terminal gone): save now, as no worker
        # will run any more; `save_now` keeps a draft if the store will not take it.
        self.text = self.area.text
        if self.text != self.stored and not (self.closed and self.durable):
            self._saving.save_now(self.text)
            self.stored = self.text


def note_too_large(text: str) -> bool:
    return len(text) > NOTE_EDITOR_LIMIT


def open_note_editor(
    screen: Screen[None],
    desk: Desk,
    paper: str,
    *,
    on_saved: Callable[[Change], None] | None = None,
    on_close: Callable[[], None] | None = None,
) -> None:
    """Open the note editor on `paper`; a draft left by a crash or a failing store comes back."""
    library = desk.library
    record = desk.view.get(paper)
    base = record.state.note
    draft = library.draft(paper)
    text = base
    if draft is not None and draft != base:
        text = draft
    if note_too_large(text):
        size = len(text.encode("utf-8", "surrogatepass")) / 1e6
        screen.notify(
            f"This note is {size:.1f} MB; the editor opens notes of up to "
            f"{NOTE_EDITOR_LIMIT:,} characters. Edit it with `paperdeck note {paper} --edit`.",
            severity="error",
            timeout=10,
            markup=False,
        )
        if on_close is not None:
            on_close()
        return
    if text != base:
        screen.notify("Recovered the unsaved draft of this note.", timeout=5, markup=False)
    editor: NoteEditor

    def save(text: str, saved: Callable[[str], None], failed: Callable[[str], None]) -> None:
        since = editor.stored  # the note as stored when this save starts

        def done(change: Change) -> None:
            if on_saved is not None:
                on_saved(change)
            saved(change.after[paper].note)

        desk.write(lambda: library.set_note(paper, text, base=since), on_done=done, on_error=failed)

    def save_now(text: str) -> None:
        desk.save_note_at_exit(paper, text, editor.stored)

    editor = NoteEditor(
        record.title,
        text,
        stored=base,
        saving=NoteSaving(
            save=save,
            save_now=save_now,
            save_draft=lambda t: library.save_draft(paper, t),
            drop_draft=lambda: library.drop_draft(paper),
        ),
    )
    screen.app.push_screen(editor, lambda _: on_close() if on_close else None)
