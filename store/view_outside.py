"""What another process wrote to the store since a `LibraryView` read it: a sync, a second
app, a CLI command. Read off the UI thread (`outside_changes`), taken in on it
(`take_outside_changes`). Mixed into `store.view.LibraryView`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

from store.files.storage import signature
from store.library import Library
from store.models import Enrichment, Record, UserState


class OutsideChanges(NamedTuple):
    """What another process wrote since the view last looked (read off the UI thread)."""

    version: int
    """The view's version when reading began: stale if the view changed meanwhile."""
    reload: bool = False
    """The catalog changed (an import): read everything again."""
    state: tuple[object, dict[str, UserState], dict[str, int]] | None = None
    """(signature, states, queue positions) when the state file changed."""
    enrichment: tuple[object, dict[str, Enrichment]] | None = None

    @property
    def empty(self) -> bool:
        return not self.reload and self.state is None and self.enrichment is None


class OutsideReads:
    """Mixed into `LibraryView`: what it needs is named here."""

    library: Library
    by_id: dict[str, Record]
    version: int
    _state_signature: object
    _catalog_signature: object
    _enrichment_signature: object

    def _replace(self, records: Iterable[Record]) -> list[Record]:
        raise NotImplementedError

    def refresh_state(self, *, force: bool = False) -> list[Record]:
        """Pick up tags, notes, status and queue written by another process since."""
        current = signature(self.library.state_file.path)
        if current == self._state_signature and not force:
            return []
        self._state_signature = current
        states = self.library.states()
        positions = {pid: n for n, pid in enumerate(self.library.queue_ids(), start=1)}
        fresh = []
        for pid, record in self.by_id.items():
            state = states.get(pid, type(record.state)())
            position = positions.get(pid)
            if record.state != state or record.queue_position != position:
                fresh.append(replace(record, state=state, queue_position=position))
        return self._replace(fresh)

    def outside_changes(self) -> OutsideChanges:
        """Read what changed in the store files since the view last read them: cheap when
        nothing did (three stat calls).  Safe to call from a worker thread."""
        version = self.version
        library = self.library
        if signature(library.catalog_file.path) != self._catalog_signature:
            return OutsideChanges(version, reload=True)
        state = enrichment = None
        state_signature = signature(library.state_file.path)  # before reading: never newer
        if state_signature != self._state_signature:
            positions = {pid: n for n, pid in enumerate(library.queue_ids(), start=1)}
            state = (state_signature, library.states(), positions)
        enrichment_signature = signature(library.enrichment_file.path)
        if enrichment_signature != self._enrichment_signature:
            enrichment = (enrichment_signature, dict(library.enrichments()))
        return OutsideChanges(version, state=state, enrichment=enrichment)

    def take_outside_changes(self, changes: OutsideChanges) -> list[Record] | None:
        """Show what `outside_changes` read; the records that look different now, or None when
        it is stale (the view changed meanwhile: read again)."""
        if changes.version != self.version:
            return None
        fresh: dict[str, Record] = {}
        if changes.state is not None:
            self._state_signature, states, positions = changes.state
            # Only papers with a state or a queue place, now or before, can differ: a few
            # thousand at most, where comparing all 100k records would hold the UI thread.
            candidates = states.keys() | positions.keys()
            candidates.update(
                pid
                for pid, record in self.by_id.items()
                if record.queue_position is not None or record.state.updated
            )
            for pid in candidates:
                record = self.by_id.get(pid)
                if record is None:
                    continue
                state = states.get(pid, UserState())
                position = positions.get(pid)
                if record.state != state or record.queue_position != position:
                    fresh[pid] = replace(record, state=state, queue_position=position)
        if changes.enrichment is not None:
            self._enrichment_signature, enrichments = changes.enrichment
            for pid, record in self.by_id.items():
                enrichment = enrichments.get(pid, Enrichment())
                if record.enrichment != enrichment:
                    fresh[pid] = replace(fresh.get(pid, record), enrichment=enrichment)
        return self._replace(fresh.values())

    def refresh_enrichment(self, ids: Iterable[str]) -> list[Record]:
        enrichments = self.library.enrichments()
        return self._replace(
            replace(self.by_id[pid], enrichment=enrichments[pid])
            for pid in ids
            if pid in self.by_id and pid in enrichments
        )
