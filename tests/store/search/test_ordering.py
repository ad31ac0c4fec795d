"""A search's date order: from the order stored with the catalog's columns, whether it sorts
a few rows by their ranks or walks the stored order for many, and with papers merged away
(rows numbered apart from the catalog's): always what sorting by the date key gives."""

from __future__ import annotations

import pytest

from store.library import Library
from store.search.index import SearchIndex
from store.search.language import SORT_KEYS


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
