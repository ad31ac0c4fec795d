"""A hybrid logical clock: timestamps that follow the wall clock where it is sane and still
order every change after every change its device has seen (Kulkarni et al., 2014).

A timestamp is one integer, `milliseconds << 16 | counter`, so it sorts, compares and
serialises as a plain number.  A device whose wall clock runs behind still stamps its changes
after the ones it has seen; one that runs ahead drags the others' clocks forward with it rather
than have its changes lose to older ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable

COUNTER_BITS = 16
COUNTER_MASK = (1 << COUNTER_BITS) - 1


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


def pack(millis: int, counter: int) -> int:
    return (millis << COUNTER_BITS) | counter


def millis_of(stamp: int) -> int:
    return stamp >> COUNTER_BITS


class HybridClock:
    """Issues strictly increasing stamps; `observe` folds in the stamps of other devices."""

    def __init__(self, last: int = 0, now: Callable[[], int] = wall_ms) -> None:
        self.last = last
        self.now = now

    def tick(self) -> int:
        wall = self.now()
        if wall > millis_of(self.last):
            self.last = pack(wall, 0)
        else:
            self.last = self._bump(self.last)
        return self.last

    def observe(self, stamp: int) -> None:
        """After reading another device's change: every later tick here sorts after it."""
        if stamp > self.last:
            self.last = stamp

    @staticmethod
    def _bump(stamp: int) -> int:
        # The counter overflowing into the milliseconds keeps the order; it only means more than
        # 65k changes within one millisecond, or a wall clock far behind the others'.
        return stamp + 1
