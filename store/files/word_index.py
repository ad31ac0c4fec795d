"""The abstract word index saved beside the store: `abstract-words.idx`.

Derived from `abstracts.json` and never the only copy of anything: it records the signature
(inode, mtime, size) of the abstracts file it was built from and a checksum of itself, and is
ignored (then built anew) when the abstracts changed since, when it is damaged or of another
format; deleting it is always safe. A read-only data directory goes without it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path

from store.atomic import write_atomic
from store.errors import StoreWriteError
from store.files.columns import Signature
from store.files.mapped import read_mapped
from store.files.storage import signature
from store.search.postings import Postings, decode, encode, read_key

INDEX_FILE = "abstract-words.idx"
LOCK_FILE = ".abstract-words.idx.lock"
"""Held by the one process building the index, so two never build it at once."""


class SavedIndex:
    """A word index saved as `file_name` beside the file it derives from (its source), keyed on
    the source's signature under `key_name`: the abstracts' here, the catalog's for titles
    (store.files.title_index)."""

    def __init__(
        self, file_name: str, key_name: str, also: Mapping[str, object] | None = None
    ) -> None:
        self.file_name = file_name
        self.key_name = key_name
        self.also = dict(also or {})
        """More in the key: what the index holds beyond the words (a file without it is
        stale)."""

    def path(self, source: Path) -> Path:
        return source.parent / self.file_name

    def _key(self, sig: Signature) -> dict[str, object]:
        return {self.key_name: list(sig), **self.also}

    def is_current(self, source: Path) -> bool:
        """Whether the saved index was built from the source as it is now (reads only the
        index's header, not the index)."""
        sig = signature(source)
        if sig is None:
            return False
        try:
            with self.path(source).open("rb") as handle:
                head = handle.read(4096)
        except OSError:
            return False
        return read_key(head) == self._key(sig)

    def load(self, source: Path, sig: Signature | None = None) -> Postings | None:
        """The saved index if it is whole and was built from the source as it was at `sig`
        (default: as it is now)."""
        sig = signature(source) if sig is None else sig
        if sig is None:
            return None
        try:
            data = read_mapped(self.path(source))
        except OSError:
            return None
        if read_key(data) != self._key(sig):  # stale: not checked or decoded for nothing
            return None
        decoded = decode(data)
        return None if decoded is None else decoded[1]

    def save(self, source: Path, postings: Postings, sig: Signature) -> bool:
        """Keep `postings`, built from the source as it was at `sig`; False if it changed
        meanwhile (the index would be stale at once) or the folder takes no writes."""
        if signature(source) != sig:
            return False
        with contextlib.suppress(StoreWriteError):  # read-only, full: only slower next time
            write_atomic(self.path(source), encode(postings, self._key(sig)))
            return True
        return False


ABSTRACT_WORDS = SavedIndex(INDEX_FILE, "abstracts")


def index_path(abstracts: Path) -> Path:
    return ABSTRACT_WORDS.path(abstracts)


def is_current(abstracts: Path) -> bool:
    """Whether the saved index was built from the abstracts file as it is now."""
    return ABSTRACT_WORDS.is_current(abstracts)


def load_index(abstracts: Path) -> Postings | None:
    """The saved index if it is whole and was built from the abstracts file as it is now."""
    return ABSTRACT_WORDS.load(abstracts)


def save_index(abstracts: Path, postings: Postings, sig: Signature) -> bool:
    """Keep `postings`, built from the abstracts file as it was at `sig` (`SavedIndex.save`)."""
    return ABSTRACT_WORDS.save(abstracts, postings, sig)
