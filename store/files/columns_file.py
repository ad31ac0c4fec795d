"""`catalog-columns.jsonl`: the catalog's columns (store.files.columns) kept beside it, read
instead of the catalog while they are whole and were taken from that very catalog file.

The file is a header line (the catalog's signature, the layout, each line's size and CRC), then
the `WHOLE` columns in lines of `PIECE` rows, the head (the first rows in date order with their
`WHOLE` fields), then the other fields in chunks of `CHUNK` rows.
"""

from __future__ import annotations

import contextlib
import json
import zlib
from collections.abc import Iterable
from typing import Any, NamedTuple

from store.atomic import write_atomic
from store.errors import StoreWriteError
from store.files import columns as layout
from store.files.columns import HEAD_FIELDS, VERSION, WHOLE, Columns, Signature
from store.files.documents import PAPERS_TABLE, table_docs
from store.files.mapped import read_mapped
from store.files.storage import StoreFile, signature

COLUMNS_FILE = "catalog-columns.jsonl"


class PreparedColumns(NamedTuple):
    """Columns of a catalog about to be written, encoded but for the header: the catalog's
    signature is known only once it is written (`CatalogColumns.prepare`)."""

    columns: Columns
    lines: list[bytes]


def _holds(lines: list[memoryview], count: int) -> bool:
    """Whether the lines of the ids' column hold `count` of them: counted by their quotes (ids
    with none of `"` and `\\` in them: the importer's), else decoded (12 ms at 100k)."""
    data = b"".join(lines)
    if b"\\" not in data:
        return data.count(b'"') == 2 * count
    found = 0
    for line in lines:
        try:
            decoded = json.loads(bytes(line))
        except (ValueError, RecursionError):
            return False
        if not isinstance(decoded, list):
            return False
        found += len(decoded)
    return found == count


def _ints(value: object, length: int) -> bool:
    return type(value) is list and len(value) == length and all(type(n) is int for n in value)


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

    def store_prepared(self, prepared: PreparedColumns, catalog: Signature | None = None) -> None:
        """`store` of the catalog just written from the documents `prepared` was taken from
        (the writer holds the catalog's lock); or of the one about to be put in place, with the
        signature `catalog` it will have there (until it is, these columns are not current)."""
        sig = catalog or signature(self.catalog.path)
        if sig is not None:
            columns = prepared.columns
            columns.signature = sig
            self._write(columns.framed(prepared.lines))
            self._cached = columns

    def _load(self, sig: Signature) -> Columns | None:
        """The stored columns if the file is whole and was taken from this very catalog."""
        try:
            data = read_mapped(self.path)
        except OSError:
            return None
        end = data.find(b"\n")
        try:
            header = json.loads(data[:end])
        except (ValueError, RecursionError):
            return None
        sizes = header.get("sizes") if isinstance(header, dict) else None
        stated = header.get("count") if isinstance(header, dict) else None
        per = layout.pieces(stated) if type(stated) is int else 0  # lines per `WHOLE` column
        if (
            not isinstance(header, dict)
            or header.get("version") != VERSION
            or header.get("catalog") != list(sig)
            or header.get("columns") != list(WHOLE)
            or header.get("details") != list(layout.DETAILS)
            or header.get("chunk") != layout.CHUNK
            or type(header.get("count")) is not int
            or not isinstance(sizes, list)
            or header.get("piece") != layout.PIECE
            or len(sizes) != per * len(WHOLE) + 1 + -(-header["count"] // layout.CHUNK)
            or not set(map(type, sizes)) <= {int}
            or end + 1 + sum(sizes) + len(sizes) != len(data)
        ):
            return None
        # Lines as views of the file mapped: only the lines decoded are ever copied.
        view, lines, at = memoryview(data), [], end + 1
        for size in sizes:
            lines.append(view[at : at + size])
            at += size + 1
        if header.get("crc") != [zlib.crc32(line) for line in lines]:
            return None
        count: int = header["count"]
        whole = {name: lines[at * per : (at + 1) * per] for at, name in enumerate(WHOLE)}
        # Whole (every line's CRC matches what was written): one cheap look at the head's
        # shape stands for all, written together from one catalog.
        try:
            head = json.loads(bytes(lines[per * len(WHOLE)]))
        except (ValueError, RecursionError):
            return None
        if not (
            isinstance(head, list)
            and len(head) == 1 + len(HEAD_FIELDS)
            and all(
                isinstance(part, list) and len(part) == min(layout.HEAD, count) for part in head
            )
        ):
            return None
        if not _holds(whole["id"], count):
            return None
        head[-1] = list(map(tuple, head[-1]))  # the authors
        check = header.get("ids_check")  # of the ids the CRCs above found whole
        if not (check is None or (_ints(check, 3) and check[0] == count)):
            return None
        return Columns(sig, count, {}, whole, lines[per * len(WHOLE) + 1 :], head, check)

    def _write(self, data: bytes) -> None:
        # A cache the store cannot write (read-only folder, full disk) is only slower next time.
        with contextlib.suppress(StoreWriteError):
            write_atomic(self.path, data, durable=False)  # checked whole when read: see above
