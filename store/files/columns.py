"""The catalog as columns in a file beside it, so reading the papers need not decode and
type-check one JSON document per paper.

At 100k papers, reading `catalog.json` cost 1.4 s before a list could show: decoding 42 MB of
documents (0.31 s), checking every value's type (0.43 s) and turning each document into a
`Paper` (0.65 s). `catalog-columns.jsonl` holds the same papers as one JSON array per field
(ids, titles, dates, ...), which decode in about a tenth of the time, plus the date order the
lists start in. Its first line records the catalog signature (inode, mtime, size) the columns
were taken from and a CRC of every column line: the file is trusted only for that very catalog
file, which this program wrote or read and checked itself, and only when whole. It is derived
and never the only copy of anything: written at import, rebuilt from the catalog (read and
checked as before) whenever it is missing, damaged or taken from another version of the catalog
(another process's import, an edit by hand); a read-only data directory just goes without it.
"""

from __future__ import annotations

import contextlib
import json
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain, islice
from operator import methodcaller
from typing import Any

from store.atomic import write_atomic
from store.errors import StoreWriteError
from store.files.documents import PAPERS_TABLE, table_docs
from store.files.storage import StoreFile, signature
from store.memory import paused_gc
from store.models import Paper

COLUMNS_FILE = "catalog-columns.jsonl"
VERSION = 1

Signature = tuple[int, int, int]

FIELDS: tuple[str, ...] = tuple(name for name in Paper.__dataclass_fields__ if name != "abstract")
"""Every catalog field of a paper, in `Paper`'s order (the abstract lives in its own file)."""
_TUPLES = frozenset(("links", "github", "sources", "authors", "categories"))
_DEFAULTS: dict[str, Any] = {"added": ""}
DATE_ORDER = "date_order"
"""Rows in the lists' default order (`date`), computed once when the columns are written."""
WHOLE = ("id", "title", "authors", DATE_ORDER)
"""Columns a one-shot search reads in full, each stored as one line."""
DETAILS = tuple(name for name in FIELDS if name not in WHOLE)
_DETAIL_AT = {name: at for at, name in enumerate(DETAILS)}
CHUNK = 25
"""Rows per line of the other fields: a command printing 20 papers decodes at most 20 lines,
and a search's first screen while the app still loads 43 (at 250 rows a line, 43 rows spread
over 100k papers took 14 ms to build, at 25 2 ms)."""
PAPERS_SLICE = 1000
"""Papers built between two `between()` calls in `papers` (about 6 ms)."""


def date_order(values: dict[str, list[Any]]) -> list[int]:
    """Row numbers in `date` sort order, exactly as `store.search.language.SORT_KEYS` orders
    them: (newest first, unknown dates last; most upvoted; title; id), done as one stable sort
    per part from the last to the first, each keyed by a list (a key function called per row
    took half a second of a 100k import)."""
    ids, titles = values["id"], values["title"]
    order = sorted(range(len(ids)), key=ids.__getitem__)
    folded = list(map(str.casefold, titles))
    order.sort(key=folded.__getitem__)
    votes = [-(u or -1) for u in values["upvotes"]]
    order.sort(key=votes.__getitem__)
    unknown = float("inf")
    newest = [-int(p.replace("-", "")) if p else unknown for p in values["published"]]
    order.sort(key=newest.__getitem__)
    return order


class Columns:
    """One version of the catalog as columns, decoded on first use: the columns a search reads
    (`WHOLE`) one line each, the other fields in lines of `CHUNK` rows, so that building a few
    papers decodes a few short lines."""

    def __init__(
        self,
        sig: Signature | None,
        count: int,
        values: dict[str, list[Any]],
        lines: dict[str, memoryview] | None = None,
        chunks: list[memoryview] | None = None,
    ) -> None:
        self.signature = sig
        """The catalog file these columns were taken from."""
        self.count = count
        self._values = values
        self._lines = lines or {}
        self._chunk_lines = chunks or []
        self._chunks: dict[int, list[list[Any]]] = {}
        self._lock = threading.Lock()
        """Held while lines are decoded or dropped."""
        self._building = threading.Lock()
        self._papers: list[Paper] | None = None
        self._by_id: dict[str, Paper] | None = None

    @classmethod
    def from_docs(cls, sig: Signature | None, docs: Iterable[dict[str, Any]]) -> Columns:
        """Columns of documents already checked (`StoreFile.load` or this program's own)."""
        listed = list(docs)
        values: dict[str, list[Any]] = {}
        for name in FIELDS:
            default = _DEFAULTS.get(name)
            column = list(map(methodcaller("get", name), listed))  # in C: 20 fields x 100k
            if name in _TUPLES:
                column = [tuple(v) if v else () for v in column]
            elif default is not None:
                column = [default if v is None else v for v in column]
            values[name] = column
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
                    self._chunk_lines, self._lines = [], {}
                    for name in DETAILS:
                        self._values.pop(name, None)
        return self._papers

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
            for name in FIELDS:
                column = values.get(name)
                if column is None and name in WHOLE:
                    column = values[name] = self._decode_column(name)
                if column is not None:
                    found[name] = column[row]
                else:
                    if chunk is None:
                        chunk = self._chunk(row // CHUNK)
                    found[name] = chunk[_DETAIL_AT[name]][at]
        return Paper(**found)

    def encode(self) -> bytes:
        return self.framed(self.lines())

    def lines(self) -> list[bytes]:
        """The column lines of the file: all of it but the header, which alone names the
        catalog's signature."""
        lines = [_line(self.column(name)) for name in WHOLE]
        details = [self.column(name) for name in DETAILS]
        for start in range(0, self.count, CHUNK):
            lines.append(_line([values[start : start + CHUNK] for values in details]))
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
            "sizes": [len(line) for line in lines],
            "crc": [zlib.crc32(line) for line in lines],
        }
        return b"\n".join([_line(header), *lines]) + b"\n"


