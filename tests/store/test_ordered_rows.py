"""A list's results are the library's rows in an order: what `search` finds, built only as
shown, and holding each change the view takes in."""

from __future__ import annotations

from store.library import Library
from store.rows import OrderedRows
from store.view import LibraryView


def test_results_after_the_load_are_rows_in_the_search_order(library: Library) -> None:
    view = LibraryView(library)
    view.load()
    found = view.search_listed("diffusion")
    assert isinstance(found, OrderedRows)
    searched = view.search("diffusion")
    assert [r.id for r in found] == [r.id for r in searched] and len(found) > 3
    assert found.ids() == [r.id for r in searched]
    assert all(found[i] is searched[i] for i in range(len(found)))


def test_rows_hold_what_the_view_changed(library: Library) -> None:
    view = LibraryView(library)
    view.load()
    found = view.search_listed("diffusion")
    assert isinstance(found, OrderedRows)
    before = found[0]
    changed = view.apply(library.add_tags([before.id], ["held"]))
    assert [r.id for r in changed] == [before.id]
    assert found.rows.hold(changed) and found[0] is changed[0]
    assert found[0].state.tags == ("held",)
    assert not found.rows.hold([before])  # the record it held before
    view.load()  # a reload: new rows; the old results hold nothing new
    assert not found.rows.hold([view.get(before.id)])
