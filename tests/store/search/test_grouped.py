"""A query whose words all find many rows, answered from sets of rows per score
(`store.search.grouped`): the same rows in the same order as scoring each row, for single and
several words, in relevance and date order, with the abstract index and while abstracts wait."""

from __future__ import annotations

import pytest

from store.indexer import build_and_save
from store.library import Library
from store.models import Enrichment
from store.search import grouped
from store.search.index import SearchIndex
from store.search.ordering import Chained
from store.view import LibraryView

QUERIES = (
    "in",
    "a",
    "the",
    "s",
    "model",
    "mod",
    "diffusion model",
    "in con",
    "a s",
    "of the",
    "language model",
    "video gen",
    "learning to",
    "model model",  # a word twice: its score counts twice, as row by row
    "lovelace",
    "a turing",  # an author's name and a common word
    "hop",  # inside a title word and an author's name
    "3d",
    "re",
    "zzzq",  # found nowhere: typo tolerance, row by row
    "model zzzq",
    "is:unread model",  # a filter: row by row
    '"language model" a',  # a phrase: row by row
    "model -diffusion",  # an exclusion: row by row
    "video OR audio",  # two clauses: row by row
)


@pytest.fixture
def library_with_names(library: Library) -> Library:
    names = ("Ada Lovelace", "Alan Turing", "Grace Model Hopper")
    for paper, name in zip(list(library.papers())[:150:50], names, strict=True):
        library.save_enrichment(paper, Enrichment(authors=(name,)))
    assert build_and_save(library.root)
    return library


@pytest.fixture(params=[0, 10_000], ids=["walked", "sorted"])
def grouped_on_small_libraries(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every word of the 212 seed papers counts as common; each score's rows are read through
    the date order, or (`FEW` high) found and sorted at once."""
    monkeypatch.setattr(grouped, "CANDIDATE_SCAN", 3)
    monkeypatch.setattr(grouped, "FEW", request.param)


def lazy_equals_eager(index: SearchIndex) -> set[str]:
    """Assert the lazy answer is the eager one for every query and both orders; the queries
    answered from sets of rows."""
    answered = set()
    for query in QUERIES:
        for sort in (None, "date"):
            eager = list(index.matching_rows(query, sort))
            lazy = index.matching_rows(query, sort, lazy=True)
            assert len(lazy) == len(eager), (query, sort)
            assert lazy[:10] == eager[:10], (query, sort)
            if eager:
                assert lazy.index(eager[-1]) == len(eager) - 1
            assert list(lazy) == eager, (query, sort)
            if isinstance(lazy, Chained):
                answered.add(query)
    return answered


def test_with_the_abstract_index(
    library_with_names: Library, grouped_on_small_libraries: None
) -> None:
    view = LibraryView(Library(library_with_names.root))
    view.load(warm=True)
    view.index_abstracts()
    assert view.index._abstract_index is not None
    answered = lazy_equals_eager(view.index)
    assert {"in", "a", "the", "in con", "a s", "model model", "hop"} <= answered
    assert not answered & {"zzzq", "is:unread model", "model -diffusion", "video OR audio"}


def test_while_abstracts_wait(
    library_with_names: Library, grouped_on_small_libraries: None
) -> None:
    library = Library(library_with_names.root)
    rows = library.record_rows()
    index = SearchIndex(rows, defer_abstracts=True)
    saved = library.saved_title_index(rows)
    assert saved is not None and index.use_title_index(saved)
    answered = lazy_equals_eager(index)
    assert {"s", "model", "diffusion model", "in con"} <= answered


def test_a_rare_word_is_scored_row_by_row(library_with_names: Library) -> None:
    view = LibraryView(Library(library_with_names.root))
    view.load(warm=True)
    view.index_abstracts()
    found = view.index.matching_rows("diffusion model", lazy=True)
    assert found and not isinstance(found, Chained)  # 212 papers: each word under 3000 rows


@pytest.mark.parametrize("query", ["model", "in con", "diffusion model"])
def test_a_one_shot_search_reads_the_date_order_and_ranks_nothing(
    library_with_names: Library, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    """`list --query` answers once: a few rows are read through the stored date order, up to
    the last one printed, rather than ranking every row by date first (20-27 ms at 100k)."""
    monkeypatch.setattr(grouped, "CANDIDATE_SCAN", 3)
    library = Library(library_with_names.root)

    def index() -> SearchIndex:
        rows = library.record_rows()
        made = SearchIndex(rows, defer_abstracts=True)
        saved = library.saved_title_index(rows)
        assert saved is not None and made.use_title_index(saved)
        return made

    once = index()
    first = once.matching_rows(query, lazy=True)
    assert isinstance(first, Chained)
    shown = first[:20]
    assert "date" not in once._ranks
    assert shown == list(index().matching_rows(query))[:20]


def test_the_words_typed_before_are_not_grouped_again(
    library_with_names: Library, grouped_on_small_libraries: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each key of `model lang` asks for every word's rows: a word typed earlier is grouped once,
    and its answers stay the eager ones."""
    view = LibraryView(Library(library_with_names.root))
    view.load(warm=True)
    view.index_abstracts()
    asked: list[str] = []
    found = SearchIndex._found_groups

    def counted(self: SearchIndex, word: str, *args: object) -> object:
        asked.append(word)
        return found(self, word, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(SearchIndex, "_found_groups", counted)
    typed = "model lang"
    for end in range(1, len(typed) + 1):
        query = typed[:end]
        assert list(view.index.matching_rows(query, lazy=True)) == list(
            view.index.matching_rows(query)
        )
    assert asked.count("model") == 1
    assert asked.count("l") == 1 and asked.count("la") == 1


def test_a_words_groups_follow_the_abstract_index_when_it_comes(
    library_with_names: Library, grouped_on_small_libraries: None
) -> None:
    """Groups kept while the abstracts were pending are not the answer once their index is in:
    the same words are then found in abstracts too, as row by row."""
    library = Library(library_with_names.root)
    rows = library.record_rows()
    index = SearchIndex(rows, defer_abstracts=True)
    saved = library.saved_title_index(rows)
    assert saved is not None and index.use_title_index(saved)
    before = list(index.matching_rows("model", lazy=True))
    assert before == list(index.matching_rows("model"))
    postings = library.saved_abstract_index()
    assert postings is not None
    index.use_abstract_index(postings)
    after = index.matching_rows("model", lazy=True)
    assert list(after) == list(index.matching_rows("model"))
    assert len(after) > len(before)
