"""The catalog's paper ids in a small file beside it, so a CLI write need not parse the catalog.

Resolving the id a user typed and checking that a write names a known paper once read the whole
catalog: 1.4 s for a `tag` at 100k papers against 0.1 s at 212. `ids.json` holds the ids and
the catalog signature (inode, mtime, size) they were taken from. It is derived and never the
only copy of anything: written at import, rebuilt from the catalog whenever it is missing,
damaged or taken from another version of the catalog (another process's import, an edit by
hand), and a read-only data directory just goes without it.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import NamedTuple

from store.atomic import write_atomic
from store.errors import StoreWriteError
from store.files import fast_json
from store.files.storage import signature

IDS_FILE = "ids.json"
VERSION = 1

Signature = tuple[int, int, int]

_HEAD = re.compile(rb'\{"version":(\d+),"catalog":\[(\d+),(\d+),(\d+)\],')
"""The start of the file as `_encode` writes it: its version and the catalog's signature."""


class IdIndex:
    """`ids()`: the catalog's paper ids, from `ids.json` while it matches the catalog, else from
    `read_ids` (which reads the catalog), then written back for the next process."""

    def __init__(self, catalog: Path, read_ids: Callable[[], Collection[str]]) -> None:
        self.catalog = catalog
        self.path = catalog.parent / IDS_FILE
        self.read_ids = read_ids
        self._cached: tuple[Signature | None, frozenset[str]] | None = None

    def ids(self) -> frozenset[str]:
        sig = signature(self.catalog)
        if self._cached is not None and self._cached[0] == sig and sig is not None:
            return self._cached[1]
        if sig is None:
            return frozenset(self.read_ids())  # no catalog: nothing to keep beside it
        ids = self._load(sig)
        if ids is None:
            ids = frozenset(self.read_ids())
            # The catalog may have changed while it was read: keep the ids only under the
            # signature they were read with, and trust the file next time only if it still is.
            if signature(self.catalog) == sig:
                self._write(sig, ids)
        self._cached = (sig, ids)
        return ids

    def is_current(self) -> bool:
        """Whether the ids were taken from the catalog as it is now (then the catalog parsed),
        from the file's first bytes only: a command that needs no ids checks the catalog so
        (`Library.check_usable`: reading the 100k ids took 40 ms of every `list`)."""
        sig = signature(self.catalog)
        if sig is None:
            return False
        if self._cached is not None and self._cached[0] == sig:
            return True
        try:
            with self.path.open("rb") as file:
                head = _HEAD.match(file.read(128))
        except OSError:
            return False
        return (
            head is not None
            and int(head[1]) == VERSION
            and (int(head[2]), int(head[3]), int(head[4])) == sig
        )

    def adopt(self, sig: Signature, ids: Collection[str]) -> frozenset[str]:
        """The ids of the catalog with signature `sig`, known from elsewhere (its columns,
        already read): kept as if read from the file."""
        if self._cached is None or self._cached[0] != sig:
            self._cached = (sig, frozenset(ids))
        return self._cached[1]

    def store(self, ids: Collection[str]) -> None:
        """The ids of the catalog just written (the writer holds the catalog's lock)."""
        self.store_prepared(self.prepare(ids))

    @staticmethod
    def prepare(ids: Collection[str]) -> PreparedIds:
        """The ids of a catalog about to be written, encoded before the write (an import does
        it while the abstracts are being written)."""
        frozen = frozenset(ids)
        return PreparedIds(frozen, _encode_ids(frozen))

    def store_prepared(self, prepared: PreparedIds, catalog: Signature | None = None) -> None:
        """`store` of the catalog just written with the ids `prepared` was taken from; or of
        the one about to be put in place, with the signature `catalog` it will have there (an
        import writes this first: until it is in place, these ids are only not current)."""
        sig = catalog or signature(self.catalog)
        if sig is not None:
            self._write_encoded(_encode(sig, prepared.ids, prepared.encoded))
            self._cached = (sig, prepared.ids)

    def _load(self, sig: Signature) -> frozenset[str] | None:
        """The stored ids if the file is whole and was taken from this very catalog."""
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return None
        if (
            not isinstance(data, dict)
            or data.get("version") != VERSION
            or data.get("catalog") != list(sig)
            or not isinstance(data.get("ids"), list)
            or not set(map(type, data["ids"])) <= {str}  # in C: 100k ids in 2 ms
            or data.get("count") != len(data["ids"])
        ):
            return None
        return frozenset(data["ids"])

    def _write(self, sig: Signature, ids: frozenset[str]) -> None:
        self._write_encoded(_encode(sig, ids, _encode_ids(ids)))

    def _write_encoded(self, data: bytes) -> None:
        # A cache the store cannot write (read-only folder, full disk) is only slower next time.
        with contextlib.suppress(StoreWriteError):
            write_atomic(self.path, data)


class PreparedIds(NamedTuple):
    ids: frozenset[str]
    encoded: bytes
    """`_encode_ids(ids)`."""


def _encode_ids(ids: frozenset[str]) -> bytes:
    return fast_json.dumps(sorted(ids))


def _encode(sig: Signature, ids: frozenset[str], encoded_ids: bytes) -> bytes:
    """The file: `{"version":..,"catalog":[..],"count":..,"ids":[..]}` as `json.dumps` writes
    that dict, with the ids' list encoded beforehand (`_encode_ids`)."""
    head = {"version": VERSION, "catalog": list(sig), "count": len(ids)}
    return json.dumps(head, separators=(",", ":")).encode()[:-1] + b',"ids":' + encoded_ids + b"}"
