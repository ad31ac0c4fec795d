"""The Library's side of sync and restore: the journal's replica becomes `state.json`, papers
travel with their user state, and a damaged or missing `state.json` is rebuilt."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from store.files.documents import (
    DEFAULT_DOC,
    PAPERS_TABLE,
    QUEUE_TABLE,
    paper_doc,
    paper_from,
    table_docs,
)
from store.files.storage import META_TABLE, StoreError, StoreFile, new_content
from store.models import Paper
from store.sync.exchange import ExchangeReport, exchange
from store.sync.journal import Entry
from store.sync.local import LocalJournal
from store.sync.merge import Replica
from store.sync.recorder import state_documents


class Library(Protocol):
    """What sync needs of `store.library.Library` (named here so sync never imports it)."""

    state_file: StoreFile
    catalog_file: StoreFile
    journal: LocalJournal

    def papers(self) -> dict[str, Paper]: ...

    def abstract(self, paper: str) -> str: ...

    def save_abstracts(self, abstracts: dict[str, str]) -> None: ...

    def ensure_journal(self) -> None: ...


SYNC_DIR_ENV = "PAPERDECK_SYNC_DIR"


def _has_user_state(doc: dict[str, Any]) -> bool:
    return any(doc.get(k) != v for k, v in DEFAULT_DOC.items()) or bool(doc.get("note_base"))


def state_content(replica: Replica, journal_tail: str | None) -> dict[str, Any]:
    """`state.json` for `replica`, recording the journal's last entry (see store/state.py)."""
    docs, queue, ranks = state_documents(replica, DEFAULT_DOC, _has_user_state)
    content = new_content("state")
    content[META_TABLE]["1"]["journal_tail"] = journal_tail
    content[PAPERS_TABLE] = {str(n): doc for n, doc in enumerate(docs, start=1)}
    content[QUEUE_TABLE] = {"1": {"ids": queue, "ranks": ranks}}
    return content


def _comparable(content: dict[str, Any]) -> tuple[Any, Any, Any]:
    docs = sorted(
        ({k: v for k, v in d.items() if k != "updated"} for d in table_docs(content, PAPERS_TABLE)),
        key=lambda d: str(d.get("id")),
    )
    queue = [d for d in content.get(QUEUE_TABLE, {}).values() if isinstance(d, dict)]
    meta = content.get(META_TABLE, {}).get("1") or {}
    return docs, [q.get("ids") for q in queue], meta.get("journal_tail")


def write_state(library: Library, replica: Replica) -> bool:
    """Under the state lock: make `state.json` the replica's state; True when that changed it."""
    content = state_content(replica, library.journal.last_entry_id())
    store_file = library.state_file
    try:
        current = store_file.read() if store_file.path.exists() else None
    except StoreError:
        current = None  # damaged: the replica replaces it (restore keeps a copy first)
    if current is not None and _comparable(current) == _comparable(content):
        return False
    store_file.write(content)
    return True


def paper_records(library: Library, pids: set[str]) -> list[dict[str, Any]]:
    papers = library.papers()
    records = []
    for pid in sorted(pids):
        paper = papers.get(pid)
        if paper is not None:
            records.append({**paper_doc(paper), "abstract": library.abstract(pid)})
    return records


def add_papers(library: Library, records: list[dict[str, Any]]) -> int:
    """Papers another device has user state on and this one never imported: into the catalog."""
    if not records:
        return 0
    with library.catalog_file.locked():
        content = library.catalog_file.read()
        table: dict[str, Any] = content.setdefault(PAPERS_TABLE, {})
        have = {doc["id"] for doc in table_docs(content, PAPERS_TABLE)}
        next_slot = max((int(k) for k in table if k.isdigit()), default=0) + 1
        abstracts: dict[str, str] = {}
        added = 0
        for record in records:
            try:
                paper = paper_from(record)
            except (KeyError, TypeError, ValueError):
                continue
            if paper.id in have or not isinstance(paper.title, str) or not paper.title.strip():
                continue
            have.add(paper.id)
            table[str(next_slot)] = paper_doc(paper)
            next_slot += 1
            added += 1
            if isinstance(record.get("abstract"), str) and record["abstract"]:
                abstracts[paper.id] = record["abstract"]
        if added:
            library.save_abstracts(abstracts)
            library.catalog_file.write(content)
    return added


def sync_folder(library: Library, folder: Path) -> ExchangeReport:
    """Exchange changes with the other devices sharing `folder`; idempotent."""
    with library.state_file.locked():
        # A damaged state.json is reported, never replaced by a sync (doctor --restore is the
        # way back); a missing one with a journal behind it is a lost file, not an empty one.
        if library.state_file.path.exists():
            library.state_file.read()
        elif library.journal.size() > 0:
            raise StoreError(
                f"{library.state_file.path}: missing, though the journal holds your tags, notes "
                "and queue; run `paperdeck doctor --restore` to rebuild it"
            )
        library.ensure_journal()
        journal = library.journal
        replica = journal.replica()
        added: list[int] = []

        def keep_received(received: list[Entry], papers: list[dict[str, Any]]) -> None:
            added.append(add_papers(library, papers))  # papers before the state naming them
            journal.append(received)
            if received:
                journal.save_clock(max(replica.max_hlc, journal.last_stamp()))

        report = exchange(
            folder, journal, replica, lambda pids: paper_records(library, pids), keep_received
        )
        report.papers_added = sum(added)
        write_state(library, replica)
        if journal.needs_compaction():
            journal.compact(replica)
    return report


@dataclass
class RestoreReport:
    changes: int
    """Papers with user state in the rebuilt file."""
    aside: Path | None
    """Where the damaged file was kept."""


def journal_holds_state(library: Library) -> bool:
    return library.journal.size() > 0


def restore_state(library: Library) -> RestoreReport:
    """Rebuild `state.json` from the journal's snapshot and changes, keeping a copy of the
    file it replaces.  The old file stays in place until the new one replaces it atomically:
    a restore killed at any instant leaves a state.json."""
    with library.state_file.locked():
        replica = library.journal.replica()
        path = library.state_file.path
        aside = None
        if path.exists():
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            aside = path.with_name(f"{path.name}.damaged-{stamp}")
            shutil.copyfile(path, aside)
        content = state_content(replica, library.journal.last_entry_id())
        library.state_file.write(content)
    return RestoreReport(len(content[PAPERS_TABLE]), aside)
