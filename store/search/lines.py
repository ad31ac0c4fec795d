"""One word looked for in every title (or author list) at once, in C.

A one-shot search (the CLI, the app before its title index exists) used to normalise each
title containing the word to see whether the word is a whole title word, starts one, or is
inside one: 85k titles for `s` at 100k papers, half a second a keystroke. The same answers
come from the folded texts with their separators (whitespace and `store.text.word_breaks()`,
exactly the characters `normalise` splits at) made spaces, each text framed by spaces on a
line of its own: a (normalised) word starts a word of the text where a space precedes it, and
is a whole word where a space follows it too. Regular expressions find the lines; the end of
each match (every match runs to its line's end) names the row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from itertools import accumulate, count

from store.search.words import separators  # every separator to a space (as `normalise`)


def separates(word: str) -> bool:
    """Whether `word` holds a character `normalise` splits words at (never a normalised word)."""
    return " " in word or word.translate(separators()) != word  # the table keeps spaces


@cache
def _ascii_to_space() -> bytes:
    """The ASCII separators but the line break to spaces, byte by byte: one C pass over the
    UTF-8 of every text (no multibyte character has a byte below 128)."""
    table = separators()
    return bytes(32 if code < 128 and code != 10 and code in table else code for code in range(256))


CLASSIFY_EACH = 200
"""Characters of text per line with the word, below which passes of C over all the text (two
or three, ~1.5 ns a character each) beat looking at each such line in Python (~0.7 µs)."""
FEW_LINES = 256
"""Lines seen before their rate decides (a word may be rare early in the text)."""


class JoinedLines:
    """Texts as one string of lines ` text \\n`, separators made spaces; rows found by word."""

    def __init__(self, text: str, lengths: Sequence[int]) -> None:
        self.text = text
        # Line i ends (before its line break, or at the end) where its match ends; built in C.
        ends = accumulate(map((3).__add__, lengths), initial=-1)
        next(ends)
        self.row_at = dict(zip(ends, count()))

    @classmethod
    def of_folded(cls, texts: Sequence[str]) -> JoinedLines | None:
        """Folded texts (`store.text.fold`); None where one holds a line break."""
        text = " " + " \n ".join(texts) + " "
        if text.count("\n") != max(len(texts) - 1, 0):
            return None
        if not text.isascii():  # rare: translate only texts with a non-ASCII character
            table = separators()
            mapped = [t if t.isascii() else t.translate(table) for t in texts]
            text = " " + " \n ".join(mapped) + " "
        text = text.encode().translate(_ascii_to_space()).decode()
        return cls(text, list(map(len, texts)))

    @classmethod
    def of_normalised(cls, texts: Sequence[str]) -> JoinedLines:
        """Texts made by `normalise` (words split by single spaces already)."""
        return cls(" " + " \n ".join(texts) + " ", list(map(len, texts)))

    def scores(
        self, word: str, whole: float, start: float, inside: float | None
    ) -> dict[int, float]:
        """Each row whose text has `word` as a whole word (score `whole`), at the start of a
        word (`start`), or, given `inside`, anywhere in a word: row order, as a scan of each
        row would make it. `word` must hold no separator."""
        found = self._classified(word, whole, start, inside)
        if found is not None:
            return found
        # Too many lines to see each: one pass of C per kind of hit, the best kind last.
        widest = self.rows(word, whole=False) if inside is None else self._rows(word, "", "")
        found = dict.fromkeys(widest, start if inside is None else inside)
        if inside is not None:
            found.update(dict.fromkeys(self.rows(word, whole=False), start))
        found.update(dict.fromkeys(self.rows(word, whole=True), whole))
        return found

    def rows(self, word: str, *, whole: bool) -> list[int]:
        """Rows with a word equal to `word` (`whole`) or else beginning with it, in order."""
        return self._rows(word, " ", " " if whole else "")

    def _classified(
        self, word: str, whole: float, start: float, inside: float | None
    ) -> dict[int, float] | None:
        """`scores` line by line from `str.find` (fast on a rare word); None once lines with
        the word come so often that passes of C over all the text cost less."""
        text, row_at, find, size = self.text, self.row_at, self.text.find, len(self.text)
        bounded, starting = f" {word} ", f" {word}"
        # Every hit of `word` in a line lies after the line's first hit (or first word start,
        # which takes its space along): the rest of the line, from just before it, tells all.
        needle, lead = (word, 1) if inside is not None else (starting, 0)
        found: dict[int, float] = {}
        at = find(needle)
        while at != -1:
            end = find("\n", at)
            if end == -1:
                end = size
            rest = text[at - lead : end]
            if bounded in rest:
                found[row_at[end]] = whole
            elif starting in rest:
                found[row_at[end]] = start
            elif inside is not None:
                found[row_at[end]] = inside
            if (lines := len(found)) >= FEW_LINES and lines * CLASSIFY_EACH > end:
                return None
            at = find(needle, end)
        return found

    @staticmethod
    def _pattern(word: str, before: str, after: str) -> re.Pattern[str]:
        # The word first, so the engine looks for it as a literal; then what precedes it.
        escaped = re.escape(word)
        behind = f"(?<={re.escape(before)}{escaped})" if before else ""
        return re.compile(f"{escaped}{behind}{re.escape(after)}[^\n]*")

    def _rows(self, word: str, before: str, after: str) -> list[int]:
        matches = self._pattern(word, before, after).finditer(self.text)
        return list(map(self.row_at.__getitem__, map(re.Match.end, matches)))
