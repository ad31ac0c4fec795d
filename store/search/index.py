"""The search engine: ranks records for a parsed query (the language is `store.search.language`).

Search runs per keystroke on large libraries, so `SearchIndex` keeps a title-word index (built
from the normalised titles, or read from the one saved beside the store): words narrow the
candidates first, and filters then run on those only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import cast

from store.errors import QueryError
from store.models import Record
from store.rows import rows_of
from store.search.authors import AuthorNames
from store.search.grouped import Grouped
from store.search.language import SORTS, Filter, Query, excludes, parse_query
from store.search.matching import ABSTRACT, CANDIDATE_SCAN, TITLE_EXACT, WordMatching
from store.search.ordering import Ordering
from store.search.postings import build
from store.search.row_postings import RowPostings
from store.search.saved import SavedIndexes
from store.search.words import SLICE, WordIndex
from store.text import fold, fold_each, normalise

_AUTHORS = threading.Lock()
"""Held while a search index reads its authors' names (see `SearchIndex.authors`)."""


class SearchIndex(Ordering, WordMatching, Grouped, SavedIndexes):
    """Records with precomputed search keys; `search` runs a query over them.

    Titles get a word index at once; abstracts get theirs later (`use_abstract_index` with an
    index built in another process and saved, or `index_abstracts` here), so the list can show
    before abstracts are read. Until then a word is looked for in the abstracts themselves, or,
    with `defer_abstracts`, only in titles and authors (the app on a large library: reading
    every abstract per keystroke would hold the interpreter for a second).
    """

    def __init__(
        self,
        records: Sequence[Record],
        abstracts: Callable[[], Mapping[str, str]] | None = None,
        *,
        indexed: bool = True,
        abstract_matches: Mapping[str, Collection[str]] | None = None,
        defer_abstracts: bool = False,
    ) -> None:
        self.columns = rows_of(records)
        """The records as columns (`store.rows.RecordRows`): titles, authors and the date order
        are read from them, and a record is built only when a search returns or filters it."""
        # RecordRows serves all the index does with a list: length, items, assignment.
        self.records = list(records) if self.columns is None else cast(list[Record], records)
        self._ids: list[str] | None = None
        self._rows: dict[str, int] | None = None
        self._titles: list[str] | None = None
        self._normalised: dict[int, str] = {}
        self._title_index: WordIndex | None = None
        self._abstract_source = abstracts
        """Abstracts by id, where the records carry none: asked once per pass over the rows
        (one lookup per row would, for a file-backed source, check the file every time)."""
        self._folded: list[str] | None = None
        self._abstract_matches = abstract_matches or {}
        """Word -> ids of papers with an abstract word beginning with it, found elsewhere
        (store.search.scan, in another process): those words need no abstracts read here."""
        self._folded_titles: list[str] | None = None
        self.indexed = indexed
        """False for one search (the CLI): scanning once beats building word indexes."""
        self._abstract_index: RowPostings | None = None
        self._groups_kept = {}
        self.defer_abstracts = defer_abstracts
        self._ranks: dict[str, list[int]] = {}
        self._default: Record | None = None
        self._stateful: set[int] | None = None
        self._authors: AuthorNames | None = None

    def __len__(self) -> int:
        return len(self.records)

    @property
    def rows(self) -> dict[str, int]:  # type: ignore[override]
        """Each paper's row, by id (made when first needed: a scan of titles needs none)."""
        if self._rows is None:
            ids = self.ids
            self._rows = dict(zip(ids, range(len(ids)), strict=True))
        return self._rows

    @property
    def _default_state(self) -> Record | None:
        """A paper without user state: what a state-only filter says of every untouched row."""
        if self._default is None and self.records:
            self._default = Record(self.records[0].paper)
        return self._default

    @property
    def stateful(self) -> set[int]:
        """Rows with user state, a queue place or enrichment; the rest are alike to filters."""
        if self._stateful is None:
            if self.columns is not None:
                self._stateful = self.columns.touched_rows()
            else:
                self._stateful = {i for i, r in enumerate(self.records) if r.touched}
        return self._stateful

    # -- title keys, built on first use so an unfiltered list shows at once -----------------

    @property
    def titles(self) -> list[str]:
        if self._titles is None:
            self._titles = list(map(normalise, self._title_texts()))
        return self._titles

    @property
    def title_index(self) -> WordIndex:
        if self._title_index is None:
            self._title_index = WordIndex(self.titles)
        return self._title_index

    @property
    def title_indexed(self) -> bool:
        """Whether title words are found through an index (built or saved) already."""
        return self._title_index is not None

    scan_authors_until_warm = False
    """Searched before `warm` (the app's load): names are scanned until their index is built."""

    def warm(self, between: Callable[[], None] | None = None) -> None:
        """Build the title and author word indexes and the date ranks now, calling
        `between()` after each slice of the work (a load in the background lets the reader's
        searches go first: they would share the one interpreter with it)."""
        pause = between or (lambda: None)
        if self._title_index is None:
            if self._titles is None:
                texts = self._title_texts()
                titles: list[str] = []
                for start in range(0, len(texts), SLICE):
                    titles.extend(map(normalise, texts[start : start + SLICE]))
                    pause()
                self._titles = titles
            self._title_index = WordIndex(self._titles, between)
        pause()
        self.authors.warm(pause)
        self.rank("date")

    @property
    def authors(self) -> AuthorNames:
        authors = self._authors
        if authors is None:
            with _AUTHORS:  # once, by the load's thread or a key's, the other waits
                authors = self._authors
                if authors is None:
                    columns = self.columns
                    authors = AuthorNames(
                        [r.authors for r in self.records] if columns is None else columns.authors()
                    )
                    authors.scan_until_warm = self.scan_authors_until_warm
                    self._authors = authors
        return authors

    # -- abstracts ---------------------------------------------------------------------------

    @property
    def folded_titles(self) -> list[str]:
        if self._folded_titles is None:
            self._folded_titles = fold_each(self._title_texts())
        return self._folded_titles

    def _title_texts(self) -> list[str]:
        if self.columns is not None:
            return self.columns.titles
        return [r.paper.title for r in self.records]

    @property
    def folded_abstracts(self) -> list[str]:
        """Abstracts folded only (case, accents): enough to find one word, and cheap to make."""
        if self._folded is None:
            abstract_of = self._abstract_lookup()
            self._folded = [fold(abstract_of(pid)) for pid in self.ids]
        return self._folded

    def normalised_title(self, row: int) -> str:
        if self._titles is not None:
            return self._titles[row]
        # Title words found through a saved index: only titles a search looks at are made,
        # and kept (the next keys of a query look at the same ones).
        title = self._normalised.get(row)
        if title is None:
            title = self._normalised[row] = normalise(self._title_at(row))
        return title

    def folded_title_of(self) -> Callable[[int], str]:
        """Each row's title folded only (case, accents), the titles looked up once: a word is
        looked for in it before the title is normalised (`normalised_title`), which costs
        twenty times more. A title normalised already serves as well: what is in it is in the
        folded title."""
        if self._folded_titles is not None:
            return self._folded_titles.__getitem__
        known = self._normalised
        if self.columns is not None and self.columns.catalog_rows is None:
            titles = self.columns.titles  # the column, not a list made
            return lambda row: known.get(row) or fold(titles[row])
        records = self.records
        return lambda row: known.get(row) or fold(records[row].paper.title)

    def _title_at(self, row: int) -> str:
        if self.columns is not None and self.columns.catalog_rows is None:
            return self.columns.titles[row]  # the column, not a list made
        return self.records[row].paper.title

    def _abstract_lookup(self) -> Callable[[str], str]:
        """Abstract text by paper id, for one pass over many rows."""
        if self._abstract_source is None:
            records, rows = self.records, self.rows
            return lambda pid: records[rows[pid]].paper.abstract
        texts = self._abstract_source()
        return lambda pid: texts.get(pid, "")

    def _normalised_abstract_lookup(self) -> Callable[[int], str]:
        """Normalised abstract by row, for one pass over some rows."""
        abstract_of, records = self._abstract_lookup(), self.records
        return lambda row: normalise(abstract_of(records[row].id))

    @property
    def abstracts_indexed(self) -> bool:
        return self._abstract_index is not None

    @property
    def abstracts_pending(self) -> bool:
        """Words are looked for in titles and authors only, until the abstract index comes."""
        return self.defer_abstracts and self._abstract_index is None

    def index_abstracts(self) -> None:
        """Build the word indexes here (seconds at 100k papers: call it off the UI thread;
        `store.indexer` builds the abstracts' in another process)."""
        self.title_index  # noqa: B018 - the title index first: it serves every keystroke
        if self._abstract_index is None:
            abstract_of = self._abstract_lookup()
            self.use_abstract_index(build((pid, abstract_of(pid)) for pid in self.ids))

    # -- updates -----------------------------------------------------------------------------

    def replace(self, record: Record) -> None:
        """A record's user state or enrichment changed (its title and abstract did not)."""
        row = self.rows.get(record.id)
        if row is None:
            return
        if self._authors is not None:
            self._authors.replace(row, record)
        self.records[row] = record
        if record.touched:
            self.stateful.add(row)
        else:
            self.stateful.discard(row)

    # -- filters -----------------------------------------------------------------------------

    def _filtered(self, rows: Iterable[int] | None, filters: Sequence[Filter]) -> list[int]:
        """Rows passing every filter; state-only filters look at touched rows only."""
        records = self.records
        everything = rows is None
        current: list[int] = list(range(len(records))) if rows is None else list(rows)
        for flt in sorted(filters, key=lambda f: not f.state_only):
            if flt.state_only and self._default_state is not None and everything:
                if flt.matches(self._default_state):
                    current = [
                        r for r in current if r not in self.stateful or flt.matches(records[r])
                    ]
                else:
                    current = sorted(r for r in self.stateful if flt.matches(records[r]))
            else:
                test = flt.matches
                current = [r for r in current if test(records[r])]
            everything = False
        return current

    def _text_checks(self, rows: list[int], query: Query) -> list[int]:
        if not query.phrases and not query.excluded:
            return rows
        abstract_at = self._normalised_abstract_lookup()
        kept = []
        for row in rows:
            title, abstract = self.normalised_title(row), abstract_at(row)
            if any(p not in title and p not in abstract for p in query.phrases):
                continue
            if any(excludes(x, title, abstract) for x in query.excluded):
                continue
            kept.append(row)
        return kept

    def _clause_rows(self, clause: Query) -> tuple[list[int], dict[int, float] | None]:
        """Rows matching one clause (a query without OR), and their scores if it has words."""
        scores: dict[int, float] | None = None
        for word in sorted(clause.words, key=len, reverse=True):
            if not self.indexed or (scores is not None and len(scores) <= CANDIDATE_SCAN):
                found = self._word_rows_among(
                    word, range(len(self.records)) if scores is None else scores
                )
            else:
                found = self._word_rows(word, scores)
            if scores is None:
                scores = found
            else:
                small, large = (scores, found) if len(scores) <= len(found) else (found, scores)
                scores = {row: small[row] + large[row] for row in small.keys() & large.keys()}
            if not scores:
                return [], scores
        matched = (
            self._filtered(scores, clause.filters)
            if clause.filters
            else (list(range(len(self.records))) if scores is None else list(scores))
        )
        matched = self._text_checks(matched, clause)
        if clause.phrases:
            scores = scores if scores is not None else {}
            for row in matched:
                title = self.normalised_title(row)
                hit = any(p in title for p in clause.phrases)
                scores[row] = scores.get(row, 0.0) + (TITLE_EXACT if hit else ABSTRACT)
        return matched, scores

    def search(
        self,
        query: str | Query,
        sort: str | None = None,
        *,
        limit: int | None = None,
        interest: Callable[[str], float] | None = None,
    ) -> list[Record]:
        """Records matching `query` in `sort` order; `interest` scores papers for the
        `interest` sort (without it, or before any decision, that sort is by upvotes)."""
        matched = self.matching_rows(query, sort, interest=interest)
        if limit is not None:
            matched = matched[:limit]
        return list(map(self.records.__getitem__, matched))

    def matching_rows(
        self,
        query: str | Query,
        sort: str | None = None,
        *,
        interest: Callable[[str], float] | None = None,
        lazy: bool = False,
    ) -> Sequence[int]:
        """The rows `search` returns the records of, in order (no record built for them).
        `lazy`: a large result in date order may come as rows found as far as they are read
        (`InOrder`: a list reads its first screen)."""
        parsed = parse_query(query) if isinstance(query, str) else query
        if sort is not None and sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
        chosen = sort or ("relevance" if parsed.has_words else parsed.sort_hint or "date")
        if lazy and (grouped := self._grouped_order(parsed, chosen)) is not None:
            return grouped
        if not parsed.alternatives:
            matched, scores = self._clause_rows(parsed)
        else:  # OR: a row matching several clauses keeps its best score
            best: dict[int, float] = {}
            for clause in parsed.alternatives:
                rows, found = self._clause_rows(clause)
                for row in rows:
                    score = found.get(row, 0.0) if found else 0.0
                    if best.get(row, -1.0) < score:
                        best[row] = score
            matched, scores = list(best), best
        records = self.records
        if chosen == "queue":
            matched.sort(key=lambda row: records[row].queue_position or 0)
        elif chosen == "interest":
            self._sort(matched, "upvotes")
            if interest is not None:
                matched.sort(key=lambda row: -interest(records[row].id))
        elif chosen == "relevance" and scores:
            # Two stable sorts: by date, then by score, best first.
            # The scores hold exactly the rows matched unless filters took some away.
            held = scores if len(scores) == len(matched) else None
            # Scores all alike (`s`: 41k title prefixes at 100k papers) leave the date order.
            values = list(scores.values())
            if values.count(values[0]) == len(values):  # one C pass, mostly by identity
                if lazy and (in_order := self._in_date_order(matched, held)) is not None:
                    return in_order
                self._sort(matched, "date", held)
            else:
                self._sort(matched, "date", held)
                # Every matched row has a score (filters only remove rows): reverse keeps
                # the date order among equal scores.
                matched.sort(key=scores.__getitem__, reverse=True)
        elif lazy and chosen in ("date", "relevance"):
            in_order = self._in_date_order(matched, None)
            if in_order is not None:
                return in_order
            self._sort(matched, "date")
        else:
            self._sort(matched, "date" if chosen == "relevance" else chosen)
        return matched
