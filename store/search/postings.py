"""Which papers' abstracts (or titles) have which words: an inverted index written once, read
back fast.

Building it means normalising every abstract (seconds at 100k papers), so it is built in a
process of its own (`store.indexer`) and saved beside the store; a later start reads it in
milliseconds instead of holding the interpreter for seconds. It answers exactly what
`store.search.words.text_test` answers on an abstract: the papers with a word beginning with a
query word (a whole word for short ones). The titles' index (store.files.title_index) is the same
structure, built by `build` from (id, title) pairs, answering through `SavedWordIndex`.

In memory and on disk it is four flat parts: the paper ids (a row each), the sorted vocabulary,
and for each word a run of rows in one array of 32-bit integers (`offsets[k]:offsets[k + 1]`).
No Python object per posting: 12 million postings at 100k papers take 48 MB, not 400.
"""

from __future__ import annotations

import array
import bisect
import json
import mmap
import sys
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from typing import Any

from store.id_check import ids_check
from store.search.row_flags import RowFlags
from store.search.row_postings import RowPostings
from store.search.words import INSIDE_FROM, WordIndex, prefix_span
from store.text import fold, word_break_table

MAGIC = b"paperdeck-abstract-words\n"
FORMAT = 1
Progress = Callable[[int], None]
"""Told how many abstracts are indexed so far, now and then."""


class Postings:
    """Rows (positions in `ids`) by word."""

    def __init__(
        self,
        ids: list[str] | bytes,
        vocabulary: list[str],
        offsets: Sequence[int],
        rows: Sequence[int],
        flags: Mapping[str, bytes | memoryview] | None = None,
        *,
        count: int | None = None,
        check: list[int] | None = None,
    ) -> None:
        """`ids`: each row's paper id, or (read from a file) `count` of them as UTF-8 lines,
        decoded when first asked for; `check`: their `ids_check`, if known."""
        self._ids = ids if isinstance(ids, list) else None
        self._ids_block = ids if isinstance(ids, bytes) else b""
        self.count = len(ids) if isinstance(ids, list) else count or 0
        self.check = check
        self.vocabulary = vocabulary
        self._offsets = offsets
        self._rows = rows
        self.flags: Mapping[str, bytes | memoryview] = flags or {}
        """For a letter that begins words in many rows (`with_letter_flags`): a byte per row,
        1 where a word of the row begins with it."""

    def __len__(self) -> int:
        return self.count

    @property
    def ids(self) -> list[str]:
        """Each row's paper id (a search compares its rows' by `check` first: at 100k papers
        decoding them took 7 ms of a one-shot search, for each saved index it read)."""
        if self._ids is None:
            self._ids = self._ids_block.decode().split("\n") if self.count else []
            self._ids_block = b""
        return self._ids

    def last_id(self) -> str | None:
        """The id of the last row, without decoding the others."""
        if self._ids is not None or not self.count:
            return self._ids[-1] if self._ids else None
        block = self._ids_block
        return block[block.rfind(b"\n") + 1 :].decode()

    def matching(self, word: str) -> Sequence[int]:
        """The rows of every word `text_test` accepts for `word`, in one run (the words are
        adjacent in the vocabulary: a short word alone, a longer one with those it begins; a
        row once per word)."""
        return self.run(*self.span(word))

    def starting(self, word: str) -> Sequence[int]:
        """The rows of every word beginning with `word`, in one run: the words are adjacent in
        the vocabulary, so are their runs (a row once per word)."""
        return self.run(*prefix_span(self.vocabulary, word))

    def span(self, word: str) -> tuple[int, int]:
        """Where the words `matching(word)` takes are in the vocabulary: `[at, end)`."""
        vocabulary = self.vocabulary
        if len(word) >= INSIDE_FROM:
            return prefix_span(vocabulary, word)
        at = bisect.bisect_left(vocabulary, word)
        found = at < len(vocabulary) and vocabulary[at] == word
        return at, at + 1 if found else at

    @property
    def offsets(self) -> Sequence[int]:
        """Where each word's run begins in the rows (and, last, where the rows end)."""
        return self._offsets

    def rows(self, word: str) -> set[int]:
        return set(self.matching(word))  # per-row work in C: this runs per keystroke

    def ids_with(self, word: str) -> set[str]:
        ids = self.ids
        return {ids[row] for row in self.rows(word)}

    def translated(self, rows_of: Mapping[str, int] | None) -> RowPostings:
        """The same index answering in another numbering of the papers (a view's rows; None:
        the same numbering, as the caller made sure)."""
        return RowPostings(self, rows_of)

    def run(self, k: int, end: int | None = None) -> Sequence[int]:
        """The rows of the `k`th word of the vocabulary (of the words `k:end`, end to end)."""
        return self._rows[self._offsets[k] : self._offsets[k + 1 if end is None else end]]


