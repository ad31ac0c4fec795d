"""The Library's user-state use cases: each hands its change to `store.state.UserStates`
(locked, journaled, undoable); note drafts go to `store.drafts`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from store.drafts import NoteDrafts
from store.files.citekeys import merge_citekeys
from store.files.key_index import KeyIndex
from store.files.storage import StoreFile
from store.models import Change, Record
from store.state import UserStates


class StateChanges:
    """Mixed into `Library`: what it needs is named here."""

    user_states: UserStates
    drafts: NoteDrafts
    citekeys_file: StoreFile
    citekey_pattern: str
    record: Callable[[str], Record]
    _citekeys: KeyIndex

    def add_tags(self, ids: Sequence[str], tags: Iterable[str]) -> Change:
        return self.user_states.add_tags(ids, tags)

    def remove_tags(self, ids: Sequence[str], tags: Iterable[str]) -> Change:
        return self.user_states.remove_tags(ids, tags)

    def edit_tags(self, ids: Sequence[str], spec: str) -> Change:
        return self.user_states.edit_tags(ids, spec)

    def rename_tag(self, old: str, new: str) -> Change:
        return self.user_states.rename_tag(old, new)

    def set_note(self, pid: str, text: str, *, base: str | None = None) -> Change:
        return self.user_states.set_note(pid, text, base=base)

    def set_status(self, ids: Sequence[str], status: str) -> Change:
        return self.user_states.set_status(ids, status)

    def dismiss(self, ids: Sequence[str]) -> Change:
        return self.user_states.dismiss(ids)

    def set_triaged(self, ids: Sequence[str], triaged: bool = True) -> Change:
        return self.user_states.set_triaged(ids, triaged)

    def triage(self, pid: str, *, queue: bool = False, dismiss: bool = False) -> Change:
        return self.user_states.triage(pid, queue=queue, dismiss=dismiss)

    def queue_add(self, ids: Sequence[str]) -> Change:
        return self.user_states.queue_add(ids)

    def queue_remove(self, ids: Sequence[str]) -> Change:
        return self.user_states.queue_remove(ids)

    def queue_toggle(self, ids: Sequence[str]) -> Change:
        return self.user_states.queue_toggle(ids)

    def queue_move(self, pid: str, offset: int) -> Change:
        return self.user_states.queue_move(pid, offset)

    def undo(self, change: Change) -> Change:
        return self.user_states.undo(change)

    def merge_user_state(self, keep: str, drop: str) -> Change:
        """Merge near-duplicate `drop` into `keep`; `keep` keeps its citation key and takes
        `drop`'s as an alias."""
        change = self.user_states.merge(keep, drop)
        merge_citekeys(
            self.citekeys_file,
            self.record(keep),
            drop,
            self.citekey_pattern,
            written=self._citekeys.store,
        )
        return change

    def save_draft(self, pid: str, text: str) -> Path:
        """Where the draft went: `drafts/`, else the user's cache dir (see store.drafts)."""
        return self.drafts.save(pid, text)

    def draft(self, pid: str) -> str | None:
        return self.drafts.get(pid)

    def drop_draft(self, pid: str) -> None:
        self.drafts.drop(pid)
