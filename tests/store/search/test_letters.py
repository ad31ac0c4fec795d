"""A query of one letter answered from the saved title index's flags of that letter: the same
rows in the same order as the search that scores every row, in each state of the app's
indexes; and the flags themselves, saved and read back."""

from __future__ import annotations

import string

import pytest

from store.files import title_index
from store.indexer import build_and_save
from store.library import Library
from store.search import grouped
from store.search.index import SearchIndex
from store.search.ordering import Chained, InOrder
from store.search.postings import (
    LETTER_FLAGS_FROM,
    build,
    decode,
    encode,
    with_letter_flags,
)
from store.search.row_flags import RowFlags, row_bits
from store.view import LibraryView

LETTERS = string.ascii_lowercase + string.digits


@pytest.fixture(autouse=True)
def common_on_small_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 212 seed papers' letters count as common (as at 100k papers: `s` finds 41k)."""
    monkeypatch.setattr(grouped, "CANDIDATE_SCAN", 3)


def lazy_and_eager(index: SearchIndex, sort: str | None) -> list[tuple[str, object, list[int]]]:
    """Per letter: how the lazy answer came, and assert it equals the eager one."""
    kinds = []
    for letter in LETTERS:
        eager = list(index.matching_rows(letter, sort))
        lazy = index.matching_rows(letter, sort, lazy=True)
        assert len(lazy) == len(eager), letter
        assert lazy[:7] == eager[:7], letter
        if eager:
            assert lazy.index(eager[-1]) == len(eager) - 1
        assert list(lazy) == eager, letter
        kinds.append((letter, type(lazy), eager))
    return kinds


@pytest.fixture
def indexed(library: Library) -> LibraryView:
    assert build_and_save(library.root)  # both saved indexes, as `store.indexer` makes them
    view = LibraryView(Library(library.root))
    view.load(warm=True)
    return view


@pytest.mark.parametrize("sort", [None, "date"])
def test_letters_with_the_abstract_index_come_in_the_eager_order(
    indexed: LibraryView, sort: str | None
) -> None:
    indexed.index_abstracts()
    index = indexed.index
    assert index.title_indexed and index._abstract_index is not None
    kinds = lazy_and_eager(index, sort)
    flagged = [letter for letter, kind, _ in kinds if kind in (InOrder, Chained)]
    assert len(flagged) >= 5  # the common letters came from their flags
    if sort is None:
        # Some letter has rows of several scores (a title with the letter as a word, an
        # author's initial, an abstract's `a`): best first, each score in date order.
        assert Chained in {kind for _, kind, _ in kinds}


def test_letters_while_abstracts_wait_come_from_titles_and_authors(library: Library) -> None:
    assert build_and_save(library.root)
    rows = Library(library.root).record_rows()
    index = SearchIndex(rows, defer_abstracts=True)
    saved = Library(library.root).saved_title_index(rows)
    assert saved is not None and saved.flags
    assert index.use_title_index(saved)
    kinds = lazy_and_eager(index, None)
    assert sum(kind is Chained for _, kind, _ in kinds) >= 5


def test_a_letter_without_flags_is_searched_as_any_word(library: Library) -> None:
    index = SearchIndex(Library(library.root).record_rows())  # titles indexed in memory
    assert index.title_index.letter_flags("s") is None
    assert index._word_groups("s") is None
    kinds = lazy_and_eager(index, None)
    assert not any(kind is Chained for _, kind, _ in kinds)


def test_flags_hold_the_rows_of_a_letter_and_survive_saving() -> None:
    titles = [("p1", "sparse attention"), ("p2", "dense models"), ("p3", "s4 state spaces")]
    titles += [(f"x{n}", "other words") for n in range(20)]
    postings = with_letter_flags(build(titles))
    # `s` begins words in 2 of 23 rows: a 16th or more; `a`, `d`, `m` in 1 each: fewer.
    assert 2 * LETTER_FLAGS_FROM >= len(titles) > LETTER_FLAGS_FROM
    assert set(postings.flags) == {"o", "s", "w"}
    assert list(RowFlags(postings.flags["s"])) == [0, 2]
    key = {"catalog": [1, 2, 3]}
    decoded = decode(encode(postings, key))
    assert decoded is not None
    assert decoded[0] == key
    again = decoded[1]
    assert {k: bytes(v) for k, v in again.flags.items()} == postings.flags
    assert list(RowFlags(bytes(again.flags["s"]))) == [0, 2]


