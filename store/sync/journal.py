"""The journal: one JSON line per user-state change, appended and fsynced before a change is
acknowledged, read back tolerantly.

A line is `{"v": 1, "id", "device", "hlc", "paper", "op", "args"}`.  `id` is a random 128-bit
hex string, so entries from any number of devices never share one; `(hlc, device, id)` orders
them the same way everywhere.  Readers skip what sync tools leave behind: a half-copied last
line (it is read again once complete), duplicated lines, blank lines.  A line written by a newer
paperdeck stops the reading with `JournalTooNew` rather than be misread or dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from store.errors import PaperdeckError

VERSION = 1
OPS = ("set", "tag", "note", "queue")


class JournalError(PaperdeckError):
    """A journal that cannot be read or written."""


class JournalTooNew(JournalError):
    def __init__(self, path: Path, version: object) -> None:
        self.path = path
        super().__init__(
            f"{path}: written by a newer paperdeck (journal version {str(version)[:10]}, this one "
            f"reads {VERSION}); upgrade paperdeck on this device. The file was not changed"
        )


def new_entry_id() -> str:
    import uuid  # with `platform`, 4 ms of every start that only reads: a write's first id

    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Entry:
    """One change to one paper's user state, as every device sees it."""

    id: str
    device: str
    hlc: int
    paper: str
    op: str
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, str]:
        """The total order of entries: by clock, then device, then id (never equal)."""
        return (self.hlc, self.device, self.id)

    def to_json(self) -> dict[str, Any]:
        return {
            "v": VERSION,
            "id": self.id,
            "device": self.device,
            "hlc": self.hlc,
            "paper": self.paper,
            "op": self.op,
            "args": self.args,
        }

    def line(self) -> bytes:
        return (
            json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
        ).encode("utf-8")


def entry_from(data: object) -> Entry | None:
    """The entry a decoded line describes, or None when it is not a well-formed entry."""
    if not isinstance(data, dict):
        return None
    get = data.get
    ident, device, hlc, paper, op, args = (
        get("id"),
        get("device"),
        get("hlc"),
        get("paper"),
        get("op"),
        get("args"),
    )
    if not (
        isinstance(ident, str)
        and isinstance(device, str)
        and isinstance(hlc, int)
        and not isinstance(hlc, bool)
        and hlc >= 0
        and isinstance(paper, str)
        and op in OPS
        and isinstance(args, dict)
    ):
        return None
    return Entry(ident, device, hlc, paper, op, args)


class ReadResult(NamedTuple):
    entries: list[Entry]
    end: int
    """Byte offset just past the last complete line: where the next read starts."""
    skipped: int = 0
    """Complete lines that were not entries (damaged by something other than paperdeck)."""


def parse_lines(data: bytes, path: Path, start: int = 0) -> ReadResult:
    """Entries in `data` (the bytes of `path` from offset `start`).  A last line without its
    newline is left for a later read: a sync tool may still be copying it."""
    complete = data.rfind(b"\n") + 1
    entries: list[Entry] = []
    skipped = 0
    for raw in data[:complete].split(b"\n"):
        if not raw.strip():
            continue
        try:
            decoded = json.loads(raw)
        except ValueError:
            skipped += 1
            continue
        if isinstance(decoded, dict):
            version = decoded.get("v")
            if isinstance(version, int) and version > VERSION:
                raise JournalTooNew(path, version)
        entry = entry_from(decoded)
        if entry is None:
            if isinstance(decoded, dict) and "v" not in decoded and "header" in decoded:
                continue  # a file's header line (see `write_header`)
            skipped += 1
            continue
        entries.append(entry)
    return ReadResult(entries, start + complete, skipped)


def read_entries(path: Path, start: int = 0) -> ReadResult:
    """The entries of a journal file from byte `start`; none when the file does not exist."""
    try:
        with path.open("rb") as handle:
            handle.seek(start)
            data = handle.read()
    except FileNotFoundError:
        return ReadResult([], 0)
    except OSError as error:
        raise JournalError(f"{path}: cannot read ({error.strerror or error})") from None
    return parse_lines(data, path, start)


def append_entries(path: Path, entries: Iterable[Entry], *, sync: bool = True) -> None:
    """Append entries and (with `sync`) make them durable before returning.

    A line torn by an earlier crash is cut off first, so it never glues onto a new one.
    """
    data = b"".join(entry.line() for entry in entries)
    if not data:
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    except OSError as error:
        raise JournalError(
            f"{path}: cannot write the journal ({error.strerror or error}); nothing was changed"
        ) from None
    try:
        _cut_torn_tail(fd)
        os.write(fd, data)
        if sync:
            os.fsync(fd)
    except OSError as error:
        raise JournalError(
            f"{path}: cannot write the journal ({error.strerror or error}); nothing was changed"
        ) from None
    finally:
        os.close(fd)


def _cut_torn_tail(fd: int) -> None:
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return
    if os.pread(fd, 1, size - 1) == b"\n":
        return
    # Find the end of the last complete line (a crash left at most one torn line).
    chunk = 65536
    position = size
    while position > 0:
        start = max(0, position - chunk)
        block = os.pread(fd, position - start, start)
        cut = block.rfind(b"\n")
        if cut >= 0:
            os.ftruncate(fd, start + cut + 1)
            return
        position = start
    os.ftruncate(fd, 0)


def write_lines_atomic(path: Path, lines: Iterable[bytes]) -> None:
    """Replace `path` with `lines` (temp file, fsync, rename, fsync the directory)."""
    temp = path.with_name(f".{path.name}.{os.urandom(4).hex()}.tmp")
    try:
        with temp.open("wb") as handle:
            for line in lines:
                handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise JournalError(f"{path}: cannot write ({error.strerror or error})") from None
    with contextlib.suppress(OSError):
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def header_line(kind: str, device: str, generation: str) -> bytes:
    """The first line of a file in a sync folder: who owns it and which rewrite of it this is."""
    return (
        json.dumps({"header": kind, "device": device, "generation": generation, "version": VERSION})
        + "\n"
    ).encode("utf-8")


def read_header(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            first = handle.readline()
    except OSError:
        return None
    if not first.endswith(b"\n"):
        return None
    try:
        data = json.loads(first)
    except ValueError:
        return None
    if not isinstance(data, dict) or "header" not in data:
        return None
    version = data.get("version")
    if isinstance(version, int) and version > VERSION:
        raise JournalTooNew(path, version)
    return data


def iter_unique(entries: Iterable[Entry]) -> Iterator[Entry]:
    seen: set[str] = set()
    for entry in entries:
        if entry.id not in seen:
            seen.add(entry.id)
            yield entry
