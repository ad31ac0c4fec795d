"""How the parsing child's files reach the importing process (`store.catalog.parallel`):
each file's listings as rows, pickled into a file in memory both processes share, and a frame
on a pipe saying which file's they are and where; or the pickle in the frame itself where there
is no such file."""

from __future__ import annotations

import os
import struct
from typing import Any

from store.catalog.listing import Listing

HEADER = struct.Struct(">cQ")
RESULT = b"r"  # one file parsed: its number (`SIZE`), its name's size, its name, the pickle
SHARED = b"s"  # one file parsed, in the shared file: its number and where (`PART`), its name
END = b"e"  # no file left to claim
SIZE = struct.Struct(">Q")
PART = struct.Struct(">QQQ")  # a file's number, and its pickle's offset and size


def to_rows(listings: list[Listing]) -> tuple[str, list[Any]]:
    """Listings as tuples of their first fourteen fields (the ones a text listing sets), rebuilt
    with `Listing(*row)`: a third of the cost of pickling the dataclasses themselves; a saved
    Hugging Face page's, which set more, whole."""
    default = Listing("", "", "", 0)
    plain = all(
        item.arxiv_id is None
        and not item.authors
        and not item.categories
        and item.doi is None
        and item.journal_ref is None
        and item.version is None
        and item.github_stars is None
        and item.announce == default.announce
        and item.live == default.live
        for item in listings
    )
    if not plain:  # a saved Hugging Face page: rare, sent whole
        return "listings", listings
    return "rows", [
        (
            item.title,
            item.abstract,
            item.source,
            item.line,
            item.authors_count,
            item.organization,
            item.organization_name,
            item.published,
            item.upvotes,
            item.links,
            item.github,
            item.warnings,
            item.key,
            item.pid,
        )
        for item in listings
    ]


def from_rows(parsed: tuple[str, list[Any]]) -> list[Listing]:
    kind, records = parsed
    if kind == "rows":
        return [Listing(*row) for row in records]
    return list(records)


def write_all(fd: int, data: bytes) -> bool:
    """`data` written to the shared file; False if it could not be (the pipe carries it)."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError:
        return False
    return True


def shared_file() -> int | None:
    """A file in memory for the child's results (Linux's memfd): the child writes it while this
    process still parses, and this process reads each file's part from it instead of copying
    80 MB through the pipe (0.2 s of 100k papers). None where there is none: the pipe carries
    them."""
    try:
        return os.memfd_create("paperdeck-listings", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        return None


def send(fd: int, kind: bytes, payload: bytes) -> None:
    data = memoryview(HEADER.pack(kind, len(payload)) + payload)
    while data:
        data = data[os.write(fd, data) :]
