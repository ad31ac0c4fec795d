"""The catalog as columns, so reading the papers need not decode and type-check one JSON
document per paper.

At 100k papers, reading `catalog.json` cost 1.4 s before a list could show: decoding 42 MB of
documents (0.31 s), checking every value's type (0.43 s) and turning each document into a
`Paper` (0.65 s). The same papers as one JSON array per field (ids, titles, dates, ...) decode in
about a tenth of the time, plus the date order the lists start in; the first rows of that order
come with their titles in a line of their own, so a list's first screen decodes no whole
column. Kept beside the catalog in `catalog-columns.jsonl` (store.files.columns_file): trusted
only for that very catalog file and only when whole; derived and never the only copy of
anything.
"""

from __future__ import annotations

import json
import threading
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice, repeat
from operator import floordiv, itemgetter, methodcaller
from typing import Any

from store.files import fast_json
from store.files.date_order import date_order
from store.id_check import ids_check
from store.memory import paused_gc
from store.models import Paper

VERSION = 3

Signature = tuple[int, int, int]

FIELDS: tuple[str, ...] = tuple(name for name in Paper.__dataclass_fields__ if name != "abstract")
"""Every catalog field of a paper, in `Paper`'s order (the abstract lives in its own file)."""
_TUPLES = frozenset(("links", "github", "sources", "authors", "categories"))
_DEFAULTS: dict[str, Any] = {"added": ""}
_ALL_FIELDS = itemgetter(*FIELDS)
DATE_ORDER = "date_order"
"""Rows in the lists' default order (`date`), computed once when the columns are written."""
WHOLE = ("id", "title", "authors", DATE_ORDER)
"""Columns a one-shot search reads in full, each stored in lines of `PIECE` rows."""
PIECE = 1_000
"""Rows per line of a `WHOLE` column. A line is decoded in one call that holds the interpreter
throughout: 100k titles in one line held it 20-35 ms, and a key typed meanwhile waited as long
(the app decodes them in the background right after its first frame); 5,000 took 1-1.5 ms.
A paper built alone decodes the lines it lies in (`_piece`): the 20 papers `list --query`
prints lay in 20 lines, 20 ms at 5,000 rows a line, 4 ms at 1,000."""


