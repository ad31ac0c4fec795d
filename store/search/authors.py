"""Searching by author: `author:NAME` and plain words that name an author.

Names come from `Record.authors` (enrichment's list today; the catalog's once listings carry
authors). `author:` is fuzzy on family names, which is what people remember and misspell:
`author:lecun`, `author:le-cun` and `author:lecunn` all find "Yann LeCun"; a value with a space
(`author:"yann lecun"`) is looked for in the whole name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from store.models import Record
from store.search.lines import JoinedLines
from store.search.words import INSIDE_FROM, WordIndex
from store.text import normalise

FAMILY_CUTOFF = 80.0
"""rapidfuzz ratio from which a family name counts as the one asked for (one typo in five)."""
FUZZY_FROM = 4
"""Shorter names match exactly or as a prefix only: `li` must not find "Liu" and "Lin"."""


def author_text(authors: Sequence[str]) -> str:
    """Every author's name normalised, one string: what plain query words are matched on."""
    return normalise(" ; ".join(authors))


class AuthorNames:
    """Each row's author names as one normalised string ("" without authors), with a word
    index built on first use (or by `warm`): few papers have authors until they are fetched or
    pulled."""

    def __init__(self, authors: Sequence[Sequence[str]]) -> None:
        """`authors`: each row's names (`Record.authors`)."""
        self.texts = [author_text(names) if names else "" for names in authors]
        self.any = any(self.texts)
        self._index: WordIndex | None = None
        self._lines: JoinedLines | None = None
        self.scan_until_warm = False
        """Set while `warm` is still to come (the app's early searches on a large library):
        `rows` scans the names rather than building the index in a key's time."""

    @property
    def index(self) -> WordIndex:
        index = self._index  # read once: `replace` may drop it from another thread
        if index is None:
            index = self._index = WordIndex(self.texts)
        return index

    def rows(self, word: str, score: float) -> dict[int, float]:
        """Rows whose names have `word` (as `store.search.words.text_test` finds it), each with
        `score`: from the word index, or while `scan_until_warm` from a scan of every name at
        once until `warm` has built it."""
        index = self._index
        if index is None and self.scan_until_warm:
            return dict.fromkeys(self.lines.rows(word, whole=len(word) < INSIDE_FROM), score)
        return (index or self.index).rows(word, score)

    def warm(self, between: Callable[[], None]) -> None:
        """Build the word index now, calling `between()` between slices (see WordIndex)."""
        if self._index is None:
            self._index = WordIndex(self.texts, between)
        self.scan_until_warm = False

    @property
    def lines(self) -> JoinedLines:
        """The texts as one string, for a one-shot search over every row."""
        lines = self._lines  # read once, as `index`
        if lines is None:
            lines = self._lines = JoinedLines.of_normalised(self.texts)
        return lines

    def replace(self, row: int, record: Record) -> None:
        text = author_text(record.authors) if record.authors else ""
        if text != self.texts[row]:
            self.texts[row] = text
            self.any = any(self.texts) if not text else True
            self._index = self._lines = None  # rebuilt on the next search: fetches come in batches


def author_test(value: str) -> Callable[[Record], bool]:
    """The test of `author:value`; answers are cached per name, as at 100k papers the same
    names come back thousands of times."""
    from rapidfuzz import fuzz  # only author: needs it: keep start-up light

    wanted = normalise(value)
    joined = wanted.replace(" ", "")
    answers: dict[str, bool] = {}

    def name_matches(name: str) -> bool:
        answer = answers.get(name)
        if answer is None:
            words = normalise(name).split()
            family = words[-1] if words else ""
            answer = bool(family) and (
                family.startswith(joined)
                or joined in words
                or (
                    len(joined) >= FUZZY_FROM
                    and fuzz.ratio(joined, family, score_cutoff=FAMILY_CUTOFF) > 0
                )
                or (
                    " " in wanted
                    and (
                        f" {wanted} " in f" {' '.join(words)} "
                        or fuzz.ratio(wanted, " ".join(words), score_cutoff=FAMILY_CUTOFF) > 0
                    )
                )
            )
            answers[name] = answer
        return answer

    return lambda record: any(name_matches(name) for name in record.authors)
