"""The large files' encoder writes exactly the bytes json's does, for anything without floats."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.files import fast_json

TEXT = st.one_of(
    st.text(max_size=30),  # anything: quotes, backslashes, controls, surrogates, any script
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30),
    st.sampled_from(
        ["", 'a "quote"', "back\\slash", "tab\there", "del\x7f", "é", "→ ∼ ×", "😀 🇫🇷", "\u2028"]
    ),
)
SCALAR = st.one_of(
    TEXT,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),  # past 64 bits too: json writes them
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(TEXT, inner, max_size=4),
        st.dictionaries(st.integers(), inner, max_size=2),  # keys json turns into text
    ),
    max_leaves=20,
)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("ascii")


@settings(max_examples=1000, deadline=None)
@given(VALUE)
def test_the_bytes_are_jsons(value: Any) -> None:
    assert fast_json.dumps(value) == json_bytes(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, max_size=60), st.integers(min_value=1, max_value=9))
def test_escaping_in_pieces_never_splits_a_character(texts: list[str], chunk: int) -> None:
    """Non-ASCII output is escaped a piece at a time: a piece ends only between characters."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fast_json, "_CHUNK", chunk)
        assert fast_json.dumps(texts) == json_bytes(texts)


def test_a_catalog_sized_document_is_ascii_and_reads_back() -> None:
    papers = {
        str(n): {"id": f"p{n}", "title": f"Über {n} → ∞ 😀", "authors": ["Zoë", "李"], "n": n}
        for n in range(20_000)
    }
    data = fast_json.dumps({"papers": papers})
    assert data.isascii()
    assert data == json_bytes({"papers": papers})
    assert json.loads(data) == {"papers": papers}


def test_what_orjson_cannot_write_json_does_or_refuses_as_before() -> None:
    for value in ({"big": 2**100}, {"lone": "\ud800"}, {1: "x"}, [[[[[]]]]]):
        assert fast_json.dumps(value) == json_bytes(value)
    with pytest.raises(TypeError):
        fast_json.dumps({"set": {1, 2}})
    nested: list[Any] = []
    for _ in range(300):  # past orjson's depth of 255: json writes it
        nested = [nested]
    assert fast_json.dumps(nested) == json_bytes(nested)
