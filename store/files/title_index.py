"""The title word index saved beside the store: `title-words.idx`.

Normalising 100k titles and indexing their words holds the interpreter for about a second: the
app used to do it on every start, while the reader typed, and answered the keys of those
seconds with a scan of every title instead. `store.indexer` builds it once the catalog changes
(in the same process as the abstract index) and the app reads it in milliseconds.

Derived from the catalog's columns (`catalog-columns.jsonl`) and never the only copy of
anything: it records the signature of the catalog file it was built from and a checksum of
itself, and is ignored when the catalog changed since, when it is damaged or of another
format; deleting it is always safe. A read-only data directory goes without it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from store.atomic import write_atomic
from store.errors import StoreWriteError
from store.files.columns import Signature
from store.files.storage import signature
from store.search.postings import Postings, decode, encode, read_key

INDEX_FILE = "title-words.idx"


def index_path(catalog: Path) -> Path:
    return catalog.parent / INDEX_FILE


def _key(sig: Signature) -> dict[str, object]:
    return {"catalog": list(sig)}


def is_current(catalog: Path) -> bool:
    """Whether the saved index was built from the catalog file as it is now (reads only the
    index's header)."""
    sig = signature(catalog)
    if sig is None:
        return False
    try:
        with index_path(catalog).open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return read_key(head) == _key(sig)


def load_index(catalog: Path, sig: Signature) -> Postings | None:
    """The saved index if it is whole and was built from the catalog as it was at `sig` (the
    signature the caller's columns were read under: rows numbered alike)."""
    try:
        data = index_path(catalog).read_bytes()
    except OSError:
        return None
    if read_key(data) != _key(sig):  # stale: not checked or decoded for nothing
        return None
    decoded = decode(data)
    return None if decoded is None else decoded[1]


def save_index(catalog: Path, postings: Postings, sig: Signature) -> bool:
    """Keep `postings`, built from the catalog as it was at `sig`; False if the catalog changed
    meanwhile or the folder takes no writes."""
    if signature(catalog) != sig:
        return False
    with contextlib.suppress(StoreWriteError):  # read-only, full: only slower next time
        write_atomic(index_path(catalog), encode(postings, _key(sig)))
        return True
    return False
