"""Following merges: a write that names a paper the user merged into another goes to that paper
(and says so) instead of landing on a hidden one."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from store.models import Change

MERGE_HOPS = 16
"""Merges of merges followed at most this far (a hand-made cycle must not loop)."""


class MergedAway(Exception):
    """Raised inside a change, before anything is written, when it names merged-away papers."""

    def __init__(self, targets: dict[str, str]) -> None:
        self.targets = targets


def merge_targets(ids: Iterable[str], merged: Callable[[str], str | None]) -> dict[str, str]:
    """Each merged-away id of `ids` with the paper it finally went to."""
    targets: dict[str, str] = {}
    for pid in ids:
        target, hops = pid, 0
        while (step := merged(target)) is not None and hops < MERGE_HOPS and step != pid:
            target, hops = step, hops + 1
        if target != pid:
            targets[pid] = target
    return targets


ChangeMethod = Callable[..., Change]


def follows_merges(method: ChangeMethod) -> ChangeMethod:
    """A write to a paper the user merged into another goes to that paper, and the Change says
    so (`followed`), rather than landing on a hidden paper where it would never show."""

    @functools.wraps(method)
    def write(self: Any, ids: str | Sequence[str], *args: object, **kwargs: object) -> Change:
        try:
            return method(self, ids, *args, **kwargs)
        except MergedAway as merged:
            targets = merged.targets
        asked = [ids] if isinstance(ids, str) else list(ids)
        mapped = list(dict.fromkeys(targets.get(pid, pid) for pid in asked))
        change = method(self, mapped[0] if isinstance(ids, str) else mapped, *args, **kwargs)
        return replace(change, followed={pid: targets[pid] for pid in asked if pid in targets})

    return write
