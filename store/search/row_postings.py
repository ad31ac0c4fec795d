"""A saved word index (`store.search.postings.Postings`) answering in a view's rows: papers the
view lacks left out, and the rows of the words found in many papers kept as flags between keys
(`store.search.grouped` combines them in C)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from store.search.row_flags import row_bits
from store.search.words import INSIDE_FROM


class Postings(Protocol):
    """What is read of a `store.search.postings.Postings` (which makes these: no import back)."""

    vocabulary: list[str]

    @property
    def ids(self) -> list[str]: ...

    @property
    def offsets(self) -> Sequence[int]: ...

    def span(self, word: str) -> tuple[int, int]: ...

    def run(self, k: int, end: int | None = None) -> Sequence[int]: ...

    def matching(self, word: str) -> Sequence[int]: ...


FREQUENT = 2048
"""Rows a word is in for `RowPostings.flags` to keep its flags (scattering 2k rows takes about
0.1 ms)."""
FLAGS_KEPT = 256
"""Frequent words' flags kept at most (3 MB at 100k papers)."""
SIZE = -1


class RowPostings:
    """A `Postings` answering in a view's rows: papers the view lacks are left out."""

    def __init__(self, postings: Postings, rows_of: Mapping[str, int] | None) -> None:
        self.postings = postings
        self._table: list[int] | None = None
        self._kept: dict[int, int] = {}
        """Flags of frequent words by vocabulary position (`flags`), and the size they are for
        under `SIZE`."""
        if rows_of is None:
            return
        ids = postings.ids
        missing = -1
        table = [rows_of.get(pid, missing) for pid in ids]
        # The same numbering (the usual case: the view is the catalog in order) needs no table.
        if not (len(ids) == len(rows_of) and table == list(range(len(ids)))):
            self._table = table

    def rows(self, word: str, score: float) -> dict[int, float]:
        rows = self.postings.matching(word)
        table = self._table
        found = dict.fromkeys(rows if table is None else map(table.__getitem__, rows), score)
        found.pop(-1, None)
        return found

    def flags(self, word: str, size: int) -> int:
        """The view's rows (`0 <= row < size`) that `rows` finds, as `row_bits` (for
        `store.search.grouped`). A word in many rows has its own flags kept: each key of
        `attention` asks again for the rows of `attention` (2-3 ms to scatter at 100k papers,
        8 ms for `a`), and an OR of kept flags takes microseconds."""
        at, end = self.postings.span(word)
        offsets = self.postings.offsets
        found, start = 0, at  # words `start:k` not yet taken: scattered together
        for k in range(at, end):
            if offsets[k + 1] - offsets[k] < FREQUENT:
                continue
            found |= self._word_flags(k, size)
            if start < k:
                found |= self._scattered(start, k, size)
            start = k + 1
        if start < end:
            found |= self._scattered(start, end, size)
        return found

    def keep_short_words(self, size: int, between: Callable[[], None]) -> None:
        """Make and keep the flags of the frequent words shorter than `INSIDE_FROM` now (`a`,
        `at`, `of`: 14 words at 100k papers, 0.1 s): every word typed begins as one, and the
        100k rows of `a` took 8 ms to scatter in the time of its key. `between()` is called
        before each."""
        vocabulary, offsets = self.postings.vocabulary, self.postings.offsets
        short = [k for k, word in enumerate(vocabulary) if len(word) < INSIDE_FROM]
        for k in short:
            if offsets[k + 1] - offsets[k] >= FREQUENT:
                between()
                self._word_flags(k, size)

    def _word_flags(self, k: int, size: int) -> int:
        """The flags of the vocabulary's `k`th word, kept."""
        kept = self._kept
        if kept.get(SIZE) != size or len(kept) > FLAGS_KEPT:
            kept.clear()  # one step (a search thread and a worker may both ask)
            kept[SIZE] = size
        flags = kept.get(k)
        if flags is None:
            flags = kept[k] = self._scattered(k, k + 1, size)
        return flags

    def _scattered(self, at: int, end: int, size: int) -> int:
        """The rows of the vocabulary's words `at:end`, as `row_bits`."""
        rows = self.postings.run(at, end)
        table = self._table
        return row_bits(rows if table is None else map(table.__getitem__, rows), size)

    def count(self, word: str) -> int:
        """How many rows `rows` finds at most (a row once per matching word of it)."""
        return len(self.postings.matching(word))

    def has(self, word: str) -> Callable[[int], bool]:
        """A test of one view row, for a few candidate rows."""
        return self.rows(word, 0.0).__contains__
