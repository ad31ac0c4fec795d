"""Text from listings, the network and the user: the one sanitiser and the one title normaliser.

Everything on its way into the store goes through `one_line` (titles, names) or keeps its lines
(`clean(..., multiline=True)`: abstracts shown as written, notes); everything on its way to a
terminal or an exported file goes through `clean`.  Whole escape sequences are removed before
single control characters, so `ESC [31m` leaves nothing behind, not `[31m`; bidi overrides go
too, since they reorder what a terminal shows.

Titles are compared in two ways, both defined here: `title_key` (the same paper: case and
spacing aside) and `normalise` (the words a search, related papers and arXiv matching see).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cache

# CSI (7- and 8-bit), then string sequences (OSC, DCS, SOS, PM, APC: 7- and 8-bit, ended by BEL
# or ST; unterminated, the rest goes too, as a terminal would swallow it), then two-byte escapes.
_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-_]"
)
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Every control character except tab and newline."""


def _strip_sequences(text: str) -> str:
    if "\x1b" in text or not text.isascii():
        text = _ESCAPES.sub("", text)
        text = _BIDI.sub("", text)
    return text


def clean(value: object, *, multiline: bool = False) -> str:
    """`value` as a string fit for a terminal: escape sequences and bidi overrides removed.

    Single-line text (table cells, tags, titles) turns the other control characters, tabs and
    newlines included, into spaces; `multiline` keeps tabs and newlines (`\\r\\n` becomes `\\n`)
    and drops the rest.
    """
    text = str(value)
    if printable(text):  # most text: nothing to remove (every control is unprintable)
        return text
    text = _strip_sequences(text)
    if multiline:
        return _CONTROLS_BUT_LINES.sub("", text.replace("\r\n", "\n"))
    return _CONTROLS.sub(" ", text)


_CONTROL_BYTES = bytes([*range(0x20), 0x7F])


def printable(text: str) -> bool:
    """`text.isprintable()`, twice as fast on ASCII text (nearly every title and abstract):
    ASCII is printable but for its control bytes, and deleting them is one C pass where
    `isprintable` looks each character up (5 us a 1.5 kB abstract, 0.5 s of a 100k import)."""
    if text.isascii():
        return printable_ascii(text.encode("ascii"))
    return text.isprintable()


def printable_ascii(data: bytes) -> bool:
    """Whether ASCII `data` has no control byte (`printable` of its text)."""
    return len(data.translate(None, _CONTROL_BYTES)) == len(data)


def one_line(value: object, *, limit: int | None = None) -> str:
    """`value` on one line: cleaned, every run of whitespace one space, no outer spaces, and at
    most `limit` characters.  What the store keeps for titles, names and network strings."""
    text = str(value)
    # Printable text has no whitespace but " " (tabs, newlines and the Unicode spaces are not
    # printable), so without doubled or outer spaces it is clean already: most abstracts are,
    # and splitting them into words only to join them again was a quarter of an import.
    if not (printable(text) and "  " not in text and text[:1] != " " and text[-1:] != " "):
        text = " ".join(_strip_sequences(text).split())
        if not printable(text):  # rare: only then pay for the regular expression
            text = " ".join(_CONTROLS.sub("", text).split())
    return text if limit is None else text[:limit]


def title_key(title: str) -> str:
    """Titles that differ only in case or whitespace name the same paper (ids derive from it)."""
    return one_line(title).casefold()


@cache
def word_break_table() -> Mapping[int, str]:
    """`str.translate`'s table turning each of `word_breaks()` into a space: punctuation and
    symbols (Unicode categories P and S) up to the CJK block, except `+` (`C++`, `PointNet++`
    are words).  Built on first use, not at import: 12k lookups, 4 ms of every start."""
    breaks = {
        code: " "
        for code in (*range(0x21, 0x3040), *range(0xFE30, 0xFF66))
        if unicodedata.category(chr(code))[0] in "PS"
    }
    del breaks[ord("+")]
    return breaks


@cache
def word_breaks() -> frozenset[str]:
    """The characters `normalise` splits words at, besides whitespace."""
    return frozenset(map(chr, word_break_table()))


# Combining marks left by NFKD on accented letters (ü -> u + U+0308). One C-level substitution,
# not a per-character loop: folding runs over every abstract.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def fold(text: str) -> str:
    """Case and diacritics folded, for matching only (never for display): `Ünïcödé` ->
    `unicode`, `naïve` -> `naive`, `ﬁ` -> `fi`."""
    if text.isascii():
        return text.casefold()
    return _MARKS.sub("", unicodedata.normalize("NFKD", text)).casefold()


def normalise(text: str) -> str:
    """Folded (case, accents), punctuation and symbols to spaces, whitespace collapsed: the
    words a title or abstract is matched on.  str.translate rather than a regular expression:
    this runs over every abstract."""
    return " ".join(fold(text).translate(word_break_table()).split())


def fold_each(texts: list[str]) -> list[str]:
    """`fold` of each text, in one call where no text holds a line break (titles never do):
    folding never moves a character across one, and 100k calls cost more than the search."""
    joined = "\n".join(texts)
    folded = fold(joined).split("\n") if joined.count("\n") == len(texts) - 1 else None
    if folded is None or len(folded) != len(texts):
        return list(map(fold, texts))
    return folded
