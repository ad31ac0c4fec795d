"""The abstract word index saved beside the store: `abstract-words.idx`.

Derived from `abstracts.json` and never the only copy of anything: it records the signature
(inode, mtime, size) of the abstracts file it was built from and a checksum of itself, and is
ignored (then built anew) when the abstracts changed since, when it is damaged or of another
format; deleting it is always safe. A read-only data directory goes without it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from store.atomic import write_atomic
from store.errors import StoreWriteError
from store.files.storage import signature
from store.search.postings import Postings, decode, encode, read_key

INDEX_FILE = "abstract-words.idx"
LOCK_FILE = ".abstract-words.idx.lock"
"""Held by the one process building the index, so two never build it at once."""


def index_path(abstracts: Path) -> Path:
    return abstracts.parent / INDEX_FILE


def _key(sig: tuple[int, int, int]) -> dict[str, object]:
    return {"abstracts": list(sig)}


def is_current(abstracts: Path) -> bool:
    """Whether the saved index was built from the abstracts file as it is now (reads only
    the index's header, not the index)."""
    sig = signature(abstracts)
    if sig is None:
        return False
    try:
        with index_path(abstracts).open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return read_key(head) == _key(sig)


def load_index(abstracts: Path) -> Postings | None:
    """The saved index if it is whole and was built from the abstracts file as it is now."""
    sig = signature(abstracts)
    if sig is None:
        return None
    try:
        data = index_path(abstracts).read_bytes()
    except OSError:
        return None
    decoded = decode(data)
    if decoded is None or decoded[0] != _key(sig):
        return None
    return decoded[1]


def save_index(abstracts: Path, postings: Postings, sig: tuple[int, int, int]) -> bool:
    """Keep `postings`, built from the abstracts file as it was at `sig`; False if the file
    changed meanwhile (the index would be stale at once) or the folder takes no writes."""
    if signature(abstracts) != sig:
        return False
    with contextlib.suppress(StoreWriteError):  # read-only, full: only slower next time
        write_atomic(index_path(abstracts), encode(postings, _key(sig)))
        return True
    return False
