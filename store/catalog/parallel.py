"""Parse an import's listing files on both cores: a forked child and this process take the
files one at a time, whichever is free first, until none is left.

Parsing is most of an import (4 s of CPU for 100k papers) and every file parses on its own, so
the work splits by files. The child runs the very same parser and sends back each file's
listings as it finishes the file; the listings come out in file order either way, so an import
gives the same catalog with or without the child. A caller's `consume` gets each file's listings
as soon as they and those of every earlier file are there, in file order: an import merges them
while the child still parses. Files are claimed from a pipe of their numbers (each read takes
one, and two processes never take the same): this process, which also merges, takes fewer, and
as many fewer as its merging costs it on the machine of the day (a fixed split left one core
idle for up to a second while the other caught up). If the child fails for any reason (cannot
fork, a bad file, killed, a short answer) this process parses the files it has not received
itself: a bad file is then reported here, in the usual one line, exactly as without the child
(the first bad file in file order, whichever process met it). The child's listings go through
a file in memory that this process reads (the pipe only says where they are), or through the
pipe where there is no such file. Linux only (fork is cheap and safe there), and only from the
main thread, which owns ctrl+c: the child ignores SIGINT and is killed when the import stops,
so an interrupt prints no second traceback.
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

from store.catalog import frames
from store.catalog.listing import Listing
from store.errors import ListingError

ParseFile = Callable[[Path], list[Listing]]
Progress = Callable[[int, int, str], None]
Claim = Callable[[], int | None]

PARALLEL_FROM_BYTES = 4_000_000
"""Below this much listing text (about 2.5k papers) a fork costs more than it saves."""

_TOKEN = struct.Struct(">I")  # a file's number in the pipe they are claimed from
_F_SETPIPE_SZ = 1031  # fcntl.F_SETPIPE_SZ, named in the module only from Python 3.10 on Linux


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


def parse_in_parallel(
    files: Sequence[Path],
    parse: ParseFile,
    progress: Progress | None = None,
    consume: Callable[[list[Listing]], object] | None = None,
) -> list[Listing]:
    """`parse(path)` of every file, concatenated in file order, on two cores where that pays
    (see `worth_forking`); ListingError from the first bad file. `consume(listings)`: each
    file's listings, in file order, as soon as they are there."""
    take = consume or (lambda _: None)
    if not worth_forking(files):
        return _parse_here(files, 0, len(files), parse, progress, take)
    read_ahead(files)
    try:
        child = _Child(files, parse)
    except OSError:  # cannot fork (process limits), too many files for the pipe: parse here
        return _parse_here(files, 0, len(files), parse, progress, take)
    told: set[int] = set()

    def tell(index: int) -> None:
        """A file under way (here) or finished (the child's), each told once."""
        if index not in told:
            if progress:
                progress(len(told), len(files), files[index].name)
            told.add(index)

    listings: list[Listing] = []
    mine: dict[int, list[Listing] | ListingError] = {}
    """Files parsed here ahead of their turn (or the error parsing one raised)."""
    failed = False  # a file parsed here was bad: no more are taken, the earlier ones decide
    with contextlib.closing(child):
        at = 0  # the next file to hand over
        while at < len(files):
            for sent in child.finished():
                tell(sent)
            parsed = mine.pop(at, None)
            if parsed is None and at in child.parts:
                parsed = child.take(at)  # None: garbled, the child is given up on
            if parsed is None and not child.ended:
                claimed = None if failed else child.claim()
                if claimed is not None:  # the child is still at an earlier file: parse one here
                    tell(claimed)
                    mine[claimed] = _parsed_here(files[claimed], parse)
                    failed = isinstance(mine[claimed], ListingError)
                elif (arrived := child.wait()) is not None:  # the next file is the child's
                    tell(arrived)
                continue
            if parsed is None:  # the child failed before sending it: parse it here
                tell(at)
                parsed = parse(files[at])
            if isinstance(parsed, ListingError):
                raise parsed
            listings.extend(parsed)
            take(parsed)
            at += 1
    return listings


def read_ahead(files: Sequence[Path]) -> None:
    """Ask the system to read every file into its cache now, in the background: files not
    cached (a large import's 155 MB at 100k papers, read cold in 0.18 s) then arrive while the
    earlier ones are parsed, instead of each read waiting for the disk in its turn. Only a
    hint: where it cannot be given, files are read as they are reached."""
    if not hasattr(os, "posix_fadvise"):
        return
    for path in files:
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
            finally:
                os.close(fd)


def _parsed_here(path: Path, parse: ParseFile) -> list[Listing] | ListingError:
    """The file's listings, or its error, raised only once every earlier file is handed over
    (an earlier bad file the child met is the one to report)."""
    try:
        return parse(path)
    except ListingError as error:
        return error


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


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _child_main(
    files: Sequence[Path], parse: ParseFile, fd: int, shared: int | None, claim: Claim
) -> None:
    """The child's whole life; it never returns (os._exit: no atexit, no stdio flush)."""
    code = 1
    try:
        offset = 0
        while (index := claim()) is not None:
            path = files[index]
            result = pickle.dumps(frames.to_rows(parse(path)), protocol=pickle.HIGHEST_PROTOCOL)
            name = os.fsencode(path.name)
            if shared is not None and frames.write_all(shared, result):
                frames.send(fd, frames.SHARED, frames.PART.pack(index, offset, len(result)) + name)
                offset += len(result)
            else:
                shared = None  # the shared file failed: the pipe carries the rest
                frames.send(
                    fd,
                    frames.RESULT,
                    frames.SIZE.pack(index) + frames.SIZE.pack(len(name)) + name + result,
                )
        frames.send(fd, frames.END, b"")
        code = 0
    except BaseException:  # noqa: BLE001 - anything at all: the parent parses these files itself
        pass
    finally:
        os._exit(code)


