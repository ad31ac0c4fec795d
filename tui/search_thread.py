"""One long-lived search thread for a screen: the newest query wins, older ones never run.

A thread worker per keystroke costs more than most searches (start, hand-back, bookkeeping);
this thread waits on one slot instead. Submitting replaces whatever is waiting in the slot, so
on a large library a burst of keys runs at most two searches: the one already under way and the
last one typed. Results go back to the UI as one message, without waiting for the UI.

A search that takes a few milliseconds (most, below 10k papers) is better shown in the same
frame as the key's echo than one frame later: `submit_and_wait` lets the UI wait for it a
bounded moment, shorter than a frame, and takes the answer directly if it came in time.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Sequence

from textual.message import Message
from textual.message_pump import MessagePump

from store.errors import PaperdeckError
from store.models import Record
from store.search.language import Query

Search = Callable[[Query, str | None], Sequence[Record] | tuple[Sequence[Record], bool]]
"""The records found, or (records, partial): partial when some were left unsearched for now."""


class SearchDone(Message):
    """The results of the search numbered `generation` (`records` is None when it failed).
    `partial`: found before the abstracts could be searched (`LibraryView.abstracts_pending`)."""

    def __init__(
        self,
        generation: int,
        records: Sequence[Record] | None,
        problem: str = "",
        *,
        partial: bool = False,
    ) -> None:
        super().__init__()
        self.generation = generation
        self.records = records
        self.problem = problem
        self.partial = partial
        self.seconds = 0.0
        """How long the search took."""


class SearchThread:
    """Runs `search(query, sort)` off the UI thread and posts `SearchDone` to `target`."""

    _all: weakref.WeakSet[SearchThread] = weakref.WeakSet()

    def __init__(self, target: MessagePump, search: Search) -> None:
        self._all.add(self)
        self._running = False
        self._target = target
        self._search = search
        lock = threading.Lock()
        self._wake = threading.Condition(lock)
        self._answered = threading.Condition(lock)
        self._waiting: int | None = None
        """The generation the UI is waiting for (`submit_and_wait`): handed over, not posted."""
        self._handed: SearchDone | None = None
        self._slot: tuple[int, Query, str | None] | None = None
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread ahead of the first search (it waits for one): a thread started
        by the first key would keep that key waiting while a load holds the interpreter."""
        with self._wake:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="paperdeck-search", daemon=True
                )
                self._thread.start()

    def submit(self, generation: int, query: Query, sort: str | None) -> None:
        """Search for `query` next, dropping any query still waiting to run."""
        self.start()
        with self._wake:
            self._slot = (generation, query, sort)
            self._wake.notify()

    def submit_and_wait(
        self, generation: int, query: Query, sort: str | None, timeout: float
    ) -> SearchDone | None:
        """`submit`, then wait up to `timeout` seconds for the answer: it is returned instead of
        posted; None if it takes longer (it is posted when it comes, as after `submit`)."""
        with self._wake:
            self._waiting, self._handed = generation, None
        self.submit(generation, query, sort)
        with self._answered:
            self._answered.wait_for(lambda: self._handed is not None, timeout)
            done, self._handed, self._waiting = self._handed, None, None
        return done

    @property
    def busy(self) -> bool:
        """A search is waiting or under way (its `SearchDone` not yet posted)."""
        with self._wake:
            return self._slot is not None or self._running

    @classmethod
    def any_busy(cls) -> bool:
        """Whether any screen's search is still out (tests wait for this to settle)."""
        return any(thread.busy for thread in list(cls._all))

    def stop(self) -> None:
        with self._wake:
            self._stopped = True
            self._slot = None
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._slot is None and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                assert self._slot is not None
                (generation, query, sort), self._slot = self._slot, None
                self._running = True
            started = time.perf_counter()
            try:
                found = self._search(query, sort)
                if isinstance(found, tuple):
                    done = SearchDone(generation, found[0], partial=found[1])
                else:
                    done = SearchDone(generation, found)
            except PaperdeckError as error:
                done = SearchDone(generation, None, str(error))
            except Exception as error:  # noqa: BLE001 - the thread must outlive one bad search
                done = SearchDone(generation, None, f"search failed: {error}")
            done.seconds = time.perf_counter() - started
            with self._wake:
                if self._waiting == generation:  # the UI waits for this one: hand it over
                    self._handed, self._waiting = done, None
                    self._answered.notify()
                    self._running = False
                    continue
            self._target.post_message(done)
            with self._wake:
                self._running = False
