"""The Library's imports: listing files and pulled listings folded into the catalog in one
write each (`store.catalog` decides ids and merging)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from store.catalog.importing import Progress, add_abstracts, merge_listings, read_listings
from store.catalog.listing import Listing
from store.files.columns import CatalogColumns
from store.files.documents import PAPERS_TABLE, paper_doc
from store.files.ids import IdIndex
from store.files.storage import StoreFile
from store.models import Enrichment, ImportReport


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
                # Still under the lock: the ids of exactly the catalog just written.
                self.id_index.store([doc["id"] for doc in table.values()])
                self.catalog_columns.store(table.values())

    def save_abstracts(self, abstracts: dict[str, str]) -> None:
        """Abstracts go first: an abstract without its paper is harmless, the reverse is not."""
        with self.abstracts_file.locked():
            content = self.abstracts_file.read()
            if add_abstracts(content.setdefault(PAPERS_TABLE, {}), abstracts):
                self.abstracts_file.write(content)