class _Runs(Mapping[str, Sequence[int]]):
    """A `Postings`' rows by word, as `WordIndex.postings` holds them (no list made)."""

    def __init__(self, postings: Postings) -> None:
        self._postings = postings

    def __getitem__(self, word: str) -> Sequence[int]:
        vocabulary = self._postings.vocabulary
        at = bisect.bisect_left(vocabulary, word)
        if at == len(vocabulary) or vocabulary[at] != word:
            raise KeyError(word)
        return self._postings.run(at)

    def __iter__(self) -> Iterator[str]:
        return iter(self._postings.vocabulary)

    def __len__(self) -> int:
        return len(self._postings.vocabulary)


class SavedWordIndex(WordIndex):
    """A `WordIndex` read from a saved `Postings` of whole texts (`store.files.title_index`):
    the same answers, its rows the saved index's, without a list per word."""

    def __init__(self, postings: Postings) -> None:
        self.saved = postings
        self.vocabulary = postings.vocabulary
        self.postings = _Runs(postings)
        self._letters: dict[str, RowFlags] = {}

    def starting(self, word: str) -> dict[str, Sequence[int]]:
        vocabulary, run = self.vocabulary, self.saved.run
        return {vocabulary[k]: run(k) for k in range(*prefix_span(vocabulary, word))}

    def rows_starting(self, word: str) -> Sequence[int]:
        return self.saved.starting(word)  # one slice of the saved rows (`s`: 2k words, 60k rows)

    def letter_flags(self, word: str) -> RowFlags | None:
        found = self._letters.get(word)
        if found is None and (data := self.saved.flags.get(word)) is not None:
            found = self._letters[word] = RowFlags(bytes(data))
        return found


def build(
    texts: Iterable[tuple[str, str]], progress: Progress | None = None, *, every: int = 5000
) -> Postings:
    """The index of (id, abstract) pairs, in their order, telling `progress` after `every` more
    (call with the collector paused: it makes a list per word)."""
    index: defaultdict[str, list[int]] = defaultdict(list)
    ids: list[str] = []
    rows_of = index.__getitem__
    append = list.append
    for row, (pid, text) in enumerate(texts):
        ids.append(pid)
        # `normalise(text).split()`, without joining the words only to split them again; and
        # every posting appended in C (a Python loop over 17M postings at 100k papers: 2x slower).
        words = set(fold(text).translate(word_break_table()).split())
        deque(map(append, map(rows_of, words), repeat(row)), maxlen=0)
        if progress is not None and (row + 1) % every == 0:
            progress(row + 1)
    vocabulary = sorted(index)
    offsets = array.array("I", [0])
    rows = array.array("I")
    for word in vocabulary:
        rows.extend(index.pop(word))  # freed as it goes: the peak is about one copy, not two
        offsets.append(len(rows))
    return Postings(ids, vocabulary, offsets, rows)


LETTER_FLAGS_FROM = 16
"""A letter gets flags when it begins words in a 16th of the rows or more (6k at 100k
papers): fewer rows make a dict in about a millisecond."""


