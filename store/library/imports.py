"""The Library's imports: listing files and pulled listings folded into the catalog in one
write each (`store.catalog` decides ids and merging)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.atomic import StagedWrite
from store.catalog.importing import (
    Merge,
    Progress,
    add_abstracts,
    lacks_abstracts,
    listing_files,
    parse_files,
)
from store.files import fast_json
from store.files.columns_file import CatalogColumns
from store.files.documents import PAPERS_TABLE, paper_doc
from store.files.ids import IdIndex
from store.files.storage import StoreFile, signature, staged_signature
from store.library.forked_write import ForkedWrite
from store.memory import let_go, paused_gc
from store.models import Enrichment, ImportReport, Paper

if TYPE_CHECKING:  # the listing parser loads with the first import, not with every command
    from store.catalog.listing import Listing


_CHANGED = (-1, -1, -1)
"""A signature no file has: the catalog changed while it was read."""


class _EarlyMerge:
    """A merge begun before the catalog's lock is taken, on the catalog as read then."""

    def __init__(
        self,
        signature: tuple[int, int, int] | None,
        content: dict[str, Any],
        merge: Merge,
        blank: dict[str, Any],
        matched: dict[str, str],
    ) -> None:
        self.signature = signature
        self.content = content
        self.merge = merge
        self.blank = blank
        self.matched = matched
        self.fed = False
        """Whether the listings were added as they were read (else `_merge` adds them)."""

    def add(self, listings: list[Listing]) -> None:
        self.merge.add(listings)
        self.fed = True


class Imports:
    """Mixed into `Library`: what it needs is named here."""

    catalog_file: StoreFile
    id_index: IdIndex
    catalog_columns: CatalogColumns
    abstracts_file: StoreFile
    now: Callable[[], datetime]
    enrichments: Callable[[], dict[str, Enrichment]]

    def import_files(
        self,
        paths: Sequence[Path],
        *,
        year: int | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import listing files or directories of them: all of them, or nothing on any error.
        Each file's listings are merged into the catalog as read while the later files are
        still being parsed (on the other core, for a large import); if the catalog changed
        meanwhile, the merge is done again on the catalog as it is under the lock."""
        # Hundreds of thousands of new objects and no garbage among them: a collector pass in
        # between only walks them (1.3 s of a 100k-paper import).
        with paused_gc(freeze=False):
            files = listing_files(paths)
            early = self._merge_begun()
            listings = parse_files(files, year=year, progress=progress, consume=early.add)
            if progress:
                progress(len(files), len(files), "saving")
            report = ImportReport(files=[p.name for p in files], listings=len(listings))
            report.warnings = [w for listing in listings for w in listing.warnings]
            self._merge(listings, report, early)
            # Done with hundreds of thousands of listings and documents: freed while the
            # collector is still paused (its first pass would walk them all: 0.3 s at 100k).
            let_go(listings, early)
            del listings, early
        return report

    def merge_listings(self, listings: Sequence[Listing]) -> ImportReport:
        """Fold listings from a pull into the catalog in one write: all of them or none."""
        report = ImportReport(listings=len(listings))
        self._merge(listings, report, self._merge_begun())
        return report

    def _merge_begun(self) -> _EarlyMerge:
        """A merge into the catalog as it is now, read without its lock (`_merge` checks the
        file is still the one read)."""
        added = self.now().isoformat(timespec="seconds")
        # arXiv ids that `fetch` matched identify papers too (another file: read before the lock).
        matched = {e.arxiv_id: pid for pid, e in self.enrichments().items() if e.arxiv_id}
        blank = paper_doc(Paper(id="", title="", added=added))
        sig = signature(self.catalog_file.path)
        content = self.catalog_file.read()
        if signature(self.catalog_file.path) != sig:  # replaced while read: not a snapshot
            sig = _CHANGED
        table = content.setdefault(PAPERS_TABLE, {})
        return _EarlyMerge(
            sig, content, Merge(table, blank_doc=blank, matched=matched), blank, matched
        )

    def _merge(self, listings: Sequence[Listing], report: ImportReport, early: _EarlyMerge) -> None:
        with self.catalog_file.locked():
            content, merge = early.content, early.merge
            if signature(self.catalog_file.path) != early.signature:
                content = self.catalog_file.read()  # another process wrote it meanwhile
                table = content.setdefault(PAPERS_TABLE, {})
                merge = Merge(table, blank_doc=early.blank, matched=early.matched)
                merge.add(listings)
            elif not early.fed:
                merge.add(listings)
            abstracts = merge.finish(report)
            if abstracts is not None:
                # The abstracts are written first (by a forked child on a large import) while
                # the catalog, its ids and its columns are encoded and written here; the
                # catalog is put in place once the abstracts are durable.
                with self.abstracts_file.locked():
                    writing = self._start_abstracts(abstracts)
                    staged = None
                    try:
                        staged = self._stage_catalog(content)
                        if writing is not None:
                            writing.wait()
                    except BaseException:  # ctrl+c too: the child goes with the import
                        if writing is not None:
                            writing.cancel()
                        if staged is not None:
                            staged.discard()
                        raise
                    if writing is not None:
                        # Its 100k documents, written: freeing them touched every abstract
                        # (0.09 s), which a command that ends next need not.
                        let_go(writing)
                staged.commit()

    def _stage_catalog(self, content: dict[str, Any]) -> StagedWrite:
        """The catalog `content` written beside the catalog, with its ids and columns for it
        once in place (until then they are only not current): meanwhile an import's child may
        still be writing the abstracts, which must be on disk first, and putting the catalog
        in place is then a rename."""
        table = content[PAPERS_TABLE]
        # Written now, synced while the ids and columns are taken (the disk's time, not ours).
        staged = self.catalog_file.stage_encoded(fast_json.dumps(content))
        try:
            sig = staged_signature(staged)
            ids = self.id_index.prepare([doc["id"] for doc in table.values()])
            columns = self.catalog_columns.prepare(table.values())
            self.id_index.store_prepared(ids, sig)
            self.catalog_columns.store_prepared(columns, sig)
        except BaseException:
            staged.discard()
            raise
        return staged

    def _start_abstracts(self, abstracts: dict[str, str]) -> ForkedWrite | None:
        """The abstracts file given the papers' new abstracts, being written (None: nothing
        to write); the caller holds its lock and waits for the write."""
        content = self.abstracts_file.read()
        table = content.setdefault(PAPERS_TABLE, {})
        if not lacks_abstracts(table, abstracts):
            return None

        def encode(content: dict[str, Any]) -> bytes:
            # The documents are made by whichever process writes them: the child, on a large
            # import (100k of them, 0.1 s this process need not wait for).
            add_abstracts(table, abstracts)
            return fast_json.dumps(content)

        return ForkedWrite(
            self.abstracts_file, content, documents=len(table) + len(abstracts), encoder=encode
        )

    def save_abstracts(self, abstracts: dict[str, str]) -> None:
        """Abstracts go first: an abstract without its paper is harmless, the reverse is not."""
        with self.abstracts_file.locked():
            writing = self._start_abstracts(abstracts)
            if writing is not None:
                writing.wait()
