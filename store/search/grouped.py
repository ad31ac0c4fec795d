"""A query's rows by score, as sets of rows made and combined in C, ordered only as far as a
list reads them. Mixed into `store.search.index.SearchIndex`.

A word scores a row by where it is found (`store.search.matching`): a title's word itself
(100), a title word it begins (90) or is inside (80), an author's name (60), an abstract (50).
A query's score for a row is the sum over its words. Common words find most of a large library
(`in`, `a`, `the`: 98-100k of 100k abstracts), and scoring them row by row in dicts, then
sorting 100k rows by date and by score, took 20-40 ms a key. Here each word's rows at each
score are one set (a byte per row, read as one integer: `store.search.row_flags`), a query's
rows at each total score are their intersections and unions, and the list reads each total's
rows through the stored date order (`InOrder`), best total first (`Chained`): 2-8 ms. Only
for queries whose every word finds thousands of rows: with a rarer one, the other words are
checked on its few rows, which is quicker.

It answers exactly what `matching_rows` answers by scoring each row, and only where that is
plain: one clause of words without filters, phrases or exclusions, by relevance or date, the
title words from the saved title index and the abstracts' from theirs (or none yet). A word's
score that varies by row (a typo's closeness) or a word found nowhere sends the query the
other way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from itertools import chain

from store.models import Record
from store.rows import LazyOrder
from store.search.language import Query
from store.search.matching import (
    ABSTRACT,
    AUTHOR,
    CANDIDATE_SCAN,
    TITLE_EXACT,
    TITLE_INSIDE,
    TITLE_PREFIX,
)
from store.search.ordering import Chained, InOrder
from store.search.postings import SavedWordIndex
from store.search.row_flags import RowFlags, row_bits
from store.search.row_postings import RowPostings
from store.search.words import INSIDE_FROM, WordIndex

FEW = 2000
"""Rows of a score found one by one and sorted, rather than read through the date order."""

Groups = dict[float, int]
"""Rows by score: each score's rows as an integer whose byte `row` is 1 (`RowFlags`)."""
GROUPS_KEPT = 16
"""Words whose groups a search index keeps (a query's words, and the prefixes typed before)."""


