"""The user's state (tags, notes, status, triage, queue): every change is a locked
read-modify-write that returns a `Change`, and `undo` puts back only what is still as it left it.
Each change is also appended to the journal (store/sync) in the same locked step.

Each change re-reads `state.json` under its lock and applies a function to the current state, so
a process holding stale data never overwrites what another process wrote.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from store.devices import state_content
from store.errors import BadTag, UnknownPaper, UsageError
from store.files.documents import (
    DEFAULT_DOC,
    PAPERS_TABLE,
    QUEUE_TABLE,
    changed_doc,
    queue_from,
    queue_ranks,
    state_from,
    table_docs,
)
from store.files.storage import META_TABLE, StoreFile
from store.models import STATUSES, Change, Paper, UserState
from store.sync.local import LocalJournal
from store.sync.recorder import baseline_changes, record
from store.tags import count_tags, normalise_tags

StateUpdate = Callable[[str, UserState], UserState]
QueueUpdate = Callable[[list[str]], list[str]]
MERGE_HOPS = 16
"""Merges of merges followed at most this far (a hand-made cycle must not loop)."""


class _MergedAway(Exception):
    """Raised inside a change, before anything is written, when it names merged-away papers."""

    def __init__(self, targets: dict[str, str]) -> None:
        self.targets = targets


def _merge_targets(ids: Iterable[str], merged: Callable[[str], str | None]) -> dict[str, str]:
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
    def write(
        self: UserStates, ids: str | Sequence[str], *args: object, **kwargs: object
    ) -> Change:
        try:
            return method(self, ids, *args, **kwargs)
        except _MergedAway as merged:
            targets = merged.targets
        asked = [ids] if isinstance(ids, str) else list(ids)
        mapped = list(dict.fromkeys(targets.get(pid, pid) for pid in asked))
        change = method(self, mapped[0] if isinstance(ids, str) else mapped, *args, **kwargs)
        return replace(change, followed={pid: targets[pid] for pid in asked if pid in targets})

    return write


class UserStates:
    """The user-state file of a library; `papers` says which ids exist."""

    def __init__(
        self,
        state_file: StoreFile,
        papers: Callable[[], Mapping[str, Paper]],
        now: Callable[[], datetime],
        journal: LocalJournal,
    ) -> None:
        self.file = state_file
        self.papers = papers
        self.now = now
        self.journal = journal

    # -- reads -------------------------------------------------------------------------------

    def all(self) -> dict[str, UserState]:
        content = self.file.load()
        return {doc["id"]: state_from(doc) for doc in table_docs(content, PAPERS_TABLE)}

    def queue_ids(self) -> list[str]:
        return queue_from(self.file.load())

    def of(self, pid: str) -> tuple[UserState, int | None]:
        """One paper's state and queue position."""
        content = self.file.load()
        state = next(
            (state_from(d) for d in table_docs(content, PAPERS_TABLE) if d["id"] == pid),
            UserState(),
        )
        queue = queue_from(content)
        return state, queue.index(pid) + 1 if pid in queue else None

    def tag_counts(self) -> dict[str, int]:
        return count_tags(self.all().values())

    def merged_into(self, pid: str) -> str | None:
        """The paper `pid` was merged into (following merges of merges), or None."""
        states = self.all()
        return _merge_targets([pid], lambda p: states.get(p, UserState()).duplicate_of).get(pid)

    # -- the one way to write ----------------------------------------------------------------

    def change(
        self,
        description: str,
        ids: Sequence[str],
        update: StateUpdate | None = None,
        queue_update: QueueUpdate | None = None,
        *,
        follow_merges: bool = True,
    ) -> Change:
        """Apply `update` to the current state of `ids` (and `queue_update` to the queue),
        re-read under the lock, written once.  With `follow_merges`, an id the user merged away
        stops the change before anything is written (`follows_merges` retries it)."""
        papers = self.papers()
        for pid in ids:
            if pid not in papers:
                raise UnknownPaper(f"no paper with id {pid!r}; `paperdeck list` shows the ids")
        stamp = self.now().isoformat(timespec="seconds")
        before: dict[str, UserState] = {}
        after: dict[str, UserState] = {}
        with self.file.locked():
            self.ensure_journal()
            try:
                queue_before, queue_after = self._write(
                    ids, update, queue_update, follow_merges, stamp, before, after
                )
            except _JournalAhead:
                self.catch_up()
                queue_before, queue_after = self._write(
                    ids, update, queue_update, follow_merges, stamp, before, after
                )
            if self.journal.needs_compaction():
                self.journal.compact()
        tracks_queue = queue_update is not None or queue_before != queue_after
        return Change(
            description,
            before,
            after,
            queue_before if tracks_queue else None,
            queue_after if tracks_queue else None,
        )

    def _write(
        self,
        ids: Sequence[str],
        update: StateUpdate | None,
        queue_update: QueueUpdate | None,
        follow_merges: bool,
        stamp: str,
        before: dict[str, UserState],
        after: dict[str, UserState],
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Under the lock: one change, in the journal first, then in state.json."""
        before.clear()
        after.clear()
        with self._journal_rollback(), self.file.transaction() as db:
            content = db.storage.read() or {}
            if journal_tail(content, self.journal) is _BEHIND:
                raise _JournalAhead()
            table = db.table(PAPERS_TABLE, cache_size=0)
            docs = {doc["id"]: doc for doc in table.all() if isinstance(doc.get("id"), str)}
            queue_table = db.table(QUEUE_TABLE, cache_size=0)
            queue = queue_from(content)
            ranks = queue_ranks(content)
            if follow_merges and any(_duplicate_of(docs.get(pid)) for pid in ids):
                raise _MergedAway(_merge_targets(ids, lambda p: _duplicate_of(docs.get(p))))
            old_docs: dict[str, dict[str, Any] | None] = {}
            new_docs: dict[str, dict[str, Any]] = {}
            for pid in ids:
                old = state_from(docs[pid]) if pid in docs else UserState()
                new = update(pid, old) if update else old
                before[pid], after[pid] = old, new
                if new == old:
                    continue
                new = replace(new, updated=stamp)
                after[pid] = new
                old_docs[pid] = dict(docs[pid]) if pid in docs else None
                new_docs[pid] = changed_doc(docs.get(pid), pid, old, new)
            queue_before = tuple(queue)
            # Reading a paper to the end, or dismissing it, takes it off the queue.
            new_queue = queue_update(list(queue)) if queue_update else list(queue)
            done = {
                pid
                for pid, s in after.items()
                if s.status in ("read", "dismissed") and s != before[pid]
            }
            new_queue = [pid for pid in new_queue if pid not in done]
            # In the journal (fsynced) before state.json says so: see store/sync/recorder.py.
            entries, new_ranks = record(
                self.journal, old_docs, new_docs, DEFAULT_DOC, queue, new_queue, ranks
            )
            for pid, doc in new_docs.items():
                if pid in docs:
                    table.update(doc, doc_ids=[docs[pid].doc_id])
                else:
                    table.insert(doc)
            if new_queue != queue or new_ranks != ranks:
                queue_table.truncate()
                queue_table.insert({"ids": new_queue, "ranks": new_ranks})
            if entries:
                db.table(META_TABLE, cache_size=0).update(
                    {"journal_tail": entries[-1].id}, doc_ids=[1]
                )
            return queue_before, tuple(new_queue)

    def catch_up(self) -> None:
        """Under the lock: the journal holds a step state.json never got (a process killed in
        between): rebuild state.json from the journal, so both say the same again."""
        replica = self.journal.replica()
        self.file.write(state_content(replica, self.journal.last_entry_id()))

    @contextlib.contextmanager
    def _journal_rollback(self) -> Iterator[None]:
        """Under the state lock: when state.json is not written, neither is the journal."""
        mark = self.journal.size_of_changes()
        try:
            yield
        except BaseException:
            self.journal.cut_changes(mark)
            raise

    def ensure_journal(self) -> None:
        """Under the state lock.  A library from before the journal: its state goes in first,
        as this device's changes, so the journal alone rebuilds it and other devices get it."""
        if self.journal.exists():
            return
        content = self.file.load()
        docs = list(table_docs(content, PAPERS_TABLE))
        self.journal.record(baseline_changes(docs, queue_from(content), DEFAULT_DOC))
        self.journal.touch()

    def _each(
        self, description: str, ids: Sequence[str], update: Callable[[UserState], UserState]
    ) -> Change:
        return self.change(description, ids, lambda _, state: update(state))

    # -- tags --------------------------------------------------------------------------------

    @follows_merges
    def add_tags(self, ids: Sequence[str], tags: Iterable[str]) -> Change:
        wanted = normalise_tags(tags)

        def update(state: UserState) -> UserState:
            merged = state.tags + tuple(t for t in wanted if t not in state.tags)
            return replace(state, tags=merged)

        return self._each(f"tag {', '.join(wanted)}", ids, update)

    @follows_merges
    def remove_tags(self, ids: Sequence[str], tags: Iterable[str]) -> Change:
        unwanted = set(normalise_tags(tags))

        def update(state: UserState) -> UserState:
            return replace(state, tags=tuple(t for t in state.tags if t not in unwanted))

        return self._each(f"untag {', '.join(sorted(unwanted))}", ids, update)

    @follows_merges
    def edit_tags(self, ids: Sequence[str], spec: str) -> Change:
        """`a, b, -c`: add a and b, remove c (the TUI's tag input)."""
        parts = [p.strip() for p in spec.split(",") if p.strip()]
        add = normalise_tags((p for p in parts if not p.startswith("-")), allow_empty=True)
        remove = set(normalise_tags((p[1:] for p in parts if p.startswith("-")), allow_empty=True))
        if not add and not remove:
            raise BadTag("no tag given; type tags separated by commas, -tag removes one")

        def update(state: UserState) -> UserState:
            kept = tuple(t for t in state.tags if t not in remove)
            return replace(state, tags=kept + tuple(t for t in add if t not in kept))

        return self._each(f"tags {spec.strip()}", ids, update)

    def rename_tag(self, old: str, new: str) -> Change:
        """Rename (or, when `new` exists, merge) a tag on every paper that has it."""
        (old_tag,) = normalise_tags([old])
        (new_tag,) = normalise_tags([new])
        ids = [pid for pid, state in self.all().items() if old_tag in state.tags]

        def update(state: UserState) -> UserState:
            if old_tag not in state.tags:
                return state
            tags: list[str] = []
            for tag in state.tags:
                tag = new_tag if tag == old_tag else tag
                if tag not in tags:
                    tags.append(tag)
            return replace(state, tags=tuple(tags))

        return self._each(f"rename tag {old_tag} to {new_tag}", ids, update)

    # -- notes, status, triage ---------------------------------------------------------------

    @follows_merges
    def set_note(self, pid: str, text: str, *, base: str | None = None) -> Change:
        """Save a note.  With `base` (the note as it was when editing began), a note changed
        meanwhile by another process is kept below the new text instead of being overwritten."""

        def update(state: UserState) -> UserState:
            note = text
            if base is not None and state.note not in (base, text) and state.has_note:
                note = (
                    f"{text.rstrip()}\n\n---\n\n*paperdeck: this note was also changed elsewhere "
                    f"while you edited it; that version follows.*\n\n{state.note}"
                )
            return replace(state, note=note)

        return self._each("note", [pid], update)

    @follows_merges
    def set_status(self, ids: Sequence[str], status: str) -> Change:
        if status not in STATUSES:
            raise UsageError(f"unknown status {status!r}; use one of: {', '.join(STATUSES)}")
        return self._each(f"mark {status}", ids, lambda s: replace(s, status=status))

    @follows_merges
    def dismiss(self, ids: Sequence[str]) -> Change:
        """Not interested: dismissed, triaged, off the queue; `undo` brings all of it back."""
        return self._each("dismiss", ids, lambda s: replace(s, status="dismissed", triaged=True))

    @follows_merges
    def set_triaged(self, ids: Sequence[str], triaged: bool = True) -> Change:
        return self._each("triage", ids, lambda s: replace(s, triaged=triaged))

    @follows_merges
    def triage(self, pid: str, *, queue: bool = False, dismiss: bool = False) -> Change:
        """Record a triage decision: the paper leaves the untriaged pile; `queue` queues it,
        `dismiss` marks it dismissed (not interested, and so off the queue)."""

        def update(_: str, state: UserState) -> UserState:
            return replace(state, triaged=True, status="dismissed" if dismiss else state.status)

        def queue_update(ids: list[str]) -> list[str]:
            return ids + [pid] if queue and pid not in ids else ids

        kind = "queue" if queue else "dismiss" if dismiss else "keep"
        return self.change(f"triage ({kind})", [pid], update, queue_update)

    # -- the queue ---------------------------------------------------------------------------

    @follows_merges
    def queue_add(self, ids: Sequence[str]) -> Change:
        def update(queue: list[str]) -> list[str]:
            return queue + [pid for pid in ids if pid not in queue]

        return self.change("queue", ids, queue_update=update)

    @follows_merges
    def queue_remove(self, ids: Sequence[str]) -> Change:
        return self.change("dequeue", ids, queue_update=lambda q: [p for p in q if p not in ids])

    @follows_merges
    def queue_toggle(self, ids: Sequence[str]) -> Change:
        """Queue the papers, or take them off when every one of them is queued already."""
        queued = set(self.queue_ids())
        if ids and all(pid in queued for pid in ids):
            return self.queue_remove(ids)
        return self.queue_add(ids)

    @follows_merges
    def queue_move(self, pid: str, offset: int) -> Change:
        def update(queue: list[str]) -> list[str]:
            if pid not in queue:
                return queue
            index = queue.index(pid)
            target = max(0, min(len(queue) - 1, index + offset))
            queue.insert(target, queue.pop(index))
            return queue

        return self.change("reorder queue", [pid], queue_update=update)

    # -- undo and merging --------------------------------------------------------------------

    def undo(self, change: Change) -> Change:
        """Put back what `change` replaced, leaving alone any paper changed since by anyone."""

        def restore(pid: str, state: UserState) -> UserState:
            if _same_user_state(state, change.after[pid]):
                return change.before[pid]
            return state

        def restore_queue(queue: list[str]) -> list[str]:
            if change.queue_before is None or change.queue_after is None:
                return queue
            if tuple(queue) == change.queue_after:
                return list(change.queue_before)
            # Someone else moved the queue too: undo only our own additions and removals.
            added = set(change.queue_after) - set(change.queue_before)
            queue = [p for p in queue if p not in added]
            for index, pid in enumerate(change.queue_before):
                if pid not in change.queue_after and pid not in queue:
                    queue.insert(min(index, len(queue)), pid)
            return queue

        kept: list[str] = []
        queue_kept: list[bool] = []

        def restore_and_note(pid: str, state: UserState) -> UserState:
            restored = restore(pid, state)
            if restored is state and not _same_user_state(state, change.before[pid]):
                kept.append(pid)  # changed since by someone else: left as it is
            return restored

        def restore_queue_and_note(queue: list[str]) -> list[str]:
            if change.queue_after is not None and tuple(queue) != change.queue_after:
                queue_kept.append(tuple(queue) != change.queue_before)
            return restore_queue(queue)

        done = self.change(
            f"undo {change.description}",
            list(change.before),
            restore_and_note,
            restore_queue_and_note,
            follow_merges=False,
        )
        return replace(done, kept=tuple(kept), queue_kept=any(queue_kept))

    def merge(self, keep: str, drop: str) -> Change:
        """Fold near-duplicate `drop`'s tags, note, status and queue place into `keep`, and hide
        `drop` (its state records `duplicate_of`; undo brings it back)."""
        if keep == drop:
            raise UsageError(f"cannot merge paper {keep} into itself")
        rank = {s: i for i, s in enumerate(STATUSES)}
        dropped: list[UserState] = []

        def merged(pid: str, state: UserState) -> UserState:
            if state.duplicate_of is not None:
                raise UsageError(
                    f"{pid} was merged into {state.duplicate_of} already; "
                    + ("nothing to merge" if pid == drop else f"merge into {state.duplicate_of}")
                )
            if pid == drop:  # visited first, so its state as read under the lock is known
                dropped.append(state)
                return UserState(duplicate_of=keep)
            other = dropped[0]
            notes = [n for n in (state.note.strip(), other.note.strip()) if n]
            return replace(
                state,
                tags=state.tags + tuple(t for t in other.tags if t not in state.tags),
                note="\n\n---\n\n".join(dict.fromkeys(notes)),
                status=max(state.status, other.status, key=lambda s: rank[s]),
                triaged=state.triaged or other.triaged,
            )

        def queue_update(queue: list[str]) -> list[str]:
            if drop in queue and keep not in queue:
                queue[queue.index(drop)] = keep
            return [p for p in queue if p != drop]

        return self.change(
            f"merge {drop} into {keep}", [drop, keep], merged, queue_update, follow_merges=False
        )


class _JournalAhead(Exception):
    """state.json is behind the journal: see `UserStates.catch_up`."""


_BEHIND = object()


def journal_tail(content: dict[str, Any], journal: LocalJournal) -> object:
    """_BEHIND when the journal has entries after the last one state.json records (files
    written before this check record none: nothing to compare)."""
    meta = content.get(META_TABLE, {}).get("1")
    if not isinstance(meta, dict) or "journal_tail" not in meta:
        return None
    return _BEHIND if meta["journal_tail"] != journal.last_entry_id() else None


def _same_user_state(a: UserState, b: UserState) -> bool:
    return replace(a, updated="") == replace(b, updated="")


def _duplicate_of(doc: Mapping[str, object] | None) -> str | None:
    value = doc.get("duplicate_of") if doc is not None else None
    return value if isinstance(value, str) and value else None


def undo_message(undone: Change) -> str:
    """What an undo did, in one line: what it put back and what it left because someone
    changed it since; never "Undid" when nothing was put back."""
    what = undone.description.removeprefix("undo ")
    kept = len(undone.kept)
    papers = f"{kept} paper{'s' if kept != 1 else ''}"
    if not undone.restored and undone.queue_before == undone.queue_after:
        if kept:
            return f"Could not undo {what}: {papers} changed elsewhere since; left as they are."
        if undone.queue_kept:
            return f"Could not undo {what}: the queue changed elsewhere since; left as it is."
        return f"Nothing to undo: {what} was already reverted."
    left = []
    if kept:
        left.append(f"left {papers} changed elsewhere since as they are")
    if undone.queue_kept:
        left.append("the queue changed elsewhere since, so only this change's part of it")
    return f"Undid {what}" + (f"; {'; '.join(left)}." if left else ".")
