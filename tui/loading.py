"""The app's reading of the library at start and on reload: the list's first screen as early as
the library's size allows, the bundled listings imported into an empty store.

A base of `PaperdeckApp` (which names the state used here). A small library is read before the
first frame is built; a larger one in a thread worker while Textual builds the screen, its first
screen shown from the stored date order before every record is built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.signal import Signal
from textual.worker import get_current_worker

from store.errors import PaperdeckError
from store.memory import end_startup_pause
from store.models import Record
from store.search.heap import fix_mmap_threshold
from tui.desk import Desk

READ_BEFORE_FRAME = 512 * 1024
"""Up to this size of its catalog file (about 1,000 papers) the library is read before the
first frame is built: 5 ms at 212 papers, 12 us a paper. Read in the worker alongside, it held
the interpreter in turns with the screen being built, which was laid out once without its rows.
The file's size is known without reading it: a larger library's load starts no later."""
PREVIEW_FROM = 5_000
"""From this many papers the list shows before every record is built (see `load_library`)."""
SEARCH_READY_UNTIL = 20_000
"""Up to this many papers the word indexes are built before the first frame (a tenth of a
second at 10k): the first key typed is answered as fast as any. Beyond, they are built after
it, and keys typed meanwhile search titles and authors by scanning."""
PREVIEW_WAIT = 0.3
"""Seconds the load waits for the first frame at most before building the rest."""


class LoadingApp(App[None]):
    desk: Desk
    sort: str | None
    loaded: bool
    seeds: list[Path]
    _loaded: Callable[[], None]
    """PaperdeckApp's next steps once the library is read (on the UI thread)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_results_ready: Signal[None] = Signal(self, "first-results-ready")
        self._mounted = threading.Event()
        self._first_results: tuple[str | None, int, Sequence[Record]] | None = None
        """(sort, view version, records): the unfiltered list a load prepared."""
        self._preview_shown = threading.Event()
        """Set once the Papers screen has drawn the list a load offered first."""

    def on_load(self) -> None:
        # Read the store before the screen is built if that is quick, else while it is, so the
        # list fills the first frames either way.
        self.load_library(read=not self._read_small_library())

    def on_mount(self) -> None:
        self._mounted.set()

    def reload_library(self) -> None:
        """Read the store again (after an import or a pull); screens refill when it is read."""
        self.loaded = False
        self.load_library()

    def take_first_results(self, sort: str | None) -> Sequence[Record] | None:
        """The whole library in `sort` order as the load prepared it, if nothing changed since;
        only the first caller after a load gets it."""
        prepared, self._first_results = self._first_results, None
        if prepared is None or prepared[:2] != (sort, self.desk.view.version):
            return None
        return prepared[2]

    def first_results_shown(self) -> None:
        """The screen that took the first results has drawn them: the load may go on."""
        self._preview_shown.set()

    def _read_small_library(self) -> bool:
        """Read a small library (see READ_BEFORE_FRAME) here and now; False, having read
        nothing, for any other (larger, empty, or one with a problem the worker reports)."""
        view = self.desk.view
        try:
            if self.desk.library.catalog_file.path.stat().st_size > READ_BEFORE_FRAME:
                return False
            if self.desk.library.state_missing():
                return False
            # Not `open_rows`: nothing searches before this load ends, so it skips what searches
            # during a load need (the word tables: 5 ms; the warm-up search after the first
            # frame makes them, `PapersScreen._warm_up`).
            rows = self.desk.library.record_rows()
            if not 0 < len(rows) < PREVIEW_FROM:
                return False
            view.load(rows, warm=True)
        except (OSError, PaperdeckError):
            return False
        self._first_results = (self.sort, view.version, view.search("", self.sort))
        return True

    def _wait_until_mounted(self) -> bool:
        """In a worker: until the screen is up (False if the worker is cancelled first)."""
        while not self._mounted.wait(0.02):
            if get_current_worker().is_cancelled:
                return False
        return True

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="Loading")
    def load_library(self, *, read: bool = True) -> None:
        """Read the library (`read`: unless `_read_small_library` has), importing the bundled
        listings into an empty one, then hand over to `_loaded`."""
        try:
            if read:
                self._read_library()
        except PaperdeckError as error:
            self.call_from_thread(
                self.notify, str(error), severity="error", timeout=30, markup=False
            )
            return
        finally:
            end_startup_pause()  # the first screen is up, the records built
        if self._wait_until_mounted():
            self.call_from_thread(self._loaded)

    def _read_library(self) -> None:
        # Before the load: its freed blocks would otherwise raise malloc's threshold, and the
        # interest model and every training after it pile up in the heap (triage at 100k
        # papers: 395-450 MB, 366 MB with the threshold held; store/search/heap.py). A small
        # library read before the first frame (`_read_small_library`) leaves it to the index
        # worker, after that frame: 2-3 ms of ctypes it need not wait for.
        fix_mmap_threshold()
        view = self.desk.view
        if self.desk.library.is_empty() and self.seeds:
            if not self._wait_until_mounted():
                return
            self._import_seeds()
        self.desk.library.check_state_present()
        rows = view.open_rows()
        if len(rows) >= PREVIEW_FROM and self.sort in (None, "date"):
            if len(rows) <= SEARCH_READY_UNTIL:
                view.prepare_search(rows)
            # The first screen from the stored date order while the rest is built: what the
            # load prepares below is the same list, made of the same records.
            self._preview_shown.clear()
            self._first_results = (self.sort, view.version, rows.in_date_order())
            self.call_from_thread(self.first_results_ready.publish, None)
            # Building 100k records holds the interpreter in turns with the UI thread: let
            # the first frame be drawn first.
            self._preview_shown.wait(PREVIEW_WAIT)
        view.load(rows, warm=True)
        # The unfiltered list, ready for the Papers screen's first frame, offered at once (the
        # screen may be up already, or take it when it mounts).
        self._first_results = (self.sort, view.version, view.search("", self.sort))
        self.call_from_thread(self.first_results_ready.publish, None)

    def _import_seeds(self) -> None:
        from tui.screens.progress import ProgressScreen

        progress = ProgressScreen("Importing the bundled listings…")
        self.call_from_thread(self.push_screen, progress)
        try:
            self.desk.library.import_files(
                self.seeds,
                progress=lambda done, total, what: self.call_from_thread(
                    progress.advance, done, total, what
                ),
            )
        finally:
            self.call_from_thread(progress.dismiss)
