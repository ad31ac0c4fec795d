"""The abstract word index: the same answers as the abstracts' own text, through its bytes."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.id_check import ids_check
from store.search.postings import Postings, build, decode, encode
from store.search.row_flags import row_bits
from store.search.words import text_test
from store.text import fold, normalise

TEXTS = [
    ("a", "Sparse attention for KV-cache compression."),
    ("b", "We study sparsity in RL; the KV cache is small."),
    ("c", "Naïve café models, 3D-aware."),
    ("d", ""),
    ("e", "Attention is all you need (again)."),
]


def by_text(texts: list[tuple[str, str]], word: str) -> set[str]:
    test = text_test(word)
    return {pid for pid, text in texts if test(fold(text))}


def roundtrip(postings: Postings) -> Postings:
    decoded = decode(encode(postings, {"abstracts": [7, 8, 9]}))
    assert decoded is not None
    key, back = decoded
    assert key == {"abstracts": [7, 8, 9]}
    return back


@pytest.mark.parametrize(
    "word", ["sparse", "spars", "kv", "cache", "naive", "cafe", "3d", "aware", "at", "zz", "a"]
)
def test_answers_as_the_text_does_before_and_after_its_bytes(word: str) -> None:
    postings = build(TEXTS)
    assert postings.ids_with(word) == by_text(TEXTS, word)
    assert roundtrip(postings).ids_with(word) == by_text(TEXTS, word)


words = st.text(alphabet="abcdeé -.", min_size=0, max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(words, max_size=12), st.text(alphabet="abcdé", min_size=1, max_size=4))
def test_any_texts_and_word_agree_with_the_text_test(texts: list[str], typed: str) -> None:
    pairs = [(f"p{n}", text) for n, text in enumerate(texts)]
    word = normalise(typed)
    if not word or " " in word:
        return
    assert roundtrip(build(pairs)).ids_with(word) == by_text(pairs, word)


def test_rows_follow_the_views_numbering_and_skip_papers_it_lacks() -> None:
    postings = roundtrip(build(TEXTS))
    view_rows = {"e": 0, "a": 1, "b": 2}  # another order, and c, d not shown (merged away)
    rows = postings.translated(view_rows)
    assert rows.rows("attention", 50.0) == {0: 50.0, 1: 50.0}
    assert rows.rows("naive", 50.0) == {}
    assert rows.has("kv")(2) and not rows.has("kv")(0)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],  # cut short
        lambda data: data[:-5] + bytes([data[-5] ^ 1]) + data[-4:],  # a flipped bit
        lambda data: b"x" + data[1:],  # not ours
        lambda data: data.replace(b'"format":1', b'"format":9'),  # a later format
        lambda data: b"",
    ],
)
def test_damaged_bytes_are_refused_not_believed(damage) -> None:  # type: ignore[no-untyped-def]
    data = encode(build(TEXTS), {"abstracts": [1, 2, 3]})
    assert decode(damage(data)) is None


def test_an_empty_library_round_trips() -> None:
    back = roundtrip(build([]))
    assert len(back) == 0 and back.ids_with("anything") == set()


def test_a_read_index_decodes_its_ids_only_when_asked_and_knows_their_check() -> None:
    """The ids of a read index stay bytes until asked for: its count, last id and check
    (what a search compares its own rows' ids by) need none decoded."""
    back = roundtrip(build(TEXTS))
    assert back._ids is None
    assert len(back) == 5 and back.last_id() == "e"
    assert back.check == ids_check("\n".join(pid for pid, _ in TEXTS).encode(), 5)
    assert back._ids is None
    assert back.ids == ["a", "b", "c", "d", "e"]
    assert ids_check(b"a\nb", 2) != ids_check(b"b\na", 2)
    assert ids_check(b"a\nb", 3) is None  # an id with a line break: not comparable


def test_an_index_whose_ids_check_is_not_its_ids_is_refused() -> None:
    data = encode(build(TEXTS), {"abstracts": [1, 2, 3]})
    forged = data.replace(b'"ids_check":[5,', b'"ids_check":[4,', 1)
    assert forged != data and decode(forged) is None


def flags_of(rows: Iterable[int]) -> int:
    """`row_bits` of `rows`, written out: a byte per row."""
    return sum(1 << 8 * row for row in set(rows))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(words, max_size=12),
    st.lists(st.text(alphabet="abcdé", min_size=1, max_size=4), min_size=1, max_size=4),
    st.integers(min_value=1, max_value=4),
    st.booleans(),
)
def test_flags_are_the_rows_found_whether_kept_or_scattered(
    texts: list[str], typed: list[str], frequent: int, reordered: bool
) -> None:
    pairs = [(f"p{n}", text) for n, text in enumerate(texts)]
    postings = roundtrip(build(pairs))
    view = {pid: len(pairs) - 1 - n for n, (pid, _) in enumerate(pairs)} if reordered else None
    rows = postings.translated(view)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("store.search.row_postings.FREQUENT", frequent)  # most words kept
        for word in [normalise(t) for t in typed] * 2:  # each asked again: from what was kept
            if word and " " not in word:
                assert rows.flags(word, len(pairs)) == flags_of(rows.rows(word, 1.0))
        smaller = max(len(pairs) - 1, 0)  # a view of fewer rows: nothing kept is reused
        for word in [normalise(t) for t in typed]:
            if word and " " not in word:
                expected = {row for row in rows.rows(word, 1.0) if row < smaller}
                assert rows.flags(word, smaller) == flags_of(expected)


@pytest.fixture
def scattered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows each scattering took, in order; a word in two papers or more is frequent."""
    import store.search.row_postings as module

    made: list[int] = []

    def counting(rows: Iterable[int], size: int) -> int:
        rows = list(rows)
        made.append(len(rows))
        return row_bits(rows, size)

    monkeypatch.setattr(module, "row_bits", counting)
    monkeypatch.setattr(module, "FREQUENT", 2)
    return made


def test_a_frequent_words_rows_are_scattered_once_then_kept(scattered: list[int]) -> None:
    rows = roundtrip(build(TEXTS)).translated(None)  # `attention` is in two abstracts
    for typed in ("att", "atte", "attention"):
        assert rows.flags(typed, len(TEXTS)) == flags_of([0, 4])  # papers a and e
    assert scattered == [2]  # the first key made them; the next two reused them
    assert rows.flags("naive", len(TEXTS)) == flags_of([2])  # a rare word: scattered each time
    assert scattered == [2, 1]


def test_the_short_frequent_words_flags_are_made_ahead_between_keys(
    scattered: list[int],
) -> None:
    texts = [*TEXTS, ("f", "A cache is at the edge; is it?")]
    rows = roundtrip(build(texts)).translated(None)
    asked: list[int] = []
    rows.keep_short_words(len(texts), lambda: asked.append(len(scattered)))
    assert scattered == [3, 2]  # `is` (papers b, e, f), `kv` (a, b): in two papers or more
    assert asked == [0, 1]  # between() before each

    def having(word: str) -> int:
        return flags_of(r for r, (_, text) in enumerate(texts) if word in normalise(text).split())

    for word in ("is", "kv"):
        assert rows.flags(word, len(texts)) == having(word)
    assert scattered == [3, 2]  # made ahead, not in the time of a key
    assert rows.flags("at", len(texts)) == having("at")  # in one paper: scattered when asked
    assert scattered == [3, 2, 1]
