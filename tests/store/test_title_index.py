"""The title word index `store.indexer` saves beside the store (`title-words.idx`): searches
through it answer exactly as through the index built in memory; it is current only while the
catalog is as it saw it, damage and merged papers make it unused, never wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.files import title_index
from store.files.title_index import INDEX_FILE
from store.library import Library
from store.models import Enrichment
from store.search.index import SearchIndex
from store.search.postings import Postings, SavedWordIndex, build
from store.search.words import separators
from store.text import fold, word_break_table, word_breaks
from store.view import LibraryView

DATA = Path(__file__).resolve().parents[1] / "data"

QUERIES = (
    "diffusion",
    "diff",
    "fusion",  # inside a title word
    "difusion",  # a typo: fuzzy over the saved vocabulary
    "a",
    "3d",
    "llm agents",
    "video OR audio",
    "model -diffusion",
    '"language model"',
    "is:unread reasoning",
    "year:2025 vision",
    "zzzzqq",
)


def run_indexer(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "store.indexer", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def saved_index(library: Library) -> SearchIndex:
    """A search index of the library's rows taking its title words from the saved index."""
    library = Library(library.root)
    rows = library.record_rows()
    saved = library.saved_title_index(rows)
    assert saved is not None
    index = SearchIndex(rows, defer_abstracts=True)
    assert index.use_title_index(saved)
    return index


def test_searches_through_the_saved_index_answer_as_the_built_one(library: Library) -> None:
    run_indexer(library.root)
    assert (library.root / INDEX_FILE).exists()
    from_saved = saved_index(library)
    built = SearchIndex(Library(library.root).record_rows(), defer_abstracts=True)
    built.warm()
    assert isinstance(from_saved.title_index, SavedWordIndex)
    assert not isinstance(built.title_index, SavedWordIndex)
    for query in QUERIES:
        assert from_saved.matching_rows(query) == built.matching_rows(query), query
        for sort in ("title", "upvotes"):
            assert from_saved.matching_rows(query, sort) == built.matching_rows(query, sort)
    assert from_saved.matching_rows("diffusion")  # the seeds do have it
    typo = set(from_saved.matching_rows("difusion"))
    assert typo & set(from_saved.matching_rows("diffusion"))


def one_shot(root: Path, query: str, sort: str | None) -> tuple[list[str], int]:
    """What `list --query` gets: the first 30 papers' ids and the count."""
    library = Library(root)
    found, count = library.search(query, sort, 30, scan=library.scan_abstracts(query))
    return [r.id for r in found], count


