"""Sparse vectors of many papers in flat arrays, for the related-papers index and the interest
model: a tuple of two arrays per paper (or per term) cost more in object headers than in data."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator


class Vectors:
    """Row after row of (feature number, weight) pairs, in two flat arrays."""

    __slots__ = ("numbers", "values", "starts")

    def __init__(self) -> None:
        self.numbers: array[int] = array("i")
        self.values: array[float] = array("f")
        self.starts: array[int] = array("q", [0])
        """Where each row begins in `numbers` and `values`; one more than there are rows."""

    def append(self, numbers: Iterable[int], values: Iterable[float]) -> None:
        self.numbers.extend(numbers)
        self.values.extend(values)
        if len(self.numbers) != len(self.values):
            raise ValueError("a row needs as many weights as feature numbers")
        self.starts.append(len(self.numbers))

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, row: int) -> tuple[array[int], array[float]]:
        start, end = self.starts[row], self.starts[row + 1]
        return self.numbers[start:end], self.values[start:end]

    def __iter__(self) -> Iterator[tuple[array[int], array[float]]]:
        for row in range(len(self)):
            yield self[row]

    def transposed(self, features: int) -> Vectors:
        """Row `n` of the result: the rows having feature `n` (ascending) and their weights
        for it: an inverted index, made without a list per feature."""
        counts = [0] * (features + 1)
        for number in self.numbers:
            counts[number + 1] += 1
        starts = array("q", counts)
        for n in range(1, len(starts)):
            starts[n] += starts[n - 1]
        place = list(starts[:-1])
        rows = array("i", bytes(4 * len(self.numbers)))
        weights = array("f", bytes(4 * len(self.values)))
        numbers, values = self.numbers, self.values
        for row in range(len(self)):
            for at in range(self.starts[row], self.starts[row + 1]):
                number = numbers[at]
                slot = place[number]
                rows[slot] = row
                weights[slot] = values[at]
                place[number] = slot + 1
        inverted = Vectors()
        inverted.numbers, inverted.values, inverted.starts = rows, weights, starts
        return inverted