def with_letter_flags(postings: Postings) -> Postings:
    """`postings` with `flags` for the letters that begin words in many rows (the titles'
    index: a query's first key is one letter)."""
    size, vocabulary = len(postings.ids), postings.vocabulary
    flags: dict[str, bytes] = {}
    for letter in sorted({word[0] for word in vocabulary if word}):
        run = postings.starting(letter)
        if len(run) * LETTER_FLAGS_FROM < size:  # a row once per word: fewer rows still
            continue
        found = RowFlags.of(run, size)
        if len(found) * LETTER_FLAGS_FROM >= size:
            flags[letter] = bytes(found.data)
    return Postings(
        postings.ids, vocabulary, postings._offsets, postings._rows, flags, check=postings.check
    )


def encode(postings: Postings, key: Mapping[str, Any]) -> bytes:
    """The index as bytes, with `key` (what it was built from) and a checksum."""
    if any("\n" in pid for pid in postings.ids):
        raise ValueError("a paper id holds a line break")
    ids = "\n".join(postings.ids).encode()
    words = "\n".join(postings.vocabulary).encode()
    offsets = array.array("I", postings._offsets).tobytes()
    rows = array.array("I", postings._rows).tobytes()
    letters = "".join(postings.flags)
    body = b"".join((ids, words, offsets, rows, *map(bytes, postings.flags.values())))
    header = {
        "format": FORMAT,
        "byteorder": sys.byteorder,
        "key": dict(key),
        "ids_check": ids_check(ids, len(postings.ids)),
        "papers": len(postings.ids),
        "ids_bytes": len(ids),
        "words": len(postings.vocabulary),
        "words_bytes": len(words),
        "postings": len(rows) // 4,
        "letters": letters,
        "crc32": zlib.crc32(body),
    }
    return MAGIC + json.dumps(header, separators=(",", ":")).encode() + b"\n" + body


def read_key(data: bytes | mmap.mmap) -> dict[str, Any] | None:
    """What the index in `data` was built from, or None if it is not one we can read."""
    header = _header(data)
    return None if header is None else header[0]["key"]


def _header(data: bytes | mmap.mmap) -> tuple[dict[str, Any], int] | None:
    if data[: len(MAGIC)] != MAGIC:
        return None
    end = data.find(b"\n", len(MAGIC))
    try:
        header = json.loads(data[len(MAGIC) : end])
    except (ValueError, RecursionError):
        return None
    if (
        end < 0
        or not isinstance(header, dict)
        or header.get("format") != FORMAT
        or header.get("byteorder") != sys.byteorder
        or not isinstance(header.get("key"), dict)
    ):
        return None
    return header, end + 1


def decode(data: bytes | mmap.mmap) -> tuple[dict[str, Any], Postings] | None:
    """(key, index) from `encode`'s bytes (or the file mapped: the index's rows, its largest
    part, are then read from the mapping), or None if they are damaged or of another format."""
    found = _header(data)
    if found is None:
        return None
    header, start = found
    try:
        papers, words = int(header["papers"]), int(header["words"])
        ids_end = start + int(header["ids_bytes"])
        words_end = ids_end + int(header["words_bytes"])
        offsets_end = words_end + 4 * (words + 1)
        rows_end = offsets_end + 4 * int(header["postings"])
        letters = header.get("letters", "")  # an index saved before flags has none
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(letters, str):
        return None
    view = memoryview(data)
    flags_end = rows_end + papers * len(letters)
    if flags_end != len(data) or zlib.crc32(view[start:]) != header.get("crc32"):
        return None
    ids = data[start:ids_end]
    vocabulary = data[ids_end:words_end].decode().split("\n") if words else []
    check = header.get("ids_check")  # an index saved before it has none: ids compared
    if check is not None and check != ids_check(ids, papers):
        return None
    offsets = view[words_end:offsets_end].cast("I")
    rows = view[offsets_end:rows_end].cast("I")
    lines = ids.count(b"\n") + 1 if papers else 0
    if lines != papers or len(vocabulary) != words or offsets[-1] != len(rows):
        return None
    try:
        ids.decode()  # checked here, split only if asked for
    except UnicodeDecodeError:
        return None
    flags = {
        letter: view[rows_end + papers * at : rows_end + papers * (at + 1)]
        for at, letter in enumerate(letters)
    }
    return header["key"], Postings(ids, vocabulary, offsets, rows, flags, count=papers, check=check)
