"""Citation keys by paper id, from a small index beside `citekeys.json`.

Once every paper has a key (one `export --all`), `citekeys.json` holds 100k documents: decoding
it took 0.5 s of every command and of the app before its first frame. `citekeys-index.json`
holds the same keys as two blocks of lines (the ids sorted, one per line, and their keys in the
same order) after a header line with the aliases of the few papers with any, where every
`STEP`th line begins in each block, a checksum of both and of those marks, and the signature
(inode, mtime, size) of the `citekeys.json` they were read from. Checked whole in about 8 ms
at 100k keys, it is then read where the keys lie: the 20 papers a command shows look up 20
keys (decoding all 100k took another 40 ms of every command and of the app's first frame).
Like `ids.json` it is derived and never the only copy: written by the writer of the keys (or
the first reader), trusted only while that file is unchanged, else rebuilt from it (a
read-only data directory just goes without).
"""

from __future__ import annotations

import contextlib
import json
import threading
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from itertools import pairwise
from typing import Any, TypeGuard

from store.atomic import write_atomic
from store.errors import StoreWriteError
from store.files.citekeys import CiteKey, read_citekeys
from store.files.mapped import Data, read_mapped
from store.files.storage import StoreFile, signature
from store.memory import paused_gc

INDEX_FILE = "citekeys-index.json"
VERSION = 5
STEP = 64
"""Lines between two marks: a key is found by a binary search over the marks' first ids and a
look through one run of at most this many lines."""
LOOKUPS = 4096
"""Keys looked up one by one (15 us each at 100k) before the rest are decoded at once (a pass
over every paper: a pass that builds every record decodes them ahead, in slices, through
`decode_all`; the keys a list shows while the app loads stay lookups)."""
EAGER = 20_000
"""Up to this many keys, all are decoded as the index is read (4 ms at 10k): lookups pay off
only for a large index, and each costs a row drawn while a list shows it more than a dict's."""
GROUP = 16
"""Marks (runs of `STEP` lines) decoded between two calls of `decode_all`'s `between`."""


