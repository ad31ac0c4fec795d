"""A search's date order: from the order stored with the catalog's columns, whether it sorts
a few rows by their ranks or walks the stored order for many, and with papers merged away
(rows numbered apart from the catalog's): always what sorting by the date key gives."""

from __future__ import annotations

import pytest

from store.library import Library
from store.search.index import SearchIndex
from store.search.language import SORT_KEYS
from store.search.ordering import InOrder


def by_date_key(index: SearchIndex, rows: list[int]) -> list[str]:
    records = [index.records[row] for row in rows]
    return [r.id for r in sorted(records, key=SORT_KEYS["date"])]


@pytest.mark.parametrize("merged", [False, True])
def test_few_and_many_rows_come_in_the_date_keys_order(library: Library, merged: bool) -> None:
    if merged:
        ids = sorted(library.papers())
        library.merge_user_state(ids[0], ids[1])
    rows = Library(library.root).record_rows()
    assert (rows.catalog_rows is not None) is merged
    index = SearchIndex(rows)
    everything = list(range(len(rows)))
    few = everything[::7]  # under a third: sorted by ranks
    many = everything[::2]  # a third or more: the stored order walked
    for chosen in (few, many, everything):
        sorted_rows = list(reversed(chosen))
        index._sort(sorted_rows, "date")
        assert [index.records[row].id for row in sorted_rows] == by_date_key(index, chosen)
    # The whole list, as the app's first screen and `list` show it.
    assert [index.records[row].id for row in index.matching_rows("")] == by_date_key(
        index, everything
    )


@pytest.mark.parametrize("query", ["", "a", "s", "model", "year:2025", "diffusion OR model"])
def test_a_lazy_order_is_the_order_sorted_at_once(library: Library, query: str) -> None:
    """What a list reads of `matching_rows(lazy=True)` (its first screen, a row, the cursor's
    paper, all of it) is what the rows sorted at once give."""
    index = SearchIndex(Library(library.root).record_rows())
    eager = list(index.matching_rows(query))
    lazy = index.matching_rows(query, lazy=True)
    assert len(lazy) == len(eager)
    if not query:
        assert isinstance(lazy, InOrder)  # a large result comes lazily
    assert lazy[:5] == eager[:5]
    if eager:
        assert lazy[len(eager) // 2] == eager[len(eager) // 2]
        assert lazy[-1] == eager[-1]
        last = eager[-1]
        assert lazy.index(last) == len(eager) - 1
    assert list(lazy) == eager
    assert lazy == eager


def test_in_order_finds_rows_only_as_far_as_asked() -> None:
    order = [5, 3, 8, 1, 9, 0, 2, 7, 4, 6]
    held = {3, 1, 0, 7, 6}
    rows = InOrder(order, held, len(held))
    assert len(rows) == 5
    assert rows[0] == 3
    assert rows._found == [3]  # the rest not walked yet
    assert rows[1:3] == [1, 0]
    assert rows.index(7) == 3
    assert 9 not in rows and 6 in rows
    with pytest.raises(ValueError):
        rows.index(9)
    with pytest.raises(IndexError):
        rows[5]
    assert rows[-1] == 6
    assert rows[::2] == [3, 0, 6]
    assert rows == [3, 1, 0, 7, 6] and rows != [3, 1, 0, 7]
    assert rows == InOrder(order, dict.fromkeys(held, 1.0), 5)


def test_in_order_equal_results_compare_without_walking_the_order() -> None:
    order = list(range(100))
    first, second = InOrder(order, {3, 50, 99}, 3), InOrder(order, dict.fromkeys([99, 3, 50]), 3)
    assert first == second
    assert first._found == [] and second._found == []  # compared by the rows held
    assert first != InOrder(order, {3, 50, 98}, 3)
    assert first == InOrder(list(order), {3, 50, 99}, 3)  # another order list: walked


def test_in_order_index_of_a_row_the_order_lacks_ends() -> None:
    rows = InOrder([1, 2], {7}, 1)  # a row held but in no order (never so in a library)
    with pytest.raises(ValueError):
        rows.index(7)