def pieces(count: int) -> int:
    """Lines a `WHOLE` column of `count` rows is stored in (one at least, `[]` if none)."""
    return max(1, -(-count // PIECE))


HEAD = 64
"""Rows first in date order whose `WHOLE` fields are also stored in a line of their own: the
first screen of a list is built from it before any whole column is decoded (60 ms at 100k)."""
HEAD_FIELDS = ("id", "title", "authors")
DETAILS = tuple(name for name in FIELDS if name not in WHOLE)
_DETAIL_AT = {name: at for at, name in enumerate(DETAILS)}
CHUNK = 25
"""Rows per line of the other fields: a command printing 20 papers decodes at most 20 lines,
and a search's first screen while the app still loads 43 (at 250 rows a line, 43 rows spread
over 100k papers took 14 ms to build, at 25 2 ms)."""
PAPERS_SLICE = 1000
"""Papers built between two `between()` calls in `papers` (about 6 ms)."""
DETAILS_SLICE = 8
"""Lines of `CHUNK` rows `decode_details` decodes between two `between()` calls (~0.5 ms)."""


class Columns:
    """One version of the catalog as columns, decoded on first use: the columns a search reads
    (`WHOLE`) one line each, the other fields in lines of `CHUNK` rows, so that building a few
    papers decodes a few short lines."""

    def __init__(
        self,
        sig: Signature | None,
        count: int,
        values: dict[str, list[Any]],
        lines: dict[str, list[memoryview]] | None = None,
        chunks: list[memoryview] | None = None,
        head: list[list[Any]] | None = None,
        ids_check: list[int] | None = None,
    ) -> None:
        self.signature = sig
        """The catalog file these columns were taken from."""
        self.count = count
        self._values = values
        self._lines = lines or {}
        self._chunk_lines = chunks or []
        self._chunks: dict[int, list[list[Any]]] = {}
        self._pieces: dict[tuple[str, int], list[Any]] = {}
        """Lines of `WHOLE` columns decoded alone, for a few papers (`_piece`)."""
        self._wanted: deque[int] = deque()
        """Detail lines a list is about to show rows of (`want`): `decode_details` does them
        first."""
        self._lock = threading.Lock()
        """Held while lines are decoded or dropped."""
        self._building = threading.Lock()
        self._papers: list[Paper] | None = None
        self._by_id: dict[str, Paper] | None = None
        self._head_rows = head[0] if head else None
        """The first `HEAD` rows in date order, as the file has them (with their `WHOLE`
        fields: `_head_values`, at `_head_at[row]`)."""
        self._head_values = dict(zip(HEAD_FIELDS, head[1:], strict=True)) if head else {}
        self._head_at = {row: at for at, row in enumerate(head[0])} if head else {}
        self._ids_check = ids_check

    @classmethod
    def from_docs(cls, sig: Signature | None, docs: Iterable[dict[str, Any]]) -> Columns:
        """Columns of documents already checked (`StoreFile.load` or this program's own)."""
        listed = list(docs)
        try:
            # Documents with every field (this program's own since fields were all written):
            # one C call a document, turned into columns by `zip` (0.2 s at 100k papers, where
            # a dict lookup per field and paper took 0.45 s).
            raw: list[Sequence[Any]] = list(zip(*map(_ALL_FIELDS, listed), strict=True))
        except KeyError:  # an older document lacks a field: looked up one by one, as `get`
            raw = [list(map(methodcaller("get", name), listed)) for name in FIELDS]
        values: dict[str, list[Any]] = {}
        for name, column in zip(FIELDS, raw or [()] * len(FIELDS), strict=True):
            default = _DEFAULTS.get(name)
            # Documents this program wrote have no None here (one C pass says so): converted in C.
            if name in _TUPLES and None not in column:
                values[name] = list(map(tuple, column))
            elif name in _TUPLES:
                values[name] = [tuple(v) if v else () for v in column]
            elif default is not None and None in column:
                values[name] = [default if v is None else v for v in column]
            else:
                values[name] = list(column)
        values[DATE_ORDER] = date_order(values)
        return cls(sig, len(listed), values)

    def column(self, name: str) -> list[Any]:
        """The column `name` (a field of `FIELDS` or `DATE_ORDER`), one value per row."""
        found = self._values.get(name)
        if found is None:
            with self._lock:  # two threads asking at once decode it once
                found = self._values.get(name)
                if found is None:
                    found = self._values[name] = self._decode_column(name)
        return found

    def _decode_column(self, name: str) -> list[Any]:
        if self._papers is not None and name in DETAILS:
            return [getattr(paper, name) for paper in self._papers]
        if name in self._lines:
            return _decode(name, self._lines.pop(name))
        at = _DETAIL_AT[name]
        parts = [self._chunk(n)[at] for n in range(len(self._chunk_lines))]
        return list(chain.from_iterable(parts))

    def _piece(self, name: str, number: int) -> list[Any]:
        """Line `number` of the `WHOLE` column `name` (`PIECE` rows), decoded once: a paper
        built for a command's 20 rows decodes the lines they lie in, not the column (the
        titles of 100k papers took 15-20 ms)."""
        found = self._pieces.get((name, number))
        if found is None:
            found = _decode(name, self._lines[name][number : number + 1])
            self._pieces[name, number] = found
        return found

    def _chunk(self, number: int) -> list[list[Any]]:
        found = self._chunks.get(number)
        if found is None:
            fields = json.loads(bytes(self._chunk_lines[number]))
            found = [
                list(map(tuple, values)) if name in _TUPLES else values
                for name, values in zip(DETAILS, fields, strict=True)
            ]
            self._chunks[number] = found
        return found

    @property
    def ids(self) -> list[str]:
        return self.column("id")

    def id_at(self, row: int) -> str:
        """One row's id, without decoding the column (from the line it lies in)."""
        ids = self._values.get("id")
        if ids is not None:
            return str(ids[row])
        with self._lock:
            if "id" in self._lines:
                return str(self._piece("id", row // PIECE)[row % PIECE])
        return str(self.ids[row])

    def ids_check(self) -> list[int] | None:
        """`store.id_check.ids_check` of the ids: a saved index of rows numbered alike
        has the same (the file's header has it: comparing decodes no id)."""
        if self._ids_check is None:
            self._ids_check = ids_check("\n".join(self.ids).encode(), self.count)
        return self._ids_check

    @property
    def titles(self) -> list[str]:
        return self.column("title")

    def papers(self, between: Callable[[], None] | None = None) -> list[Paper]:
        """Every paper in catalog order (built once: 0.2-0.3 s at 100k papers). `between`:
        called between slices of the work (a load in the background lets the reader's keys
        go first: at 100k the columns' lines take 0.2 s to decode, the papers 0.6 s to build)."""
        with self._building:
            if self._papers is None:
                pause = between or (lambda: None)
                # Column by column, then one `Paper` per row in C's loop: no per-document
                # lookups (and no lock held meanwhile: `paper` serves a screen's rows).
                for number in range(len(self._chunk_lines)):
                    with self._lock:
                        self._chunk(number)
                    if number % 20 == 19:
                        pause()
                columns = []
                for name in FIELDS:  # a column joined from its chunks: ~2 ms at 100k papers
                    columns.append(self.column(name))
                    pause()
                self.column(DATE_ORDER)
                columns.insert(2, [""] * self.count)  # the abstract, read from its own file
                pause()
                made = map(Paper, *columns)
                papers: list[Paper] = []
                for _ in range(0, self.count, PAPERS_SLICE):
                    papers.extend(islice(made, PAPERS_SLICE))
                    pause()
                with self._lock:
                    self._papers = papers
                    # Every value is in the papers now: the file's buffer and the columns no
                    # search reads can go (a column asked for again is taken from the papers).
                    self._chunks.clear()
                    self._chunk_lines, self._lines, self._pieces = [], {}, {}
                    for name in DETAILS:
                        self._values.pop(name, None)
        return self._papers

    def decode_whole(self, between: Callable[[], None]) -> None:
        """Decode the `WHOLE` columns now, calling `between()` before each line (`PIECE` rows):
        a reader's keys typed meanwhile wait for one line at most. No lock is held while
        waiting: a column another thread asks for meanwhile is decoded there (at most twice)."""
        for name in (DATE_ORDER, "id", "title", "authors"):  # what a first key needs first
            lines = self._lines.get(name)
            if lines is None or name in self._values:
                continue
            value = _decode(name, lines, between)
            with self._lock:
                if name not in self._values:
                    self._values[name] = value
                    self._lines.pop(name, None)

    def decode_details(self, between: Callable[[], None]) -> None:
        """Decode the lines of the fields other than `WHOLE`'s now, calling `between()` before
        each few: a paper built afterwards for a list's row (`paper`) finds its values decoded
        (its line alone cost 50-100 us, on the UI thread, in the frame of a key's results).
        The lines a list is about to show (`want`) come first, then those of the newest papers:
        lists show them first (`s` at 100k papers, its first screen within the newest hundred)."""
        order = self._values.get(DATE_ORDER)
        numbers = range(len(self._chunk_lines))  # none: the columns came whole (an import)
        newest = numbers if order is None or not numbers else _first_needed(order, len(numbers))
        lines = iter(newest)
        wanted, chunks, done = self._wanted, self._chunks, 0

        def next_line() -> int | None:
            """A wanted line first, else the newest papers' next; none decoded already."""
            while (number := wanted.popleft() if wanted else next(lines, None)) is not None:
                if number not in chunks:
                    return number
            return None

        while True:
            if done % DETAILS_SLICE == 0:
                between()
            number = next_line()
            if number is None:
                return
            with self._lock:
                if self._papers is not None:  # built meanwhile: the lines are gone
                    return
                self._chunk(number)
            done += 1

    def want(self, rows: Iterable[int]) -> None:
        """Rows a list is about to show (the next screens of a search's results, which the
        next keys' narrower results mostly come from): `decode_details`, if it is still under
        way, decodes their lines next, between keys.  At 100k papers a key's new rows were
        built from lines not yet decoded: 3 ms of a frame."""
        if self._papers is None and self._chunk_lines:
            chunks = self._chunks
            lines = dict.fromkeys(map(floordiv, rows, repeat(CHUNK)))  # in the rows' order
            self._wanted.extend(n for n in lines if n not in chunks)

    def by_id(self) -> dict[str, Paper]:
        """Every paper by id, in catalog order (`Library.papers`)."""
        if self._by_id is None:
            with paused_gc():  # a hundred thousand new objects, none of them garbage
                self._by_id = dict(zip(self.ids, self.papers(), strict=True))
        return self._by_id

    def paper(self, row: int) -> Paper:
        """One paper, without building the others (from any thread)."""
        papers = self._papers
        if papers is not None:
            return papers[row]
        with self._lock:  # never while `papers` drops the lines read here
            if self._papers is not None:
                return self._papers[row]
            values, at = self._values, row % CHUNK
            chunk: list[list[Any]] | None = None
            found: dict[str, Any] = {}
            head = self._head_at.get(row)
            for name in FIELDS:
                column = values.get(name)
                if column is None and head is not None and name in self._head_values:
                    found[name] = self._head_values[name][head]
                    continue
                if column is None and name in self._lines:  # a `WHOLE` column not decoded
                    found[name] = self._piece(name, row // PIECE)[row % PIECE]
                    continue
                if column is None and name in WHOLE:
                    column = values[name] = self._decode_column(name)
                if column is not None:
                    found[name] = column[row]
                else:
                    if chunk is None:
                        chunk = self._chunk(row // CHUNK)
                    found[name] = chunk[_DETAIL_AT[name]][at]
        return Paper(**found)

    def head_order(self) -> list[int]:
        """The first rows in date order, known before the date order is decoded."""
        if self._head_rows is not None:
            return self._head_rows
        return self.column(DATE_ORDER)[:HEAD]

    def encode(self) -> bytes:
        return self.framed(self.lines())

    def lines(self) -> list[bytes]:
        """The column lines of the file: all of it but the header, which alone names the
        catalog's signature."""
        lines = [
            fast_json.dumps(values[start : start + PIECE])
            for values in map(self.column, WHOLE)
            for start in range(0, pieces(self.count) * PIECE, PIECE)
        ]
        first = self.column(DATE_ORDER)[:HEAD]
        fields = [self.column(name) for name in HEAD_FIELDS]
        lines.append(
            fast_json.dumps([first, *([values[row] for row in first] for values in fields)])
        )
        details = [self.column(name) for name in DETAILS]
        for start in range(0, self.count, CHUNK):
            lines.append(fast_json.dumps([values[start : start + CHUNK] for values in details]))
        return lines

    def framed(self, lines: list[bytes]) -> bytes:
        """The file: a header naming `signature` and checking each of `lines`, then them."""
        header = {
            "version": VERSION,
            "catalog": list(self.signature or ()),
            "count": self.count,
            "columns": list(WHOLE),
            "details": list(DETAILS),
            "chunk": CHUNK,
            "piece": PIECE,
            "ids_check": self.ids_check(),
            "sizes": [len(line) for line in lines],
            "crc": [zlib.crc32(line) for line in lines],
        }
        return b"\n".join([fast_json.dumps(header), *lines]) + b"\n"


def _first_needed(order: list[int], lines: int) -> Iterator[int]:
    """The detail lines (`CHUNK` rows each) in the order the rows of `order` need them, each
    once: found a slice of rows at a time, never holding the interpreter for long (the whole
    order at once took 12 ms at 100k papers)."""
    seen: set[int] = set()
    for start in range(0, len(order), PIECE):
        for number in map(floordiv, order[start : start + PIECE], repeat(CHUNK)):
            if number not in seen:
                seen.add(number)
                yield number
        if len(seen) == lines:  # every line found, before the end of the order
            return


def _decode(
    name: str, lines: list[memoryview], between: Callable[[], None] | None = None
) -> list[Any]:
    value: list[Any] = []
    tuples = name in _TUPLES
    for line in lines:  # the interpreter is free between two (see `PIECE`)
        if between is not None:
            between()
        piece = json.loads(bytes(line))
        value.extend(map(tuple, piece) if tuples else piece)  # a line at a time, tuples too
    return value
