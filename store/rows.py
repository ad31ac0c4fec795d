"""RecordRows: every record of a library, each built only when something asks for it.

Building 100k `Paper` and `Record` objects costs about 0.5 s, far more than a one-shot search
over their titles, and a command printing 20 papers needs 20. `RecordRows` holds the catalog's
columns (titles, ids, the stored date order) and the user's state by id; the search engine reads
the columns directly, and a `Record` is made the first time its row is asked for, then kept (the
same object every time, as lists compare rows by identity).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from itertools import islice, repeat
from typing import Any, Protocol, overload

from store.id_check import ids_check
from store.models import Enrichment, Paper, Record, UserState

_NO_STATE, _NO_ENRICHMENT = UserState(), Enrichment()
SLICE = 2000
"""Records built between two `between()` calls in `materialise` (a few milliseconds)."""
HOLD_LOOKUPS = 50
"""Records `hold` looks up one by one (each a scan of the ids: 0.5 ms at 100k papers)."""
MANY = 1000
"""Records built one at a time before the rest are built in one pass (about 3x faster each)."""


class PaperColumns(Protocol):
    """The catalog as columns (store.files.columns.Columns)."""

    count: int
    signature: tuple[int, int, int] | None
    """Of the catalog file they were read from (None: not read from a file)."""

    @property
    def ids(self) -> list[str]: ...

    @property
    def titles(self) -> list[str]: ...

    def id_at(self, row: int) -> str: ...

    def ids_check(self) -> list[int] | None: ...

    def column(self, name: str) -> list[Any]: ...

    def paper(self, row: int) -> Paper: ...

    def head_order(self) -> list[int]: ...

    def papers(self, between: Callable[[], None] | None = None) -> list[Paper]: ...

    def decode_whole(self, between: Callable[[], None]) -> None: ...

    def decode_details(self, between: Callable[[], None]) -> None: ...

    def want(self, rows: Iterable[int]) -> None: ...


class RecordRows(Sequence[Record]):
    """The records of the papers in `columns` that are not merged into another, in catalog
    order, joined with `states`, queue `positions`, `enrichments` and citation keys."""

    def __init__(
        self,
        columns: PaperColumns,
        states: Mapping[str, UserState],
        positions: Mapping[str, int],
        enrichments: Mapping[str, Enrichment],
        keyed: Collection[str],
        citekey: Callable[[str], tuple[str | None, tuple[str, ...]]],
        read_keys: Callable[[Callable[[], None] | None], object] | None = None,
    ) -> None:
        """`citekey`: the citation key and aliases (as lists show them) of a paper, (None, ())
        for one not in `keyed`;
        `read_keys(between)`: ahead of building every record, reads every key at once (one
        at a time they are looked up where they lie)."""
        self.columns = columns
        self.states = states
        self.positions = positions
        self.enrichments = enrichments
        self.keyed = keyed
        self.citekey = citekey
        self.read_keys = read_keys
        merged = {pid for pid, state in states.items() if state.duplicate_of is not None}
        self.catalog_rows: list[int] | None = (
            [row for row, pid in enumerate(columns.ids) if pid not in merged] if merged else None
        )
        """Catalog row of each of these rows (None: the same, nothing is merged away)."""
        self._built: list[Record | None] = [None] * len(self)
        self._misses = 0
        self._lock = threading.Lock()
        """Held while a built record is put in place: a search thread may build some while a
        load builds them all, and each row must stay one object."""
        self._ids: list[str] | None = None  # read when first asked for (not for a first screen)

    def __len__(self) -> int:
        return self.columns.count if self.catalog_rows is None else len(self.catalog_rows)

    @overload
    def __getitem__(self, index: int) -> Record: ...

    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...

    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        record = self._built[index]
        if record is None:
            self._misses += 1
            if self._misses > max(MANY, len(self) // 10):
                # A filter over every row (`year:2024`): build them all in one pass instead.
                self.materialise()
                return self._built[index]  # type: ignore[return-value]
            fresh = self._record(index)
            with self._lock:
                record = self._built[index]
                if record is None:
                    record = self._built[index] = fresh
        return record

    def want(self, indexes: Iterable[int]) -> None:
        """Rows a list is about to show: their values are decoded next (`PaperColumns.want`)."""
        built = self._built
        wanted = [i for i in indexes if built[i] is None]
        if wanted:
            rows = self.catalog_rows
            self.columns.want(wanted if rows is None else [rows[i] for i in wanted])

    def materialise(self, between: Callable[[], None] | None = None) -> list[Record]:
        """Every record, built in one pass (several times faster than one at a time); records
        built before are kept (someone may hold them). `between`: called between slices of
        the work (a load lets a search go first)."""
        pause = between or (lambda: None)
        papers = self.columns.papers(between)
        if self.catalog_rows is not None:
            papers = [papers[row] for row in self.catalog_rows]
        ids = self.ids
        keyed: list[tuple[str | None, tuple[str, ...]]] | None = None
        if self.keyed:
            if self.read_keys is not None:
                self.read_keys(between)
            keyed = []
            for start in range(0, len(ids), SLICE):
                keyed.extend(map(self.citekey, ids[start : start + SLICE]))
                pause()
        fresh = map(
            Record,
            papers,
            map(self.states.get, ids, repeat(_NO_STATE)),
            map(self.positions.get, ids),
            map(self.enrichments.get, ids, repeat(_NO_ENRICHMENT)),
            repeat(None) if keyed is None else (key for key, _ in keyed),
            repeat(()) if keyed is None else (aliases for _, aliases in keyed),
        )
        if between is None:
            made = list(fresh)
        else:
            made = []
            for _ in range(0, len(ids), SLICE):
                made.extend(islice(fresh, SLICE))
                between()
        with self._lock:
            built = self._built
            if any(built):
                self._built = [old or new for old, new in zip(built, made, strict=True)]
            else:
                self._built = made  # type: ignore[assignment]
            return list(self._built)  # type: ignore[arg-type]

    def in_date_order(self) -> OrderedRows:
        """These records in `date` order (what an unfiltered list shows first), each built when
        first shown; the order itself is read when more than its first rows are asked for."""
        if self.catalog_rows is not None:
            return OrderedRows(self, self.date_order())
        return OrderedRows(self, FirstKnown(self.columns.head_order(), self.date_order, len(self)))

    def hold(self, records: Sequence[Record]) -> bool:
        """Whether these rows hold each of `records` now (a view's change puts the changed
        record in its row): a few are looked up, many are not."""
        if len(records) > HOLD_LOOKUPS:
            return False
        ids = self.ids
        try:
            return all(self._built[ids.index(r.id)] is r for r in records)
        except ValueError:
            return False

    def __setitem__(self, index: int, record: Record) -> None:
        with self._lock:
            self._built[index] = record

    def __iter__(self) -> Iterator[Record]:
        return map(self.__getitem__, range(len(self)))

    def _record(self, index: int) -> Record:
        row = index if self.catalog_rows is None else self.catalog_rows[index]
        paper = self.columns.paper(row)
        pid = paper.id
        # One lookup, not `in` and then a second: from the key index each is a search.
        key, aliases = self.citekey(pid) if self.keyed else (None, ())
        return Record(
            paper,
            self.states.get(pid, _NO_STATE),
            self.positions.get(pid),
            self.enrichments.get(pid, _NO_ENRICHMENT),
            key,
            aliases,
        )

    def _column(self, name: str) -> list[Any]:
        values = self.columns.column(name)
        if self.catalog_rows is None:
            return values
        return [values[row] for row in self.catalog_rows]

    @property
    def ids(self) -> list[str]:
        if self._ids is None:
            self._ids = self._column("id")
        return self._ids

    @property
    def titles(self) -> list[str]:
        return self._column("title")

    def id_at(self, index: int) -> str:
        """One row's id, without decoding every id (`ids`)."""
        if self._ids is not None:
            return self._ids[index]
        return self.columns.id_at(index if self.catalog_rows is None else self.catalog_rows[index])

    def ids_check(self) -> list[int] | None:
        """`ids_check` of `ids`, known without decoding them where
        these rows are the catalog's own."""
        if self.catalog_rows is None:
            return self.columns.ids_check()
        return ids_check("\n".join(self.ids).encode(), len(self))

    def authors(self) -> list[tuple[str, ...]]:
        """Each row's `Record.authors` (enrichment's names, else the catalog's)."""
        names = self._column("authors")
        enrichments = self.enrichments
        if not enrichments:
            return names
        return [
            (e.authors if (e := enrichments.get(pid)) is not None and e.authors else found)
            for pid, found in zip(self.ids, names, strict=True)
        ]

    def touched_rows(self) -> set[int]:
        """Rows with user state, a queue place or enrichment (`Record.touched`): only papers
        named in those files can be, so the others are never built."""
        named = self.states.keys() | self.positions.keys() | self.enrichments.keys()
        if not named:
            return set()
        return {row for row, pid in enumerate(self.ids) if pid in named and self[row].touched}

    def date_order(self) -> list[int]:
        """These rows in `date` order, from the order stored with the columns."""
        order: list[int] = self.columns.column("date_order")
        if self.catalog_rows is not None:
            index_of = {row: index for index, row in enumerate(self.catalog_rows)}
            order = [index_of[row] for row in order if row in index_of]
        return order

    def date_ranks(self) -> list[int]:
        """Each row's position in `date` order."""
        order = self.date_order()
        ranks = [0] * len(order)
        for position, row in enumerate(order):
            ranks[row] = position
        return ranks


