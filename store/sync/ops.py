"""What a change did, as journal operations: the difference between two user-state documents.

Generic over fields: any field of a state document other than `tags` and `note` becomes a
last-writer-wins `set`, so fields added later (a new status, a citation key) travel unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from store.sync.ranks import rerank

LOCAL_FIELDS = frozenset({"id", "updated", "note_base"})
"""Fields of a state document that are this device's own bookkeeping, never synced."""

Op = tuple[str, dict[str, Any]]


def state_ops(before: dict[str, Any], after: dict[str, Any], default: dict[str, Any]) -> list[Op]:
    """Operations turning document `before` into `after` (missing fields read as `default`)."""
    ops: list[Op] = []
    names = sorted((set(before) | set(after)) - LOCAL_FIELDS)
    for name in names:
        old = before.get(name, default.get(name))
        new = after.get(name, default.get(name))
        if old == new:
            continue
        if name == "tags":
            old_tags = list(old or ())
            new_tags = list(new or ())
            for tag in old_tags:
                if tag not in new_tags:
                    ops.append(("tag", {"tag": tag, "on": False}))
            for tag in new_tags:
                if tag not in old_tags:
                    ops.append(("tag", {"tag": tag, "on": True}))
        elif name == "note":
            base = before.get("note_base")
            ops.append(("note", {"text": new or "", "base": list(base or [])}))
        else:
            ops.append(("set", {"field": name, "value": new}))
    return ops


def queue_ops(
    before: Sequence[str], after: Sequence[str], ranks: dict[str, str]
) -> tuple[list[tuple[str, dict[str, Any]]], dict[str, str]]:
    """(paper, operation args) for every paper whose queue membership or place changed, and the
    ranks of the new queue."""
    new_ranks = rerank(after, {p: r for p, r in ranks.items() if p in set(before)})
    changes: list[tuple[str, dict[str, Any]]] = []
    for pid in before:
        if pid not in new_ranks:
            changes.append((pid, {"on": False, "rank": ranks.get(pid, "")}))
    for pid in after:
        if ranks.get(pid) != new_ranks[pid] or pid not in before:
            changes.append((pid, {"on": True, "rank": new_ranks[pid]}))
    return changes, new_ranks
