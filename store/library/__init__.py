"""The Library: one data directory of paperdeck, the only way the CLI and the TUI reach the store.

Four TinyDB files, each written atomically under its own lock, so a write's cost never grows
with the catalog:

- `catalog.json`: papers as parsed from the listings (rewritten only by imports);
- `abstracts.json`: their abstracts, apart so the list can be shown without them;
- `state.json`: the user's tags, notes, status, triage marks and queue order (`store.state`);
- `enrichment.json`: what arXiv and GitHub said;
- `citekeys.json`: each paper's citation key once assigned, and its aliases (user data, backed
  up like the state, but apart: 100k keys would otherwise slow every tag written).

Beside them, caches derived from them and safe to delete: `ids.json` (the paper ids,
`store.files.ids`), `abstract-words.idx` and `title-words.idx` (which abstracts and titles
have which words, `store.files.word_index` and `store.files.title_index`, built by
`store.indexer`).

This module reads them (cached while a file is unchanged) and hands every use case to the module
that owns it: importing to `store.catalog`, state changes to `store.state`, health to
`store.files.health`, searching to `store.search`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.catalog.importing import (
    Progress,
    listing_files,
    paper_id,
)
from store.drafts import DRAFTS, NoteDrafts
from store.errors import StoreError, UnknownPaper
from store.export.formats import DEFAULT_PATTERN
from store.files.abstracts import AbstractPlaces
from store.files.cache import CachedDocs
from store.files.citekeys import (
    CiteKey,
    assign_citekeys,
    visible_aliases,
)
from store.files.columns_file import CatalogColumns
from store.files.documents import (
    PAPERS_TABLE,
    enrichment_doc,
    enrichment_from,
    queue_from,
    state_from,
    table_docs,
)
from store.files.ids import IdIndex
from store.files.key_index import KeyIndex, StoredKeys
from store.files.migrate import ids_current, migrate_ids
from store.files.storage import LockWait, StoreFile
from store.library.abstracts import Abstracts
from store.library.changes import StateChanges
from store.library.imports import Imports
from store.library.ranking import Ranking
from store.library.upkeep import Upkeep
from store.memory import paused_gc
from store.models import Change, Enrichment, ImportReport, Paper, Record, UserState
from store.rows import RecordRows
from store.state import UserStates
from store.sync.local import LocalJournal

if TYPE_CHECKING:
    from store.search.scan import AbstractScan, KnownMatches

CATALOG = "catalog.json"
ABSTRACTS = "abstracts.json"
STATE = "state.json"
ENRICHMENT = "enrichment.json"
CITEKEYS = "citekeys.json"
INBOXES = "inboxes.json"
BACKUPS = "backups"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Library(Abstracts, Imports, StateChanges, Ranking, Upkeep):
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
        self.catalog_columns = CatalogColumns(self.catalog_file)
        """The catalog as columns (`catalog-columns.jsonl`, see store.files.columns_file)."""
        # Columns already read in this process give their ids; else `ids.json` (see IdIndex).
        self.id_index = IdIndex(self.catalog_file.path, lambda: self.catalog_columns.get().ids)
        self.user_states = UserStates(
            self.state_file, self.paper_ids, lambda: self.now(), self.journal
        )
        self.drafts = NoteDrafts(root)
        self._abstracts = CachedDocs(self.abstracts_file, _abstracts_by_id)
        self._abstract_places = AbstractPlaces(self.abstracts_file.path)
        self._enrichments = CachedDocs(self.enrichment_file, _enrichments_by_id)
        self._citekeys = KeyIndex(self.citekeys_file)

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
        return self.catalog_columns.get().by_id()

    def paper_ids(self) -> frozenset[str]:
        """Every paper id in the catalog: from its columns when a search has read them
        already, else from `ids.json` while it is current, without parsing the catalog (see
        store.files.ids)."""
        columns = self.catalog_columns.current()
        if columns is not None and columns.signature is not None:
            return self.id_index.adopt(columns.signature, columns.ids)
        return self.id_index.ids()

    def paper_count(self) -> int:
        """How many papers the catalog holds: from its columns when a search has read them
        already (making a set of their ids took 12 ms at 100k papers), else `paper_ids`."""
        columns = self.catalog_columns.current()
        if columns is not None:
            return columns.count
        return len(self.paper_ids())

    def is_empty(self) -> bool:
        return self.catalog_columns.get().count == 0  # no paper built to count them

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
        records = self.record_rows().materialise()
        if with_abstracts:
            abstracts = self.abstracts()
            if abstracts:
                records = [_with_abstract(r, abstracts.get(r.id, "")) for r in records]
        return records

    def record_rows(self) -> RecordRows:
        """Every paper not merged into another, joined with its state, queue position,
        enrichment and citation key, in catalog order; each record is built when first asked
        for (see store.rows), so a search that shows 20 papers builds 20."""
        columns = self.catalog_columns.get()
        content = self.state_file.load()
        states = {doc["id"]: state_from(doc) for doc in table_docs(content, PAPERS_TABLE)}
        positions = {pid: n for n, pid in enumerate(queue_from(content), start=1)}
        keys = self.citekeys()

        def citekey(pid: str) -> tuple[str | None, tuple[str, ...]]:
            key = keys.get(pid)
            if key is None:
                return None, ()
            if not key.aliases:
                return key.key, ()
            return key.key, visible_aliases(keys, pid, rows.ids)

        rows = RecordRows(
            columns, states, positions, self.enrichments(), keys, citekey, keys.decode_all
        )
        return rows

    def records(
        self,
        query: str | None = None,
        sort: str | None = None,
        limit: int | None = None,
        *,
        with_abstracts: bool = True,
        scan: AbstractScan | KnownMatches | None = None,
    ) -> list[Record]:
        """Papers matching `query`, in order.  Without `with_abstracts` the records carry no
        abstract, and the abstracts file is read only if the query searches words and `scan`
        (from `scan_abstracts`, started earlier with the same query) did not already."""
        return self.search(query, sort, limit, with_abstracts=with_abstracts, scan=scan)[0]

    def search(
        self,
        query: str | None = None,
        sort: str | None = None,
        limit: int | None = None,
        *,
        with_abstracts: bool = True,
        scan: AbstractScan | KnownMatches | None = None,
    ) -> tuple[list[Record], int]:
        """The first `limit` papers matching `query` (as `records`) and how many matched: only
        the papers returned are built (see store.rows)."""
        from store.search.index import SearchIndex

        with paused_gc():
            rows = self.record_rows()
            interest = self.interest(rows.materialise()) if sort == "interest" else None
        from store.search.scan import KnownMatches

        if isinstance(scan, KnownMatches):  # the saved word index answers by rows itself
            postings, matches = scan.postings, None  # None: damaged meanwhile, abstracts read
        else:
            postings, matches = None, (scan.result() if scan is not None else None)
        # The saved title index, if current, finds title words without a scan of every title
        # (the authors' names are still scanned, all at once in C: no index is built here).
        titles = self.saved_title_index(rows) if query else None
        index = SearchIndex(
            rows,
            abstracts=self.abstracts,  # read only if a word needs them
            indexed=False,
            abstract_matches=matches,
        )
        if titles is not None and index.use_title_index(titles):
            index.indexed = index.scan_authors_until_warm = True
        if postings is not None:
            index.use_abstract_index(postings)
        matched = index.matching_rows(  # lazy: a large result is ordered only to `limit`
            query or "", sort, interest=interest.score if interest else None, lazy=True
        )
        found = [rows[row] for row in matched[:limit]]
        if with_abstracts:
            abstracts = self.abstracts()
            found = [_with_abstract(r, abstracts.get(r.id, "")) for r in found]
        return found, len(matched)

    def merged_into(self, pid: str) -> str | None:
        """The paper `pid` was merged into (following merges of merges), or None."""
        return self.user_states.merged_into(pid)

    def resolve(self, ref: str) -> str:
        """The id of the paper `ref` names: a whole id or an unambiguous prefix of one."""
        papers = self.paper_ids()
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

    def citekeys(self) -> StoredKeys:
        """Stored citation keys by paper id (read again only when the file changed; from the
        index beside the file while it is current, each key where it lies until many are
        asked for: see store.files.key_index)."""
        return self._citekeys.get()

    def _shown_ids(self) -> list[str]:
        """Papers not merged into another."""
        states = self.states()
        return [p for p in self.papers() if p not in states or states[p].duplicate_of is None]

    # -- citation keys (see store.files.citekeys) --------------------------------------------

    def with_citekeys(self, records: Sequence[Record], *, rekey: bool = False) -> list[Record]:
        """`records` with their citation keys, assigning (and storing) one to every paper that
        has none yet; with `rekey`, every one of them is made anew from the pattern."""
        keys = assign_citekeys(
            self.citekeys_file,
            records,
            self.citekey_pattern,
            rekey=rekey,
            written=self._citekeys.store,
        )
        shown = self._shown_ids() if any(k.aliases for k in keys.values()) else []
        return [_keyed(r, keys.get(r.id), keys, shown) for r in records]

    def tag_counts(self) -> dict[str, int]:
        return self.user_states.tag_counts()

    # -- enrichment --------------------------------------------------------------------------

    def save_enrichment(self, pid: str, enrichment: Enrichment) -> None:
        with self.enrichment_file.transaction() as db:
            table = db.table(PAPERS_TABLE, cache_size=0)
            docs = [doc for doc in table.all() if doc.get("id") == pid]
            if docs:
                table.update(enrichment_doc(pid, enrichment), doc_ids=[docs[0].doc_id])
            else:
                table.insert(enrichment_doc(pid, enrichment))


def _with_abstract(record: Record, abstract: str) -> Record:
    return replace(record, paper=replace(record.paper, abstract=abstract)) if abstract else record


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
