"""The abstracts file encoded exactly as `store.files.storage.encode` encodes it, byte for byte,
in about half the time.

Its papers are documents `{"id": ..., "abstract": ...}` whose abstract is nearly always ASCII
text without quotes, backslashes or control characters: JSON writes such text as it is, between
quotes. json's encoder escapes it character by character all the same, and at 100k papers (150
MB of text) that was 0.9-1.1 s of the import's critical path; here such an abstract is copied,
and any other (or any other document, or any other table) goes through json's own encoder.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii as quoted
from typing import Any

from store.files.documents import PAPERS_TABLE
from store.text import printable_ascii


def encode_abstracts(content: dict[str, Any]) -> bytes:
    """`encode(content)` for the abstracts file's content."""
    if not all(type(name) is str for name in content):
        return _json(content)  # JSON's text for other keys is json's to say
    parts: list[bytes] = []
    for name, table in content.items():
        parts.append(b"," if parts else b"{")
        parts.append(quoted(name).encode("ascii") + b":")
        if name == PAPERS_TABLE and type(table) is dict and all(type(k) is str for k in table):
            _papers(table, parts)
        else:
            parts.append(_json(table))
    parts.append(b"}" if parts else b"{}")
    return b"".join(parts)


def _papers(table: dict[str, Any], parts: list[bytes]) -> None:
    append = parts.append
    append(b"{")
    separator = b""
    for slot, doc in table.items():
        start = separator + quoted(slot).encode("ascii") + b":"
        separator = b","
        if type(doc) is dict and len(doc) == 2:
            (first, paper), (second, text) = doc.items()
            if first == "id" and second == "abstract" and type(paper) is str and type(text) is str:
                start += b'{"id":' + quoted(paper).encode("ascii") + b',"abstract":'
                plain = _plain(text)
                if plain is None:
                    append(start + quoted(text).encode("ascii") + b"}")
                else:
                    append(start + b'"')
                    append(plain)
                    append(b'"}')
                continue
        append(start + _json(doc))
    append(b"}")


def _plain(text: str) -> bytes | None:
    """`text` as the bytes JSON writes between its quotes, when it needs no escape; else None."""
    if not text.isascii() or '"' in text or "\\" in text:
        return None
    data = text.encode("ascii")
    return data if printable_ascii(data) else None  # JSON escapes control characters too


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("ascii")