class LazyOrder(Sequence[int]):
    """Row numbers in an order, of which only a first part may be known yet: a list reads its
    first screen from `_known`, and `whole()` knows them all."""

    __hash__ = None  # type: ignore[assignment]
    _count: int

    def _known(self, upto: int) -> list[int]:
        """The first `upto` rows at least (or all of them), in order."""
        raise NotImplementedError

    def whole(self) -> list[int]:
        raise NotImplementedError

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step == 1:
                return self._known(stop)[start:stop]
            return self.whole()[index]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return self._known(index + 1)[index]

    def __iter__(self) -> Iterator[int]:
        return iter(self.whole())

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        if start == 0 and stop is None:  # found only as far as needed: a cursor near the top
            searched, step = 0, 64
            while True:
                found = self._known(searched + step)
                try:
                    return found.index(value, searched)  # type: ignore[arg-type]
                except ValueError:
                    if len(found) < searched + step:  # every row known: not there
                        raise
                    searched, step = len(found), step * 4
        return self.whole().index(value, start, sys.maxsize if stop is None else stop)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyOrder):
            other = other.whole() if len(other) == self._count else None
        return isinstance(other, list) and len(other) == self._count and self.whole() == other


class FirstKnown(LazyOrder):
    """Row numbers in an order of which the first few are known at once (stored with the
    columns) and the rest only once `whole()` has read them: a list's first screen is drawn
    from them, before the order of every row is decoded."""

    def __init__(self, first: list[int], whole: Callable[[], list[int]], count: int) -> None:
        self._first, self._read, self._count = first, whole, count
        self._whole: list[int] | None = None

    def whole(self) -> list[int]:
        if self._whole is None:
            self._whole = self._read()
        return self._whole

    def _known(self, upto: int) -> list[int]:
        return self._first if upto <= len(self._first) else self.whole()


