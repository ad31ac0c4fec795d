"""The abstracts file's own encoder writes exactly the bytes json's does, for any content."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from store.files.abstracts_encoding import encode_abstracts
from store.files.storage import encode

TEXT = st.one_of(
    st.text(max_size=40),  # anything: quotes, backslashes, controls, any language
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
    st.sampled_from(["", "plain ascii", 'a "quote"', "back\\slash", "tab\there", "del\x7f", "é"]),
)
DOCUMENT = st.one_of(
    st.builds(lambda pid, text: {"id": pid, "abstract": text}, TEXT, TEXT),
    st.builds(lambda pid, text: {"abstract": text, "id": pid}, TEXT, TEXT),  # another order
    st.dictionaries(st.text(max_size=5), st.one_of(TEXT, st.integers(), st.none()), max_size=3),
    st.builds(lambda pid, n: {"id": pid, "abstract": n}, TEXT, st.integers()),
)
TABLE = st.dictionaries(st.text(max_size=4), DOCUMENT, max_size=8)


@settings(max_examples=500, deadline=None)
@given(TABLE, st.booleans())
def test_the_abstracts_file_is_encoded_as_json_encodes_it(
    table: dict[str, Any], meta: bool
) -> None:
    content: dict[str, Any] = {"_meta": {"1": {"kind": "abstracts", "schema": 1}}} if meta else {}
    content["papers"] = table
    assert encode_abstracts(content) == encode(content)


def test_other_tables_and_keys_are_json_s_to_encode() -> None:
    for content in (
        {},
        {"papers": {}},
        {"papers": {"1": {"id": "a", "abstract": "x"}}, "_meta": {"1": {"n": 1.5}}},
        {"papers": {1: {"id": "a", "abstract": "x"}}},  # type: ignore[dict-item]
        {"papers": [1, 2]},
        {1: {"x": "y"}},
    ):
        assert encode_abstracts(content) == encode(content)  # type: ignore[arg-type]
        json.loads(encode_abstracts(content))  # type: ignore[arg-type]
