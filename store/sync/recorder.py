"""Between `state.json` and the journal: a change to state documents becomes entries, and the
merged replica becomes `state.json` content again.

State documents are plain dicts (the store's document codec makes them), so this module knows
no field but `tags`, `note`, `note_base` (which note versions the text shows) and the queue's
`ranks`; every other field syncs as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from store.sync.clock import millis_of
from store.sync.journal import Entry
from store.sync.local import Change, LocalJournal
from store.sync.merge import Replica
from store.sync.ops import queue_ops, state_ops
from store.sync.ranks import rerank

Doc = dict[str, Any]


def document_changes(
    before: Mapping[str, Doc | None], after: Mapping[str, Doc], default: Doc
) -> list[Change]:
    changes: list[Change] = []
    for pid, new in after.items():
        old = before.get(pid) or {}
        for op, args in state_ops(old, new, default):
            changes.append((pid, op, args))
    return changes


def queue_changes(
    before: Sequence[str], after: Sequence[str], ranks: Mapping[str, str]
) -> tuple[list[Change], dict[str, str]]:
    ops, new_ranks = queue_ops(before, after, dict(ranks))
    return [(pid, "queue", args) for pid, args in ops], new_ranks


def baseline_changes(docs: Sequence[Doc], queue: Sequence[str], default: Doc) -> list[Change]:
    """Entries for the state a library had before it kept a journal, so that the journal alone
    rebuilds it and other devices receive it."""
    changes = document_changes(
        {}, {d["id"]: d for d in docs if isinstance(d.get("id"), str)}, default
    )
    ranks = rerank(queue, {})
    changes.extend((pid, "queue", {"on": True, "rank": ranks[pid]}) for pid in queue)
    return changes


def record(
    journal: LocalJournal,
    before: Mapping[str, Doc | None],
    after: dict[str, Doc],
    default: Doc,
    queue_before: Sequence[str],
    queue_after: Sequence[str],
    ranks: Mapping[str, str],
) -> tuple[list[Entry], dict[str, str]]:
    """Append the entries of one change; sets each changed note's `note_base` in `after` and
    returns the entries and the queue's new ranks."""
    changes = document_changes(before, after, default)
    ranks_after = dict(ranks)
    if list(queue_before) != list(queue_after) or set(ranks) != set(queue_before):
        queue, ranks_after = queue_changes(queue_before, queue_after, ranks)
        changes.extend(queue)
    entries = journal.record(changes)
    for entry in entries:
        if entry.op == "note":
            after[entry.paper]["note_base"] = [entry.id]
    return entries, ranks_after


def _iso(stamp: int) -> str:
    return datetime.fromtimestamp(millis_of(stamp) / 1000, UTC).isoformat(timespec="seconds")


def _latest(replica: Replica, pid: str) -> int:
    state = replica.papers[pid]
    stamps = [key[0] for key, _ in state.fields.values()]
    stamps += [key[0] for key, _ in state.tags.values()]
    stamps += [key[0] for key, _, _ in state.note.heads.values()]
    if state.queue is not None:
        stamps.append(state.queue[0][0])
    return max(stamps, default=0)


def state_documents(
    replica: Replica, default: Doc, keep: Callable[[Doc], bool]
) -> tuple[list[Doc], list[str], dict[str, str]]:
    """The documents, queue and ranks `state.json` holds for `replica` (papers whose state is
    all default are left out when `keep` says so)."""
    docs: list[Doc] = []
    for pid in sorted(replica.papers):
        fields = replica.fields_of(pid)
        doc = {**default, **fields, "id": pid, "updated": _iso(_latest(replica, pid))}
        if keep(doc):
            docs.append(doc)
    queued = replica.queue()
    return docs, [pid for pid, _ in queued], dict(queued)