def _claims(count: int) -> int:
    """The read end of a pipe holding the numbers 0..count-1 (`_TOKEN`), its write end closed:
    each `_claim` takes the next one, in either process, never the same one twice (a read of a
    few bytes from a pipe is whole), then None. OSError where they do not fit in a pipe."""
    read_fd, write_fd = os.pipe()
    try:
        data = b"".join(_TOKEN.pack(index) for index in range(count))
        with contextlib.suppress(OSError, ImportError):
            import fcntl

            if len(data) > 65536:
                fcntl.fcntl(write_fd, _F_SETPIPE_SZ, len(data))
        os.set_blocking(write_fd, False)
        if os.write(write_fd, data) != len(data):  # never waits: a short write is refused
            raise OSError("the files' numbers do not fit in a pipe")
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    return read_fd


class _Child:
    def __init__(self, files: Sequence[Path], parse: ParseFile) -> None:
        self.tokens = _claims(len(files))
        try:
            read_fd, write_fd = os.pipe()
        except OSError:
            os.close(self.tokens)
            raise
        with contextlib.suppress(OSError, ImportError):  # fewer, larger reads of the result
            import fcntl

            fcntl.fcntl(write_fd, _F_SETPIPE_SZ, 1 << 20)
        self.shared = frames.shared_file()
        try:
            # ctrl+c is for this process, which kills the child: forked with SIGINT ignored,
            # the child never prints a KeyboardInterrupt traceback of its own.
            with _sigint_ignored():
                pid = os.fork()
                if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
                    os.close(read_fd)
                    # Never returns, never restores SIGINT.
                    _child_main(files, parse, write_fd, self.shared, self.claim)
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            os.close(self.tokens)
            self._close_shared()
            raise
        os.close(write_fd)
        self.pid: int | None = pid
        self.reader = os.fdopen(read_fd, "rb", buffering=0)
        self.parts: dict[int, tuple[int, int] | bytes] = {}
        """The files the child sent and not yet taken, by number: where their listings are
        (in the shared file, or the pickle itself)."""
        self.ended = False
        """The child sent every file it claimed, or failed: no more frames to read."""

    def claim(self) -> int | None:
        """The next file nobody has taken yet (for this process or the child), else None."""
        if self.tokens < 0:
            return None
        token = os.read(self.tokens, _TOKEN.size)
        return _TOKEN.unpack(token)[0] if len(token) == _TOKEN.size else None

    def finished(self) -> list[int]:
        """The files the child has finished since last asked (never waits for the child)."""
        found: list[int] = []
        while not self.ended and select.select([self.reader], [], [], 0)[0]:
            index = self._next_part()
            if index is not None:
                found.append(index)
        return found

    def wait(self) -> int | None:
        """The next file the child finishes (waits for it); None once it sent its last or
        failed (then `ended`)."""
        return None if self.ended else self._next_part()

    def take(self, index: int) -> list[Listing] | None:
        """The listings of a file the child sent; None if they cannot be read (a garbled
        answer): the child is then given up on, and the files it did not send are parsed
        here."""
        where = self.parts.pop(index)  # the pickle goes with its listings
        try:
            return self._listings(where)
        except Exception:  # noqa: BLE001 - a garbled answer: the rest is parsed here
            self.ended = True
            self.close()
            return None

    def _next_part(self) -> int | None:
        """Read one frame: the number of the file it brings, or None at the end (or when the
        child failed: then `ended` too)."""
        frame = self._frame()
        kind, payload = frame if frame is not None else (frames.END, bytearray())
        try:
            if kind == frames.SHARED:
                index, offset, size = frames.PART.unpack_from(payload)
                where: tuple[int, int] | bytes = (offset, size)
            elif kind == frames.RESULT:
                (index,) = frames.SIZE.unpack_from(payload)
                (size,) = frames.SIZE.unpack_from(payload, frames.SIZE.size)
                where = bytes(payload[2 * frames.SIZE.size + size :])
            else:
                self.ended = True
                return None
        except struct.error:
            self.ended = True
            return None
        self.parts[index] = where
        return index

    def _listings(self, where: tuple[int, int] | bytes) -> list[Listing]:
        if isinstance(where, bytes):
            return frames.from_rows(pickle.loads(where))
        if self.shared is None:
            raise ValueError("a shared file the child was never given")
        offset, size = where
        data = os.pread(self.shared, size, offset)
        if len(data) != size:
            raise ValueError("the shared file ends before the part")
        return frames.from_rows(pickle.loads(data))

    def _close_shared(self) -> None:
        if self.shared is not None:
            os.close(self.shared)
            self.shared = None

    def _frame(self) -> tuple[bytes, bytearray] | None:
        header = self._read(frames.HEADER.size)
        if header is None:
            return None
        kind, size = frames.HEADER.unpack(header)
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
        if self.tokens >= 0:
            os.close(self.tokens)
            self.tokens = -1
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = None
