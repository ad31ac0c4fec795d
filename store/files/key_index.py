"""Citation keys by paper id, from a small index beside `citekeys.json`.

Once every paper has a key (one `export --all`), `citekeys.json` holds 100k documents: decoding
it took 0.5 s of every command and of the app before its first frame. `citekeys-index.json`
holds the same keys as two blocks of lines (ids and keys, one per line) after a header line
with the aliases of the few papers with any and the signature (inode, mtime, size) of the
`citekeys.json` they were read from; it decodes in about 30 ms. Like `ids.json` it is derived
and never the only copy: written by the writer of the keys (or the first reader), trusted only
while that file is unchanged, else rebuilt from it (a read-only data directory just goes
without).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from store.atomic import write_atomic
from store.errors import StoreWriteError
from store.files.citekeys import CiteKey, read_citekeys
from store.files.storage import StoreFile, signature
from store.memory import paused_gc

INDEX_FILE = "citekeys-index.json"
VERSION = 3


class StoredKeys(Mapping[str, CiteKey]):
    """Keys by paper id as two flat maps; a `CiteKey` is made when one is asked for."""

    def __init__(self, keys: dict[str, str], aliases: dict[str, tuple[str, ...]]) -> None:
        self._keys = keys
        self._aliases = aliases

    @classmethod
    def of(cls, keys: Mapping[str, CiteKey]) -> StoredKeys:
        return cls(
            {pid: entry.key for pid, entry in keys.items()},
            {pid: entry.aliases for pid, entry in keys.items() if entry.aliases},
        )

    def __getitem__(self, pid: str) -> CiteKey:
        return CiteKey(self._keys[pid], self._aliases.get(pid, ()))

    def get(self, pid: str, default: Any = None) -> Any:
        key = self._keys.get(pid)
        return default if key is None else CiteKey(key, self._aliases.get(pid, ()))

    def __contains__(self, pid: object) -> bool:
        return pid in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def encode(self, source: tuple[int, int, int]) -> bytes | None:
        """The index for the keys file with signature `source`; None for keys it cannot hold
        (a line break in an id or key, from a hand-edited file: that file is then read)."""
        ids, keys = "\n".join(self._keys).encode(), "\n".join(self._keys.values()).encode()
        lines = len(self._keys) - 1
        if self._keys and (ids.count(b"\n") != lines or keys.count(b"\n") != lines):
            return None
        header = {
            "version": VERSION,
            "source": list(source),
            "count": len(self._keys),
            # Ids and keys follow the header as two blocks of lines, not JSON strings:
            # unescaping 100k line breaks took twice as long as splitting the text.
            "sizes": [len(ids), len(keys)],
            "aliases": {pid: list(names) for pid, names in self._aliases.items()},
        }
        return json.dumps(header, separators=(",", ":")).encode() + b"\n" + ids + keys

    @classmethod
    def decode(cls, raw: bytes, source: tuple[int, int, int]) -> StoredKeys | None:
        """The keys if `raw` is a whole index taken from the keys file with signature `source`."""
        end = raw.find(b"\n")
        try:
            data = json.loads(raw[:end])
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            return None
        sizes, aliases, count = (data.get(k) for k in ("sizes", "aliases", "count"))
        if (
            end == -1
            or data.get("source") != list(source)
            or not isinstance(sizes, list)
            or len(sizes) != 2
            or not all(type(size) is int and size >= 0 for size in sizes)
            or end + 1 + sum(sizes) != len(raw)
            or not isinstance(count, int)
            or not isinstance(aliases, dict)
            or not all(
                isinstance(names, list) and all(isinstance(n, str) for n in names)
                for names in aliases.values()
            )
        ):
            return None
        try:
            ids = raw[end + 1 : end + 1 + sizes[0]].decode()
            keys = raw[end + 1 + sizes[0] :].decode()
        except UnicodeDecodeError:
            return None
        id_list, key_list = (ids.split("\n"), keys.split("\n")) if count else ([], [])
        if not len(id_list) == len(key_list) == count:
            return None
        with paused_gc():
            return cls(
                dict(zip(id_list, key_list, strict=True)), {p: tuple(n) for p, n in aliases.items()}
            )


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
            raw = self.path.read_bytes()
        except OSError:
            return None
        return StoredKeys.decode(raw, sig)
