"""A one-shot search over every row (`store.search.lines`) scores each row exactly as looking at
the rows one by one does: titles, authors and abstracts, in the same order."""

from __future__ import annotations

import operator
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.models import Paper, Record
from store.search import lines
from store.search.index import SearchIndex
from store.search.lines import JoinedLines, separates
from store.search.words import WHITESPACE
from store.text import fold, normalise, word_breaks

SEPARATORS = word_breaks() | set(WHITESPACE)

# Letters, digits, `+` (a word character), accents and ligatures (folded away), punctuation
# and symbols ASCII and not (word breaks), whitespace `str.split` knows beyond `\s` in ASCII, and
# any separator at all but the line break (titles have none; a test below takes that case).
CHARACTERS = "aabsspe+3 -.'’–—()[]$∑×/:_éÉüßﬁİΣσα漢\t\u2003\u00a0\u3000\x1c\x1f\u2028\x85\x00"
TEXTS = st.lists(
    st.one_of(
        st.text(alphabet=st.sampled_from("aabbsp+3éÉüßﬁİΣσα漢"), min_size=1, max_size=6),
        st.sampled_from(CHARACTERS),
        st.sampled_from(sorted(SEPARATORS - {"\n"})),
    ),
    max_size=8,
).map("".join)
"""Runs of word characters between single characters of any kind."""


def words_of(texts: list[str]) -> st.SearchStrategy[str]:
    """Query words as a query makes them (normalised), often ones the texts hold or begin."""
    tokens = sorted({t for text in texts for t in normalise(text).split()})
    made = TEXTS.map(lambda text: normalise(text).split()).filter(bool).map(lambda ws: ws[0])
    if not tokens:
        return made
    held = st.sampled_from(tokens)
    # Whole words, their first letters, and letters from inside them.
    parts = [held.map(operator.itemgetter(part)) for part in (slice(1), slice(2), slice(3))]
    inside = held.map(operator.itemgetter(slice(1, 4)))
    return st.one_of(made, held, *parts, inside).filter(bool)


def index_of(
    titles: list[str], authors: list[list[str]], abstracts: list[str], mode: str
) -> SearchIndex:
    records = [
        Record(Paper(id=f"p{row}", title=title, abstract=abstract, authors=tuple(names)))
        for row, (title, names, abstract) in enumerate(zip(titles, authors, abstracts, strict=True))
    ]
    if mode == "early":  # the app before its title index: abstracts deferred
        return SearchIndex(records, indexed=False, defer_abstracts=True)
    if mode == "matches":  # the CLI with another process's abstract matches
        matches = {"s": ["p0", "p2", "p9"], "sp": ["p1"], "a": []}
        return SearchIndex(records, indexed=False, abstract_matches=matches)
    return SearchIndex(records, indexed=False)  # the CLI reading the abstracts itself


@st.composite
def libraries(draw: st.DrawFn) -> tuple[SearchIndex, str]:
    size = draw(st.integers(min_value=0, max_value=12))
    titles = draw(st.lists(TEXTS, min_size=size, max_size=size))
    authors = draw(st.lists(st.lists(TEXTS, max_size=3), min_size=size, max_size=size))
    abstracts = draw(st.lists(TEXTS, min_size=size, max_size=size))
    mode = draw(st.sampled_from(["early", "matches", "abstracts"]))
    word = draw(words_of(titles + [n for names in authors for n in names] + abstracts))
    return index_of(titles, authors, abstracts, mode), word


@settings(max_examples=600, deadline=None)
@given(libraries(), st.booleans())
def test_every_row_at_once_scores_as_row_by_row(
    library: tuple[SearchIndex, str], passes: bool
) -> None:
    index, word = library
    assert word and not separates(word)
    expected = index._word_rows_each(word, range(len(index)))
    # `passes`: the passes of C over all the text that a frequent word takes, else the
    # line-by-line classification of a rare word's lines.
    with mock.patch.object(lines, "FEW_LINES", 0 if passes else 10**9):
        found = index._word_rows_everywhere(word)
    assert found is not None
    assert list(found.items()) == list(expected.items())


def test_a_frequent_word_in_many_titles_takes_the_passes_and_agrees() -> None:
    titles = [
        f"Spectral {n} s-curves of Sparse’s sets" if n % 3 else f"Base{n}s" for n in range(900)
    ]
    index = index_of(titles, [[]] * 900, [""] * 900, "early")
    joined = JoinedLines.of_folded(index.folded_titles)
    assert joined is not None
    assert joined._classified("s", 100.0, 90.0, None) is None  # too many lines: the passes
    for word in ("s", "sparse", "spe", "ect", "parse", "ba", "base1", "3"):
        found = index._word_rows_everywhere(word)
        assert found is not None
        assert list(found.items()) == list(index._word_rows_each(word, range(900)).items())
    assert index._word_rows_everywhere("s")[1] == 100.0  # type: ignore[index]  # `’s`: a word


def test_a_title_with_a_line_break_is_searched_row_by_row() -> None:
    index = index_of(["one\ntwo", "two"], [[], ["Ann Two"]], ["", ""], "early")
    assert index._word_rows_everywhere("two") is None
    assert index._word_rows_among("two", range(2)) == {0: 100.0, 1: 100.0}


def test_words_with_a_separator_are_searched_row_by_row() -> None:
    index = index_of(["a b", "ab"], [[], []], ["", ""], "early")
    assert index._word_rows_everywhere("a b") is None
    assert index._word_rows_everywhere("") is None


@pytest.mark.parametrize("passes", [False, True])
def test_every_character_of_the_plane_splits_words_as_normalise_does(passes: bool) -> None:
    """Each character between two words: where `normalise` splits at it, `s` and `b` are
    whole words (and `a` begins one), else they are inside one; the translation tables of
    `store.search.lines` must agree for every one of them."""
    characters = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and c != 10] + [
        "\U0001d400"
    ]
    titles = [f"a{c}s{c}b" for c in characters]
    index = index_of(titles, [[]] * len(titles), [""] * len(titles), "early")
    with mock.patch.object(lines, "FEW_LINES", 0 if passes else 10**9):
        for word in ("s", "b", "a", "as"):
            found = index._word_rows_everywhere(word)
            assert found is not None
            assert list(found.items()) == list(
                index._word_rows_each(word, range(len(titles))).items()
            )
    found = index._word_rows_everywhere("s") or {}
    kept = [row for row, c in enumerate(characters) if c in SEPARATORS and fold(c) == c]
    assert len(kept) > 3000 and all(found.get(row) == 100.0 for row in kept)
    assert all(separates(f"a{c}b") for c in SEPARATORS)
    assert not any(map(separates, ("c++", "3d", "naive", "α")))
