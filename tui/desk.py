"""The Desk: what the screens do to papers (write and undo, notes, export, open, copy; fetch and
pull in tui.network).

It holds the app's Library and its in-memory view, writes off the UI thread in the order asked,
and tells the screens what changed through `records_changed`.  It opens no screen: screens open
screens (see `tui.screens.base`), so nothing here imports one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from textual.signal import Signal

from store.errors import PaperdeckError
from store.library import Change, Library
from store.models import Record
from store.view import LibraryView
from tui.network import NetworkWork
from tui.text import plural

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import App

UNDO_DEPTH = 100


class DeskApp(Protocol):
    """What screens may ask of the app, without importing it (tui.app imports the screens)."""

    desk: Desk
    loaded: bool
    """True once the library is read; screens `watch` it to fill themselves."""
    sort: str | None
    """The order the user chose for lists (None: relevance or date)."""
    activity: str
    """What runs in the background ("Fetching 3/10…"), or "" when nothing does."""
    first_results_ready: Signal[None]
    interest_ready: Signal[None]
    abstracts_ready: Signal[None]
    """Published after each retraining of the interest model."""

    def take_first_results(self, sort: str | None) -> list[Record] | None: ...

    def first_results_shown(self) -> None: ...

    def reload_library(self) -> None: ...


class ExportRequest(NamedTuple):
    """What the export dialog asked for."""

    scope: str
    """`selection`, `filter`, `queue` or `notes`."""
    fmt: str
    """`md`, `bib`, `json`, or `dir` (one Markdown file per paper)."""
    destination: Path
    include_all: bool
    force: bool


class Desk(NetworkWork):
    def __init__(self, app: App[Any], library: Library) -> None:
        self.app = app
        self.library = library
        self.view = LibraryView(library)
        self.undo_stack: list[Change] = []
        self._write_lock = asyncio.Lock()
        self._pending_writes: list[Callable[[], Change]] = []
        """Changes asked for and not started yet: `finish_writes` runs them if the app stops."""
        self.records_changed: Signal[list[Record]] = Signal(app, "records-changed")
        self.after_write: Callable[[], None] | None = None
        """Called on the UI thread after each saved change (the app syncs other devices)."""

    def set_activity(self, text: str) -> None:
        self.app.activity = text  # type: ignore[attr-defined]

    # -- writing -----------------------------------------------------------------------------

    def write(
        self,
        change: Callable[[], Change],
        *,
        undoable: bool = True,
        on_done: Callable[[Change], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        """Run a store change off the UI thread, in the order asked, then show its effect.

        A failure is shown as one line, or handed to `on_error` (the one-line reason)."""
        self._pending_writes.append(change)
        self.app.run_worker(
            self._write(change, undoable, on_done, on_error),
            group="write",
            description="Saving",
            exit_on_error=False,
        )

    async def _write(
        self,
        change: Callable[[], Change],
        undoable: bool,
        on_done: Callable[[Change], None] | None,
        on_error: Callable[[str], None] | None = None,
    ) -> Change | None:
        async with self._write_lock:
            with contextlib.suppress(ValueError):
                self._pending_writes.remove(change)
            try:
                done = await asyncio.to_thread(change)
            except (PaperdeckError, OSError) as error:
                reason = str(error)
                if on_error is not None:
                    on_error(reason)
                else:
                    self.app.notify(
                        f"Could not save: {reason}", severity="error", timeout=10, markup=False
                    )
                return None
        if undoable and not done.empty:
            self.undo_stack.append(done)
            del self.undo_stack[:-UNDO_DEPTH]
        for asked, target in done.followed.items():
            # A stale view wrote to a paper merged away meanwhile: the change went to the kept one.
            self.app.notify(
                f"{asked} was merged into {target}; the change went to {target}.",
                timeout=5,
                markup=False,
            )
        self.show_change(done)
        if self.after_write is not None and not done.empty:
            self.after_write()
        if on_done is not None:
            on_done(done)
        return done

    def finish_writes(self) -> list[str]:
        """After the app stopped: make the changes still waiting for their turn, in order;
        returns what could not be saved."""
        failed = []
        with self.app._context():  # changes may reach the library through `screen.app`
            while self._pending_writes:
                change = self._pending_writes.pop(0)
                try:
                    change()
                except (PaperdeckError, OSError) as error:
                    failed.append(str(error))
        return failed

    def show_change(self, change: Change) -> None:
        changed = self.view.apply(change)
        if changed:
            self.records_changed.publish(changed)

    def undo(self) -> None:
        """Undo the last change, saying afterwards what it put back and what it left alone."""
        if not self.undo_stack:
            self.app.notify("Nothing to undo.", timeout=2, markup=False)
            return
        change = self.undo_stack.pop()

        def done(undone: Change) -> None:
            from tui.undo import undo_notice

            message, whole = undo_notice(undone, self._title)
            self.app.notify(
                message, severity="information" if whole else "warning", timeout=6, markup=False
            )

        self.write(lambda: self.library.undo(change), undoable=False, on_done=done)

    def _title(self, paper: str) -> str:
        record = self.view.by_id.get(paper)  # a paper merged away is not in the view
        return record.title if record is not None else paper

    # -- notes -------------------------------------------------------------------------------

    def save_note_at_exit(self, paper: str, text: str, base: str) -> None:
        """The app is closing with the editor open: save synchronously, or keep the draft."""
        try:
            self.library.set_note(paper, text, base=base)
        except (PaperdeckError, OSError):
            with contextlib.suppress(PaperdeckError, OSError):
                self.library.save_draft(paper, text)  # reopened next time
        else:
            with contextlib.suppress(OSError):
                self.library.drop_draft(paper)

    # -- other actions -----------------------------------------------------------------------

    def today(self) -> date:
        return self.library.now().astimezone().date()

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        import webbrowser  # rarely needed: not at start-up

        try:
            opened = webbrowser.open(url, new=2 if new_tab else 0)
        except webbrowser.Error:
            opened = False
        if not opened:  # headless, SSH: no browser to hand the link to
            self.app.notify(
                f"No browser here: nothing was opened. Press y to copy the link instead: {url}",
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        self.app.notify(f"Opened {url}", timeout=3, markup=False)

    def open_best_link(self, paper: str) -> None:
        url = self.view.get(paper).best_link()
        if url is None:
            self.app.notify("This paper has no link.", severity="warning", markup=False)
            return
        self.open_url(url)

    def copy_papers(self, ids: Sequence[str]) -> None:
        lines = []
        for pid in ids:
            record = self.view.get(pid)
            link = record.best_link()
            lines.append(f"{record.title} {link}" if link else record.title)
        self.app.copy_to_clipboard("\n".join(lines))
        self.app.notify(
            f"Copied {plural(len(lines), 'paper')} to the clipboard.", timeout=2, markup=False
        )

    @property
    def host(self) -> DeskApp:
        return self.app  # type: ignore[return-value]

    # -- export ------------------------------------------------------------------------------

    def scope_records(
        self, scope: str, selection: Sequence[str], query: str, sort: str | None
    ) -> list[Record]:
        if scope == "selection":
            return [self.view.get(pid) for pid in selection]
        if scope == "queue":
            return self.view.queue()
        if scope == "notes":
            return [r for r in self.view.search("", sort) if r.state.has_note]
        return self.view.search(query, sort)

    def export(
        self, request: ExportRequest, selection: Sequence[str], query: str, sort: str | None
    ) -> None:
        """Write the export the dialog asked for, in the background."""
        self.app.run_worker(
            partial(self._export, request, list(selection), query, sort),
            thread=True,
            group="export",
            description="Exporting",
            exit_on_error=False,
        )

    def _export(
        self, request: ExportRequest, selection: list[str], query: str, sort: str | None
    ) -> None:
        from datetime import datetime

        from store.export.run import export_to

        now = datetime.now().astimezone()
        call = self.app.call_from_thread
        try:
            # Keys are assigned (and stored) the first time a paper is exported.
            records = self.library.with_citekeys(
                [
                    self.view.with_abstract(r)
                    for r in self.scope_records(request.scope, selection, query, sort)
                ]
            )
            done = export_to(
                request.fmt,
                records,
                request.destination,
                now=now,
                include_all=request.include_all,
                force=request.force,
            )
            message = done.summary()
            left_out = len(records) - done.papers
            if left_out:
                message += (
                    f"; {plural(left_out, 'paper')} without a note left out "
                    "(tick “Include papers without notes” to add them)"
                )
        except PaperdeckError as error:
            call(self.app.notify, str(error), severity="error", timeout=10, markup=False)
            return
        call(self.app.notify, message, timeout=8, markup=False)
