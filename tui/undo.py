"""What an undo did, for the app: the store's report (store.state.undo_message), with the papers
it left because another process changed them since named, so the user knows where to look."""

from __future__ import annotations

from collections.abc import Callable

from store.models import Change
from store.state import undo_message

NAMED = 3


def undo_notice(undone: Change, title: Callable[[str], str]) -> tuple[str, bool]:
    """(message, whether all of it was undone) for `undone`, what `Library.undo` returned."""
    message = undo_message(undone)
    if undone.kept:
        names = ", ".join(f"“{title(pid)[:50]}”" for pid in undone.kept[:NAMED])
        more = len(undone.kept) - NAMED
        message += f" Changed elsewhere: {names}" + (f" and {more} more." if more > 0 else ".")
    whole = not undone.kept and not undone.queue_kept and message.startswith("Undid")
    return message, whole