def test_a_damaged_or_older_index_is_read_as_such() -> None:
    postings = with_letter_flags(build([("p1", "sparse"), ("p2", "sparse dense")]))
    data = encode(postings, {"catalog": [1]})
    assert decode(data[:-1]) is None  # a flag byte short
    assert decode(data.replace(b'"letters":"ds"', b'"letters":["d"]')) is None
    plain = build([("p1", "sparse"), ("p2", "sparse dense")])
    decoded = decode(encode(plain, {"catalog": [1]}))
    assert decoded is not None and not decoded[1].flags  # saved without: none, still read


def test_a_title_index_saved_without_flags_is_stale(library: Library) -> None:
    catalog = library.catalog_file.path
    columns = library.catalog_columns.get()
    assert columns.signature is not None
    plain = build(zip(columns.ids, columns.column("title"), strict=True))
    path = title_index.TITLE_WORDS.path(catalog)
    path.write_bytes(encode(plain, {"catalog": list(columns.signature)}))
    assert not title_index.is_current(catalog)  # the indexer builds it again, with flags
    assert build_and_save(library.root)
    assert title_index.is_current(catalog)
    saved = title_index.load_index(catalog, columns.signature)
    assert saved is not None and saved.flags


def test_row_flags_combine_per_row_as_integers() -> None:
    evens = RowFlags.of(range(0, 10, 2), 10)
    low = RowFlags.of(range(5), 10)
    assert len(evens) == 5 and 4 in evens and 3 not in evens and 10 not in evens
    assert -1 not in evens and "1" not in evens

    def rows(bits: int) -> list[int]:
        return list(RowFlags(bits.to_bytes(10, "little")))

    assert rows(evens.bits() | low.bits()) == [0, 1, 2, 3, 4, 6, 8]
    assert rows(evens.bits() & ~low.bits()) == [6, 8]
    assert rows(low.bits() & ~evens.bits()) == [1, 3]
    assert row_bits([0, 2, 4, 6, 8, -1], 10) == evens.bits()  # -1: a row left out
    assert evens == RowFlags.of([8, 6, 4, 2, 0, 0], 10) and evens != low


def test_chained_orders_read_one_after_another() -> None:
    order = [5, 3, 8, 1, 9, 0, 2, 7, 4, 6]
    first = InOrder(order, RowFlags.of([9, 2], 10), 2)
    second = InOrder(order, {3, 1, 6}, 3)
    rows = Chained([first, second])
    assert len(rows) == 5
    assert rows[0] == 9 and rows._found == [9]  # only as far as asked
    assert rows[1:3] == [2, 3]
    assert rows.index(6) == 4 and 6 in rows and 5 not in rows
    with pytest.raises(ValueError):
        rows.index(5)
    assert list(rows) == [9, 2, 3, 1, 6]
    same = Chained([InOrder(order, RowFlags.of([2, 9], 10), 2), InOrder(order, {1, 3, 6}, 3)])
    assert rows == same and rows == [9, 2, 3, 1, 6]
    assert rows != Chained([InOrder(order, {3, 1, 6}, 3), first])


def test_a_chained_order_read_a_screen_at_a_time_is_the_whole() -> None:
    order = list(range(100))[::-1]
    parts = [
        InOrder(order, RowFlags.of(range(0, 100, 7), 100), 15),
        InOrder(order, set(range(1, 100, 7)), 15),
        InOrder(order, RowFlags.of(range(3, 100, 7), 100), 14),
    ]
    whole = Chained(parts).whole()
    assert len(whole) == 44 and whole[:3] == [98, 91, 84] and whole[15:17] == [99, 92]
    paged = Chained(
        [InOrder(order, part._held, len(part)) for part in parts]  # read afresh, a page at a time
    )
    assert [paged[start : start + 6] for start in range(0, 44, 6)] == [
        whole[start : start + 6] for start in range(0, 44, 6)
    ]
    assert paged[43] == whole[43] and paged.index(whole[30]) == 30


def test_a_row_not_in_a_chained_order_is_not_looked_for() -> None:
    """A list keeping its cursor asks where a paper is; one not found is known at once, not
    after reading the whole order (41k rows at 100k papers: 7 ms a key)."""
    order = list(range(1000))
    rows = Chained([InOrder(order, RowFlags.of(range(0, 1000, 2), 1000), 500)])
    with pytest.raises(ValueError):
        rows.index(3)
    assert rows._found == []  # nothing read
    assert rows.index(4) == 2
