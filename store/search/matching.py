"""How a query word finds rows: in titles (whole, start, inside, typos), authors' names and
abstracts (the word index, another process's matches, or the folded text), each with a score.
Mixed into `store.search.index.SearchIndex`."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping

from store.models import Record
from store.search.authors import AuthorNames
from store.search.lines import JoinedLines, separates
from store.search.row_postings import RowPostings
from store.search.words import INSIDE_FROM, WordIndex, text_test

_PREPARING = threading.Lock()
"""Held while a one-shot index prepares its scan (see `prepare_scan`)."""
TITLE_EXACT, TITLE_PREFIX, TITLE_INSIDE, AUTHOR, ABSTRACT = 100.0, 90.0, 80.0, 60.0, 50.0
CANDIDATE_SCAN = 3000
"""Below this many candidates, later words are checked on them directly, not via the index."""
FUZZY_CUTOFF = 80.0
FUZZY_WEIGHT = 0.75


def _no_abstract(row: int) -> bool:
    """The abstract test while abstracts are deferred: none has any word."""
    return False


def _better_of(title_rows: dict[int, float], others: dict[int, float]) -> dict[int, float]:
    """The rows of both, a title's score winning: the larger of the two is kept, not copied
    (`s` at 100k papers: 41k title rows and a few others)."""
    if len(others) > len(title_rows):
        others.update(title_rows)
        return others
    for row, score in others.items():
        title_rows.setdefault(row, score)
    return title_rows


class WordMatching:
    """Mixed into `SearchIndex`: what it needs is named here."""

    records: list[Record]
    rows: dict[str, int]
    indexed: bool
    defer_abstracts: bool
    _titles: list[str] | None
    _abstract_index: RowPostings | None
    _abstract_matches: Mapping[str, Collection[str]]

    @property
    def title_index(self) -> WordIndex:
        raise NotImplementedError

    def normalised_title(self, row: int) -> str:
        raise NotImplementedError

    def folded_title_of(self) -> Callable[[int], str]:
        raise NotImplementedError

    @property
    def folded_titles(self) -> list[str]:
        raise NotImplementedError

    @property
    def folded_abstracts(self) -> list[str]:
        raise NotImplementedError

    @property
    def authors(self) -> AuthorNames:
        raise NotImplementedError

    @property
    def abstracts_pending(self) -> bool:
        raise NotImplementedError

    def _title_rows(self, word: str, *, typos: bool = True) -> dict[int, float]:
        # dict.fromkeys over posting lists does the per-row work in C: this runs per keystroke.
        index = self.title_index
        # One C call over every prefix token's rows (a short prefix has thousands of tokens);
        # the word's own rows then score higher.
        scores = dict.fromkeys(index.rows_starting(word), TITLE_PREFIX)
        exact = index.postings.get(word)
        if exact is not None:
            scores.update(dict.fromkeys(exact, TITLE_EXACT))
        if len(word) >= INSIDE_FROM:
            inside: dict[int, float] = {}
            for token in index.containing(word):
                if not token.startswith(word):
                    inside.update(dict.fromkeys(index.postings[token], TITLE_INSIDE))
            if inside:
                inside.update(scores)
                scores = inside
        if not scores and typos and len(word) >= 4:
            return self._typo_rows(word)
        return scores

    def _typo_rows(self, word: str) -> dict[int, float]:
        """Rows whose title has a word close to `word` (typo tolerance, for a word found
        nowhere as typed)."""
        from rapidfuzz import fuzz, process  # only typos need it: keep start-up light

        index, scores = self.title_index, dict[int, float]()
        for token, ratio, _ in process.extract(
            word, index.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=20
        ):
            for row in index.postings[token]:
                scores[row] = max(scores.get(row, 0.0), ratio * FUZZY_WEIGHT)
        return scores

    def _word_rows(self, word: str, candidates: Iterable[int] | None) -> dict[int, float]:
        # Typos are tolerated only for a word found nowhere (as `_word_rows_among`): `turing`,
        # an author's name, does not also find titles with `tuning`, ranked above that author.
        title_rows = self._title_rows(word, typos=False)
        if self._abstract_index is not None:
            others = self._abstract_index.rows(word, ABSTRACT)
            others.update(self._author_rows(word, ()))
        else:
            others = {}
            if not self.abstracts_pending:
                in_abstract = self._abstract_test(word)
                pool = range(len(self.records)) if candidates is None else candidates
                for row in pool:
                    if row not in title_rows and in_abstract(row):
                        others[row] = ABSTRACT
            others.update(self._author_rows(word, title_rows))
        if not title_rows and not others and len(word) >= 4:
            return self._typo_rows(word)
        return _better_of(title_rows, others)

    def _author_rows(self, word: str, better: Collection[int]) -> dict[int, float]:
        """Rows whose authors' names have `word`, except those in `better` (title hits)."""
        if not self.authors.any:
            return {}
        found = self.authors.rows(word, AUTHOR)
        return {row: score for row, score in found.items() if row not in better}

    def _abstract_test(self, word: str) -> Callable[[int], bool]:
        """Whether a row's abstract has `word` (as `store.search.words.text_test` finds it)."""
        ids = self._abstract_matches.get(word)
        if ids is not None:
            rows = self.rows  # a property: once, not twice per id (100k ids at 100k papers)
            return {rows[pid] for pid in ids if pid in rows}.__contains__
        if self._abstract_index is not None:
            return self._abstract_index.has(word)
        if self.defer_abstracts:
            return _no_abstract
        abstracts = self.folded_abstracts
        found = text_test(word)
        return lambda row: found(abstracts[row])

    def _word_rows_among(self, word: str, rows: Iterable[int]) -> dict[int, float]:
        """Score `word` on a few candidate rows directly, cheaper than any index lookup (or,
        in a one-shot search, on every row at once)."""
        found = None
        everywhere = rows == range(len(self.records)) and not self.indexed
        # A word of three letters or more is in few titles: testing each of them costs less
        # than joining every title once, unless that was done (the app's early searches).
        if everywhere and (self._title_lines_made or len(word) <= 2):
            found = self._word_rows_everywhere(word)
        if found is None:
            found = self._word_rows_each(word, rows)
        if not found and len(word) >= 4:
            return self._title_rows(word)  # nothing as typed: let typo tolerance have a go
        return found

    _title_lines: JoinedLines | None = None
    _title_lines_made = False

    def prepare_scan(self) -> None:
        """Make now what a one-shot search over every row makes first (the titles folded and
        joined, the authors joined): the app does it ahead of the first key."""
        with _PREPARING:  # once, by the load's thread or the first key's, the other waits
            if not self._title_lines_made:
                self._title_lines = JoinedLines.of_folded(self.folded_titles)
                self._title_lines_made = True  # None (a title with a line break) stays None
            if self.authors.any:
                self.authors.lines  # noqa: B018

    def _word_rows_everywhere(self, word: str) -> dict[int, float] | None:
        """`_word_rows_each` over every row, the titles' (and authors') work done in C by
        `store.search.lines`; None where it cannot be (a word with a separator, a title
        with a line break): `_word_rows_each` answers those."""
        if not word or separates(word):
            return None
        self.prepare_scan()
        if self._title_lines is None:
            return None
        inside = TITLE_INSIDE if len(word) >= INSIDE_FROM else None
        found = self._title_lines.scores(word, TITLE_EXACT, TITLE_PREFIX, inside)
        more: dict[int, float] = {}
        if self.authors.any:
            lines = self.authors.lines
            whole = len(word) < INSIDE_FROM  # as `text_test`
            more = {row: AUTHOR for row in lines.rows(word, whole=whole) if row not in found}
        in_abstract = self._abstract_test(word)
        if in_abstract is not _no_abstract:
            more.update(
                (row, ABSTRACT)
                for row in range(len(self.records))
                if row not in found and row not in more and in_abstract(row)
            )
        if more:  # in row order, as `_word_rows_each` makes it (the queue sort keeps it)
            found.update(more)
            found = dict(sorted(found.items()))
        return found

    def _word_rows_each(self, word: str, rows: Iterable[int]) -> dict[int, float]:
        """Score `word` on each of `rows` in turn."""
        # Unless every title is normalised, folded titles are tested first, and only those
        # that contain the word normalised: normalising 100k titles costs more than a one-shot
        # search, and 2k of them (`sparse attention t` at 100k papers, the titles of a saved
        # title index) 15 ms of a key. Punctuation only ever becomes a space, so a word in
        # the normalised title is in the folded one too.
        normalised = self._titles is not None
        title_of: Callable[[int], str]
        if normalised:
            title_of = self.normalised_title
        else:  # a one-shot search folds them all in one call; a few rows one by one
            title_of = self.folded_title_of() if self.indexed else self.folded_titles.__getitem__
        in_abstract = self._abstract_test(word)
        authors = self.authors.texts if self.authors.any else None
        in_authors = text_test(word, normalised=True)
        inside = len(word) >= INSIDE_FROM
        found: dict[int, float] = {}
        for row in rows:
            title = title_of(row)
            if word in title:
                if not normalised:
                    title = self.normalised_title(row)
                tokens = title.split()
                if word in tokens:
                    found[row] = TITLE_EXACT
                    continue
                if any(t.startswith(word) for t in tokens):
                    found[row] = TITLE_PREFIX
                    continue
                if inside and word in title:
                    found[row] = TITLE_INSIDE
                    continue
            if authors is not None and in_authors(authors[row]):
                found[row] = AUTHOR
            elif in_abstract(row):
                found[row] = ABSTRACT
        return found
