"""The Library's upkeep: several devices (`store.sync`, `store.devices`) and the files' health
(`store.files.health`): journal, sync, restore, backups, checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, cast

from store.errors import StoreError
from store.files import health
from store.files.citekeys import CiteKey
from store.files.ids import IdIndex
from store.files.storage import StoreFile
from store.models import Enrichment, Paper
from store.state import UserStates
from store.sync.local import LocalJournal

if TYPE_CHECKING:
    from datetime import datetime

    from store.devices import RestoreReport
    from store.inbox import Inboxes
    from store.library import Library
    from store.sync.exchange import ExchangeReport


class Upkeep:
    """Mixed into `Library`: what it needs is named here."""

    user_states: UserStates
    journal: LocalJournal
    state_file: StoreFile
    enrichment_file: StoreFile
    citekeys_file: StoreFile
    inboxes_file: StoreFile
    abstracts_file: StoreFile
    id_index: IdIndex
    now: Callable[[], datetime]
    papers: Callable[[], dict[str, Paper]]
    paper_ids: Callable[[], frozenset[str]]
    enrichments: Callable[[], dict[str, Enrichment]]
    citekeys: Callable[[], Mapping[str, CiteKey]]

    @property
    def files(self) -> tuple[StoreFile, ...]:
        raise NotImplementedError  # Library names its files

    def ensure_journal(self) -> None:
        self.user_states.ensure_journal()

    def sync(self, folder: Path) -> ExchangeReport:
        """Hand this device's changes to `folder` and take the other devices' (idempotent)."""
        from store.devices import sync_folder

        return sync_folder(cast("Library", self), folder)

    def restore_state(self) -> RestoreReport:
        """Rebuild state.json from the journal: every change acknowledged comes back."""
        from store.devices import restore_state

        return restore_state(cast("Library", self))

    def check_state_present(self) -> None:
        """StoreError when state.json is lost: never show that as a library without state."""
        if self.state_missing():
            raise StoreError(
                f"{self.state_file.path}: missing, though the journal holds your tags, notes "
                "and queue; run `paperdeck doctor --restore` to rebuild it"
            )

    def state_missing(self) -> bool:
        """state.json is gone while the journal says there was user state: not an empty
        library but a lost file (`doctor --restore` brings it back)."""
        return not self.state_file.path.exists() and self.journal.size() > 0

    def remove_stale_temps(self) -> None:
        health.remove_stale_temps(self.files)

    def take_backups(self) -> None:
        """Keep a version of the user's files now (the app does this at every start)."""
        health.take_backups(
            (self.state_file, self.enrichment_file, self.citekeys_file, self.inboxes_file)
        )

    def check(self) -> list[tuple[StoreFile, str | None]]:
        """Each store file with None when it is sound, else what is wrong with it."""
        return health.check(self.files)

    def check_usable(self) -> None:
        """Raise the first store file's problem; commands refuse to run on a damaged store.

        State and enrichment are read in full; the catalog only when its id index is not
        current (`ids.json` is taken from a catalog that parsed, and any change to the file
        since changes its signature: see store.files.ids; its first bytes tell); the large
        abstracts file gets a cheap check of its ends and is read in full only when needed.
        """
        if not self.id_index.is_current():
            self.paper_ids()  # read (the catalog, if need be) and checked
        self.check_state_present()
        self.state_file.load()
        self.enrichments()
        self.citekeys()
        health.check_ends(self.abstracts_file.path)

    def inboxes(self) -> Inboxes:
        """The user's saved searches (see `store.inbox`)."""
        from store.inbox import Inboxes  # with the query language's filters, when first used

        return Inboxes(self.inboxes_file, now=self.now)

    def good_backup(self, store_file: StoreFile) -> Path | None:
        return health.good_backup(store_file)

    def restore(self, store_file: StoreFile, backup: Path) -> Path:
        """Put `backup` in place of a damaged file, kept aside under the returned path."""
        return health.restore(store_file, backup)
