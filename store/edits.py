"""Every change to the user's state, each a function handed to `UserStates.change` (one locked,
journaled write); undo, and merging near-duplicates.  Mixed into `store.state.UserStates`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from store.errors import BadTag, UsageError
from store.merges import follows_merges
from store.models import STATUSES, Change, UserState
from store.tags import normalise_tags

StateUpdate = Callable[[str, UserState], UserState]
QueueUpdate = Callable[[list[str]], list[str]]


class StateEdits:
    """Mixed into `UserStates`: what it needs is named here."""

    change: Callable[..., Change]
    all: Callable[[], dict[str, UserState]]
    queue_ids: Callable[[], list[str]]

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
            if same_user_state(state, change.after[pid]):
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
            if restored is state and not same_user_state(state, change.before[pid]):
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


def same_user_state(a: UserState, b: UserState) -> bool:
    return replace(a, updated="") == replace(b, updated="")


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
