"""Rows built by a search thread while the load builds them all stay one object per row."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import store.rows as rows_module
from store.library import Library
from store.models import Record


def test_a_row_built_during_materialise_is_the_one_kept(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = library.record_rows()
    first = rows[0]  # a record handed out before the load: kept too
    loader = threading.current_thread()
    made = 0
    seen: list[Record] = []

    def build(*args: Any) -> Record:
        """Record, as materialise makes them; halfway through, a search builds row 1."""
        nonlocal made
        if threading.current_thread() is loader:
            made += 1
            if made == len(rows) // 2:
                searcher = threading.Thread(target=lambda: seen.append(rows[1]))
                searcher.start()
                searcher.join(10)
        return Record(*args)

    monkeypatch.setattr(rows_module, "Record", build)
    every = rows.materialise()
    assert seen, "the search never ran"
    assert every[1] is seen[0] and rows[1] is seen[0]  # one object for the row
    assert every[0] is first and rows[0] is first