class OrderedRows(Sequence[Record]):
    """`rows` in the order `order` (row numbers) gives; a record is built when first asked for,
    so a list can show its first screen before the others exist."""

    def __init__(self, rows: RecordRows, order: Sequence[int]) -> None:
        self.rows = rows
        self.order = order

    def __len__(self) -> int:
        return len(self.order)

    @overload
    def __getitem__(self, index: int) -> Record: ...

    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...

    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self.rows[row] for row in self.order[index]]
        return self.rows[self.order[index]]

    def ids(self) -> list[str]:
        """The papers' ids in this order, without building any record."""
        return list(map(self.rows.ids.__getitem__, self.order))

    def position(self, paper: str) -> int | None:
        """Where paper `paper` is in this order, found without building any record."""
        try:
            return self.order.index(self.rows.ids.index(paper))
        except ValueError:
            return None

    def row_position(self, row: int) -> int | None:
        """Where row `row` of `rows` is in this order (`position` without looking the id up:
        a scan of every id, 1-2 ms at 100k papers)."""
        try:
            return self.order.index(row)
        except ValueError:
            return None


def rows_of(records: Sequence[Record]) -> RecordRows | None:
    """`records` if they are `RecordRows` (whose columns a search can read directly)."""
    return records if isinstance(records, RecordRows) else None
