"""The orders a search's rows are put in: each sort's ranks computed once, the date order
stored with the catalog's columns. Mixed into `store.search.index.SearchIndex`."""

from __future__ import annotations

import threading
from collections.abc import Container

from store.models import Record
from store.rows import RecordRows
from store.search.language import SORT_KEYS

_RANKING = threading.Lock()
"""Held while the date ranks of a search index are computed (see `SearchIndex.rank`)."""


class Ordering:
    """Mixed into `SearchIndex`: what it needs is named here."""

    records: list[Record]
    columns: RecordRows | None
    _ranks: dict[str, list[int]]

    def rank(self, sort: str) -> list[int]:
        """Each row's position in `sort` order, computed once: the sort keys are facts of the
        paper (date, upvotes, title, import time), which user changes never touch."""
        ranks = self._ranks.get(sort)
        if ranks is None and sort == "date" and self.columns is not None:
            with _RANKING:  # once, by the load's thread or a key's, the other waits
                ranks = self._ranks.get(sort)
                if ranks is None:
                    ranks = self._ranks[sort] = self.columns.date_ranks()  # stored with the catalog
        if ranks is None:
            key = SORT_KEYS[sort]
            order = sorted(range(len(self.records)), key=lambda row: key(self.records[row]))
            ranks = [0] * len(order)
            for position, row in enumerate(order):
                ranks[row] = position
            self._ranks[sort] = ranks
        return ranks

    def _sort(self, rows: list[int], sort: str, held: Container[int] | None = None) -> None:
        """Sort rows in place: by cached ranks (a C-level key) when many, else directly.
        `held`: holds exactly `rows` (their scores), if the caller has it."""
        stored = sort == "date" and self.columns is not None  # no record built to sort
        if stored and len(rows) * 3 >= len(self.records):
            # A third of the library or more: the stored order, less the other rows, in C
            # (`s` at 100k papers: 41k rows, 8 ms instead of 14).
            held = set(rows) if held is None else held
            rows[:] = filter(held.__contains__, self._date_order())
        elif stored or sort in self._ranks or len(rows) * 4 >= len(self.records):
            rows.sort(key=self.rank(sort).__getitem__)
        else:
            key, records = SORT_KEYS[sort], self.records
            rows.sort(key=lambda row: key(records[row]))

    _order: list[int] | None = None

    def _date_order(self) -> list[int]:
        """Every row in `date` order (the order `rank("date")` numbers)."""
        if self._order is None and self.columns is not None:
            self._order = self.columns.date_order()
        return self._order or []
