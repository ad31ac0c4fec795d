"""When a text contains a query word: the tests every search path shares.

Matching folds case and diacritics (`store.text.fold`: `naive` finds "naïve"); display never
does. A word matches a text where one of the text's words begins with it; a word under
`INSIDE_FROM` letters (`KV`, `RL`, `3D`) only where a whole word equals it, or every `a` would
match every abstract. The one-shot CLI scan, the app before its abstract index exists, the forked
abstract scan and the word indexes all apply these same tests, on words split where
`store.text.normalise` splits them.
"""

from __future__ import annotations

import bisect
import sys
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from itertools import chain, repeat

from store.search.row_flags import RowFlags
from store.text import word_breaks

INSIDE_FROM = 3
"""Shorter words match whole words only in abstracts and authors, and never inside title words."""
SLICE = 1000
"""Texts indexed between two `between()` calls (2-3 ms: a key typed meanwhile shares the
interpreter with the slice under way, and waits about that long more)."""

WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character `str.isspace` accepts (a test checks the list is complete)."""


@cache
def separators() -> dict[int, str]:
    """Every character that ends a word, to one space: whole words become findable in C."""
    return str.maketrans(dict.fromkeys([*word_breaks(), *WHITESPACE], " "))


def _is_start(text: str, at: int, breaks: frozenset[str]) -> bool:
    return at == 0 or (before := text[at - 1]).isspace() or before in breaks


def word_start_test(word: str) -> Callable[[str], bool]:
    """Whether a folded text has a word beginning with `word`: what the word indexes find by
    prefix, tested on the raw text."""
    breaks = word_breaks()

    def starts(text: str) -> bool:
        at = text.find(word)
        while at != -1:  # almost always once: the first occurrence starts a word
            if _is_start(text, at, breaks):
                return True
            at = text.find(word, at + 1)
        return False

    return starts


def whole_word_test(word: str, *, normalised: bool = False) -> Callable[[str], bool]:
    """Whether a folded text (or a `normalised` one) has `word` as a whole word. Short words
    occur hundreds of times in an abstract (`t`, `at`): one C-level translation and substring
    test beats visiting every occurrence."""
    inner, head, tail = f" {word} ", f"{word} ", f" {word}"
    table = separators()

    def whole(text: str) -> bool:
        if not normalised:
            text = text.translate(table)
        return inner in text or text.startswith(head) or text.endswith(tail) or text == word

    return whole


def text_test(word: str, *, normalised: bool = False) -> Callable[[str], bool]:
    """The test an abstract or an author list must pass for `word` (a normalised word)."""
    if len(word) >= INSIDE_FROM:
        return word_start_test(word)
    return whole_word_test(word, normalised=normalised)


def mentions(word: str, normalised_text: str) -> bool:
    """Whether a normalised text contains `word` as `text_test` finds it."""
    return text_test(word, normalised=True)(normalised_text)


class WordIndex:
    """Which rows have which words (of normalised texts): postings, and the sorted vocabulary
    that prefix lookups bisect."""

    postings: Mapping[str, Sequence[int]]
    vocabulary: list[str]

    def __init__(self, texts: Sequence[str], between: Callable[[], None] | None = None) -> None:
        """`between`: called after every `SLICE` texts (a load lets the reader's searches go
        first)."""
        postings: defaultdict[str, list[int]] = defaultdict(list)
        rows_of, append = postings.__getitem__, list.append
        for row, text in enumerate(texts):
            # Every posting appended in C: 100k titles are indexed in a third of a second.
            deque(map(append, map(rows_of, set(text.split())), repeat(row)), maxlen=0)
            if between is not None and row % SLICE == SLICE - 1:
                between()
        self.postings = dict(postings)
        self.vocabulary = sorted(self.postings)

    def letter_flags(self, word: str) -> RowFlags | None:
        """The rows of every word beginning with `word` as flags, where the index keeps them
        (a saved one, for a letter beginning words in many rows); else None."""
        return None

    def rows_starting(self, word: str) -> Iterable[int]:
        """The rows of every indexed word beginning with `word` (a row once per word)."""
        return chain.from_iterable(self.starting(word).values())

    def starting(self, word: str) -> dict[str, Sequence[int]]:
        """The rows of every indexed word beginning with `word`, by word."""
        found: dict[str, Sequence[int]] = {}
        for token in self.vocabulary[bisect.bisect_left(self.vocabulary, word) :]:
            if not token.startswith(word):
                break
            found[token] = self.postings[token]
        return found

    _joined: str | None = None

    def containing(self, word: str) -> list[str]:
        """Every indexed word with `word` inside it (at its start too), found in C: a Python
        loop over a 100k-paper title vocabulary cost ~8 ms a keystroke."""
        if self._joined is None:
            self._joined = "\n" + "\n".join(self.vocabulary) + "\n"
        joined, found = self._joined, []
        at = joined.find(word)
        while at != -1:
            start = joined.rfind("\n", 0, at) + 1
            end = joined.find("\n", at)
            found.append(joined[start:end])
            at = joined.find(word, end)
        return found

    def rows(self, word: str, score: float) -> dict[int, float]:
        """Rows where `text_test` finds `word`, each with `score`."""
        if len(word) < INSIDE_FROM:
            return dict.fromkeys(self.postings.get(word, ()), score)
        # Every matching word's rows in one C-level pass: this runs per keystroke.
        return dict.fromkeys(self.rows_starting(word), score)


def prefix_span(vocabulary: Sequence[str], word: str) -> tuple[int, int]:
    """Where the words beginning with `word` are in a sorted `vocabulary`: `[at, end)`."""
    at = bisect.bisect_left(vocabulary, word)
    if not word:
        return at, len(vocabulary)
    last = ord(word[-1])
    if last == sys.maxunicode:  # no character after it: walk (never so in normalised words)
        end = at
        while end < len(vocabulary) and vocabulary[end].startswith(word):
            end += 1
        return at, end
    # Every word beginning with `word` sorts before `word` with its last letter the next one.
    return at, bisect.bisect_left(vocabulary, word[:-1] + chr(last + 1), at)
