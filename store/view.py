"""LibraryView: a Library's records held in memory for an interactive front end.

The app filters on every keystroke, so it keeps every record and a search index in memory and
updates them from each `Change` it makes, or from the state file when another process wrote it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from store.files.storage import signature
from store.library import Library
from store.memory import paused_gc
from store.models import Change, Record
from store.rows import OrderedRows, RecordRows
from store.search.index import SearchIndex
from store.search.language import Query
from store.search.words import separators
from store.tags import count_tags
from store.typing_gate import BETWEEN_KEYS, KEY_DRAWN, TypingGate
from store.view_outside import OutsideReads

if TYPE_CHECKING:  # the interest and Related models load when first used, not at start
    from store.search.interest import Interest, InterestModel
    from store.search.related import Related, RelatedIndex

DEFER_FROM_BYTES = 8_000_000
"""An abstracts file this large (about 5k papers) is indexed in another process, and searched
through that index only (see `LibraryView._large`)."""
SHOWN_NEXT = 200
"""Rows of a search's results whose values are decoded between keys while the library loads:
the next key's narrower results came from the first 150 (a query typed at 10k and 100k)."""


class LibraryView(OutsideReads):
    def __init__(self, library: Library) -> None:
        self.library = library
        self.by_id: dict[str, Record] = {}
        self.index = SearchIndex([])
        self._state_signature: object = None
        self._catalog_signature: object = None
        self._enrichment_signature: object = None
        self._related: RelatedIndex | None = None
        self._related_lock = threading.Lock()
        self.version = 0
        """Counts loads and changes: a result computed at one version is stale at another."""
        self.interest: Interest | None = None
        """The last trained interest (None until `train_interest` ran once)."""
        self._interest_model: InterestModel | None = None
        self._interest_lock = threading.Lock()
        self._opening: RecordRows | None = None
        """Rows `open_rows` gave out and `load` has not finished building."""
        self.typing = TypingGate()
        """Keys and searches under way: the load's work waits for them."""
        self._early: SearchIndex | None = None
        """What `search_listed` searches between `open_rows` and the end of `load`."""
        self._early_lock = threading.Lock()

    def train_interest(self) -> Interest:
        """Retrain on the decisions as they are now (call from a worker: reading the papers
        into the model the first time takes seconds on a large library; `Stopped` once
        `close` was called)."""
        from store.search.interest import can_learn, untrained

        with self._interest_lock:
            records = list(self.by_id.values())
            decisions = self.library.decisions(records)
            if not can_learn(decisions):  # nothing to learn yet: no paper read into a model
                self.interest = untrained(decisions)
                return self.interest
            model = self._interest_model
            if model is None or len(model) != len(records):
                model = self._interest_model = self.library.interest_model(
                    records, stopped=self.typing.closing
                )
            self.interest = model.train(decisions)
            return self.interest

    def why(self, record: Record) -> tuple[str, ...]:
        """The paper's words that raised its interest most (none before training)."""
        if self.interest is None:
            return ()
        from store.search.decisions import document_of

        return self.interest.why(document_of(record, self.library.abstract(record.id)))

    def related(self, paper: str, limit: int = 5) -> list[Related]:
        """Papers similar to `paper`; the index is built on first use (slow on big libraries:
        call from a worker; `Stopped` once `close` was called)."""
        from store.search.related import RelatedIndex

        with self._related_lock:  # one build, however many papers are opened meanwhile
            if self._related is None:
                # One abstract at a time: the file decoded whole would double the app's memory.
                with self.library.abstract_reader() as abstract_of:
                    self._related = RelatedIndex(
                        list(self.by_id.values()),
                        abstract_of=abstract_of,
                        stopped=self.typing.closing,
                    )
        return [r for r in self._related.related(paper, limit + 1) if r.paper in self.by_id][:limit]

    def open_rows(self) -> RecordRows:
        """The first, quick step of a load (a few hundredths of a second at 100k papers): the
        records as rows that build themselves when asked for, which a list can show before
        `load(rows)` has built them all; `total` counts them meanwhile."""
        self._opening = rows = self.library.record_rows()
        self._early = None
        self._deferred = self._large()
        return rows

    def prepare_search(self, rows: RecordRows) -> None:
        """Ahead of `load(rows)`: the search index over `rows`, its title and author word
        indexes built, searched at once (each record built when shown) until the load ends."""
        with paused_gc():
            index = self._search_index(rows, warm=True)
            # A saved title index leaves the titles undecoded: each row a key's results show
            # builds its record from them (and its id), else on the UI thread in that frame.
            rows.titles, rows.ids  # noqa: B018
        if self._opening is rows:
            self._early = index
            self.typing.note()  # the first frame comes: keys may follow

    def _search_index(self, rows: RecordRows, *, warm: bool) -> SearchIndex:
        index = self._new_index(rows)
        if warm:
            index.warm(self.wait_while_typing)  # off the UI thread, never between two keys
        return index

    def _new_index(self, rows: RecordRows) -> SearchIndex:
        # The index reads titles, authors and the stored date order from the rows' columns,
        # and finds title words with the saved title index if there is a current one.
        index = SearchIndex(rows, abstracts=self.library.abstracts, defer_abstracts=self._deferred)
        saved = self.library.saved_title_index(rows)
        if saved is not None:
            index.use_title_index(saved)
        return index

    def _search_early_through(self, index: SearchIndex, rows: RecordRows) -> None:
        """Search `index` (of `rows`, title words from the saved title index) at once while the
        load goes on: its authors' index and the records come after."""
        index.scan_authors_until_warm = True  # until the load's `warm` has indexed them
        with self._early_lock:
            if self._opening is rows:
                self._early = index
        # What every key needs first, made now, right after the first frame, rather than in
        # the time of the first key: the word tables first (5 ms; every key's query is split
        # with them, on the UI thread), then the columns (each row a key's results show
        # builds its record from its id and title) and the rest (each 20-50 ms at 100k papers).
        steps = (
            separators,
            lambda: rows.columns.decode_whole(lambda: self.typing.wait(KEY_DRAWN)),
            lambda: index.rank("date"),
            lambda: index.authors,
            # The names joined, which keys scan until their index is built (30 ms at 100k
            # papers with names).
            lambda: index.authors.lines if index.authors.any else None,
        )
        for step in steps:
            self.typing.wait(KEY_DRAWN)
            step()

    def load(self, rows: RecordRows | None = None, *, warm: bool = False) -> None:
        """Read everything from the store (at start, after an import, on `ctrl+r`); `rows`
        from `open_rows` if it ran just before. `warm`: build the title and author word
        indexes here too, so the first keystroke after the load does not wait for them."""
        self._state_signature = signature(self.library.state_file.path)
        self._catalog_signature = signature(self.library.catalog_file.path)
        self._enrichment_signature = signature(self.library.enrichment_file.path)
        self._deferred = self._large()
        # Abstracts are most of the store: the list shows without them, and they are read
        # when first searched or shown (`index_abstracts` does it ahead, from a worker).
        with paused_gc():  # hundreds of thousands of new objects, none of them garbage
            if rows is None:
                rows = self.library.record_rows()
            early = self._early
            if early is not None and early.indexed and early.columns is rows:
                index = early  # `prepare_search` made it: searches need nothing more
                self._decode_details(rows)
                self.wait_while_typing()  # the reader may be typing: build the rest after
            else:
                fresh = None
                if self._opening is rows:
                    self.typing.wait(KEY_DRAWN)  # right after the first frame and its key (`/`)
                    fresh = self._new_index(rows)  # the saved title index read once, if current
                    if fresh.title_indexed:
                        self._search_early_through(fresh, rows)
                    else:
                        # Keys typed until the word indexes exist are answered by a scan of
                        # the titles: make its tables now (0.1 s at 100k papers) rather than
                        # in the time of the first key searched.
                        scan = self._scan_index(rows)
                        scan.prepare_scan()
                        scan.rank("date")
                        rows.ids  # noqa: B018 (as `_search_early_through`)
                    self._decode_details(rows)
                self.wait_while_typing()
                index = self._new_index(rows) if fresh is None else fresh
                if warm:
                    index.warm(self.wait_while_typing)  # off the UI thread, never between keys
                if self._opening is rows:
                    self._early = index  # searched from now on, while records are built
            by_id = dict(zip(rows.ids, rows.materialise(self.wait_while_typing), strict=True))
        self.by_id, self.index, self._early = by_id, index, None
        self._related = None
        self._interest_model = None  # the papers may have changed: read again on next training
        self._opening = None
        self.version += 1

    def _decode_details(self, rows: RecordRows) -> None:
        """While the reader may type, between keys' frames: what building a row's record for a
        key's results needs (until the load builds them all, after the typing)."""
        rows.columns.decode_details(lambda: self.typing.wait(BETWEEN_KEYS))

    @property
    def related_ready(self) -> bool:
        """Whether `related` answers at once (its index is built on first use)."""
        return self._related is not None

    _deferred = False

    @property
    def abstracts_deferred(self) -> bool:
        """A large library: until their index comes, words are found in titles and authors
        only (`abstracts_pending` says whether it has come)."""
        return self._deferred

    def _large(self) -> bool:
        """Abstracts too many to read per keystroke (about 5k papers and up): until their
        index comes, words are found in titles and authors only."""
        try:
            return self.library.abstracts_file.path.stat().st_size >= DEFER_FROM_BYTES
        except OSError:
            return False

    def index_abstracts(self, build_elsewhere: Callable[[], bool] | None = None) -> None:
        """Give the search its abstract word index: the one saved beside the store if current;
        else, on a large library, `build_elsewhere()` (the app runs `store.indexer` in another
        process: True when it saved one, the title index with it) and then the saved one; else
        built here. (A title index alone stale is not waited for: the app has it built for the
        next start, `store.indexer.index_in_background`.)"""
        index = self.index
        saved = self.library.saved_abstract_index()
        if saved is None and index.defer_abstracts and build_elsewhere is not None:
            if build_elsewhere():
                saved = self.library.saved_abstract_index()
        if saved is not None:
            index.use_abstract_index(saved)
        else:
            index.index_abstracts()

    def keep_short_words(self) -> None:
        """Once the abstract index is in, between keys: what the first letters of each new
        word typed need (`RowPostings.keep_short_words`)."""
        self.index.keep_short_words(self.wait_while_typing)

    @property
    def abstracts_pending(self) -> bool:
        """Word searches skip abstracts for now (their index is being built, or the load has
        not finished)."""
        if self._opening is not None:
            early = self._early
            return early is None or not early.indexed or early.abstracts_pending
        return self.index.abstracts_pending

    @property
    def searchable(self) -> bool:
        """Whether `search_listed` answers: from `open_rows` on."""
        return self._opening is not None or self.version > 0

    @property
    def indexed(self) -> bool:
        """Whether `search_listed` answers from word indexes already built (not by the scan of
        a large library's titles while it loads, which builds its own tables first)."""
        if self._opening is None:
            return self.version > 0
        early = self._early
        return early is not None and early.indexed

    def search_listed(self, query: str | Query, sort: str | None = None) -> Sequence[Record]:
        """`search` for a list to show: the rows in an order, each record built when shown
        (`s` finds 40k of 100k papers: a list of them cost 25 ms a key). Until `load` has
        finished, words are found in titles and authors by a scan unless `prepare_search`
        built the word indexes ahead."""
        with self.typing.searching():
            if (rows := self._opening) is not None:
                return self._search_early(rows, query, sort)
            index, interest = self.index, self.interest
            if index.columns is None:
                return self.search(query, sort)
            score = interest.score if interest else None
            found = index.matching_rows(query, sort, interest=score, lazy=True)
            return OrderedRows(index.columns, found)

    def close(self) -> None:
        """The process is closing: a Related index or an interest model being read stops
        (`TypingGate.close`)."""
        self.typing.close()

    def note_activity(self) -> None:
        """The reader pressed a key: background work waits as while they search."""
        self.typing.note()

    def wait_while_typing(self) -> None:
        """Before a slice of background work (the load's, the abstract index's): wait while
        the reader types (`TypingGate.wait`)."""
        self.typing.wait()

    def _search_early(
        self, rows: RecordRows, query: str | Query, sort: str | None
    ) -> Sequence[Record]:
        # Until the word indexes are built, a search scans the rows' columns for titles and
        # authors as a one-shot CLI search does: a word typed at once is answered in
        # milliseconds, not after the load.
        found = self._scan_index(rows).matching_rows(query, sort, lazy=True)
        rows.want(found[:SHOWN_NEXT])  # decoded between keys, before the next key shows them
        return OrderedRows(rows, found)

    def _scan_index(self, rows: RecordRows) -> SearchIndex:
        """The index searches use while `rows` load, made once (by the load or a key)."""
        with self._early_lock:
            early = self._early
            if early is None or early.columns is not rows:
                early = SearchIndex(rows, indexed=False, defer_abstracts=True)
                if self._opening is rows:  # else the load ended meanwhile: keep nothing
                    self._early = early
            return early

    def with_abstract(self, record: Record) -> Record:
        """The record with its abstract filled in (records in the view carry none)."""
        if record.paper.abstract:
            return record
        return replace(
            record, paper=replace(record.paper, abstract=self.library.abstract(record.id))
        )

    @property
    def total(self) -> int:
        opening = self._opening
        return len(self.by_id) if opening is None else len(opening)

    def get(self, paper: str) -> Record:
        return self.by_id[paper]

    def search(self, query: str | Query, sort: str | None = None) -> list[Record]:
        interest = self.interest
        return self.index.search(query, sort, interest=interest.score if interest else None)

    def queue(self) -> list[Record]:
        queued = [r for r in self.by_id.values() if r.queue_position is not None]
        return sorted(queued, key=lambda r: r.queue_position or 0)

    def tag_counts(self) -> dict[str, int]:
        return count_tags(record.state for record in self.by_id.values())

    def _replace(self, records: Iterable[Record]) -> list[Record]:
        changed = []
        for record in records:
            if self.by_id.get(record.id) != record:
                self.by_id[record.id] = record
                self.index.replace(record)
                changed.append(record)
        if changed:
            self.version += 1
        return changed

    def apply(self, change: Change) -> list[Record]:
        """Take in a change this process made; returns the records that look different now."""
        updated = {
            pid: replace(self.by_id[pid], state=s)
            for pid, s in change.after.items()
            if pid in self.by_id
        }
        if change.queue_after is not None:
            positions = {pid: n for n, pid in enumerate(change.queue_after, start=1)}
            for record in self.by_id.values():
                position = positions.get(record.id)
                if record.queue_position != position:
                    base = updated.get(record.id, record)
                    updated[record.id] = replace(base, queue_position=position)
        # The state signature is left as it was: another process may have written between
        # this change and now, and the next `outside_changes` must still read the file.
        return self._replace(updated.values())
