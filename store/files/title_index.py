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

from pathlib import Path

from store.files.columns import Signature
from store.files.word_index import SavedIndex
from store.search.postings import Postings

INDEX_FILE = "title-words.idx"
TITLE_WORDS = SavedIndex(INDEX_FILE, "catalog", {"letters": 1})
"""Keyed on the catalog's signature, and on holding the flags of letters that begin words in
many titles (`store.search.postings.with_letter_flags`): an index saved without them is built
again once."""


def is_current(catalog: Path) -> bool:
    """Whether the saved index was built from the catalog file as it is now (reads only the
    index's header)."""
    return TITLE_WORDS.is_current(catalog)


def load_index(catalog: Path, sig: Signature) -> Postings | None:
    """The saved index if it is whole and was built from the catalog as it was at `sig` (the
    signature the caller's columns were read under: rows numbered alike)."""
    return TITLE_WORDS.load(catalog, sig)


def save_index(catalog: Path, postings: Postings, sig: Signature) -> bool:
    """Keep `postings`, built from the catalog as it was at `sig`; False if the catalog changed
    meanwhile or the folder takes no writes."""
    return TITLE_WORDS.save(catalog, postings, sig)