def _line(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("ascii")


@dataclass
class PreparedColumns:
    """Columns of a catalog about to be written, encoded but for the header: the catalog's
    signature is known only once it is written (`CatalogColumns.prepare`)."""

    columns: Columns
    lines: list[bytes]


def _decode(name: str, line: memoryview) -> list[Any]:
    value = json.loads(bytes(line))
    if name in _TUPLES:
        return list(map(tuple, value))
    return value


class CatalogColumns:
    """`get()`: the catalog's columns, from `catalog-columns.jsonl` while it matches the
    catalog, else from the catalog itself (read and checked), then written back."""

    def __init__(self, catalog: StoreFile) -> None:
        self.catalog = catalog
        self.path = catalog.path.parent / COLUMNS_FILE
        self._cached: Columns | None = None

    def current(self) -> Columns | None:
        """The columns already read, if the catalog is unchanged since; never reads a file."""
        cached = self._cached
        sig = signature(self.catalog.path)
        if cached is not None and sig is not None and cached.signature == sig:
            return cached
        return None

    def get(self) -> Columns:
        sig = signature(self.catalog.path)
        cached = self._cached
        if cached is not None and sig is not None and cached.signature == sig:
            return cached
        columns = self._load(sig) if sig is not None else None
        if columns is None:
            content = self.catalog.load()  # checked: a problem is reported as before
            columns = Columns.from_docs(sig, table_docs(content, PAPERS_TABLE))
            # The catalog may have changed while it was read: keep the columns only under the
            # signature they were read with, and trust the file next time only if it still is.
            if sig is not None and signature(self.catalog.path) == sig:
                self._write(columns.encode())
        self._cached = columns
        return columns

    def store(self, docs: Iterable[dict[str, Any]]) -> None:
        """The documents of the catalog just written (the writer holds the catalog's lock)."""
        self.store_prepared(self.prepare(docs))

    @staticmethod
    def prepare(docs: Iterable[dict[str, Any]]) -> PreparedColumns:
        """The columns of documents about to be written, taken and encoded before the write:
        an import does it while the abstracts are being written (0.7 s of 100k papers)."""
        columns = Columns.from_docs(None, docs)
        return PreparedColumns(columns, columns.lines())

    def store_prepared(self, prepared: PreparedColumns) -> None:
        """`store` of the catalog just written from the documents `prepared` was taken from
        (the writer holds the catalog's lock)."""
        sig = signature(self.catalog.path)
        if sig is not None:
            columns = prepared.columns
            columns.signature = sig
            self._write(columns.framed(prepared.lines))
            self._cached = columns

    def _load(self, sig: Signature) -> Columns | None:
        """The stored columns if the file is whole and was taken from this very catalog."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        end = data.find(b"\n")
        try:
            header = json.loads(data[:end])
        except (ValueError, RecursionError):
            return None
        sizes = header.get("sizes") if isinstance(header, dict) else None
        if (
            not isinstance(header, dict)
            or header.get("version") != VERSION
            or header.get("catalog") != list(sig)
            or header.get("columns") != list(WHOLE)
            or header.get("details") != list(DETAILS)
            or header.get("chunk") != CHUNK
            or type(header.get("count")) is not int
            or not isinstance(sizes, list)
            or len(sizes) != len(WHOLE) + -(-header["count"] // CHUNK)
            or not set(map(type, sizes)) <= {int}
            or end + 1 + sum(sizes) + len(sizes) != len(data)
        ):
            return None
        # Lines as views of the one buffer read: only the lines decoded are ever copied.
        view, lines, at = memoryview(data), [], end + 1
        for size in sizes:
            lines.append(view[at : at + size])
            at += size + 1
        if header.get("crc") != [zlib.crc32(line) for line in lines]:
            return None
        count: int = header["count"]
        whole = dict(zip(WHOLE, lines, strict=False))
        columns = Columns(sig, count, {}, whole, lines[len(WHOLE) :])
        # Whole (every line's CRC matches what was written): one cheap look at a column's
        # length stands for all, written together from one catalog.
        try:
            if len(columns.ids) != count:
                return None
        except (ValueError, RecursionError):
            return None
        return columns

    def _write(self, data: bytes) -> None:
        # A cache the store cannot write (read-only folder, full disk) is only slower next time.
        with contextlib.suppress(StoreWriteError):
            write_atomic(self.path, data)
