"""TypingGate: background work waits while the reader types, and stops when its process closes.

The app's load, its abstract index and its backups share the one interpreter with the searches
run per keystroke: a slice of that work between two keys made the second key's search take
twice as long. Each key (and each search) is noted here; a slice of work first waits for a
pause in typing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

TYPING_PAUSE = 0.3
"""Seconds without a key or search after which background work goes on."""
TYPING_WAIT = 0.5
"""Seconds background work waits at most each time: a long burst of typing delays it only."""
KEY_DRAWN = 0.02
"""Seconds after a key (or a search's end) by which its frame is drawn: work that the next keys
need waits this long only (see `LibraryView.load`: at 100k papers a key typed 0.1 s after the
first frame found it undone at 0.05 s, and its search did it)."""
BETWEEN_KEYS = 0.05
"""Seconds after a key that work the next keys would only be quicker for waits (slices of a
millisecond between keys typed 70 ms apart)."""


class Stopped(Exception):
    """Background work given up because its process is closing (`TypingGate.close`)."""


class TypingGate:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._searches = 0
        self._last = 0.0
        self._closing = threading.Event()

    def close(self) -> None:
        """The process is closing: long work that asks `closing` stops (the interpreter waits
        for every worker thread on the way out: a Related index or an interest model being
        read at 100k papers kept the process for up to a minute after its terminal closed)."""
        self._closing.set()

    def closing(self) -> bool:
        return self._closing.is_set()

    @contextmanager
    def searching(self) -> Iterator[None]:
        """A search under way: background work waits for its end, and a pause after it."""
        with self._changed:
            self._searches += 1
        try:
            yield
        finally:
            with self._changed:
                self._searches -= 1
                self._last = time.monotonic()
                self._changed.notify_all()

    def note(self) -> None:
        """The reader pressed a key (or may at once: the first frame is drawn)."""
        with self._changed:
            self._last = time.monotonic()

    def wait(self, pause: float | None = None) -> None:
        """Before a slice of background work: let the interpreter go to the UI thread, and wait
        while the reader types (until `pause` seconds, `TYPING_PAUSE` by default, passed
        without a key or search), at most `TYPING_WAIT` seconds."""
        time.sleep(0)
        pause = TYPING_PAUSE if pause is None else pause

        def quiet() -> bool:
            return self._searches == 0 and time.monotonic() - self._last >= pause

        deadline = time.monotonic() + TYPING_WAIT
        with self._changed:
            while not quiet() and (left := deadline - time.monotonic()) > 0:
                self._changed.wait(min(left, pause / 3))
