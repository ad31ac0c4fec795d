"""Parse an import's listing files on both cores: a forked child parses the later files while
this process parses the earlier ones.

Parsing is most of an import (2.7 s of CPU for 100k papers) and every file parses on its own, so
the work splits by files. The child runs the very same parser and sends back each listing's
fields; the listings come out in file order either way, so an import gives the same catalog with
or without the child. If the child fails for any reason (cannot fork, a bad file, killed, a
short answer) this process parses the child's files itself: a bad file is then reported here, in
the usual one line, exactly as without the child. The child's result goes through a file in
memory that this process maps (the pipe only says when it is there), or through the pipe where
there is no such file. Linux only (fork is cheap and safe there), and only from the main
thread, which owns ctrl+c: the child ignores SIGINT and is killed when the import stops, so an
interrupt prints no second traceback.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import select
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from store.catalog.listing import Listing

ParseFile = Callable[[Path], list[Listing]]
Progress = Callable[[int, int, str], None]

PARALLEL_FROM_BYTES = 4_000_000
"""Below this much listing text (about 2.5k papers) a fork costs more than it saves."""

_HEADER = struct.Struct(">cQ")
_DONE = b"d"  # one file parsed: its name
_RESULT = b"r"  # everything: a pickled list of (kind, records) per file
_SHARED = b"s"  # everything, in the shared file: the pickle's size there
_SIZE = struct.Struct(">Q")
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, named in the module only from Python 3.10 on Linux
ROW_FIELDS = 12
"""Listings travel as tuples of their first fields (the ones a text listing sets), rebuilt with
`Listing(*row)`: a third of the cost of pickling the frozen dataclasses themselves."""


def worth_forking(files: Sequence[Path]) -> bool:
    if len(files) < 2 or not sys.platform.startswith("linux"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False  # the app imports in a worker thread: a fork there is not ours to make
    if len(os.sched_getaffinity(0)) < 2:
        return False
    try:
        return sum(path.stat().st_size for path in files) >= PARALLEL_FROM_BYTES
    except OSError:
        return False  # the plain path reports it


def split_point(files: Sequence[Path]) -> int:
    """Index of the first file the child parses: the later half of the bytes."""
    sizes = [path.stat().st_size for path in files]
    half, total = sum(sizes) / 2, 0
    for index, size in enumerate(sizes):
        total += size
        if total >= half:
            return min(max(index + 1, 1), len(files) - 1)
    return len(files) - 1  # pragma: no cover - the loop always reaches half


def parse_in_parallel(
    files: Sequence[Path], parse: ParseFile, progress: Progress | None = None
) -> list[Listing]:
    """`parse(path)` of every file, concatenated in file order, the later files parsed in a
    forked child where that pays (see `worth_forking`); ListingError from the first bad file."""
    if not worth_forking(files):
        return _parse_here(files, 0, len(files), parse, progress)
    middle = split_point(files)
    try:
        child = _Child(files[middle:], parse)
    except OSError:  # cannot fork (process limits): parse here
        return _parse_here(files, 0, len(files), parse, progress)
    done = 0

    def tell(name: str) -> None:
        """One more file under way (here) or finished (the child's)."""
        nonlocal done
        if progress:
            progress(done, len(files), name)
        done += 1

    with contextlib.closing(child):
        listings: list[Listing] = []
        for path in files[:middle]:
            for name in child.finished():
                tell(name)
            tell(path.name)
            listings.extend(parse(path))
        theirs = child.result(tell)
    if theirs is None:  # the child failed: its files are parsed here (and any error raised here)
        listings.extend(_parse_here(files, middle, len(files), parse, progress))
    else:
        listings.extend(theirs)
    return listings


def _parse_here(
    files: Sequence[Path], start: int, stop: int, parse: ParseFile, progress: Progress | None
) -> list[Listing]:
    listings: list[Listing] = []
    for done in range(start, stop):
        if progress:
            progress(done, len(files), files[done].name)
        listings.extend(parse(files[done]))
    return listings


def _to_rows(listings: list[Listing]) -> tuple[str, list[Any]]:
    default = Listing("", "", "", 0)
    plain = all(
        item.arxiv_id is None
        and not item.authors
        and not item.categories
        and item.doi is None
        and item.journal_ref is None
        and item.version is None
        and item.github_stars is None
        and item.announce == default.announce
        and item.live == default.live
        for item in listings
    )
    if not plain:  # a saved Hugging Face page: rare, sent whole
        return "listings", listings
    return "rows", [
        (
            item.title,
            item.abstract,
            item.source,
            item.line,
            item.authors_count,
            item.organization,
            item.organization_name,
            item.published,
            item.upvotes,
            item.links,
            item.github,
            item.warnings,
        )
        for item in listings
    ]


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _child_main(files: Sequence[Path], parse: ParseFile, fd: int, shared: int | None) -> None:
    """The child's whole life; it never returns (os._exit: no atexit, no stdio flush)."""
    code = 1
    try:
        parsed = []
        for path in files:
            parsed.append(_to_rows(parse(path)))
            _send(fd, _DONE, os.fsencode(path.name))
        result = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
        if shared is not None and _write_all(shared, result):
            _send(fd, _SHARED, _SIZE.pack(len(result)))
        else:
            _send(fd, _RESULT, result)
        code = 0
    except BaseException:  # noqa: BLE001 - anything at all: the parent parses these files itself
        pass
    finally:
        os._exit(code)


def _write_all(fd: int, data: bytes) -> bool:
    """`data` written to the shared file; False if it could not be (the pipe carries it)."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError:
        return False
    return True


def _shared_file() -> int | None:
    """A file in memory for the child's result (Linux's memfd): the child writes it while this
    process still parses, and this process maps it instead of copying 80 MB out of the pipe
    after its own files (0.2 s of 100k papers). None where there is none: the pipe carries it."""
    try:
        return os.memfd_create("paperdeck-listings", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return None


def _send(fd: int, kind: bytes, payload: bytes) -> None:
    data = memoryview(_HEADER.pack(kind, len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]


class _Child:
    def __init__(self, files: Sequence[Path], parse: ParseFile) -> None:
        read_fd, write_fd = os.pipe()
        with contextlib.suppress(OSError, ImportError):  # fewer, larger reads of the result
            import fcntl

            fcntl.fcntl(write_fd, _F_SETPIPE_SZ, 1 << 20)
        self.shared = _shared_file()
        try:
            # ctrl+c is for this process, which kills the child: forked with SIGINT ignored,
            # the child never prints a KeyboardInterrupt traceback of its own.
            with _sigint_ignored():
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
                    os.close(read_fd)
                    # Never returns, never restores SIGINT.
                    _child_main(files, parse, write_fd, self.shared)
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            self._close_shared()
            raise
        os.close(write_fd)
        self.pid: int | None = pid
        self.reader = os.fdopen(read_fd, "rb", buffering=0)
        self.pending: tuple[bytes, bytearray] | None = None
        """The result, when `finished` read it before `result` asked."""

    def finished(self) -> list[str]:
        """The files the child has finished since last asked (never waits for the child)."""
        names: list[str] = []
        while self.pending is None and select.select([self.reader], [], [], 0)[0]:
            frame = self._frame()
            if frame is None:
                break  # the child died: `result` finds the end too
            if frame[0] != _DONE:
                self.pending = frame
                break
            names.append(os.fsdecode(bytes(frame[1])))
        return names

    def result(self, told: Callable[[str], object]) -> list[Listing] | None:
        """The child's listings, `told` each file it finishes; None if it failed."""
        while True:
            frame, self.pending = self.pending or self._frame(), None
            if frame is None:
                return None
            kind, payload = frame
            if kind == _DONE:
                told(os.fsdecode(bytes(payload)))
                continue
            try:
                if kind == _SHARED:
                    return self._shared_listings(_SIZE.unpack(payload)[0])
                return _listings(pickle.loads(payload))
            except Exception:  # noqa: BLE001 - a garbled answer: parse here instead
                return None

    def _shared_listings(self, size: int) -> list[Listing]:
        """The listings the child pickled into the shared file, read where they lie."""
        if self.shared is None:
            raise ValueError("a shared file the child was never given")
        with (
            # ValueError if the file is shorter than `size`: never mapped past its end.
            mmap.mmap(self.shared, size, access=mmap.ACCESS_READ) as mapped,
            memoryview(mapped) as view,
        ):
            parsed = pickle.loads(view)
        self._close_shared()  # 80 MB of memory back before the merge
        return _listings(parsed)

    def _close_shared(self) -> None:
        if self.shared is not None:
            os.close(self.shared)
            self.shared = None

    def _frame(self) -> tuple[bytes, bytearray] | None:
        header = self._read(_HEADER.size)
        if header is None:
            return None
        kind, size = _HEADER.unpack(header)
        payload = self._read(size)
        return None if payload is None else (kind, payload)

    def _read(self, size: int) -> bytearray | None:
        """Exactly `size` bytes, or None at the end of the pipe (the child exited)."""
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            count = self.reader.readinto(view[got:])
            if not count:
                return None
            got += count
        return buffer

    def close(self) -> None:
        """Stop the child if it still runs and reap it; idempotent."""
        self.reader.close()
        self._close_shared()
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = None


def _listings(parsed: list[tuple[str, list[Any]]]) -> list[Listing]:
    listings: list[Listing] = []
    for kind, records in parsed:
        if kind == "rows":
            listings.extend(Listing(*row) for row in records)
        else:
            listings.extend(records)
    return listings
