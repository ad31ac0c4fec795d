"""What a word is for search, and when a text contains one: shared by every search path.

Matching folds case and diacritics (`naive` finds "naïve", `unicode` finds "Ünïcödé"); display
never does. A word matches a text where one of the text's words begins with it; a word under
`INSIDE_FROM` letters (`KV`, `RL`, `3D`) only where a whole word equals it, or every `a` would
match every abstract. The one-shot CLI scan, the app before its abstract index exists, the forked
abstract scan and the word indexes all apply these same tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

INSIDE_FROM = 3
"""Shorter words match whole words only in abstracts and authors, and never inside title words."""

_PUNCTUATION = str.maketrans(
    dict.fromkeys(
        "!\"#$%&'()*,-./:;<=>?@[\\]^_`{|}~\u2010\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00b7\u2022",
        " ",
    )
)
_SPLITS_AT = frozenset(map(chr, _PUNCTUATION))
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character `str.isspace` accepts (a test checks the list is complete)."""
_SEPARATORS = str.maketrans(dict.fromkeys([*map(chr, _PUNCTUATION), *WHITESPACE], " "))
"""Every character that ends a word, to one space: whole words become findable in C."""

# Combining marks left by NFKD on accented letters (ü -> u + U+0308). One C-level substitution,
# not a per-character loop: folding runs over every abstract.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Case and diacritics folded, for matching only: `Ünïcödé` -> `unicode`, `ﬁ` -> `fi`."""
    if text.isascii():
        return text.casefold()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


def normalise(text: str) -> str:
    """Folded, punctuation to spaces, whitespace collapsed: what words are matched on.

    str.translate rather than a regular expression: this runs over every abstract."""
    return " ".join(fold(text).translate(_PUNCTUATION).split())


def _is_start(text: str, at: int) -> bool:
    return at == 0 or (before := text[at - 1]).isspace() or before in _SPLITS_AT


def word_start_test(word: str) -> Callable[[str], bool]:
    """Whether a folded text has a word beginning with `word`, words split where `normalise`
    splits them: what the word indexes find by prefix, tested on the raw text."""

    def starts(text: str) -> bool:
        at = text.find(word)
        while at != -1:  # almost always once: the first occurrence starts a word
            if _is_start(text, at):
                return True
            at = text.find(word, at + 1)
        return False

    return starts


def whole_word_test(word: str, *, normalised: bool = False) -> Callable[[str], bool]:
    """Whether a folded text (or a `normalised` one) has `word` as a whole word, split where
    `normalise` splits. Short words occur hundreds of times in an abstract (`t`, `at`): one
    C-level translation and substring test beats visiting every occurrence."""
    inner, head, tail = f" {word} ", f"{word} ", f" {word}"

    def whole(text: str) -> bool:
        if not normalised:
            text = text.translate(_SEPARATORS)
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
