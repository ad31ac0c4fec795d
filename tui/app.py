"""PaperdeckApp: screens, global keys, and the one place where the app writes to the store."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.signal import Signal
from textual.worker import get_current_worker

from store.errors import PaperdeckError
from store.library import Change, Library
from store.models import Enrichment, Record
from store.view import LibraryView
from tui.commands import PaperdeckCommands
from tui.screens.papers import PapersScreen
from tui.text import clean

if TYPE_CHECKING:
    from textual.screen import Screen

    from tui.screens.export import ExportRequest


# Screens other than Papers are imported when first shown: start-up is what users feel most.
def _queue_screen() -> Screen[None]:
    from tui.screens.queue import QueueScreen

    return QueueScreen()


def _tags_screen() -> Screen[None]:
    from tui.screens.tags import TagsScreen

    return TagsScreen()


def _notes_screen() -> Screen[None]:
    from tui.screens.notes import NotesScreen

    return NotesScreen()


def _stats_screen() -> Screen[None]:
    from tui.screens.stats import StatsScreen

    return StatsScreen()


UNDO_DEPTH = 100


class PaperdeckApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "paperdeck"
    COMMANDS = App.COMMANDS | {PaperdeckCommands}
    MODES = {
        "papers": PapersScreen,
        "queue": _queue_screen,
        "tags": _tags_screen,
        "notes": _notes_screen,
        "stats": _stats_screen,
    }
    DEFAULT_MODE = "papers"
    BINDINGS = [
        Binding("1", "switch_mode('papers')", "Papers", show=False, id="app.papers"),
        Binding("2", "switch_mode('queue')", "Queue", show=False, id="app.queue"),
        Binding("3", "switch_mode('tags')", "Tags", show=False, id="app.tags"),
        Binding("4", "switch_mode('notes')", "Notes", show=False, id="app.notes"),
        Binding("5", "switch_mode('stats')", "Overview", show=False, id="app.stats"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="app.reload"),
        Binding("ctrl+x", "cancel_work", "Cancel fetch", show=False, id="app.cancel"),
    ]

    def __init__(
        self,
        library: Library,
        *,
        seeds: Sequence[Path] = (),
        watch_interval: float = 2.0,
        triage: str | None = None,
    ) -> None:
        super().__init__()
        self.triage_on_start = triage
        """A query: start in triage mode on it (`paperdeck triage`)."""
        self.library = library
        self.view = LibraryView(library)
        self.seeds = list(seeds)
        self.watch_interval = watch_interval
        self.loaded = False
        self.sort: str | None = None
        self.undo_stack: list[Change] = []
        self._write_lock = asyncio.Lock()
        self.records_changed: Signal[list[Record]] = Signal(self, "records-changed")
        self.library_loaded: Signal[None] = Signal(self, "library-loaded")
        self.first_results_ready: Signal[None] = Signal(self, "first-results-ready")
        self.sort_changed: Signal[str | None] = Signal(self, "sort-changed")
        self.activity: Signal[str] = Signal(self, "activity")
        """What runs in the background ("Fetching 3/10…"), or "" when nothing does."""
        self._mounted = threading.Event()
        self._first_results: tuple[str | None, int, list[Record]] | None = None
        """(sort, view version, records): the unfiltered list a load prepared."""

    # -- loading -----------------------------------------------------------------------------

    def on_load(self) -> None:
        # Read the store while Textual builds the screen, so the list fills the first frames.
        self.load_library()

    def on_mount(self) -> None:
        self._mounted.set()
        if self.watch_interval > 0:
            self.set_interval(self.watch_interval, self.pick_up_outside_changes)

    def _wait_until_mounted(self) -> bool:
        """In a worker: until the screen is up (False if the worker is cancelled first)."""
        while not self._mounted.wait(0.02):
            if get_current_worker().is_cancelled:
                return False
        return True

    def take_first_results(self, sort: str | None) -> list[Record] | None:
        """The whole library in `sort` order as the load prepared it, if nothing changed since;
        only the first caller after a load gets it."""
        prepared, self._first_results = self._first_results, None
        if prepared is None or prepared[:2] != (sort, self.view.version):
            return None
        return prepared[2]

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_library(self) -> None:
        try:
            if self.library.is_empty() and self.seeds:
                if not self._wait_until_mounted():
                    return
                from tui.screens.progress import ProgressScreen

                progress = ProgressScreen("Importing the bundled listings…")
                self.call_from_thread(self.push_screen, progress)
                try:
                    self.library.import_files(
                        self.seeds,
                        progress=lambda done, total, what: self.call_from_thread(
                            progress.advance, done, total, what
                        ),
                    )
                finally:
                    self.call_from_thread(progress.dismiss)
            self.view.load()
            # The unfiltered list, ready for the Papers screen's first frame, offered at once
            # (the screen may be up already, or take it when it mounts).
            self._first_results = (self.sort, self.view.version, self.view.search("", self.sort))
            self.call_from_thread(self.first_results_ready.publish, None)
        except PaperdeckError as error:
            self.call_from_thread(
                self.notify, str(error), severity="error", timeout=30, markup=False
            )
            return
        if self._wait_until_mounted():
            self.call_from_thread(self._loaded)

    def _loaded(self) -> None:
        self.loaded = True
        self.library_loaded.publish(None)
        # Indexing holds the interpreter for seconds on big libraries: let the list paint first.
        self.set_timer(0.5, self.index_abstracts)
        if self.triage_on_start is not None:
            self.start_triage(self.triage_on_start)
            self.triage_on_start = None

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def index_abstracts(self) -> None:
        """After the list is up: keep a backup of the user's state (every start), then read and
        index abstracts so word search covers them fast."""
        try:
            self.library.take_backups()
            self.view.index_abstracts()
        except PaperdeckError as error:
            self.call_from_thread(
                self.notify, str(error), severity="error", timeout=10, markup=False
            )

    def pick_up_outside_changes(self) -> None:
        """Another process (the CLI, a second app) wrote tags or notes: show them."""
        if not self.loaded:
            return
        try:
            changed = self.view.refresh_state()
        except PaperdeckError as error:
            self.notify(str(error), severity="error", timeout=10, markup=False)
            return
        if changed:
            self.records_changed.publish(changed)

    def action_reload(self) -> None:
        self.loaded = False
        self.load_library()
        self.notify("Reloaded from the store.", timeout=2, markup=False)

    # -- writing -----------------------------------------------------------------------------

    def write(
        self,
        change: Callable[[], Change],
        *,
        undoable: bool = True,
        on_done: Callable[[Change], None] | None = None,
    ) -> None:
        """Run a store change off the UI thread, in the order asked, then show its effect."""
        self._write(change, undoable, on_done)

    @work(group="write", exit_on_error=False)
    async def _write(
        self,
        change: Callable[[], Change],
        undoable: bool,
        on_done: Callable[[Change], None] | None,
    ) -> Change | None:
        async with self._write_lock:
            try:
                done = await asyncio.to_thread(change)
            except PaperdeckError as error:
                self.notify(str(error), severity="error", timeout=10, markup=False)
                return None
            except OSError as error:
                self.notify(f"Could not save: {error}", severity="error", timeout=10, markup=False)
                return None
        if undoable and not done.empty:
            self.undo_stack.append(done)
            del self.undo_stack[:-UNDO_DEPTH]
        changed = self.view.apply(done)
        if changed:
            self.records_changed.publish(changed)
        if on_done is not None:
            on_done(done)
        return done

    def undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo.", timeout=2, markup=False)
            return
        change = self.undo_stack.pop()
        self.write(lambda: self.library.undo(change), undoable=False)
        self.notify(f"Undid {change.description}.", timeout=2, markup=False)

    def edit_note(
        self,
        paper: str,
        *,
        on_saved: Callable[[Change], None] | None = None,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        """Open the note editor; a draft left by a crash is recovered first."""
        from tui.screens.modals import NoteEditor

        record = self.view.get(paper)
        base = record.state.note
        draft = self.library.draft(paper)
        text = base
        if draft is not None and draft != base:
            text = draft
            self.notify("Recovered the unsaved draft of this note.", timeout=5, markup=False)

        def save(new_text: str) -> None:
            nonlocal base
            saved_base = base
            base = new_text
            self.write(lambda: self._save_note(paper, new_text, saved_base), on_done=on_saved)

        editor = NoteEditor(
            record.title,
            text,
            save=save,
            save_now=lambda t: self._save_note_at_exit(paper, t, base),
            save_draft=lambda t: self.library.save_draft(paper, t),
        )
        if text != base:
            editor.saved = base  # the recovered draft still needs saving
        self.push_screen(editor, lambda _: on_close() if on_close else None)

    def _save_note_at_exit(self, paper: str, text: str, base: str) -> None:
        """The app is closing with the editor open: save synchronously, or keep the draft."""
        try:
            self._save_note(paper, text, base)
        except (PaperdeckError, OSError):
            with contextlib.suppress(PaperdeckError, OSError):
                self.library.save_draft(paper, text)  # reopened next time

    def _save_note(self, paper: str, text: str, base: str) -> Change:
        change = self.library.set_note(paper, text, base=base)
        self.library.drop_draft(paper)
        return change

    # -- other actions -----------------------------------------------------------------------

    def today(self) -> date:
        return self.library.now().astimezone().date()

    def set_sort(self, sort: str | None) -> None:
        if sort is None:
            return
        self.sort = sort
        self.sort_changed.publish(sort)
        self.notify(f"Sorted by {sort}.", timeout=2, markup=False)

    def open_abstract(
        self,
        ids: Sequence[str],
        paper: str,
        *,
        on_close: Callable[[str], None] | None = None,
        focus_note: bool = False,
    ) -> None:
        from tui.screens.abstract import AbstractScreen

        self.push_screen(AbstractScreen(ids, paper, on_close=on_close, focus_note=focus_note))

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        import webbrowser  # rarely needed: not at start-up

        try:
            webbrowser.open(url, new=2 if new_tab else 0)
        except webbrowser.Error as error:
            self.notify(f"Could not open a browser: {error}", severity="error", markup=False)
            return
        self.notify(f"Opened {url}", timeout=3, markup=False)

    def open_best_link(self, paper: str) -> None:
        url = self.view.get(paper).best_link()
        if url is None:
            self.notify("This paper has no link.", severity="warning", markup=False)
            return
        self.open_url(url)

    def copy_papers(self, ids: Sequence[str]) -> None:
        lines = []
        for pid in ids:
            record = self.view.get(pid)
            link = record.best_link()
            lines.append(f"{record.title} {link}" if link else record.title)
        self.copy_to_clipboard("\n".join(lines))
        self.notify(f"Copied {len(lines)} paper(s) to the clipboard.", timeout=2, markup=False)

    # -- enrichment --------------------------------------------------------------------------

    def fetch(self, ids: Sequence[str]) -> None:
        """Enrich papers from arXiv and GitHub in the background; `ctrl+x` cancels."""
        if any(w.group == "fetch" and w.is_running for w in self.workers):
            self.notify(
                "A fetch is already running; ctrl+x cancels it.", severity="warning", markup=False
            )
            return
        self._fetch([self.view.get(pid) for pid in ids])

    @work(thread=True, group="fetch", exit_on_error=False)
    def _fetch(self, records: list[Record]) -> None:
        import os

        from store.enrich.run import FetchSettings, fetch
        from store.enrich.token import lookup_github_token

        worker = get_current_worker()
        try:
            settings = FetchSettings.from_env(os.environ)
        except PaperdeckError as error:
            self.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        token = None
        if any(r.paper.github for r in records):
            token = lookup_github_token(os.environ).token
        total = len(records)
        self.call_from_thread(self.activity.publish, f"Fetching 0/{total}… (ctrl+x cancels)")

        def progress(done: int, steps: int, title: str) -> None:
            self.call_from_thread(
                self.activity.publish,
                f"Fetching {done}/{steps}: {clean(title)[:40]} (ctrl+x cancels)",
            )

        def save(paper: str, enrichment: Enrichment) -> None:
            self.library.save_enrichment(paper, enrichment)
            self.call_from_thread(self._enriched, [paper])

        try:
            summary = fetch(
                records,
                arxiv=True,
                github=True,
                refresh=False,
                settings=settings,
                token=token,
                save=save,
                progress=progress,
                cancelled=lambda: worker.is_cancelled,
            )
        except PaperdeckError as error:
            self.call_from_thread(
                self.notify, str(error), severity="error", timeout=10, markup=False
            )
            return
        finally:
            self.call_from_thread(self.activity.publish, "")
        lines = [
            f"arXiv: {summary.matched} matched, {summary.not_found} not found, "
            f"{summary.failed} failed, {summary.skipped} skipped",
            f"GitHub: {summary.repos_ok} ok, {summary.repos_not_found} not found, "
            f"{summary.repos_failed} failed",
            *summary.service_errors,
        ]
        if summary.cancelled:
            lines.insert(0, "Fetch cancelled; what was fetched is kept.")
        severity = "error" if summary.service_errors else "information"
        self.call_from_thread(
            self.notify, "\n".join(lines), severity=severity, timeout=8, markup=False
        )

    def _enriched(self, ids: list[str]) -> None:
        changed = self.view.refresh_enrichment(ids)
        if changed:
            self.records_changed.publish(changed)

    def action_cancel_work(self) -> None:
        running = [w for w in self.workers if w.group == "fetch" and w.is_running]
        for worker in running:
            worker.cancel()
        if running:
            self.notify("Cancelling the fetch…", timeout=2, markup=False)

    # -- export ------------------------------------------------------------------------------

    def export(self, selection: Sequence[str], query: str) -> None:
        from tui.screens.export import ExportDialog

        ids = list(selection)

        def chosen(request: ExportRequest | None) -> None:
            if request is not None:
                self._export(request, ids, query)

        self.push_screen(ExportDialog(has_selection=bool(ids), filter_text=query), chosen)

    def export_records(self, scope: str, selection: Sequence[str], query: str) -> list[Record]:
        return [self.view.with_abstract(r) for r in self._scope(scope, selection, query)]

    def _scope(self, scope: str, selection: Sequence[str], query: str) -> list[Record]:
        if scope == "selection":
            return [self.view.get(pid) for pid in selection]
        if scope == "queue":
            return self.view.queue()
        if scope == "notes":
            return [r for r in self.view.search("", self.sort) if r.state.note.strip()]
        return self.view.search(query, self.sort)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, request: ExportRequest, selection: Sequence[str], query: str) -> None:
        from datetime import datetime

        from store.export import write as export

        now = datetime.now().astimezone()
        try:
            records = self.library.with_citekeys(
                self.export_records(request.scope, selection, query)
            )
            if request.fmt == "dir":
                if not request.include_all:
                    records = [r for r in records if r.state.note.strip()]
                report = export.export_dir(
                    records, request.destination, now=now, force=request.force
                )
                message = (
                    f"Exported to {request.destination}: {len(report.written)} written, "
                    f"{len(report.updated)} updated, {len(report.unchanged)} unchanged"
                )
                if report.skipped:
                    message += f", {len(report.skipped)} skipped (not written by paperdeck)"
            else:
                path = export.export_file(
                    request.fmt,
                    records,
                    request.destination,
                    now=now,
                    include_all=request.include_all,
                    force=request.force,
                )
                message = f"Exported {len(records)} paper(s) to {path}"
        except PaperdeckError as error:
            self.call_from_thread(
                self.notify, str(error), severity="error", timeout=10, markup=False
            )
            return
        self.call_from_thread(self.notify, message, timeout=8, markup=False)

    def start_triage(self, query: str = "") -> None:
        from tui.screens.triage import TriageScreen

        self.push_screen(TriageScreen(query))

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def run_app(library: Library, *, seeds: Sequence[Path], triage: str | None = None) -> int:
    PaperdeckApp(library, seeds=seeds, triage=triage).run()
    return 0
