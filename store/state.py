"""The user's state (tags, notes, status, triage, queue): every change is a locked
read-modify-write that returns a `Change`, and `undo` puts back only what is still as it left it.
Each change is also appended to the journal (store/sync) in the same locked step.

Each change re-reads `state.json` under its lock and applies a function to the current state, so
a process holding stale data never overwrites what another process wrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from store.atomic import write_atomic
from store.edits import QueueUpdate, StateEdits, StateUpdate, same_user_state, undo_message
from store.errors import UnknownPaper
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
from store.files.storage import META_TABLE, StoreFile, encode
from store.merges import MergedAway, follows_merges, merge_targets
from store.models import Change, UserState
from store.sync.local import LocalJournal
from store.tags import count_tags


class UserStates(StateEdits):
    """The user-state file of a library; `papers` says which ids exist."""

    def __init__(
        self,
        state_file: StoreFile,
        papers: Callable[[], Collection[str]],
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
        return merge_targets([pid], lambda p: states.get(p, UserState()).duplicate_of).get(pid)

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
        papers = self.papers()  # the ids only (store.files.ids): never the whole catalog
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
                raise MergedAway(merge_targets(ids, lambda p: _duplicate_of(docs.get(p))))
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
            from store.sync.recorder import record  # with sync's merge: only for a write

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
        from store.devices import state_content  # with sync's exchange: only for this repair

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
        if not self.file.path.exists() and self.journal.size() == 0:
            # state.json before the journal's first entry: a process killed between the two
            # must not leave a journal that says the state file was lost (it never existed).
            # It records the empty journal's tail, so that entry is caught up with next time.
            content = self.file.read()
            content[META_TABLE]["1"]["journal_tail"] = None
            write_atomic(self.file.path, encode(content))  # nothing to keep a backup of
        if self.journal.exists():
            return
        from store.sync.recorder import baseline_changes

        content = self.file.load()
        docs = list(table_docs(content, PAPERS_TABLE))
        self.journal.record(baseline_changes(docs, queue_from(content), DEFAULT_DOC))
        self.journal.touch()


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


def _duplicate_of(doc: Mapping[str, object] | None) -> str | None:
    value = doc.get("duplicate_of") if doc is not None else None
    return value if isinstance(value, str) and value else None


__all__ = ["UserStates", "follows_merges", "journal_tail", "same_user_state", "undo_message"]
