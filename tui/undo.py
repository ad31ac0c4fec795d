"""What an undo did, said precisely: the papers it put back, those it left because another
process changed them since, and whether the queue came back whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from store.models import Change, UserState


def _same(a: UserState, b: UserState) -> bool:
    return replace(a, updated="") == replace(b, updated="")


def undo_message(change: Change, undone: Change, title: Callable[[str], str]) -> str:
    """One line about `undone` (what `Library.undo(change)` returned); `title` names a paper."""
    what = change.description
    restored, kept, already = [], [], []
    for pid, before in change.before.items():
        at_undo = undone.before.get(pid, before)  # as read under the lock when undoing
        if _same(at_undo, change.after[pid]):
            if not _same(at_undo, before):
                restored.append(pid)
        elif _same(at_undo, before):
            already.append(pid)
        else:
            kept.append(pid)
    queue_back = queue_partly = queue_left = False
    if change.queue_before is not None and change.queue_before != change.queue_after:
        queue_back = undone.queue_after == change.queue_before
        moved = undone.queue_before != undone.queue_after
        queue_partly = not queue_back and moved
        queue_left = not queue_back and not moved

    def papers(ids: list[str]) -> str:
        if len(ids) <= 2:
            return " and ".join(f"“{title(pid)[:50]}”" for pid in ids)
        return f"{len(ids)} papers"

    done = [papers(restored)] if restored else []
    if queue_back:
        done.append("the queue")
    elif queue_partly:
        done.append("your own part of the queue (it was reordered elsewhere since)")
    left = [papers(kept)] if kept else []
    if queue_left:
        left.append("the queue")
    if not done:
        if left:
            return (
                f"Could not undo {what}: {' and '.join(left)} changed elsewhere since; left as is."
            )
        return f"Nothing to undo: {what} was already reverted."
    if not left and not queue_partly:
        return f"Undid {what}."
    message = f"Undid {what} on {' and '.join(done)}"
    if left:
        message += f"; {' and '.join(left)} changed elsewhere since, left as is"
    return message + "."
