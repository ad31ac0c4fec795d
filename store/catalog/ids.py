"""Ids as people read them: the first 8 characters, longer only where two papers share those."""

from __future__ import annotations

from collections.abc import Iterable

SHORT = 8


def short_ids(ids: Iterable[str], length: int = SHORT) -> dict[str, str]:
    """Each id's shortest prefix of at least `length` characters that no other id starts with."""
    ordered = sorted(set(ids))
    shorts: dict[str, str] = {}
    for index, pid in enumerate(ordered):
        common = 0
        for neighbour in ordered[max(0, index - 1) : index] + ordered[index + 1 : index + 2]:
            match = 0
            for a, b in zip(pid, neighbour, strict=False):
                if a != b:
                    break
                match += 1
            common = max(common, match)
        shorts[pid] = pid[: max(length, common + 1)]
    return shorts
