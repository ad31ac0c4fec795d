"""Parse an import's listing files on both cores: a forked child parses the later files while
this process parses the earlier ones.

Parsing is most of an import (4 s of CPU for 100k papers) and every file parses on its own, so
the work splits by files. The child runs the very same parser and sends back each file's
listings as it finishes the file; the listings come out in file order either way, so an import
gives the same catalog with or without the child. A caller's `consume` gets each file's listings
as soon as they are there, in file order: an import merges this process's files while the child
still parses (this process takes the smaller share, `PARENT_SHARE`, for that), then each of the
child's as it arrives. If the child fails for any reason (cannot fork, a bad file, killed, a
short answer) this process parses the files it has not received itself: a bad file is then
reported here, in the usual one line, exactly as without the child. The child's listings go
through a file in memory that this process reads (the pipe only says where they are), or
through the pipe where there is no such file. Linux only (fork is cheap and safe there), and
only from the main thread, which owns ctrl+c: the child ignores SIGINT and is killed when the
import stops, so an interrupt prints no second traceback.
"""

from __future__ import annotations

import contextlib
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
_RESULT = b"r"  # one file parsed: its name's size, its name, the pickled (kind, records)
_SHARED = b"s"  # one file parsed, in the shared file: where (`_PART`), then its name
_END = b"e"  # every file sent
_SIZE = struct.Struct(">Q")
_PART = struct.Struct(">QQ")  # offset and size of a file's pickle in the shared file
PARENT_SHARE = 0.4
"""The share of the bytes this process parses when it also merges them as they come (the
child's files cost it only the merge once they arrive)."""
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


def split_point(files: Sequence[Path], share: float = 0.5) -> int:
    """Index of the first file the child parses: this process keeps about `share` of the
    bytes, and each side at least one file."""
    sizes = [path.stat().st_size for path in files]
    part, total = sum(sizes) * share, 0
    for index, size in enumerate(sizes):
        total += size
        if total >= part:
            return min(max(index + 1, 1), len(files) - 1)
    return len(files) - 1  # pragma: no cover - the loop always reaches the share


def parse_in_parallel(
    files: Sequence[Path],
    parse: ParseFile,
    progress: Progress | None = None,
    consume: Callable[[list[Listing]], object] | None = None,
) -> list[Listing]:
    """`parse(path)` of every file, concatenated in file order, the later files parsed in a
    forked child where that pays (see `worth_forking`); ListingError from the first bad file.
    `consume(listings)`: each file's listings, in file order, as soon as they are there."""
    take = consume or (lambda _: None)
    if not worth_forking(files):
        return _parse_here(files, 0, len(files), parse, progress, take)
    middle = split_point(files, PARENT_SHARE if consume else 0.5)
    try:
        child = _Child(files[middle:], parse)
    except OSError:  # cannot fork (process limits): parse here
        return _parse_here(files, 0, len(files), parse, progress, take)
    done = 0

    def tell(name: str) -> None:
        """One more file under way (here) or finished (the child's)."""
        nonlocal done
        if progress:
            progress(done, len(files), name)
        done += 1

    listings: list[Listing] = []
    received = middle
    with contextlib.closing(child):
        for path in files[:middle]:
            for name in child.finished():
                tell(name)
            tell(path.name)
            parsed = parse(path)
            listings.extend(parsed)
            take(parsed)
        for parsed in child.results(tell):
            listings.extend(parsed)
            take(parsed)
            received += 1
    # The child failed (or sent too little): the files it did not send are parsed here, any
    # error raised here.
    listings.extend(_parse_here(files, received, len(files), parse, progress, take))
    return listings


def _parse_here(
    files: Sequence[Path],
    start: int,
    stop: int,
    parse: ParseFile,
    progress: Progress | None,
    take: Callable[[list[Listing]], object],
) -> list[Listing]:
    listings: list[Listing] = []
    for done in range(start, stop):
        if progress:
            progress(done, len(files), files[done].name)
        parsed = parse(files[done])
        listings.extend(parsed)
        take(parsed)
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
        offset = 0
        for path in files:
            result = pickle.dumps(_to_rows(parse(path)), protocol=pickle.HIGHEST_PROTOCOL)
            name = os.fsencode(path.name)
            if shared is not None and _write_all(shared, result):
                _send(fd, _SHARED, _PART.pack(offset, len(result)) + name)
                offset += len(result)
            else:
                shared = None  # the shared file failed: the pipe carries the rest
                _send(fd, _RESULT, _SIZE.pack(len(name)) + name + result)
        _send(fd, _END, b"")
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
    """A file in memory for the child's results (Linux's memfd): the child writes it while this
    process still parses, and this process reads each file's part from it instead of copying
    80 MB through the pipe (0.2 s of 100k papers). None where there is none: the pipe carries
    them."""
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
        self.parts: list[tuple[str, tuple[int, int] | bytes] | None] = []
        """Each file the child sent, in order: its name and where its listings are (in the
        shared file, or the pickle itself); None once handed over."""
        self.ended = False
        """The child sent every file, or failed: no more frames to read."""

    def finished(self) -> list[str]:
        """The files the child has finished since last asked (never waits for the child)."""
        names: list[str] = []
        while not self.ended and select.select([self.reader], [], [], 0)[0]:
            name = self._next_part()
            if name is not None:
                names.append(name)
        return names

    def results(self, told: Callable[[str], object]) -> Iterator[list[Listing]]:
        """Each file's listings in order, `told` each file not told yet by `finished`; ends
        early if the child failed (the caller parses the files it did not get)."""
        at = 0
        while True:
            while at == len(self.parts):
                if self.ended:
                    return
                name = self._next_part()
                if name is not None:
                    told(name)
            part = self.parts[at]
            self.parts[at] = None  # the pickle goes with its listings
            assert part is not None
            try:
                listings = self._listings(part[1])
            except Exception:  # noqa: BLE001 - a garbled answer: the rest is parsed here
                return
            yield listings
            at += 1

    def _next_part(self) -> str | None:
        """Read one frame: the name of the file it brings, or None at the end (or when the
        child failed: then `ended` too)."""
        frame = self._frame()
        kind, payload = frame if frame is not None else (_END, bytearray())
        try:
            if kind == _SHARED:
                where: tuple[int, int] | bytes = _PART.unpack_from(payload)
                name = bytes(payload[_PART.size :])
            elif kind == _RESULT:
                (size,) = _SIZE.unpack_from(payload)
                name = bytes(payload[_SIZE.size : _SIZE.size + size])
                where = bytes(payload[_SIZE.size + size :])
            else:
                self.ended = True
                return None
        except struct.error:
            self.ended = True
            return None
        decoded = os.fsdecode(name)
        self.parts.append((decoded, where))
        return decoded

    def _listings(self, where: tuple[int, int] | bytes) -> list[Listing]:
        if isinstance(where, bytes):
            return _listings(pickle.loads(where))
        if self.shared is None:
            raise ValueError("a shared file the child was never given")
        offset, size = where
        data = os.pread(self.shared, size, offset)
        if len(data) != size:
            raise ValueError("the shared file ends before the part")
        return _listings(pickle.loads(data))

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


def _listings(parsed: tuple[str, list[Any]]) -> list[Listing]:
    kind, records = parsed
    if kind == "rows":
        return [Listing(*row) for row in records]
    return list(records)
