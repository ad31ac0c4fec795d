"""Building the word indexes in a process of its own, and saving them beside the store.

Normalising every abstract takes seconds at 100k papers and a few hundred megabytes: done in
the app's own process it held the interpreter (every keystroke waited) and doubled the app's
memory. `python -m store.indexer DIR` builds and saves the index of the data directory DIR,
telling its progress as lines `indexed N of M`; `IndexBuild` starts it and follows it, and the
app and `paperdeck import` use that. The saved index is a cache (store.files.word_index): the
app, `list` and inboxes use it while it is current and do without it otherwise. The titles' index
(store.files.title_index, a second at 100k papers) is built first: the app's first keys use it.
"""

from __future__ import annotations

import contextlib
import gc
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from store.errors import PaperdeckError
from store.files import title_index
from store.files.storage import file_lock
from store.files.word_index import LOCK_FILE, is_current, load_index, save_index
from store.library import ABSTRACTS, Library
from store.search.postings import build, with_letter_flags
from store.view import DEFER_FROM_BYTES

LOCK_TIMEOUT = 600.0
"""Another builder of the same store is waited for (then its index is taken), not raced."""


def save_title_index(library: Library) -> bool:
    """Build and save the title word index unless a current one is saved (a second at 100k
    papers); True if a current one is saved when it returns."""
    catalog = library.catalog_file.path
    if title_index.is_current(catalog):
        return True
    columns = library.catalog_columns.get()
    if columns.signature is None:
        return False
    postings = with_letter_flags(build(zip(columns.ids, columns.column("title"), strict=True)))
    return title_index.save_index(catalog, postings, columns.signature)


def build_and_save(root: Path, progress: Callable[[int, int], None] | None = None) -> bool:
    """Build the indexes of the store at `root` unless current ones are saved: the titles',
    then the abstracts'; True if a current abstract index is saved when it returns."""
    enabled = gc.isenabled()
    gc.disable()  # a list per word, none of them garbage: collecting would only cost time
    try:
        with file_lock(root / LOCK_FILE, LOCK_TIMEOUT, what="the abstract index"):
            return _build_and_save(Library(root), progress)
    finally:
        if enabled:
            gc.enable()


def _build_and_save(library: Library, progress: Callable[[int, int], None] | None) -> bool:
    abstracts_path = library.root / ABSTRACTS
    # The app's keys need it first. A failure (a damaged catalog) only costs speed: the
    # command that reads the catalog next reports it.
    with contextlib.suppress(PaperdeckError, OSError):
        save_title_index(library)
    if is_current(abstracts_path) and load_index(abstracts_path) is not None:
        return True  # another process built it while this one waited
    texts, sig = library.abstracts_as_read()
    if sig is None:
        return False
    total = len(texts)
    postings = build(
        texts.items(),
        None if progress is None else lambda done: progress(done, total),
        every=max(1, total // 50),
    )
    del texts
    return save_index(abstracts_path, postings, sig)


def _tell(done: int, total: int) -> None:
    try:
        print(f"indexed {done} of {total}", flush=True)
    except OSError:  # whoever followed is gone (the app closed): finish quietly, it still pays
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def index_in_background(library: Library) -> bool:
    """After a command changed the abstracts of a large library: build the index in a process
    that outlives the command (as `git gc --auto` does), so the next search finds it. True if
    one was started."""
    path = library.abstracts_file.path
    try:
        large = path.stat().st_size >= DEFER_FROM_BYTES
    except OSError:
        return False
    if not large or library.word_indexes_current():
        return False
    try:
        IndexBuild(library.root, detached=True)
    except OSError:
        return False  # no process to be had: the app builds it when it starts
    return True


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m store.indexer DATA_DIR", file=sys.stderr)
        return 2
    with contextlib.suppress(AttributeError, OSError):
        # Background work: the terminal's app comes first.  At nice 5 the build still took a
        # core's turns from keys typed meanwhile (2-4 ms on two cores); at 19 a woken app
        # could still wait for the end of the build's time slice (3 ms on Linux 6.6+); an
        # idle-class task is preempted at once by any other that wakes.
        os.nice(19)
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    try:
        saved = build_and_save(Path(argv[0]), _tell)
    except PaperdeckError as error:
        print(f"paperdeck: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0 if saved else 1


class IndexBuild:
    """`python -m store.indexer` running for a store; `follow` reads its progress."""

    def __init__(self, root: Path, *, detached: bool = False) -> None:
        """`detached`: the build outlives this process (a command that has finished)."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "store.indexer", str(root)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL if detached else subprocess.PIPE,
            stderr=subprocess.DEVNULL if detached else subprocess.PIPE,
            text=True,
            start_new_session=detached,
        )

    def follow(self, progress: Callable[[int, int], None]) -> bool:
        """Wait for the build, telling `progress` (done, total) as it goes; True if it saved a
        current index. Raises PaperdeckError with the builder's own words if it failed."""
        assert self.process.stdout is not None and self.process.stderr is not None
        for line in self.process.stdout:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "indexed" and parts[1].isdigit():
                progress(int(parts[1]), int(parts[3]) if parts[3].isdigit() else 0)
        problem = self.process.stderr.read().strip()
        code = self.process.wait()
        if code != 0 and problem:
            raise PaperdeckError(problem.splitlines()[-1].removeprefix("paperdeck: "))
        return code == 0

    def stop(self) -> None:
        """Stop the build (the app is closing, the load it was for is stale); idempotent."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