def test_a_one_shot_search_through_the_saved_index_answers_as_the_scan(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`list --query` finds title words through a current saved index instead of scanning
    every title: the same papers, counts and order, with and without the abstract index."""
    names = ("Ada Lovelace", "Alan Turing", "Grace Model Hopper")
    for paper, name in zip(list(library.papers())[:150:50], names, strict=True):
        library.save_enrichment(paper, Enrichment(authors=(name,)))
    run_indexer(library.root)
    used: list[bool] = []
    original = SearchIndex.use_title_index

    def use_title_index(self: SearchIndex, postings: Postings) -> bool:
        used.append(original(self, postings))
        return used[-1]

    monkeypatch.setattr(SearchIndex, "use_title_index", use_title_index)
    abstract_index = library.root / "abstract-words.idx"
    assert abstract_index.exists()
    cases = [
        (query, sort)
        for query in (*QUERIES, "s", "wor", "model agents", "lovelace", "a turing", "hop", "model")
        for sort in (None, "date", "title")
    ]
    for abstracts_saved in (True, False):
        if not abstracts_saved:
            abstract_index.unlink()  # abstracts scanned, as before the indexer runs
        for query, sort in cases:
            found = one_shot(library.root, query, sort)
            (library.root / INDEX_FILE).rename(library.root / "saved")
            try:
                expected = one_shot(library.root, query, sort)
            finally:
                (library.root / "saved").rename(library.root / INDEX_FILE)
            assert found == expected, (query, sort, abstracts_saved)
    assert used and all(used)


def test_the_saved_index_leaves_titles_unnormalised_until_a_search_looks(
    library: Library,
) -> None:
    run_indexer(library.root)
    index = saved_index(library)
    index.warm()  # authors and date ranks: the titles come from the saved index
    assert index._titles is None
    assert index.matching_rows("sparse attention")  # few candidates: titles looked at one by one
    assert index._titles is None


def test_a_new_import_makes_the_saved_index_stale(library: Library) -> None:
    run_indexer(library.root)
    assert title_index.is_current(library.catalog_file.path)
    library.import_files([DATA / "listings" / "crlf.txt"])
    assert not title_index.is_current(library.catalog_file.path)
    fresh = Library(library.root)
    assert fresh.saved_title_index(fresh.record_rows()) is None
    assert not fresh.word_indexes_current()
    run_indexer(library.root)  # built anew for the catalog as it is now
    assert fresh.word_indexes_current()
    assert saved_index(library).matching_rows("diffusion")


def test_a_damaged_index_is_not_used(library: Library) -> None:
    run_indexer(library.root)
    path = library.root / INDEX_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path)
    fresh = Library(library.root)
    assert fresh.saved_title_index(fresh.record_rows()) is None
    view = LibraryView(fresh)
    view.load()
    assert not isinstance(view.index.title_index, SavedWordIndex)
    assert view.search("diffusion")


def test_with_a_paper_merged_away_the_rows_differ_and_the_index_is_not_used(
    library: Library,
) -> None:
    run_indexer(library.root)
    ids = sorted(library.papers())
    library.merge_user_state(ids[0], ids[1])
    fresh = Library(library.root)
    rows = fresh.record_rows()
    assert rows.catalog_rows is not None
    assert fresh.saved_title_index(rows) is None
    view = LibraryView(fresh)
    view.load()
    assert ids[1] not in {r.id for r in view.search("")}
    assert not isinstance(view.index.title_index, SavedWordIndex)


def test_the_view_searches_through_the_saved_index_during_and_after_a_load(
    library: Library,
) -> None:
    run_indexer(library.root)
    view = LibraryView(Library(library.root))
    rows = view.open_rows()
    # As the app's load does right after the first frame: searches go through the saved
    # index from then on, while the records are built.
    early = view._new_index(rows)
    assert early.title_indexed
    view._search_early_through(early, rows)
    assert view.indexed
    during = [r.id for r in view.search_listed("diffusion")]
    view.load(rows)
    assert view.index is early
    assert isinstance(view.index.title_index, SavedWordIndex)
    assert [r.id for r in view.search_listed("diffusion")] == during


def test_authors_names_are_joined_for_the_scan_before_the_first_key(library: Library) -> None:
    """Until the load indexes the names, keys scan them joined: the early steps join them
    (30 ms at 100k papers), not the first key's search."""
    first = next(iter(library.papers()))
    library.save_enrichment(first, Enrichment(authors=("Ada Lovelace",)))
    run_indexer(library.root)
    view = LibraryView(Library(library.root))
    rows = view.open_rows()
    early = view._new_index(rows)
    view._search_early_through(early, rows)
    assert early.authors.any and early.authors._lines is not None
    assert early.authors._index is None  # scanned until the load's `warm`
    assert [r.id for r in view.search_listed("lovelace")] == [first]


def test_the_tables_a_first_word_needs_are_built_before_the_first_key(
    library: Library,
) -> None:
    """Splitting and testing words takes tables of every Unicode punctuation and symbol (5 ms
    to build): the early steps build them, not the first key's search."""
    run_indexer(library.root)
    view = LibraryView(Library(library.root))
    rows = view.open_rows()
    early = view._new_index(rows)
    for table in (separators, word_breaks, word_break_table):
        table.cache_clear()
    view._search_early_through(early, rows)
    assert all(t.cache_info().currsize == 1 for t in (separators, word_breaks, word_break_table))


def test_a_word_is_looked_for_in_folded_titles_before_any_is_normalised(
    library: Library,
) -> None:
    """Through a saved title index no title is normalised: a second word checked on the
    first's rows normalises only the titles it may be in (2k of them cost 15 ms of a key)."""
    run_indexer(library.root)
    view = LibraryView(Library(library.root))
    rows = view.open_rows()
    early = view._new_index(rows)
    view._search_early_through(early, rows)
    found = [r.id for r in view.search_listed("diffusion model")]
    folded = [fold(title) for title in rows.titles]
    made = set(early._normalised)
    assert made and all("model" in folded[row] or "diffusion" in folded[row] for row in made)
    diffusion = {row for row, title in enumerate(folded) if "diffusion" in title.split()}
    assert diffusion - made  # some had the one word and not the other: never normalised
    whole = LibraryView(Library(library.root))
    whole.load()
    assert found == [r.id for r in whole.search("diffusion model")]


def test_an_index_of_a_catalog_that_changed_meanwhile_is_not_kept(library: Library) -> None:
    catalog = library.catalog_file.path
    before = library.catalog_columns.get()
    assert before.signature is not None
    postings = build(zip(before.ids, before.column("title"), strict=True))
    library.import_files([DATA / "listings" / "crlf.txt"])  # the catalog changes meanwhile
    assert not title_index.save_index(catalog, postings, before.signature)
    assert not (library.root / INDEX_FILE).exists()


def test_a_damaged_catalog_costs_the_title_index_only(library: Library) -> None:
    catalog = library.catalog_file.path
    catalog.write_bytes(catalog.read_bytes()[:-200])  # cut short: no longer JSON
    run_indexer(library.root)  # the abstracts' index is still built and saved
    assert not (library.root / INDEX_FILE).exists()
    assert Library(library.root).saved_abstract_index() is not None
