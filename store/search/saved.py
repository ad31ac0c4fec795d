"""The word indexes `store.indexer` saved beside the store, taken by a search index: the titles'
(`store.files.title_index`) and the abstracts' (`store.files.word_index`). Each is checked to
number the papers as the search index's rows do, without decoding 100k ids where both carry a
check of them (`store.id_check`). Mixed into `store.search.index.SearchIndex`."""

from __future__ import annotations

from collections.abc import Callable

from store.models import Record
from store.rows import RecordRows
from store.search.postings import Postings, SavedWordIndex
from store.search.row_postings import RowPostings
from store.search.words import WordIndex


class SavedIndexes:
    """Mixed into `SearchIndex`: what it needs is named here."""

    records: list[Record]
    columns: RecordRows | None
    indexed: bool
    _ids: list[str] | None
    _title_index: WordIndex | None
    _abstract_index: RowPostings | None
    _folded: list[str] | None

    @property
    def title_index(self) -> WordIndex:
        raise NotImplementedError

    @property
    def rows(self) -> dict[str, int]:
        raise NotImplementedError

    @property
    def ids(self) -> list[str]:
        """Each row's paper id (decoded when first needed: a one-shot search over the saved
        indexes needs none, and 100k took 12-17 ms)."""
        if self._ids is None:
            columns = self.columns
            self._ids = [r.id for r in self.records] if columns is None else columns.ids
        return self._ids

    def use_title_index(self, postings: Postings) -> bool:
        """Find title words with `postings`, the saved index of these very rows' titles
        (`store.files.title_index`): no title is normalised until a search looks at it. False
        (not taken) where its rows are plainly not these."""
        count = len(self.records)
        if len(postings) != count or (count and postings.last_id() != self._id_at(count - 1)):
            return False
        self._title_index = SavedWordIndex(postings)
        return True

    def use_abstract_index(self, postings: Postings) -> None:
        """Find abstract words with `postings` (which may know papers this index lacks)."""
        if self.indexed:
            self.title_index  # noqa: B018 - as `index_abstracts`: every keystroke needs it
        # The same papers in the same order (the usual case): no map.
        self._abstract_index = postings.translated(None if self._same_ids(postings) else self.rows)
        self._folded = None  # a search made meanwhile lower-cased its own copy: not needed now

    def keep_short_words(self, between: Callable[[], None]) -> None:
        """Once the abstract index is in, ahead of the keys: the flags of its frequent short
        words (`RowPostings.keep_short_words`)."""
        if self._abstract_index is not None:
            self._abstract_index.keep_short_words(len(self.records), between)

    def _id_at(self, row: int) -> str:
        if self._ids is None and self.columns is not None:
            return self.columns.id_at(row)
        return self.ids[row]

    def _same_ids(self, postings: Postings) -> bool:
        """Whether `postings` numbers its rows as these (by their `ids_check` where both know
        it, else id by id, a list compared in C)."""
        if postings.count != len(self.records):
            return False
        if postings.check is not None and self.columns is not None and self._ids is None:
            mine = self.columns.ids_check()
            if mine is not None:
                return mine == postings.check
        return postings.ids == self.ids
