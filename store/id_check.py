"""Telling two lists of paper ids apart without decoding either: a saved word index and the
catalog's columns each carry the check of the ids they number their rows by, so that a search
knows they number papers alike without decoding 100k ids (`store.search.saved`)."""

from __future__ import annotations

import zlib


def ids_check(joined: bytes, count: int) -> list[int] | None:
    """What tells two lists of `count` paper ids apart without decoding either: two checksums
    of the ids joined by line breaks (None where an id holds one: then not comparable)."""
    if (joined.count(b"\n") + 1 if count else 0) != count:
        return None
    return [count, zlib.crc32(joined), zlib.adler32(joined)]
