"""One abstract read from the abstracts file on demand, without decoding the whole file.

Decoding `abstracts.json` whole costs about 450 MB at its peak and keeps 150 MB of text at 100k
papers, while the app shows one abstract at a time and its indexes read each abstract once. So
the file is walked once, a chunk at a time, noting where each paper's document lies; a paper's
abstract is then one read at that place. The places are kept only while the file's signature is
unchanged, and anything unexpected (non-ASCII bytes, another layout, a wrongly typed document)
makes `AbstractPlaces` answer None, so the caller reads the file the checked way and reports
what is wrong exactly as before.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from pathlib import Path

from store.errors import PaperdeckError
from store.files.documents import PAPERS_TABLE
from store.files.storage import META_TABLE, check_schema

CHUNK = 1 << 20
_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_hash = hash


class Unreadable(Exception):
    """The file is not as this reader expects: read it the checked way instead."""


def _signature_of(fd: int) -> tuple[int, int, int]:
    st = os.fstat(fd)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class _Walk:
    """The file's text read forward a chunk at a time, with JSON values decoded in place."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.text = ""
        self.base = 0
        """The file offset of `text[0]`."""
        self.pos = 0
        self.ended = False

    def _more(self) -> None:
        if self.ended:
            raise Unreadable("ends early")
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            self.ended = True
            raise Unreadable("ends early")
        try:
            text = chunk.decode("ascii")  # as the store writes it: offsets are then bytes
        except UnicodeDecodeError:
            raise Unreadable("not ASCII") from None
        self.base += self.pos
        self.text = self.text[self.pos :] + text
        self.pos = 0

    def skip_space(self) -> None:
        while True:
            match = _SPACE.match(self.text, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.text) or self.ended:
                return
            with contextlib.suppress(Unreadable):
                self._more()

    def expect(self, char: str) -> None:
        self.skip_space()
        while self.pos >= len(self.text):
            self._more()
        if self.text[self.pos] != char:
            raise Unreadable(f"expected {char!r}")
        self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        while self.pos >= len(self.text):
            self._more()
        return self.text[self.pos]

    def value(self) -> tuple[object, int, int]:
        """The next JSON value and its file offsets (start, end)."""
        self.skip_space()
        while True:
            try:
                found, end = _DECODER.raw_decode(self.text, self.pos)
            except (ValueError, RecursionError):
                self._more()  # a value cut by the chunk's end (or damage: found at the end)
                continue
            start, self.pos = self.base + self.pos, end
            return found, start, self.base + end


BETWEEN_EVERY = 256
"""Documents walked between two calls of a walk's `between` (about a millisecond of work)."""


def _walk_places(
    fd: int, path: Path, between: Callable[[], None] | None = None
) -> tuple[array[int], array[int], array[int]]:
    """Each document's paper id hash, offset and length in the file, by hash: a dict of 100k
    ids kept 12 MB, these arrays 2.4 MB (a hash shared by two ids is told apart on reading).
    `between` is called every `BETWEEN_EVERY` documents: the app waits there while the reader
    types (the walk holds the interpreter for a second at 100k papers)."""
    hashes, starts, lengths = array("q"), array("q"), array("q")
    walk = _Walk(fd)
    walk.expect("{")
    while walk.peek() != "}":
        table, _, _ = walk.value()
        walk.expect(":")
        if table == PAPERS_TABLE:
            walk.expect("{")
            while walk.peek() != "}":
                walk.value()  # the document's TinyDB number
                walk.expect(":")
                doc, start, end = walk.value()
                if not isinstance(doc, dict):
                    raise Unreadable("a document is not an object")
                pid, abstract = doc.get("id"), doc.get("abstract")
                if not isinstance(pid, str) or not isinstance(abstract, str):
                    raise Unreadable("a document without id or abstract")
                hashes.append(_hash(pid))
                starts.append(start)
                lengths.append(end - start)
                if between is not None and len(hashes) % BETWEEN_EVERY == 0:
                    between()
                if walk.peek() == ",":
                    walk.expect(",")
            walk.expect("}")
        else:
            content, _, _ = walk.value()
            if not isinstance(content, dict) or not isinstance(table, str):
                raise Unreadable("a table is not an object")
            if table == META_TABLE:
                check_schema(path, {META_TABLE: content}, "abstracts")
        if walk.peek() == ",":
            walk.expect(",")
    order = sorted(range(len(hashes)), key=hashes.__getitem__)
    return (
        array("q", (hashes[i] for i in order)),
        array("q", (starts[i] for i in order)),
        array("q", (lengths[i] for i in order)),
    )


class AbstractPlaces:
    """Where each paper's document lies in the abstracts file, kept while the file is unchanged.

    `reading()` gives a function from paper id to its abstract ("" for a paper without one),
    or None when this file cannot be read this way."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._places: tuple[object, array[int], array[int], array[int]] | None = None
        """(signature, id hashes ascending, offsets, lengths): one value, so threads share it.
        Python's string hash differs between processes: these places live in this one only."""

    @contextlib.contextmanager
    def reading(
        self, between: Callable[[], None] | None = None
    ) -> Iterator[Callable[[str], str] | None]:
        """`between`: called now and then while the file is walked (see `_walk_places`)."""
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            yield lambda pid: ""
            return
        except OSError:
            yield None
            return
        try:
            yield self._reader(fd, between)
        finally:
            os.close(fd)

    def _reader(
        self, fd: int, between: Callable[[], None] | None = None
    ) -> Callable[[str], str] | None:
        signature = _signature_of(fd)
        places = self._places
        if places is None or places[0] != signature:
            try:
                places = (signature, *_walk_places(fd, self.path, between))
            except (Unreadable, OSError, PaperdeckError):
                self._places = None
                return None
            self._places = places
        _, hashes, starts, lengths = places

        def abstract_of(pid: str) -> str:
            key = _hash(pid)
            row = bisect_left(hashes, key)
            found = ""
            while row < len(hashes) and hashes[row] == key:
                doc = json.loads(os.pread(fd, lengths[row], starts[row]))
                if doc["id"] == pid:
                    found = doc["abstract"]  # a paper twice in the file: the last, as decoded
                row += 1
            return found

        return abstract_of
