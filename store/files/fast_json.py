"""The large store files' JSON (the catalog, the abstracts, the catalog's columns and ids)
written by orjson: the very bytes `json.dumps(value, separators=(",", ":"))` gives, ASCII
with `\\u` escapes, in an eighth of the time.

An import of 100k papers encodes 42 MB of catalog and 157 MB of abstracts: json's C encoder
took 1.0-1.2 s for the catalog, on the import's critical path, and 0.9 s for the abstracts even
with an encoder of our own that copied the plain ones; orjson takes 0.1 and 0.2 s. orjson writes
UTF-8 text, and the store's files stay ASCII (`store.files.abstracts` finds an abstract by its
byte offset): the rare run of other characters is escaped afterwards exactly as json escapes it,
and DEL too. What orjson cannot write (integers beyond 64 bits, text with lone surrogates,
dictionary keys that are not text, nesting past 255) is written by json, as before.

For values made of dicts, lists, tuples, text, integers, booleans and None the bytes are
json's, byte for byte (a test holds it to that); a float is written in the shortest form that
reads back as the same number (json's too, but json writes 1e+16 where orjson writes 1e16), and
a NaN or an infinity, which JSON has no word for, as null where json writes NaN: the catalog and
the abstracts hold no floats (`store.files.documents` checks every field paperdeck reads).
orjson is loaded with the first such write, not at every start.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from typing import Any

_CHUNK = 1 << 20
"""Non-ASCII output is escaped a piece of about this many bytes at a time: a whole 150 MB file
decoded at once would be 300-600 MB of text."""

_ERRORS = "paperdeck-json-escape"

_orjson_dumps: Callable[[Any], bytes] | None = None


def dumps(value: Any) -> bytes:
    """`json.dumps(value, separators=(",", ":")).encode("ascii")`, written by orjson."""
    global _orjson_dumps
    if _orjson_dumps is None:
        import orjson

        _orjson_dumps = orjson.dumps
        codecs.register_error(_ERRORS, _escape)
    try:
        data = _orjson_dumps(value)
    except TypeError:  # orjson.JSONEncodeError: json writes it, or raises what it always did
        return json.dumps(value, separators=(",", ":")).encode("ascii")
    return data if data.isascii() and b"\x7f" not in data else _ascii(data)


def _ascii(data: bytes) -> bytes:
    """orjson's UTF-8 `data` with each non-ASCII character, and DEL, escaped as json escapes
    them. Only text in quotes can hold them, and an escape is only ever more text in quotes."""
    parts: list[bytes] = []
    start, size = 0, len(data)
    while start < size:
        end = min(start + _CHUNK, size)
        while end < size and 0x80 <= data[end] < 0xC0:  # a character's continuation byte
            end += 1
        part = data[start:end]
        if not part.isascii():
            part = part.decode("utf-8").encode("ascii", _ERRORS)
        parts.append(part.replace(b"\x7f", b"\\u007f"))
        start = end
    return b"".join(parts)


def _escape(error: UnicodeError) -> tuple[str, int]:
    """The codec's error handler: a run of non-ASCII characters as json writes them (`\\u00e9`,
    a surrogate pair beyond the BMP)."""
    assert isinstance(error, UnicodeEncodeError)
    run = error.object[error.start : error.end]
    return encode_basestring_ascii(run)[1:-1], error.end
