"""The parser's fast paths give exactly what their plain definitions give, on any text."""

from __future__ import annotations

import hashlib
from base64 import b32encode

from hypothesis import given, settings
from hypothesis import strategies as st

from store.catalog.blocks import blocks, paragraphs
from store.catalog.importing import ID_LENGTH, paper_id
from store.catalog.links import URL_RE, find_urls
from store.catalog.listing import (
    _PLAIN_META_RE,
    _clean_line,
    _parse_metadata,
)
from store.errors import ListingError
from store.text import one_line

# Blank-looking lines of every kind `str.strip` knows, bullets, and the rest of a listing.
LINES = st.text(alphabet=st.sampled_from("ab •·\n\n\t\x0b\x1c\x85\u2028\u3000\xa0"), max_size=80)
# Scheme letters in both cases (and the long s, which a case-blind `s` matches), separators.
URLS = st.lists(
    st.sampled_from(
        ["h", "H", "t", "T", "p", "P", "s", "S", "\u017f", "://", "/", ":", "x", " ", "<", "\n"]
        + [".", ")", "github.com", "http", "https", "HtTpS", "xhttp", "httpſ"]
    ),
    max_size=30,
).map("".join)
HOSTILE = st.text(
    alphabet=st.sampled_from(
        "ab é·• [31m\x1b\x07\x9b\x9c\x9d\x00\x7f\t\n\r\x0b\xa0\u2003\u2028\u202e\u200b\x1c\x85"
    ),
    max_size=40,
)


def paragraphs_joined(text: str) -> list[tuple[int, str]]:
    return [(number, "\n".join(lines)) for number, lines in paragraphs(text.split("\n"))]


@settings(max_examples=800, deadline=None)
@given(LINES)
def test_blocks_are_the_paragraphs_of_the_lines(text: str) -> None:
    assert blocks(text) == paragraphs_joined(text)


def test_blocks_number_lines_across_runs_of_blank_lines() -> None:
    text = "  \n\ntitle\n\n \t\n\nabstract\nmore\n\n  • 3 authors\n·\nAug 1\n \n"
    assert blocks(text) == [
        (3, "title"),
        (7, "abstract\nmore"),
        (10, "  • 3 authors\n·\nAug 1"),
    ]
    assert blocks(text) == paragraphs_joined(text)


@settings(max_examples=800, deadline=None)
@given(URLS)
def test_find_urls_is_findall(text: str) -> None:
    assert find_urls(text) == URL_RE.findall(text)


def test_find_urls_on_glued_and_case_folded_links() -> None:
    text = "see HTTPS://a.org/x,https://b.org/https://c.org and httpſ://d.io http:// x"
    assert find_urls(text) == URL_RE.findall(text)
    assert find_urls(text) == [
        "HTTPS://a.org/x,https://b.org/https://c.org",
        "httpſ://d.io",
    ]


@settings(max_examples=800, deadline=None)
@given(HOSTILE)
def test_clean_line_is_one_line(text: str) -> None:
    assert _clean_line(text) == one_line(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=50))
def test_paper_id_is_the_base32_of_the_digest(key: str) -> None:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    assert paper_id(key) == b32encode(digest[:10]).decode("ascii").lower()
    assert len(paper_id(key)) == ID_LENGTH
    # Longer ids (an 80-bit collision) are longer prefixes of the same base32 text.
    assert paper_id(key, 24) == b32encode(digest[:15]).decode("ascii").lower()


def _pieces(*choices: list[str]) -> st.SearchStrategy[str]:
    return st.tuples(*(st.sampled_from(choice) for choice in choices)).map("".join)


SPACES = ["", " ", "  ", "\t", "\xa0"]
META_BLOCKS = st.tuples(
    _pieces(
        SPACES,
        ["• 5 authors", "•5 authors", "• 12 author", "•  5 authors", "• 5  authors", "• ٣ authors"]
        + ["•\t5 authors", "• 1234567 authors", "kyutai Kyutai", "• x authors"],
        SPACES,
    ),
    _pieces(SPACES, ["·", "·x", "··", "•"], SPACES),
    _pieces(
        SPACES,
        ["Aug", "Feb", "Aug ", "aug"],
        [" 11", " 3", "  3", " 123", "11", " ٣"],
        ["", ", 2024", ",2024", ", 24", ",  2024", ", 20245"],
        ["", " 7", " 1234567890", " 12345678901", "  7"],
        SPACES,
    ),
    st.sampled_from(["", "\nmore"]),
).map(lambda parts: "\n".join(parts[:3]) + parts[3])
"""Metadata blocks as listings hold them, and near misses of each part."""


def _by_lines(block: str) -> object:
    """The block read line by line, each line cleaned (a tab before each keeps the
    one-expression path out, and cleaning drops it): the definition."""
    try:
        return _parse_metadata("\n".join(["\t" + line for line in block.split("\n")]), "f", 1)
    except ListingError as error:
        return str(error)


@settings(max_examples=2000, deadline=None)
@given(META_BLOCKS)
def test_a_plain_metadata_block_reads_as_its_cleaned_lines(block: str) -> None:
    try:
        fast: object = _parse_metadata(block, "f", 1)
    except ListingError as error:
        fast = str(error)
    assert fast == _by_lines(block)


def test_the_usual_metadata_block_takes_the_one_expression_path() -> None:
    block = "  • 5 authors\n  ·\n  Aug 11, 2024 2"
    assert _PLAIN_META_RE.fullmatch(block) is not None
    assert _parse_metadata(block, "f", 1) == (5, None, None, 2024, 8, 11, 2)
    assert _by_lines(block) == (5, None, None, 2024, 8, 11, 2)
