"""Scan the abstracts for a one-shot search's words on the second core.

`paperdeck list --query` on a large library spends most of its time in two independent jobs:
reading the catalog (to filter, rank and print) and reading the abstracts file (to see which
abstracts contain the query's words). A forked process does the second while this one does
the first. The child answers only "which papers have an abstract word beginning with this word",
exactly the test the search makes itself, so the results are the same either way; if the
child fails for any reason the search reads the abstracts itself and reports any problem.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from store.errors import PaperdeckError
from store.search.postings import Postings
from store.search.words import text_test
from store.text import fold

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

PARALLEL_FROM_BYTES = 8_000_000
"""Below this abstracts file size (about 5k papers) reading it here is quicker than a fork."""


def worth_scanning(path: Path) -> bool:
    """Fork only where it is cheap and safe (Linux), and only for a large abstracts file."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return path.stat().st_size >= PARALLEL_FROM_BYTES
    except OSError:
        return False


def matches_in(abstracts: Mapping[str, str], words: list[str]) -> dict[str, set[str]]:
    """For each word, the ids of papers whose abstract has it as `text_test` finds it."""
    found: dict[str, set[str]] = {word: set() for word in words}
    tests = [(text_test(word), found[word]) for word in words]
    for pid, text in abstracts.items():
        folded = fold(text)
        for starts, ids in tests:
            if starts(folded):
                ids.add(pid)
    return found


def _child(read: Callable[[], Mapping[str, str]], words: list[str], conn: Connection) -> None:
    try:
        conn.send(matches_in(read(), words))
    except (PaperdeckError, OSError, ValueError):
        conn.send(None)  # the parent reads the file itself and reports the problem
    finally:
        conn.close()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class AbstractScan:
    """A running scan; `result()` waits for it (None: it failed, search without it)."""

    def __init__(self, read: Callable[[], Mapping[str, str]], words: list[str]) -> None:
        """`read` gives the abstracts by id; it runs in the forked child, on its copy."""
        import multiprocessing  # only for a scan (with pickle and sockets: 10 ms of a start)

        context = multiprocessing.get_context("fork")
        self._conn, child_conn = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(read, words, child_conn), daemon=True)
        # ctrl+c is for the command, which stops the child itself: a child that took the
        # KeyboardInterrupt would print a traceback. Forked with SIGINT ignored, it never does.
        with _sigint_ignored():
            self._process.start()
        child_conn.close()

    def result(self) -> dict[str, set[str]] | None:
        try:
            answer = self._conn.recv()
        except (EOFError, OSError):
            answer = None  # the child died: SIGKILL, out of memory
        self.close()
        return answer if isinstance(answer, dict) else None

    def close(self) -> None:
        """Stop the scan if it still runs (the command failed first); idempotent."""
        self._conn.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


class KnownMatches:
    """What a scan would answer, known without one: the saved abstract word index answers.
    A search takes `postings` itself (rows, not ids: no id set per word to build and map back).

    The index is read on a thread of its own: reading and checking 71 MB at 100k papers took
    0.07-0.15 s, done on the other core (the file's read and its checksum let go of the
    interpreter) while the command reads the catalog."""

    def __init__(self, load: Callable[[], Postings | None]) -> None:
        self._loaded: list[Postings | None] = []
        self._thread = threading.Thread(
            target=self._load, args=(load,), name="paperdeck-abstract-index", daemon=True
        )
        self._thread.start()

    def _load(self, load: Callable[[], Postings | None]) -> None:
        try:
            self._loaded.append(load())
        except Exception:  # noqa: BLE001 - a search without it reads the abstracts instead
            self._loaded.append(None)

    @property
    def postings(self) -> Postings | None:
        """The index, once read; None if it could not be (damaged or gone meanwhile)."""
        self._thread.join()
        return self._loaded[0] if self._loaded else None

    def close(self) -> None:
        """Nothing runs that needs stopping: as `AbstractScan.close`, for callers holding
        either."""


def start_scan(
    path: Path, read: Callable[[], Mapping[str, str]], words: list[str]
) -> AbstractScan | None:
    """A scan for `words` of the abstracts `read` gives (from the file at `path`) in a forked
    process, or None where it would not pay."""
    words = sorted(set(words))
    if not words or not worth_scanning(path):
        return None
    try:
        return AbstractScan(read, words)
    except OSError:  # cannot fork (process limits): search the plain way
        return None