class Grouped:
    """Mixed into `SearchIndex`: what it needs is named here."""

    records: list[Record]
    indexed: bool
    _abstract_index: RowPostings | None
    _groups_kept: dict[str, tuple[tuple[object, ...], Groups | None]]
    """`_word_groups`' answers by word, with what they came from."""

    @property
    def title_index(self) -> WordIndex:
        raise NotImplementedError

    @property
    def abstracts_pending(self) -> bool:
        raise NotImplementedError

    _author_rows: Callable[[str, Collection[int]], dict[int, float]]  # WordMatching's
    rank: Callable[[str], list[int]]  # Ordering's
    _ranks: dict[str, list[int]]  # Ordering's: the ranks computed so far, by sort
    _date_order: Callable[[], list[int]]  # Ordering's

    def _grouped_order(self, query: Query, chosen: str) -> LazyOrder | None:
        """`query`'s rows in `chosen` order (relevance or date) from its words' sets of rows,
        each found as a list reads it; None where this way does not answer (see above)."""
        if (
            chosen not in ("relevance", "date")
            or not query.words
            or query.alternatives
            or query.filters
            or query.phrases
            or query.excluded
            or not self.indexed
            or not isinstance(self.title_index, SavedWordIndex)
        ):
            return None
        size = len(self.records)
        if min(map(self._rows_at_most, query.words)) <= CANDIDATE_SCAN:
            return None  # a rare word: the other words are checked on its few rows
        combined: Groups | None = None
        for word in query.words:
            groups = self._word_groups(word)
            if not groups:
                return None  # a typo's closeness, or nowhere: scored row by row
            combined = groups if combined is None else _intersected(combined, groups)
            if not combined:
                return None  # none has every word: typos may yet find some
        assert combined is not None
        if chosen == "date" or len(combined) == 1:
            every = 0
            for rows in combined.values():
                every |= rows
            return Chained([self._date_ordered(every, size)])
        best_first = sorted(combined.items(), reverse=True)
        return Chained([self._date_ordered(rows, size) for _, rows in best_first])

    def _rows_at_most(self, word: str) -> int:
        """About how many rows `word` finds, from the indexes' run lengths (no row read): a
        row is counted once per word of it that matches."""
        index = self.title_index
        assert isinstance(index, SavedWordIndex)
        letter = index.letter_flags(word)
        title = len(letter) if letter is not None else len(index.rows_starting(word))
        abstracts = self._abstract_index
        return title + (0 if abstracts is None else abstracts.count(word))

    def _date_ordered(self, rows: int, size: int) -> Sequence[int]:
        """The rows of `rows` in date order, read through the stored order as far as a list
        asks (`InOrder`); a few found at once and sorted by date once the rows' date ranks are
        known (walking the whole order to find them would cost more: 2 ms at 100k papers).
        Before that, as in a one-shot `list --query`, the walk is cheaper: it stops at the last
        row asked for, and computing the ranks took 20-27 ms at 100k papers."""
        data = rows.to_bytes(size, "little")
        count = rows.bit_count()
        if count > FEW or "date" not in self._ranks:
            return InOrder(self._date_order(), RowFlags(data), count)
        found, at = [], data.find(1)
        while at != -1:
            found.append(at)
            at = data.find(1, at + 1)
        found.sort(key=self.rank("date").__getitem__)
        return found

    def _word_groups(self, word: str) -> Groups | None:
        """`_word_rows(word)`'s rows by score; None where a score varies by row or the
        abstracts are scanned, {} where the word is found nowhere. Kept for the words typed
        last: each key of `sparse attention t` asked again for `sparse` and `attention` (7-9
        ms each at 100k papers, most of such a key's time), whose rows had not changed. A
        word's groups are kept only with the indexes they came from (the abstract index comes
        later, and a reload makes a new search index)."""
        index = self.title_index
        if not isinstance(index, SavedWordIndex):
            return None
        size = len(self.records)
        abstracts, pending = self._abstract_index, self.abstracts_pending
        kept = self._groups_kept.get(word)
        if kept is not None:
            (was_index, was_abstracts, was_pending, was_size), groups = kept
            if was_index is index and was_abstracts is abstracts and was_pending == pending:
                if was_size == size:
                    return groups
        found = self._found_groups(word, index, abstracts, pending, size)
        if len(self._groups_kept) >= GROUPS_KEPT:
            self._groups_kept.clear()  # one step (a search thread and the UI may both ask)
        self._groups_kept[word] = ((index, abstracts, pending, size), found)
        return found

    def _found_groups(
        self,
        word: str,
        index: SavedWordIndex,
        abstracts: RowPostings | None,
        pending: bool,
        size: int,
    ) -> Groups | None:
        """`_word_groups(word)` from the indexes it is kept with (one snapshot of them)."""
        if abstracts is not None:
            abstract = abstracts.flags(word, size)
        elif pending:
            abstract = 0
        else:
            return None  # abstracts scanned row by row
        letter = index.letter_flags(word)
        title = letter.bits() if letter is not None else row_bits(index.rows_starting(word), size)
        groups: Groups = {}
        exact = index.postings.get(word)
        if exact:
            groups[TITLE_EXACT] = whole = row_bits(exact, size)
            groups[TITLE_PREFIX] = title & ~whole
        else:
            groups[TITLE_PREFIX] = title
        if len(word) >= INSIDE_FROM:
            runs = [index.postings[t] for t in index.containing(word) if not t.startswith(word)]
            inside = row_bits(chain.from_iterable(runs), size) & ~title
            groups[TITLE_INSIDE] = inside
            title |= inside
        authors = row_bits(self._author_rows(word, ()), size) & ~title
        groups[AUTHOR] = authors
        groups[ABSTRACT] = abstract & ~title & ~authors
        found = {score: rows for score, rows in groups.items() if rows}
        if not found and len(word) >= 4:
            return None  # typo tolerance: its scores vary by row
        return found


def _intersected(first: Groups, second: Groups) -> Groups:
    """Rows with a word of each, by the sum of their scores (the same sum from two pairs of
    scores: their rows together)."""
    combined: Groups = {}
    for one, rows in first.items():
        for other, more in second.items():
            both = rows & more
            if both:
                total = one + other
                combined[total] = combined.get(total, 0) | both
    return combined
