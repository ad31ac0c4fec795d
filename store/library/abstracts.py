"""The Library's abstracts: read one at a time where they lie, decoded whole only when a caller
needs them all, and searched through the saved abstract word index (`store.indexer`, which saves
the title word index too)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from store.files import title_index
from store.files.abstracts import AbstractPlaces
from store.files.cache import CachedDocs
from store.files.storage import StoreFile
from store.files.word_index import is_current, load_index

if TYPE_CHECKING:
    from store.rows import RecordRows
    from store.search.postings import Postings
    from store.search.scan import AbstractScan, KnownMatches


class Abstracts:
    """Mixed into `Library`: what it needs is named here."""

    abstracts_file: StoreFile
    catalog_file: StoreFile
    _abstracts: CachedDocs[str]
    _abstract_places: AbstractPlaces

    def abstracts(self) -> dict[str, str]:
        return self._abstracts.get()

    def abstract(self, paper: str) -> str:
        with self.abstract_reader() as abstract_of:
            return abstract_of(paper)

    def prepare_abstract_reads(self, between: Callable[[], None] | None = None) -> None:
        """Note where each abstract lies now (a walk of the file: seconds at 100k papers), so
        the first abstract shown, the Related panel and the interest model need not.
        `between` is called every few hundred abstracts (the app waits there while you type)."""
        with self._abstract_places.reading(between):
            pass

    @contextlib.contextmanager
    def abstract_reader(self) -> Iterator[Callable[[str], str]]:
        """Paper id -> abstract, read one at a time from the file unless it is decoded already:
        the whole file decoded costs hundreds of megabytes (see store.files.abstracts)."""
        decoded = self._abstracts.current()
        if decoded is None:
            with self._abstract_places.reading() as abstract_of:
                if abstract_of is not None:
                    yield abstract_of
                    return
            decoded = self.abstracts()  # reports a damaged file as every read does
        yield lambda pid: decoded.get(pid, "")

    def abstracts_as_read(self) -> tuple[dict[str, str], tuple[int, int, int] | None]:
        """The abstracts, and the signature of the file as they were read (None: no file)."""
        sig, texts = self._abstracts.get_signed()
        return texts, sig

    def saved_abstract_index(self) -> Postings | None:
        """The abstract word index `store.indexer` saved, if it is current (else None)."""
        return load_index(self.abstracts_file.path)

    def saved_title_index(self, rows: RecordRows) -> Postings | None:
        """The title word index `store.indexer` saved, if it was built from the very catalog
        `rows` were read from and numbers its rows alike (no paper merged away), else None."""
        sig = rows.columns.signature
        if sig is None or rows.catalog_rows is not None:
            return None
        return title_index.load_index(self.catalog_file.path, sig)

    def word_indexes_current(self) -> bool:
        """Whether both saved word indexes (abstracts, titles) match the store's files now."""
        return is_current(self.abstracts_file.path) and title_index.is_current(
            self.catalog_file.path
        )

    def scan_abstracts(self, query: str | None) -> AbstractScan | KnownMatches | None:
        """Which abstracts have `query`'s words: from the saved abstract word index if it is
        current, else looked for on another core so `records` can read the catalog meanwhile;
        None where that would not pay (small libraries, no words, no fork) or the query does
        not parse (`records` then says why)."""
        from store.errors import QueryError
        from store.search.language import parse_query
        from store.search.scan import KnownMatches, start_scan

        try:
            words = parse_query(query or "").all_words
        except QueryError:
            return None
        if not words:
            return None
        if is_current(self.abstracts_file.path):  # its header only: read on another thread
            return KnownMatches(self.saved_abstract_index)
        return start_scan(self.abstracts_file.path, self.abstracts, list(words))