class StoredKeys(Mapping[str, CiteKey]):
    """Keys by paper id; a `CiteKey` is made when one is asked for.

    From the index, the keys stay as the file laid them out (ids sorted, one per line, and
    their keys in the same order) until many are asked for: a command or a first screen that
    shows 20 papers looks up 20 keys (a few microseconds each) instead of decoding 100k
    (60 ms at 100k papers, before every command's first line)."""

    def __init__(self, keys: dict[str, str], aliases: dict[str, tuple[str, ...]]) -> None:
        self._keys: dict[str, str] | None = keys
        self._aliases = aliases
        self._count = len(keys)
        self._lookups = 0
        self._lock = threading.Lock()
        self._ids = self._key_lines = b""
        self._marks: tuple[list[int], list[int]] = ([], [])
        """Where lines 0, STEP, 2 STEP... begin, in the ids and in the keys."""
        self._firsts: list[bytes] = []

    @classmethod
    def of(cls, keys: Mapping[str, CiteKey]) -> StoredKeys:
        return cls(
            {pid: entry.key for pid, entry in keys.items()},
            {pid: entry.aliases for pid, entry in keys.items() if entry.aliases},
        )

    def __getitem__(self, pid: str) -> CiteKey:
        key = self._key(pid)
        if key is None:
            raise KeyError(pid)
        return CiteKey(key, self._aliases.get(pid, ()))

    def get(self, pid: str, default: Any = None) -> Any:
        key = self._key(pid)
        return default if key is None else CiteKey(key, self._aliases.get(pid, ()))

    def __contains__(self, pid: object) -> bool:
        return isinstance(pid, str) and self._key(pid) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.decode_all())

    def __len__(self) -> int:
        return self._count

    def _key(self, pid: str) -> str | None:
        keys = self._keys
        if keys is not None:
            return keys.get(pid)
        self._lookups += 1
        if self._lookups > LOOKUPS:
            return self.decode_all().get(pid)
        wanted = pid.encode()
        run = bisect_right(self._firsts, wanted) - 1
        if run < 0:
            return None
        ids = self._lines(self._ids, run, 0)
        try:
            line = ids.index(wanted)
        except ValueError:
            return None
        return self._lines(self._key_lines, run, 1)[line].decode()

    def _lines(self, block: bytes, run: int, side: int) -> list[bytes]:
        return self._span(block, run, run, side).split(b"\n")

    def _span(self, block: bytes, first: int, last: int, side: int) -> bytes:
        """The lines of runs `first` to `last` of `block` (0: the ids, 1: the keys)."""
        marks = self._marks[side]
        end = marks[last + 1] - 1 if last + 1 < len(marks) else len(block)
        return block[marks[first] : end]

    def decode_all(self, between: Callable[[], None] | None = None) -> dict[str, str]:
        """Every key, decoded (once); `between`: called between slices of the work (a load
        lets a search go first)."""
        if (keys := self._keys) is not None:
            return keys
        with self._lock:
            if self._keys is None:
                decoded: dict[str, str] = {}
                with paused_gc():
                    runs = len(self._firsts)
                    for first in range(0, runs, GROUP):
                        last = min(first + GROUP, runs) - 1
                        ids = self._span(self._ids, first, last, 0).decode().split("\n")
                        values = self._span(self._key_lines, first, last, 1).decode().split("\n")
                        decoded.update(zip(ids, values, strict=True))
                        if between is not None:
                            between()
                self._keys = decoded
        return self._keys

    def encode(self, source: tuple[int, int, int]) -> bytes | None:
        """The index for the keys file with signature `source`; None for keys it cannot hold
        (a line break in an id or key, from a hand-edited file: that file is then read)."""
        pairs = sorted((pid.encode(), key.encode()) for pid, key in self.decode_all().items())
        if any(b"\n" in pid or b"\n" in key for pid, key in pairs):
            return None
        marks: tuple[list[int], list[int]] = ([], [])
        at_id = at_key = 0
        for n, (pid, key) in enumerate(pairs):
            if n % STEP == 0:
                marks[0].append(at_id)
                marks[1].append(at_key)
            at_id += len(pid) + 1
            at_key += len(key) + 1
        # Ids and keys follow the header as two blocks of lines, not JSON strings: unescaping
        # 100k line breaks took twice as long as splitting the text.
        ids = b"\n".join(pid for pid, _ in pairs)
        keys = b"\n".join(key for _, key in pairs)
        aliases = {pid: list(names) for pid, names in self._aliases.items()}
        header = {
            "version": VERSION,
            "source": list(source),
            "count": len(pairs),
            "sizes": [len(ids), len(keys)],
            "step": STEP,
            "marks": marks,
            "crc": _checksum(len(pairs), STEP, marks, aliases, ids, keys),
            "aliases": aliases,
        }
        return json.dumps(header, separators=(",", ":")).encode() + b"\n" + ids + keys

    @classmethod
    def decode(cls, raw: Data, source: tuple[int, int, int]) -> StoredKeys | None:
        """The keys if `raw` is a whole index taken from the keys file with signature `source`
        (checked whole: its checksum, which covers the marks and count too, and the order of
        its runs; the keys themselves are decoded when asked for)."""
        end = raw.find(b"\n")
        try:
            data = json.loads(raw[:end])
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        sizes, aliases, count, marks = (data.get(k) for k in ("sizes", "aliases", "count", "marks"))
        if (
            end == -1
            or data.get("source") != list(source)
            or data.get("step") != STEP
            or not _ints(sizes, 2)
            or end + 1 + sum(sizes) != len(raw)
            or type(count) is not int
            or count < 0
            or type(marks) is not list
            or len(marks) != 2
            or not all(_ints(side, -(-count // STEP)) for side in marks)
            or not isinstance(aliases, dict)
            or not all(
                isinstance(names, list) and all(isinstance(n, str) for n in names)
                for names in aliases.values()
            )
        ):
            return None
        ids = raw[end + 1 : end + 1 + sizes[0]]
        keys = raw[end + 1 + sizes[0] :]
        if data.get("crc") != _checksum(count, STEP, marks, aliases, ids, keys):
            return None
        stored = cls({}, {p: tuple(n) for p, n in aliases.items()})
        stored._count = count
        if count == 0:
            return stored if not ids and not keys else None
        try:
            ids.decode()
            keys.decode()
        except UnicodeDecodeError:
            return None
        ends = [ids.find(b"\n", start) for start in marks[0]]
        firsts = [
            ids[start : len(ids) if end < 0 else end]
            for start, end in zip(marks[0], ends, strict=True)
        ]
        if any(a >= b for a, b in pairwise(firsts)):
            return None
        stored._keys, stored._ids, stored._key_lines = None, ids, keys
        stored._marks, stored._firsts = (marks[0], marks[1]), firsts
        if count <= EAGER:
            stored.decode_all()
        return stored


def _ints(value: object, length: int) -> TypeGuard[list[int]]:
    """A list of `length` non-negative integers."""
    return (
        type(value) is list
        and len(value) == length
        and all(type(n) is int and n >= 0 for n in value)
    )


def _checksum(
    count: int,
    step: int,
    marks: object,
    aliases: object,
    ids: bytes,
    keys: bytes,
) -> int:
    """The CRC of the index: its two blocks and what of the header the lookups lean on (the
    marks, the count, the step, the aliases), so that a whole index is exactly as written and
    its marks need no check line by line (11 ms of every command at 100k keys)."""
    layout = json.dumps([count, step, marks, aliases], separators=(",", ":")).encode()
    return zlib.crc32(keys, zlib.crc32(ids, zlib.crc32(layout)))


class KeyIndex:
    """`get()`: the stored citation keys, from the index while it matches `citekeys.json`, else
    read from that file (checked as every store file is) and written back for the next process;
    a writer of keys stores them here as it writes them (see `store`)."""

    def __init__(self, keys_file: StoreFile) -> None:
        self.file = keys_file
        self.path = keys_file.path.parent / INDEX_FILE
        self._cached: tuple[object, StoredKeys] = (None, StoredKeys({}, {}))

    def get(self) -> StoredKeys:
        sig = signature(self.file.path)
        if sig is None:
            return StoredKeys({}, {})
        if sig == self._cached[0]:
            return self._cached[1]
        keys = self._load(sig)
        if keys is None:
            with paused_gc():
                keys = StoredKeys.of(read_citekeys(self.file.load()))
            # The file may have changed while it was read: keep the keys only under the
            # signature they were read with, and trust the index next time only if it still is.
            if signature(self.file.path) == sig:
                self._write(keys.encode(sig))
        self._cached = (sig, keys)
        return keys

    def store(self, keys: Mapping[str, CiteKey]) -> None:
        """The keys just written to the keys file, by the writer still holding its lock (so the
        file's signature now is that of these keys): a reader never has to decode it."""
        sig = signature(self.file.path)
        if sig is not None:
            stored = StoredKeys.of(keys)
            self._write(stored.encode(sig))
            self._cached = (sig, stored)

    def _write(self, encoded: bytes | None) -> None:
        # A cache the store cannot write (read-only folder, full disk) is only slower next time.
        with contextlib.suppress(StoreWriteError, OSError):
            if encoded is None:
                self.path.unlink(missing_ok=True)  # keys it cannot hold: never trust an old one
            else:
                write_atomic(self.path, encoded)

    def _load(self, sig: tuple[int, int, int]) -> StoredKeys | None:
        try:
            raw = read_mapped(self.path)
        except OSError:
            return None
        return StoredKeys.decode(raw, sig)
