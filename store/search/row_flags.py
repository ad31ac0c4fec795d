"""A set of rows as a byte per row, made, tested and combined in C.

A one-letter word (`s`, the first key of most queries) begins words in 40% of 100k titles: a
dict of those 41k rows cost 5-10 ms to build, in the time of that key. The saved title index
keeps each such letter's rows as flags (`store.search.postings.Postings.flags`), and a list's
first screen reads them through the date order (`store.search.ordering.InOrder`) without any
set of the rows being made.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import compress, repeat


def scattered(rows: Iterable[int], size: int) -> bytearray:
    """A byte per row, 1 for each of `rows` (`0 <= row < size`, or -1: a row left out)."""
    data = bytearray(size + 1)
    deque(map(data.__setitem__, rows, repeat(1)), maxlen=0)  # per row in C
    del data[size]  # where the -1 rows landed
    return data


def row_bits(rows: Iterable[int], size: int) -> int:
    """`scattered(rows, size)` read as one integer: sets of rows combined with `&`, `|` and
    `& ~`, in C; `bit_count()` counts them."""
    return int.from_bytes(scattered(rows, size), "little")


class RowFlags:
    """Rows `0 <= row < len(data)` with `data[row] == 1` (every byte 0 or 1)."""

    __slots__ = ("data", "_count")

    def __init__(self, data: bytes | bytearray) -> None:
        self.data = data
        self._count: int | None = None

    @classmethod
    def of(cls, rows: Iterable[int], size: int) -> RowFlags:
        """`rows` (each `0 <= row < size`) as flags."""
        return cls(scattered(rows, size))

    def __contains__(self, row: object) -> bool:
        return isinstance(row, int) and 0 <= row < len(self.data) and self.data[row] == 1

    def __len__(self) -> int:
        if self._count is None:
            self._count = self.data.count(1)
        return self._count

    def __iter__(self) -> Iterator[int]:
        """The rows, lowest first."""
        return compress(range(len(self.data)), self.data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RowFlags) and self.data == other.data

    __hash__ = None  # type: ignore[assignment]

    def bits(self) -> int:
        """These rows as `row_bits` makes them (for sets combined with `&`, `|`, `& ~`)."""
        return int.from_bytes(self.data, "little")
