"""The Library: one data directory of paperdeck, the only way the CLI and the TUI reach the store.

Four TinyDB files, each written atomically under its own lock, so a write's cost never grows
with the catalog:

- `catalog.json`: papers as parsed from the listings (rewritten only by imports);
- `abstracts.json`: their abstracts, apart so the list can be shown without them;
- `state.json`: the user's tags, notes, status, triage marks and queue order (`store.state`);
- `enrichment.json`: what arXiv and GitHub said;
- `citekeys.json`: each paper's citation key once assigned, and its aliases (user data, backed
  up like the state, but apart: 100k keys would otherwise slow every tag written).

This module reads them (cached while a file is unchanged) and hands every use case to the module
that owns it: importing to `store.catalog`, state changes to `store.state`, health to
`store.files.health`, searching to `store.search`.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.atomic import write_atomic
from store.catalog.importing import (
    Progress,
    add_abstracts,
    listing_files,
    merge_listings,
    paper_id,
    read_listings,
)
from store.catalog.listing import Listing
from store.drafts import DRAFTS, NoteDrafts
from store.errors import StoreError, UnknownPaper
from store.export.citekey import DEFAULT_PATTERN
from store.files import health
from store.files.cache import CachedDocs
from store.files.citekeys import (
    CiteKey,
    assign_citekeys,
    citekeys_from,
    merge_citekeys,
    visible_aliases,
)
from store.files.documents import (
    PAPERS_TABLE,
    enrichment_doc,
    enrichment_from,
    paper_doc,
    paper_from,
    queue_from,
    state_from,
    table_docs,
)
from store.files.migrate import ids_current, migrate_ids
from store.files.storage import LockWait, StoreFile
from store.inbox import INBOXES, Inboxes
from store.memory import paused_gc
from store.models import Change, Enrichment, ImportReport, Paper, Record, UserState
from store.state import UserStates
from store.sync.local import LocalJournal

if TYPE_CHECKING:
    from store.devices import RestoreReport
    from store.search.interest import Interest, InterestModel
    from store.search.scan import AbstractScan
    from store.sync.exchange import ExchangeReport

CATALOG = "catalog.json"
ABSTRACTS = "abstracts.json"
STATE = "state.json"
ENRICHMENT = "enrichment.json"
CITEKEYS = "citekeys.json"
INTEREST = "interest.json"
"""When the reader last reset the interest model: only decisions after it train it."""
BACKUPS = "backups"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Library:
    """A paperdeck data directory."""

    def __init__(
        self,
        root: Path,
        *,
        lock_timeout: float = 10.0,
        now: Callable[[], datetime] = utc_now,
        on_lock_wait: LockWait | None = None,
        citekey_pattern: str = DEFAULT_PATTERN,
    ) -> None:
        """`on_lock_wait` is told, within a second, when a write waits for another process."""
        self.root = root
        self.now = now
        self.citekey_pattern = citekey_pattern
        """The formula for new citation keys (settings `citekey.pattern`)."""
        backups = root / BACKUPS
        # The catalog can be rebuilt from the listings: a few versions of it are enough.
        self.catalog_file = StoreFile(root / CATALOG, "catalog", lock_timeout, backups, 0.0, 3)
        self.abstracts_file = StoreFile(root / ABSTRACTS, "abstracts", lock_timeout)
        self.state_file = StoreFile(root / STATE, "state", lock_timeout, backups)
        self.enrichment_file = StoreFile(root / ENRICHMENT, "enrichment", lock_timeout, backups)
        self.citekeys_file = StoreFile(root / CITEKEYS, "citekeys", lock_timeout, backups)
        self.inboxes_file = StoreFile(root / INBOXES, "inboxes", lock_timeout, backups)
        for store_file in self.files:
            store_file.on_wait = on_lock_wait
        self.journal = LocalJournal(root)
        self.user_states = UserStates(
            self.state_file, self.papers, lambda: self.now(), self.journal
        )
        self.drafts = NoteDrafts(root)
        self._papers = CachedDocs(self.catalog_file, _papers_by_id)
        self._abstracts = CachedDocs(self.abstracts_file, _abstracts_by_id)
        self._enrichments = CachedDocs(self.enrichment_file, _enrichments_by_id)
        self._citekeys = CachedDocs(self.citekeys_file, citekeys_from)

    @classmethod
    def open(cls, root: Path, **kwargs: Any) -> Library:
        """Open (creating if needed) the data directory at `root`."""
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"{root}: cannot create the data directory ({error.strerror or error}); "
                "pass --db DIR or set PAPERDECK_HOME to a writable directory"
            ) from None
        if not root.is_dir():
            raise StoreError(f"{root}: not a directory; pass --db DIR with a directory")
        library = cls(root, **kwargs)
        library.remove_stale_temps()
        if not ids_current(library.catalog_file.path):
            # A damaged file stops the migration, not the opening: doctor must still run, and
            # the next open after a repair migrates.
            with contextlib.suppress(StoreError):
                migrate_ids(
                    library.catalog_file,
                    (library.abstracts_file, library.state_file, library.enrichment_file),
                    root / DRAFTS,
                )
        return library

    @property
    def files(self) -> tuple[StoreFile, ...]:
        return (
            self.catalog_file,
            self.abstracts_file,
            self.state_file,
            self.enrichment_file,
            self.citekeys_file,
            self.inboxes_file,
        )

    # -- reading -----------------------------------------------------------------------------

    def papers(self) -> dict[str, Paper]:
        """Every paper in the catalog, by id, without abstracts (see `abstract`)."""
        return self._papers.get()

    def abstracts(self) -> dict[str, str]:
        return self._abstracts.get()

    def abstract(self, paper: str) -> str:
        return self.abstracts().get(paper, "")

    def is_empty(self) -> bool:
        return not self.papers()

    def states(self) -> dict[str, UserState]:
        return self.user_states.all()

    def queue_ids(self) -> list[str]:
        return self.user_states.queue_ids()

    def enrichments(self) -> dict[str, Enrichment]:
        return self._enrichments.get()

    def all_records(self, *, with_abstracts: bool = True) -> list[Record]:
        """Every paper joined with its state, queue position and enrichment, in catalog order."""
        with paused_gc():
            return self._all_records(with_abstracts)

    def _all_records(self, with_abstracts: bool) -> list[Record]:
        papers = self.papers()
        content = self.state_file.load()
        states = {doc["id"]: state_from(doc) for doc in table_docs(content, PAPERS_TABLE)}
        positions = {pid: n for n, pid in enumerate(queue_from(content), start=1)}
        enrichments = self.enrichments()
        abstracts = self.abstracts() if with_abstracts else {}
        keys = self.citekeys()
        default_state = UserState()
        default_enrichment = Enrichment()
        records = []
        for pid, paper in papers.items():
            state = states.get(pid, default_state)
            if state.duplicate_of is not None:
                continue  # merged into another paper by the user
            if abstracts:
                paper = replace(paper, abstract=abstracts.get(pid, ""))
            key = keys.get(pid)
            records.append(
                Record(
                    paper,
                    state,
                    positions.get(pid),
                    enrichments.get(pid, default_enrichment),
                    key.key if key else None,
                    key.aliases if key else (),
                )
            )
        if any(key.aliases for key in keys.values()):
            shown = [r.id for r in records]
            records = [
                replace(r, citekey_aliases=visible_aliases(keys, r.id, shown))
                if r.citekey_aliases
                else r
                for r in records
            ]
        return records

    def records(
        self,
        query: str | None = None,
        sort: str | None = None,
        limit: int | None = None,
        *,
        with_abstracts: bool = True,
        scan: AbstractScan | None = None,
    ) -> list[Record]:
        """Papers matching `query`, in order.  Without `with_abstracts` the records carry no
        abstract, and the abstracts file is read only if the query searches words and `scan`
        (from `scan_abstracts`, started earlier with the same query) did not already."""
        from store.search.index import SearchIndex

        records = self.all_records(with_abstracts=with_abstracts)
        interest = self.interest(records) if sort == "interest" else None
        matches = scan.result() if scan is not None else None
        index = SearchIndex(
            records,
            abstracts=None if with_abstracts else self.abstracts,  # read only if a word needs
            indexed=False,
            abstract_matches=matches,
        )
        return index.search(
            query or "", sort, limit=limit, interest=interest.score if interest else None
        )

    # -- interest ----------------------------------------------------------------------------

    def interest_model(self, records: Sequence[Record] | None = None) -> InterestModel:
        """Every paper read into the interest model (the slow part: keep it between trainings)."""
        from store.search.decisions import document_of
        from store.search.interest import InterestModel

        records = self.all_records(with_abstracts=False) if records is None else records
        abstracts = self.abstracts()
        model = InterestModel()
        for start in range(0, len(records), 250):
            batch = records[start : start + 250]
            model.add(document_of(r, abstracts.get(r.id, "")) for r in batch)
            # Seconds of pure Python on a large library: between batches, let a UI thread in.
            time.sleep(0)
        return model

    def interest(
        self, records: Sequence[Record] | None = None, model: InterestModel | None = None
    ) -> Interest:
        """The reader's interest trained on their decisions since the last reset."""
        from store.search.decisions import decisions_of

        records = self.all_records(with_abstracts=False) if records is None else records
        model = self.interest_model(records) if model is None else model
        return model.train(decisions_of(records, self.interest_reset_at()))

    def interest_reset_at(self) -> str | None:
        """The time of the last `reset_interest`, or None; a damaged mark counts as none."""
        try:
            data = json.loads((self.root / INTEREST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        stamp = data.get("reset") if isinstance(data, dict) else None
        return stamp if isinstance(stamp, str) else None

    def reset_interest(self) -> str:
        """Forget the model: decisions stay, but only those made from now on will train it."""
        stamp = self.now().isoformat(timespec="seconds")
        write_atomic(self.root / INTEREST, json.dumps({"reset": stamp}).encode())
        return stamp

    def scan_abstracts(self, query: str | None) -> AbstractScan | None:
        """Start looking for `query`'s words in the abstracts on another core, so `records`
        can read the catalog meanwhile; None where that would not pay (small libraries, no
        words, no fork) or the query does not parse (`records` then says why)."""
        from store.errors import QueryError
        from store.search.language import parse_query
        from store.search.scan import start_scan

        try:
            words = parse_query(query or "").all_words
        except QueryError:
            return None
        return start_scan(self.abstracts_file.path, self.abstracts, list(words))

    def merged_into(self, pid: str) -> str | None:
        """The paper `pid` was merged into (following merges of merges), or None."""
        return self.user_states.merged_into(pid)

    def resolve(self, ref: str) -> str:
        """The id of the paper `ref` names: a whole id or an unambiguous prefix of one."""
        papers = self.papers()
        ref = ref.strip().lower()
        if ref in papers:
            return ref
        matches = [pid for pid in papers if ref and pid.startswith(ref)] if len(ref) >= 3 else []
        if len(matches) == 1:
            return matches[0]
        if matches:
            shown = ", ".join(sorted(matches)[:5])
            raise UnknownPaper(f"paper id {ref!r} is ambiguous ({shown}...); type more of it")
        raise UnknownPaper(f"no paper with id {ref!r}; `paperdeck list` shows the ids")

    def get(self, ref: str) -> Record:
        pid = self.resolve(ref)
        return self.record(pid)

    def record(self, pid: str) -> Record:
        state, position = self.user_states.of(pid)
        keys = self.citekeys()
        key = keys.get(pid)
        return Record(
            replace(self.papers()[pid], abstract=self.abstract(pid)),
            state,
            position,
            self.enrichments().get(pid, Enrichment()),
            key.key if key else None,
            visible_aliases(keys, pid, self._shown_ids()) if key else (),
        )

    def citekeys(self) -> dict[str, CiteKey]:
        """Stored citation keys by paper id (read again only when the file changed)."""
        return self._citekeys.get()

    def _shown_ids(self) -> list[str]:
        """Papers not merged into another."""
        states = self.states()
        return [p for p in self.papers() if p not in states or states[p].duplicate_of is None]

    # -- citation keys (see store.files.citekeys) --------------------------------------------

    def with_citekeys(self, records: Sequence[Record], *, rekey: bool = False) -> list[Record]:
        """`records` with their citation keys, assigning (and storing) one to every paper that
        has none yet; with `rekey`, every one of them is made anew from the pattern."""
        keys = assign_citekeys(self.citekeys_file, records, self.citekey_pattern, rekey=rekey)
        shown = self._shown_ids() if any(k.aliases for k in keys.values()) else []
        return [_keyed(r, keys.get(r.id), keys, shown) for r in records]

    def tag_counts(self) -> dict[str, int]:
        return self.user_states.tag_counts()

    # -- importing ---------------------------------------------------------------------------

    def import_files(
        self,
        paths: Sequence[Path],
        *,
        year: int | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import listing files or directories of them: all of them, or nothing on any error."""
        files, listings = read_listings(paths, year=year, progress=progress)
        if progress:
            progress(len(files), len(files), "saving")
        report = ImportReport(files=[p.name for p in files], listings=len(listings))
        report.warnings = [w for listing in listings for w in listing.warnings]
        self._merge(listings, report)
        return report

    def merge_listings(self, listings: Sequence[Listing]) -> ImportReport:
        """Fold listings from a pull into the catalog in one write: all of them or none."""
        report = ImportReport(listings=len(listings))
        self._merge(listings, report)
        return report

    def _merge(self, listings: Sequence[Listing], report: ImportReport) -> None:
        added = self.now().isoformat(timespec="seconds")
        # arXiv ids that `fetch` matched identify papers too (another file: read before the lock).
        matched = {e.arxiv_id: pid for pid, e in self.enrichments().items() if e.arxiv_id}
        with self.catalog_file.locked():
            content = self.catalog_file.read()
            table = content.setdefault(PAPERS_TABLE, {})
            abstracts = merge_listings(
                table, listings, added=added, new_doc=paper_doc, report=report, matched=matched
            )
            if abstracts is not None:
                self.save_abstracts(abstracts)
                self.catalog_file.write(content)

    def save_abstracts(self, abstracts: dict[str, str]) -> None:
        """Abstracts go first: an abstract without its paper is harmless, the reverse is not."""
        with self.abstracts_file.locked():
            content = self.abstracts_file.read()
            if add_abstracts(content.setdefault(PAPERS_TABLE, {}), abstracts):
                self.abstracts_file.write(content)

    # -- the user's state (see store.state) --------------------------------------------------

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
        merge_citekeys(self.citekeys_file, self.record(keep), drop, self.citekey_pattern)
        return change

    # -- several devices (see store.sync) ----------------------------------------------------

    def ensure_journal(self) -> None:
        self.user_states.ensure_journal()

    def sync(self, folder: Path) -> ExchangeReport:
        """Hand this device's changes to `folder` and take the other devices' (idempotent)."""
        from store.devices import sync_folder

        return sync_folder(self, folder)

    def restore_state(self) -> RestoreReport:
        """Rebuild state.json from the journal: every change acknowledged comes back."""
        from store.devices import restore_state

        return restore_state(self)

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

    def save_draft(self, pid: str, text: str) -> Path:
        """Where the draft went: `drafts/`, else the user's cache dir (see store.drafts)."""
        return self.drafts.save(pid, text)

    def draft(self, pid: str) -> str | None:
        return self.drafts.get(pid)

    def drop_draft(self, pid: str) -> None:
        self.drafts.drop(pid)

    # -- enrichment --------------------------------------------------------------------------

    def save_enrichment(self, pid: str, enrichment: Enrichment) -> None:
        with self.enrichment_file.transaction() as db:
            table = db.table(PAPERS_TABLE, cache_size=0)
            docs = [doc for doc in table.all() if doc.get("id") == pid]
            if docs:
                table.update(enrichment_doc(pid, enrichment), doc_ids=[docs[0].doc_id])
            else:
                table.insert(enrichment_doc(pid, enrichment))

    # -- health (see store.files.health) -----------------------------------------------------

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

        The catalog, state and enrichment are read in full (the catalog stays cached); the large
        abstracts file gets a cheap check of its ends and is read in full only when needed.
        """
        self.papers()
        self.check_state_present()
        self.state_file.load()
        self.enrichments()
        self.citekeys()
        health.check_ends(self.abstracts_file.path)

    def inboxes(self) -> Inboxes:
        """The user's saved searches (see `store.inbox`)."""
        return Inboxes(self.inboxes_file, now=self.now)

    def good_backup(self, store_file: StoreFile) -> Path | None:
        return health.good_backup(store_file)

    def restore(self, store_file: StoreFile, backup: Path) -> Path:
        """Put `backup` in place of a damaged file, kept aside under the returned path."""
        return health.restore(store_file, backup)


def _papers_by_id(docs: Iterable[dict[str, Any]]) -> dict[str, Paper]:
    return {doc["id"]: paper_from(doc) for doc in docs}


def _abstracts_by_id(docs: Iterable[dict[str, Any]]) -> dict[str, str]:
    return {doc["id"]: text for doc in docs if isinstance(text := doc.get("abstract"), str)}


def _enrichments_by_id(docs: Iterable[dict[str, Any]]) -> dict[str, Enrichment]:
    return {doc["id"]: enrichment_from(doc) for doc in docs}


__all__ = ["Change", "ImportReport", "Library", "Progress", "listing_files", "paper_id"]


def _keyed(
    record: Record, key: CiteKey | None, keys: dict[str, CiteKey], shown: list[str]
) -> Record:
    if key is None:
        return record
    aliases = visible_aliases(keys, record.id, shown) if key.aliases else ()
    return replace(record, citekey=key.key, citekey_aliases=aliases)
