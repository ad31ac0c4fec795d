"""The Library: one data directory of paperdeck, the only way the CLI and the TUI reach the store.

Four TinyDB files, each written atomically under its own lock, so a write's cost never grows
with the catalog:

- `catalog.json`: papers as parsed from the listings (rewritten only by imports);
- `abstracts.json`: their abstracts, apart so the list can be shown without them;
- `state.json`: the user's tags, notes, status, triage marks and queue order;
- `enrichment.json`: what arXiv and GitHub said.

Every change re-reads the file under the lock and applies a function to the current state, so a
process holding stale data never overwrites what another process wrote.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.catalog.importing import listing_files, merge_listing, paper_id, unique_id
from store.catalog.listing import Listing, ListingError, decode, parse_listing, title_key
from store.errors import UsageError
from store.export.citekey import DEFAULT_PATTERN
from store.files.citekeys import (
    CiteKey,
    assign_citekeys,
    merge_citekeys,
    read_citekeys,
    visible_aliases,
)
from store.files.documents import (
    PAPERS_TABLE,
    QUEUE_TABLE,
    enrichment_doc,
    enrichment_from,
    paper_doc,
    paper_from,
    queue_from,
    state_doc,
    state_from,
    table_docs,
)
from store.files.storage import (
    DamagedStore,
    StoreError,
    StoreFile,
    backups_of,
    check_schema,
    keep_backup,
    load_json_file,
    paused_gc,
    signature,
    write_atomic_bytes,
)
from store.models import STATUSES, Enrichment, Paper, Record, UserState
from store.tags import BadTag, normalise_tags

if TYPE_CHECKING:
    from store.search.scan import AbstractScan

CATALOG = "catalog.json"
ABSTRACTS = "abstracts.json"
STATE = "state.json"
ENRICHMENT = "enrichment.json"
BACKUPS = "backups"
DRAFTS = "drafts"

Progress = Callable[[int, int, str], None]


class UnknownPaper(UsageError):
    pass


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    listings: int = 0
    new: int = 0
    merged: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class Change:
    """What one user action did, enough to undo it without touching anything changed since."""

    description: str
    before: dict[str, UserState]
    after: dict[str, UserState]
    queue_before: tuple[str, ...] | None = None
    queue_after: tuple[str, ...] | None = None

    @property
    def empty(self) -> bool:
        return self.before == self.after and self.queue_before == self.queue_after


# ---------------------------------------------------------------------------------------------


class Library:
    """A paperdeck data directory."""

    def __init__(
        self,
        root: Path,
        *,
        lock_timeout: float = 10.0,
        now: Callable[[], datetime] = utc_now,
        citekey_pattern: str = DEFAULT_PATTERN,
    ) -> None:
        self.root = root
        self.now = now
        self.citekey_pattern = citekey_pattern
        backups = root / BACKUPS
        # The catalog can be rebuilt from the listings: a few versions of it are enough.
        self.catalog_file = StoreFile(root / CATALOG, "catalog", lock_timeout, backups, 0.0, 3)
        self.abstracts_file = StoreFile(root / ABSTRACTS, "abstracts", lock_timeout)
        self.state_file = StoreFile(root / STATE, "state", lock_timeout, backups)
        self.enrichment_file = StoreFile(root / ENRICHMENT, "enrichment", lock_timeout, backups)
        self._papers: tuple[object, dict[str, Paper]] = (None, {})
        self._abstracts: tuple[object, dict[str, str]] = (None, {})
        self._enrichment: tuple[object, dict[str, Enrichment]] = (None, {})
        self._by_key: dict[str, str] | None = None

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
        return library

    @property
    def files(self) -> tuple[StoreFile, ...]:
        return (self.catalog_file, self.abstracts_file, self.state_file, self.enrichment_file)

    def remove_stale_temps(self) -> None:
        for store_file in self.files:
            with contextlib.suppress(StoreError):
                with store_file.locked():
                    store_file.remove_stale_temps()

    def take_backups(self) -> None:
        """Keep a version of the user's files now (the app does this at every start)."""
        for store_file in (self.state_file, self.enrichment_file):
            if store_file.path.exists() and store_file.backup_dir is not None:
                with store_file.locked():
                    store_file.read()  # never back up a damaged file over good backups
                    keep_backup(
                        store_file.path, store_file.backup_dir, kept=store_file.backups_kept
                    )

    # -- the catalog -------------------------------------------------------------------------

    def _load(self, store_file: StoreFile) -> dict[str, Any]:
        content = load_json_file(store_file.path)
        if content is None:
            return {}
        check_schema(store_file.path, content, store_file.kind)
        return content

    def papers(self) -> dict[str, Paper]:
        """Every paper in the catalog, by id, without abstracts (see `abstract`)."""
        sig = signature(self.catalog_file.path)
        if sig is None or sig != self._papers[0]:
            content = self._load(self.catalog_file)
            with paused_gc():
                papers = {doc["id"]: paper_from(doc) for doc in table_docs(content, PAPERS_TABLE)}
            self._papers = (sig, papers)
            self._by_key = None
        return self._papers[1]

    def abstracts(self) -> dict[str, str]:
        sig = signature(self.abstracts_file.path)
        if sig is None or sig != self._abstracts[0]:
            content = self._load(self.abstracts_file)
            with paused_gc():
                found = {
                    doc["id"]: text
                    for doc in table_docs(content, PAPERS_TABLE)
                    if isinstance(text := doc.get("abstract"), str)
                }
            self._abstracts = (sig, found)
        return self._abstracts[1]

    def abstract(self, paper: str) -> str:
        return self.abstracts().get(paper, "")

    def is_empty(self) -> bool:
        return not self.papers()

    def import_files(
        self,
        paths: Sequence[Path],
        *,
        year: int | None = None,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import listing files or directories of them: all of them, or nothing on any error."""
        files = listing_files(paths)
        listings: list[Listing] = []
        for done, path in enumerate(files):
            if progress:
                progress(done, len(files), path.name)
            try:
                data = path.read_bytes()
            except OSError as error:
                raise ListingError(f"{path}: cannot read ({error.strerror or error})") from None
            listings.extend(parse_listing(decode(data, str(path)), path.name, year=year))
        if progress:
            progress(len(files), len(files), "saving")
        report = ImportReport(files=[p.name for p in files], listings=len(listings))
        self._merge(listings, report)
        return report

    def _merge(self, listings: list[Listing], report: ImportReport) -> None:
        added = self.now().isoformat(timespec="seconds")
        with self.catalog_file.locked():
            content = self.catalog_file.read()
            table: dict[str, Any] = content.setdefault(PAPERS_TABLE, {})
            by_key: dict[str, str] = {}
            ids: dict[str, str] = {}
            slot: dict[str, str] = {}
            for doc_id, doc in table.items():
                by_key[title_key(doc["title"])] = doc["id"]
                ids[doc["id"]] = title_key(doc["title"])
                slot[doc["id"]] = doc_id
            abstracts: dict[str, str] = {}
            touched: dict[str, str] = {}  # id -> "new" | "merged"
            next_slot = max((int(k) for k in table if k.isdigit()), default=0) + 1
            for listing in listings:
                key = title_key(listing.title)
                pid = by_key.get(key)
                if pid is None:
                    pid = unique_id(key, ids)
                    by_key[key] = pid
                    ids[pid] = key
                    doc = paper_doc(Paper(id=pid, title=listing.title, added=added))
                    slot[pid] = str(next_slot)
                    table[str(next_slot)] = doc
                    next_slot += 1
                    touched[pid] = "new"
                doc = table[slot[pid]]
                if merge_listing(doc, listing) and touched.get(pid) != "new":
                    touched[pid] = "merged"
                if listing.abstract and pid not in abstracts:
                    abstracts[pid] = listing.abstract
            seen = {by_key[title_key(listing.title)] for listing in listings}
            report.new = sum(1 for v in touched.values() if v == "new")
            report.merged = sum(1 for v in touched.values() if v == "merged")
            report.unchanged = len(seen) - report.new - report.merged
            if touched:
                self._save_abstracts(abstracts)
                self.catalog_file.write(content)

    def _save_abstracts(self, abstracts: dict[str, str]) -> None:
        """Abstracts go first: an abstract without its paper is harmless, the reverse is not."""
        with self.abstracts_file.locked():
            content = self.abstracts_file.read()
            table: dict[str, Any] = content.setdefault(PAPERS_TABLE, {})
            have = {doc["id"]: doc_id for doc_id, doc in table.items()}
            next_slot = max((int(k) for k in table if k.isdigit()), default=0) + 1
            changed = False
            for pid, text in abstracts.items():
                if pid in have:
                    if table[have[pid]].get("abstract"):
                        continue
                    table[have[pid]]["abstract"] = text
                else:
                    table[str(next_slot)] = {"id": pid, "abstract": text}
                    next_slot += 1
                changed = True
            if changed:
                self.abstracts_file.write(content)

    # -- records -----------------------------------------------------------------------------

    def states(self) -> dict[str, UserState]:
        content = self._load(self.state_file)
        return {doc["id"]: state_from(doc) for doc in table_docs(content, PAPERS_TABLE)}

    def queue_ids(self) -> list[str]:
        content = self._load(self.state_file)
        return queue_from(content)

    def enrichments(self) -> dict[str, Enrichment]:
        sig = signature(self.enrichment_file.path)
        if sig is None or sig != self._enrichment[0]:
            content = self._load(self.enrichment_file)
            found = {doc["id"]: enrichment_from(doc) for doc in table_docs(content, PAPERS_TABLE)}
            self._enrichment = (sig, found)
        return self._enrichment[1]

    def all_records(self, *, with_abstracts: bool = True) -> list[Record]:
        """Every paper joined with its state, queue position and enrichment, in catalog order."""
        with paused_gc():
            return self._all_records(with_abstracts)

    def _all_records(self, with_abstracts: bool) -> list[Record]:
        papers = self.papers()
        content = self._load(self.state_file)
        states = {doc["id"]: state_from(doc) for doc in table_docs(content, PAPERS_TABLE)}
        positions = {pid: n for n, pid in enumerate(queue_from(content), start=1)}
        enrichments = self.enrichments()
        abstracts = self.abstracts() if with_abstracts else {}
        keys = read_citekeys(content)
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
        from store.search.query import SearchIndex

        records = self.all_records(with_abstracts=with_abstracts)
        matches = scan.result() if scan is not None else None
        index = SearchIndex(
            records,
            abstracts=None if with_abstracts else self.abstracts,  # read only if a word needs
            indexed=False,
            abstract_matches=matches,
        )
        return index.search(query or "", sort, limit=limit)

    def scan_abstracts(self, query: str | None) -> AbstractScan | None:
        """Start looking for `query`'s words in the abstracts on another core, so `records`
        can read the catalog meanwhile; None where that would not pay (small libraries, no
        words, no fork) or the query does not parse (`records` then says why)."""
        from store.search.query import QueryError, parse_query
        from store.search.scan import start_scan

        try:
            words = parse_query(query or "").words
        except QueryError:
            return None
        return start_scan(self.abstracts_file.path, self.abstracts, list(words))

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
        paper = self.papers()[pid]
        content = self._load(self.state_file)
        state = next(
            (state_from(d) for d in table_docs(content, PAPERS_TABLE) if d["id"] == pid),
            UserState(),
        )
        queue = queue_from(content)
        position = queue.index(pid) + 1 if pid in queue else None
        keys = read_citekeys(content)
        key = keys.get(pid)
        return Record(
            replace(paper, abstract=self.abstract(pid)),
            state,
            position,
            self.enrichments().get(pid, Enrichment()),
            key.key if key else None,
            visible_aliases(keys, pid, self._shown_ids()) if key else (),
        )

    def _shown_ids(self) -> list[str]:
        """Papers not merged into another."""
        states = self.states()
        return [p for p in self.papers() if p not in states or states[p].duplicate_of is None]

    # -- citation keys -----------------------------------------------------------------------

    def with_citekeys(self, records: Sequence[Record], *, rekey: bool = False) -> list[Record]:
        """`records` with their citation keys, assigning (and storing) one to every paper that
        has none yet; with `rekey`, every one of them is made anew from the pattern."""
        keys = assign_citekeys(self.state_file, records, self.citekey_pattern, rekey=rekey)
        shown = self._shown_ids() if any(k.aliases for k in keys.values()) else []
        return [_keyed(r, keys.get(r.id), keys, shown) for r in records]

    # -- user state --------------------------------------------------------------------------

    def _change(
        self,
        description: str,
        ids: Sequence[str],
        update: Callable[[str, UserState], UserState] | None = None,
        queue_update: Callable[[list[str]], list[str]] | None = None,
    ) -> Change:
        """Apply `update` to the current state of `ids` (and `queue_update` to the queue),
        re-read under the lock, written once."""
        papers = self.papers()
        for pid in ids:
            if pid not in papers:
                raise UnknownPaper(f"no paper with id {pid!r}; `paperdeck list` shows the ids")
        stamp = self.now().isoformat(timespec="seconds")
        before: dict[str, UserState] = {}
        after: dict[str, UserState] = {}
        with self.state_file.transaction() as db:
            table = db.table(PAPERS_TABLE, cache_size=0)
            docs = {doc["id"]: doc for doc in table.all() if isinstance(doc.get("id"), str)}
            queue_table = db.table(QUEUE_TABLE, cache_size=0)
            queue = queue_from(db.storage.read() or {})
            for pid in ids:
                old = state_from(docs[pid]) if pid in docs else UserState()
                new = update(pid, old) if update else old
                before[pid], after[pid] = old, new
                if new == old:
                    continue
                new = replace(new, updated=stamp)
                after[pid] = new
                if pid in docs:
                    table.update(state_doc(pid, new), doc_ids=[docs[pid].doc_id])
                else:
                    table.insert(state_doc(pid, new))
            queue_before = tuple(queue)
            # Reading a paper to the end takes it off the queue.
            new_queue = queue_update(list(queue)) if queue_update else list(queue)
            done = {pid for pid, s in after.items() if s.status == "read" and s != before[pid]}
            new_queue = [pid for pid in new_queue if pid not in done]
            if new_queue != queue:
                queue_table.truncate()
                queue_table.insert({"ids": new_queue})
            queue_after = tuple(new_queue)
        tracks_queue = queue_update is not None or queue_before != queue_after
        return Change(
            description,
            before,
            after,
            queue_before if tracks_queue else None,
            queue_after if tracks_queue else None,
        )

    def add_tags(self, ids: Sequence[str], tags: Iterable[str]) -> Change:
        wanted = normalise_tags(tags)

        def update(state: UserState) -> UserState:
            merged = state.tags + tuple(t for t in wanted if t not in state.tags)
            return replace(state, tags=merged)

        return self._change(f"tag {', '.join(wanted)}", ids, lambda _, s: update(s))

    def remove_tags(self, ids: Sequence[str], tags: Iterable[str]) -> Change:
        unwanted = set(normalise_tags(tags))

        def update(state: UserState) -> UserState:
            return replace(state, tags=tuple(t for t in state.tags if t not in unwanted))

        return self._change(f"untag {', '.join(sorted(unwanted))}", ids, lambda _, s: update(s))

    def edit_tags(self, ids: Sequence[str], spec: str) -> Change:
        """`a, b, -c`: add a and b, remove c (the TUI's tag input)."""
        parts = [p.strip() for p in spec.split(",") if p.strip()]
        add = normalise_tags((p for p in parts if not p.startswith("-")), allow_empty=True)
        remove = set(normalise_tags((p[1:] for p in parts if p.startswith("-")), allow_empty=True))
        if not add and not remove:
            raise BadTag("no tag given; type tags separated by commas, -tag removes one")

        def update(state: UserState) -> UserState:
            kept = tuple(t for t in state.tags if t not in remove)
            return replace(state, tags=kept + tuple(t for t in add if t not in kept))

        return self._change(f"tags {spec.strip()}", ids, lambda _, s: update(s))

    def rename_tag(self, old: str, new: str) -> Change:
        """Rename (or, when `new` exists, merge) a tag on every paper that has it."""
        (old_tag,) = normalise_tags([old])
        (new_tag,) = normalise_tags([new])
        ids = [pid for pid, state in self.states().items() if old_tag in state.tags]

        def update(state: UserState) -> UserState:
            if old_tag not in state.tags:
                return state
            tags: list[str] = []
            for tag in state.tags:
                tag = new_tag if tag == old_tag else tag
                if tag not in tags:
                    tags.append(tag)
            return replace(state, tags=tuple(tags))

        return self._change(f"rename tag {old_tag} to {new_tag}", ids, lambda _, s: update(s))

    def set_note(self, pid: str, text: str, *, base: str | None = None) -> Change:
        """Save a note.  With `base` (the note as it was when editing began), a note changed
        meanwhile by another process is kept below the new text instead of being overwritten."""

        def update(state: UserState) -> UserState:
            note = text
            if base is not None and state.note not in (base, text) and state.note.strip():
                note = (
                    f"{text.rstrip()}\n\n---\n\n*paperdeck: this note was also changed elsewhere "
                    f"while you edited it; that version follows.*\n\n{state.note}"
                )
            return replace(state, note=note)

        return self._change("note", [pid], lambda _, s: update(s))

    def set_status(self, ids: Sequence[str], status: str) -> Change:
        if status not in STATUSES:
            raise UsageError(f"unknown status {status!r}; use one of: {', '.join(STATUSES)}")
        return self._change(f"mark {status}", ids, lambda _, s: replace(s, status=status))

    def set_triaged(self, ids: Sequence[str], triaged: bool = True) -> Change:
        return self._change("triage", ids, lambda _, s: replace(s, triaged=triaged))

    def triage(self, pid: str, *, queue: bool = False, dismiss: bool = False) -> Change:
        """Record a triage decision: the paper leaves the untriaged pile; `queue` queues it,
        `dismiss` marks it read (and so off the queue)."""

        def update(_: str, state: UserState) -> UserState:
            return replace(state, triaged=True, status="read" if dismiss else state.status)

        def queue_update(ids: list[str]) -> list[str]:
            return ids + [pid] if queue and pid not in ids else ids

        kind = "queue" if queue else "dismiss" if dismiss else "keep"
        return self._change(f"triage ({kind})", [pid], update, queue_update)

    def queue_add(self, ids: Sequence[str]) -> Change:
        def update(queue: list[str]) -> list[str]:
            return queue + [pid for pid in ids if pid not in queue]

        return self._change("queue", ids, queue_update=update)

    def queue_remove(self, ids: Sequence[str]) -> Change:
        return self._change("dequeue", ids, queue_update=lambda q: [p for p in q if p not in ids])

    def queue_toggle(self, ids: Sequence[str]) -> Change:
        """Queue the papers, or take them off when every one of them is queued already."""
        queued = set(self.queue_ids())
        if ids and all(pid in queued for pid in ids):
            return self.queue_remove(ids)
        return self.queue_add(ids)

    def queue_move(self, pid: str, offset: int) -> Change:
        def update(queue: list[str]) -> list[str]:
            if pid not in queue:
                return queue
            index = queue.index(pid)
            target = max(0, min(len(queue) - 1, index + offset))
            queue.insert(target, queue.pop(index))
            return queue

        return self._change("reorder queue", [pid], queue_update=update)

    def undo(self, change: Change) -> Change:
        """Put back what `change` replaced, leaving alone any paper changed since by anyone."""

        def restore(pid: str, state: UserState) -> UserState:
            if _same_user_state(state, change.after[pid]):
                return change.before[pid]
            return state

        def restore_queue(queue: list[str]) -> list[str]:
            if change.queue_before is None or change.queue_after is None:
                return queue
            if tuple(queue) == change.queue_after:
                return list(change.queue_before)
            # Someone else moved the queue too: undo only our own additions and removals.
            added = set(change.queue_after) - set(change.queue_before)
            queue = [p for p in queue if p not in added]
            for index, pid in enumerate(change.queue_before):
                if pid not in change.queue_after and pid not in queue:
                    queue.insert(min(index, len(queue)), pid)
            return queue

        return self._change(
            f"undo {change.description}", list(change.before), restore, restore_queue
        )

    def merge_user_state(self, keep: str, drop: str) -> Change:
        """Fold near-duplicate `drop`'s tags, note, status and queue place into `keep`, and hide
        `drop` (its state records `duplicate_of`; undo brings it back)."""
        if keep == drop:
            raise UsageError(f"cannot merge paper {keep} into itself")
        rank = {s: i for i, s in enumerate(STATUSES)}
        dropped: list[UserState] = []

        def merged(pid: str, state: UserState) -> UserState:
            if pid == drop:  # visited first, so its state as read under the lock is known
                dropped.append(state)
                return UserState(duplicate_of=keep)
            other = dropped[0]
            notes = [n for n in (state.note.strip(), other.note.strip()) if n]
            return replace(
                state,
                tags=state.tags + tuple(t for t in other.tags if t not in state.tags),
                note="\n\n---\n\n".join(dict.fromkeys(notes)),
                status=max(state.status, other.status, key=lambda s: rank[s]),
                triaged=state.triaged or other.triaged,
            )

        def queue_update(queue: list[str]) -> list[str]:
            if drop in queue and keep not in queue:
                queue[queue.index(drop)] = keep
            return [p for p in queue if p != drop]

        change = self._change(f"merge {drop} into {keep}", [drop, keep], merged, queue_update)
        merge_citekeys(self.state_file, self.record(keep), drop, self.citekey_pattern)
        return change

    def tag_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for state in self.states().values():
            for tag in state.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

    # -- note drafts ---------------------------------------------------------------------------
    # What the editor holds but has not saved yet, so a crash or a closed terminal loses nothing.

    def _draft_path(self, pid: str) -> Path:
        return self.root / DRAFTS / f"{pid}.md"

    def save_draft(self, pid: str, text: str) -> None:
        path = self._draft_path(pid)
        path.parent.mkdir(exist_ok=True)
        write_atomic_bytes(path, text.encode("utf-8"))

    def draft(self, pid: str) -> str | None:
        try:
            return self._draft_path(pid).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def drop_draft(self, pid: str) -> None:
        self._draft_path(pid).unlink(missing_ok=True)

    # -- enrichment --------------------------------------------------------------------------

    def save_enrichment(self, pid: str, enrichment: Enrichment) -> None:
        with self.enrichment_file.transaction() as db:
            table = db.table(PAPERS_TABLE, cache_size=0)
            docs = [doc for doc in table.all() if doc.get("id") == pid]
            if docs:
                table.update(enrichment_doc(pid, enrichment), doc_ids=[docs[0].doc_id])
            else:
                table.insert(enrichment_doc(pid, enrichment))

    # -- health ------------------------------------------------------------------------------

    def check(self) -> list[tuple[StoreFile, str | None]]:
        """Each store file with None when it is sound, else what is wrong with it."""
        results: list[tuple[StoreFile, str | None]] = []
        for store_file in self.files:
            try:
                self._load(store_file)
            except StoreError as error:
                results.append((store_file, str(error)))
            else:
                results.append((store_file, None))
        return results

    def check_usable(self) -> None:
        """Raise the first store file's problem; commands refuse to run on a damaged store.

        The catalog, state and enrichment are read in full (the catalog stays cached); the large
        abstracts file gets a cheap check of its ends and is read in full only when needed.
        """
        self.papers()
        self._load(self.state_file)
        self.enrichments()
        path = self.abstracts_file.path
        try:
            with path.open("rb") as handle:
                head = handle.read(64).lstrip()
                handle.seek(max(0, path.stat().st_size - 64))
                tail = handle.read().rstrip()
        except FileNotFoundError:
            return
        except OSError as error:
            raise StoreError(f"{path}: cannot read ({error.strerror or error})") from None
        if not head.startswith(b"{") or not tail.endswith(b"}"):
            raise DamagedStore(path, "truncated or not JSON")

    def good_backup(self, store_file: StoreFile) -> Path | None:
        if store_file.backup_dir is None:
            return None
        for candidate in backups_of(store_file.path, store_file.backup_dir):
            try:
                probe = StoreFile(candidate, store_file.kind)
                probe.read()
            except StoreError:
                continue
            return candidate
        return None


def _keyed(
    record: Record, key: CiteKey | None, keys: dict[str, CiteKey], shown: list[str]
) -> Record:
    if key is None:
        return record
    aliases = visible_aliases(keys, record.id, shown) if key.aliases else ()
    return replace(record, citekey=key.key, citekey_aliases=aliases)


def _same_user_state(a: UserState, b: UserState) -> bool:
    return replace(a, updated="") == replace(b, updated="")


__all__ = [
    "Change",
    "DamagedStore",
    "ImportReport",
    "Library",
    "UnknownPaper",
    "listing_files",
    "paper_id",
]
