"""One long-lived search thread for a screen: the newest query wins, older ones never run.

A thread worker per keystroke costs more than most searches (start, hand-back, bookkeeping);
this thread waits on one slot instead. Submitting replaces whatever is waiting in the slot, so
on a large library a burst of keys runs at most two searches: the one already under way and the
last one typed. Results go back to the UI as one message, without waiting for the UI.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message
from textual.message_pump import MessagePump

from store.errors import PaperdeckError
from store.models import Record
from store.search.language import Query

Search = Callable[[Query, str | None], list[Record] | tuple[list[Record], bool]]
"""The records found, or (records, partial): partial when some were left unsearched for now."""


@dataclass
class SearchDone(Message):
    """The results of the search numbered `generation` (`records` is None when it failed)."""

    generation: int
    records: list[Record] | None
    problem: str = ""
    partial: bool = False
    """Found before the abstracts could be searched (see `LibraryView.abstracts_pending`)."""


class SearchThread:
    """Runs `search(query, sort)` off the UI thread and posts `SearchDone` to `target`."""

    _all: weakref.WeakSet[SearchThread] = weakref.WeakSet()

    def __init__(self, target: MessagePump, search: Search) -> None:
        self._all.add(self)
        self._running = False
        self._target = target
        self._search = search
        self._wake = threading.Condition()
        self._slot: tuple[int, Query, str | None] | None = None
        self._stopped = False
        self._thread: threading.Thread | None = None

    def submit(self, generation: int, query: Query, sort: str | None) -> None:
        """Search for `query` next, dropping any query still waiting to run."""
        with self._wake:
            self._slot = (generation, query, sort)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="paperdeck-search", daemon=True
                )
                self._thread.start()
            self._wake.notify()

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
            self._target.post_message(done)
            with self._wake:
                self._running = False
