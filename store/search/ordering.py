"""The orders a search's rows are put in: each sort's ranks computed once, the date order
stored with the catalog's columns. Mixed into `store.search.index.SearchIndex`."""

from __future__ import annotations

import sys
import threading
from collections.abc import Collection, Iterator, Sequence
from itertools import islice

from store.models import Record
from store.rows import LazyOrder, RecordRows
from store.search.language import SORT_KEYS
from store.search.row_flags import RowFlags

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

    def _in_date_order(self, rows: list[int], held: Collection[int] | None) -> InOrder | None:
        """`rows` in date order, each found when a list asks for it (`InOrder`), where that is
        how `_sort` orders them (a third of the library or more); else None."""
        if self.columns is None or len(rows) * 3 < len(self.records):
            return None
        return InOrder(self._date_order(), set(rows) if held is None else held, len(rows))

    def _sort(self, rows: list[int], sort: str, held: Collection[int] | None = None) -> None:
        """Sort rows in place: by cached ranks (a C-level key) when many, else directly.
        `held`: holds exactly `rows` (their scores), if the caller has it."""
        stored = sort == "date" and self.columns is not None  # no record built to sort
        if stored and (in_order := self._in_date_order(rows, held)) is not None:
            # A third of the library or more: the stored order, less the other rows, in C
            # (`s` at 100k papers: 41k rows, 8 ms instead of 14).
            rows[:] = in_order.whole()
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


class InOrder(LazyOrder):
    """The rows of `order` that `held` holds (`count` of them), in that order, found only as
    far as they are asked for: a list shows the first screen of a search's 41k results (`s` at
    100k papers) after a few hundred rows of the date order, not all of them (6 ms a key)."""

    def __init__(self, order: list[int], held: Collection[int], count: int) -> None:
        self._held, self._count, self._order = held, count, order
        test = held.data.__getitem__ if isinstance(held, RowFlags) else held.__contains__
        self._rest: Iterator[int] | None = filter(test, order)
        self._found: list[int] = []

    def _known(self, upto: int) -> list[int]:
        found, rest = self._found, self._rest
        if rest is not None and len(found) < upto:
            found.extend(islice(rest, upto - len(found)))
            if len(found) >= self._count:
                self._rest = None
        return found

    def whole(self) -> list[int]:
        return self._known(sys.maxsize)

    def __contains__(self, value: object) -> bool:
        return value in self._held

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        if value not in self._held:
            raise ValueError(f"{value!r} is not in the order")
        return super().index(value, start, stop)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, InOrder) and other._order is self._order:
            # Rows of the same order: the same rows held are the same list (no walk of it
            # in a frame: a search that found the same papers again).
            if other._count != self._count:
                return False
            if isinstance(self._held, RowFlags) or isinstance(other._held, RowFlags):
                return self._held == other._held
            return set(other._held) == set(self._held)
        return super().__eq__(other)


class Chained(LazyOrder):
    """Orders one after another (a search's rows by score, each score's in date order: an
    `InOrder` or a list), each read only as far as a list reads the whole."""

    def __init__(self, parts: list[Sequence[int]]) -> None:
        self._parts = parts
        self._count = sum(map(len, parts))
        self._found: list[int] = []
        self._at = 0
        """The part `_found` ends in."""
        self._before = 0
        """How many of `_found` the parts before it gave."""

    def _known(self, upto: int) -> list[int]:
        found, parts = self._found, self._parts
        while len(found) < upto and self._at < len(parts):
            part = parts[self._at]
            taken = len(found) - self._before
            found.extend(part[taken : taken + upto - len(found)])
            if len(found) - self._before >= len(part):  # this part is all in: the next one
                self._before, self._at = len(found), self._at + 1
            elif len(found) < upto:  # a part shorter than it said: nothing more to find
                break
        return found

    def whole(self) -> list[int]:
        return self._known(sys.maxsize)

    def __contains__(self, value: object) -> bool:
        return any(value in part for part in self._parts)

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        if value not in self:  # asked by a list keeping its cursor's paper: not walked for
            raise ValueError(f"{value!r} is not in the order")
        return super().index(value, start, stop)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Chained) and len(other._parts) == len(self._parts):
            return all(a == b for a, b in zip(self._parts, other._parts, strict=True))
        return super().__eq__(other)
