"""The app's background upkeep of the store: indexing abstracts, learning the reader's interest,
following changes other processes make to the files, and syncing with other devices.

A base of `PaperdeckApp` (which names the state used here); every piece runs in a thread worker
and hands its result to the UI thread, and waits while the reader presses keys.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from textual import events, work
from textual.app import App
from textual.signal import Signal
from textual.timer import Timer
from textual.worker import get_current_worker

from store.errors import PaperdeckError
from store.library import Library
from store.search.heap import fix_mmap_threshold
from store.view_outside import OutsideChanges
from tui.desk import Desk
from tui.text import plural


class _Stopped(Exception):
    """The indexing worker was cancelled while the index was built elsewhere."""


class UpkeepApp(App[None]):
    desk: Desk
    loaded: bool
    sync_folder: Path | None
    sync_delay: float
    interest_ready: Signal[None]
    sort: str | None
    abstracts_ready: Signal[None]
    """The abstract word index is in: searches made without it may have missed papers."""
    activity: str
    _sync_running: threading.Lock
    _sync_timer: Timer | None
    _last_sync_error: str
    load_library: Callable[[], object]
    """`tui.loading.LoadingApp` reads the library (again: after other processes' or devices'
    changes)."""

    @property
    def library(self) -> Library:
        return self.desk.library

    def on_unmount(self) -> None:
        # On the way out, before the interpreter waits for the worker threads to end: a
        # Related index or the interest model being read for a large library would keep the
        # process for up to a minute.
        self.desk.view.close()

    def input_arrived(self) -> None:
        """A key is on its way (the input thread read it): the background slices stop at
        their next step, not once the key reaches the UI thread. Until then they shared the
        interpreter with the key's way there (2-8 ms of a key typed as the typing gate
        reopened, at 100k papers)."""
        self.desk.view.note_activity()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            # A key's work goes first: the load's and the indexer's slices wait (`/` moves
            # the focus, the keys after it search).
            self.desk.view.note_activity()
        await super().on_event(event)

    @work(thread=True, exclusive=True, group="index", exit_on_error=False, description="Indexing")
    def index_abstracts(self) -> None:
        """After the list is up: keep a backup of the user's state (every start), then give
        word search its abstract index: the saved one, or on a large library one built in
        another process (this one stays free for the keys), or one built here; a large
        library's stale title index is built by an indexer of its own, not waited for."""
        view = self.desk.view
        # A small library's process holds malloc's threshold from here on (a large one's, from
        # before its load: `tui.loading`); the interest model comes after this.
        fix_mmap_threshold()
        try:
            view.wait_while_typing()  # each step holds the interpreter: not between two keys
            self.library.take_backups()
            view.wait_while_typing()
            view.index_abstracts(self._index_elsewhere)
            if view.abstracts_deferred:  # a title index alone stale: built for the next start
                from store.indexer import index_in_background

                index_in_background(self.library)
            view.keep_short_words()
            view.wait_while_typing()
            # The first abstract opened then shows at once; keys typed meanwhile go first.
            self.library.prepare_abstract_reads(view.wait_while_typing)
        except _Stopped:
            return  # the app is closing, or a newer load has its own worker
        except PaperdeckError as error:
            self.call_from_thread(
                self.notify, str(error), severity="error", timeout=10, markup=False
            )
        self.call_from_thread(self._show_indexing, None)
        if view.index.abstracts_indexed:
            self.call_from_thread(self.abstracts_ready.publish, None)

    def _index_elsewhere(self) -> bool:
        """Run `store.indexer` for this store and follow it, its progress in the mode bar;
        stopped with the worker (a newer load, the app closing)."""
        from store.indexer import IndexBuild

        worker = get_current_worker()

        def progress(done: int, total: int) -> None:
            if worker.is_cancelled:
                raise _Stopped
            self.call_from_thread(self._show_indexing, done * 100 // max(total, 1))

        build = IndexBuild(self.library.root)
        self.call_from_thread(self._show_indexing, 0)
        try:
            return build.follow(progress)
        finally:
            build.stop()

    _indexing_shown = ""

    def _show_indexing(self, percent: int | None) -> None:
        """`Indexing abstracts 40%` in the mode bar, unless it tells of other work (a fetch)."""
        if self.activity and self.activity != self._indexing_shown:
            return
        if percent is None:
            text = ""
        else:
            text = f"Indexing abstracts {percent}%…" if percent else "Indexing abstracts…"
        self.activity = self._indexing_shown = text

    @work(
        thread=True,
        group="interest",
        exit_on_error=False,
        description="Learning your interest",
    )
    def retrain_interest(self) -> None:
        """Retrain off the UI thread (the view serialises trainings), then tell the screens
        that show interest."""
        self.desk.view.train_interest()
        self.call_from_thread(self.interest_ready.publish, None)

    _interest_wanted = False
    """Something showed the reader's interest this session (triage, the interest sort): keep
    it learned. Until then no model is read: on a large library reading every paper into it
    takes the interpreter for seconds (a minute at 100k papers), right when the reader types."""

    def want_interest(self) -> None:
        """Triage or the interest sort needs the interest: learn it now, and after every
        decision from now on."""
        if not self._interest_wanted:
            self._interest_wanted = True
            if self.loaded:
                self.retrain_interest()

    def retrain_if_wanted(self) -> None:
        """After a decision or a load: retrain, if anything shows the interest."""
        if self._interest_wanted:
            self.retrain_interest()

    def pick_up_outside_changes(self) -> None:
        """Another process (the CLI, a second app) wrote tags, notes or papers: show them.

        A timer asks every `watch_interval` seconds; the files are looked at off the UI thread
        and only what changed is read."""
        if not self.loaded or any(w.group == "watch" and w.is_running for w in self.workers):
            return
        self._read_outside_changes()

    @work(thread=True, group="watch", exit_on_error=False, description="Watching the store")
    def _read_outside_changes(self) -> None:
        try:
            changes = self.desk.view.outside_changes()
        except PaperdeckError as error:
            self.call_from_thread(
                self.notify, str(error), severity="error", timeout=10, markup=False
            )
            return
        if not changes.empty:
            self.call_from_thread(self._take_outside_changes, changes)

    def _take_outside_changes(self, changes: OutsideChanges) -> None:
        if not self.loaded:
            return
        if changes.reload:
            self.loaded = False  # papers came in: read everything, as ctrl+r does
            self.load_library()
            return
        changed = self.desk.view.take_outside_changes(changes)
        if changed:
            self.desk.records_changed.publish(changed)

    # -- several devices -----------------------------------------------------------------------

    def schedule_sync(self) -> None:
        """After a change: sync soon, once for a burst of changes."""
        if self.sync_folder is None:
            return
        if self._sync_timer is not None:
            self._sync_timer.stop()
        self._sync_timer = self.set_timer(self.sync_delay, self.sync_now)

    @work(thread=True, group="sync", exit_on_error=False, description="Syncing")
    def sync_now(self) -> None:
        """Exchange changes with the other devices, off the UI thread; a sync already running
        makes this one unnecessary."""
        folder = self.sync_folder
        if folder is None or not self._sync_running.acquire(blocking=False):
            return
        try:
            report = self.library.sync(folder)
        except PaperdeckError as error:
            message = f"Sync: {error}"
            if message != self._last_sync_error:  # once, not every half minute
                self._last_sync_error = message
                self.call_from_thread(
                    self.notify, message, severity="warning", timeout=10, markup=False
                )
            return
        finally:
            self._sync_running.release()
        self._last_sync_error = ""
        for problem in report.problems:
            self.call_from_thread(
                self.notify, f"Sync skipped: {problem}", severity="warning", markup=False
            )
        if report.papers_added:
            self.call_from_thread(self.load_library)  # papers new to this device
        elif report.received:
            self.call_from_thread(self.pick_up_outside_changes)
        if report.received:
            self.call_from_thread(
                self.notify,
                f"Synced {plural(report.received, 'change')} from other devices.",
                timeout=3,
                markup=False,
            )
