"""Sparse vectors of many papers in flat arrays, for the related-papers index and the interest
model: a tuple of two arrays per paper (or per term) cost more in object headers than in data."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import islice


class Vectors:
    """Row after row of (feature number, weight) pairs, in two flat arrays."""

    __slots__ = ("numbers", "values", "starts")

    def __init__(self, size: int = 0) -> None:
        """`size`: the pairs all rows will hold, when known: the arrays are made at that size
        once, where growing them pair by pair left the freed smaller copies scattered over
        the heap (tens of megabytes at 100k papers)."""
        self.numbers: array[int] = array("i", [0]) * size  # no bytes of that size made first
        self.values: array[float] = array("f", [0.0]) * size
        self.starts: array[int] = array("q", [0])
        """Where each row begins in `numbers` and `values`; one more than there are rows."""

    def append(self, numbers: array[int], values: array[float]) -> None:
        if len(numbers) != len(values):
            raise ValueError("a row needs as many weights as feature numbers")
        start = self.starts[-1]
        end = start + len(numbers)
        if end <= len(self.numbers):
            self.numbers[start:end] = numbers
            self.values[start:end] = values
        else:
            del self.numbers[start:], self.values[start:]
            self.numbers.extend(numbers)
            self.values.extend(values)
        self.starts.append(end)

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, row: int) -> tuple[array[int], array[float]]:
        start, end = self.starts[row], self.starts[row + 1]
        return self.numbers[start:end], self.values[start:end]

    def __iter__(self) -> Iterator[tuple[array[int], array[float]]]:
        for row in range(len(self)):
            yield self[row]

    def numbers_of(self, row: int) -> array[int]:
        return self.numbers[self.starts[row] : self.starts[row + 1]]

    def weight_of(self, row: int, number: int) -> float:
        """Row `row`'s weight for feature `number` (which the row must have)."""
        return self.values[self.numbers.index(number, self.starts[row], self.starts[row + 1])]

    def transposed(self, features: int, *, weights: bool = True) -> Vectors:
        """Row `n` of the result: the rows having feature `n` (ascending) and their weights
        for it (without `weights`, the rows only: `weight_of` finds them here): an inverted
        index, made without a list per feature."""
        used = self.starts[-1]  # a reserved size may not have been filled
        counts = [0] * (features + 1)
        for number in islice(self.numbers, used):
            counts[number + 1] += 1
        starts = array("q", counts)
        for n in range(1, len(starts)):
            starts[n] += starts[n - 1]
        place = list(starts[:-1])
        rows = array("i", bytes(4 * used))
        kept = array("f", bytes(4 * used if weights else 0))
        numbers, values = self.numbers, self.values
        for row in range(len(self)):
            for at in range(self.starts[row], self.starts[row + 1]):
                number = numbers[at]
                slot = place[number]
                rows[slot] = row
                if weights:
                    kept[slot] = values[at]
                place[number] = slot + 1
        inverted = Vectors()
        inverted.numbers, inverted.values, inverted.starts = rows, kept, starts
        return inverted
