"""RecordRows: every record of a library, each built only when something asks for it.

Building 100k `Paper` and `Record` objects costs about 0.5 s, far more than a one-shot search
over their titles, and a command printing 20 papers needs 20. `RecordRows` holds the catalog's
columns (titles, ids, the stored date order) and the user's state by id; the search engine reads
the columns directly, and a `Record` is made the first time its row is asked for, then kept (the
same object every time, as lists compare rows by identity).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, overload

from store.models import Enrichment, Paper, Record, UserState

_NO_STATE, _NO_ENRICHMENT = UserState(), Enrichment()


class PaperColumns(Protocol):
    """The catalog as columns (store.files.columns.Columns)."""

    count: int

    @property
    def ids(self) -> list[str]: ...

    @property
    def titles(self) -> list[str]: ...

    def column(self, name: str) -> list[Any]: ...

    def paper(self, row: int) -> Paper: ...

    def papers(self) -> list[Paper]: ...


class RecordRows(Sequence[Record]):
    """The records of the papers in `columns` that are not merged into another, in catalog
    order, joined with `states`, queue `positions`, `enrichments` and citation keys."""

    def __init__(
        self,
        columns: PaperColumns,
        states: Mapping[str, UserState],
        positions: Mapping[str, int],
        enrichments: Mapping[str, Enrichment],
        citekey: Callable[[str], tuple[str | None, tuple[str, ...]]],
    ) -> None:
        """`citekey`: a paper's citation key and its aliases as lists show them."""
        self.columns = columns
        self.states = states
        self.positions = positions
        self.enrichments = enrichments
        self.citekey = citekey
        merged = {pid for pid, state in states.items() if state.duplicate_of is not None}
        ids = columns.ids
        self.catalog_rows: list[int] | None = (
            [row for row, pid in enumerate(ids) if pid not in merged] if merged else None
        )
        """Catalog row of each of these rows (None: the same, nothing is merged away)."""
        self._built: list[Record | None] = [None] * len(self)
        self._ids: list[str] | None = None if merged else ids

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
            record = self._built[index] = self._record(index)
        return record

    def materialise(self) -> list[Record]:
        """Every record, built in one pass (faster than one at a time)."""
        self.columns.papers()
        return list(self)

    def __setitem__(self, index: int, record: Record) -> None:
        self._built[index] = record

    def __iter__(self) -> Iterator[Record]:
        return map(self.__getitem__, range(len(self)))

    def _record(self, index: int) -> Record:
        row = index if self.catalog_rows is None else self.catalog_rows[index]
        paper = self.columns.paper(row)
        pid = paper.id
        key, aliases = self.citekey(pid)
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

    def date_ranks(self) -> list[int]:
        """Each row's position in `date` order, from the order stored with the columns."""
        order = self.columns.column("date_order")
        if self.catalog_rows is not None:
            index_of = {row: index for index, row in enumerate(self.catalog_rows)}
            order = [index_of[row] for row in order if row in index_of]
        ranks = [0] * len(order)
        for position, row in enumerate(order):
            ranks[row] = position
        return ranks


def rows_of(records: Sequence[Record]) -> RecordRows | None:
    """`records` if they are `RecordRows` (whose columns a search can read directly)."""
    return records if isinstance(records, RecordRows) else None
