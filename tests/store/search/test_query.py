"""The query language: parsing, errors that name the term, matching, ranking, sorting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import QueryError
from store.library import Library
from store.models import Enrichment, Paper, Record, UserState
from store.search.index import SearchIndex
from store.search.language import parse_query
from store.search.words import word_start_test
from store.text import fold, normalise


def search(records: Sequence[Record], query: str, sort: str | None = None) -> list[Record]:
    """A one-shot search, as `Library.records` makes one."""
    return SearchIndex(records).search(query, sort)


def rec(pid: str, title: str, abstract: str = "", **fields: object) -> Record:
    state = fields.pop("state", UserState())
    queue = fields.pop("queue", None)
    enrichment = fields.pop("enrichment", Enrichment())
    return Record(Paper(id=pid, title=title, abstract=abstract, **fields), state, queue, enrichment)  # type: ignore[arg-type]


RECORDS = [
    rec(
        "a",
        "Sparse Attention for Transformers",
        "kv cache",
        published="2024-05-01",
        upvotes=5,
        authors_count=3,
        github=("x/y",),
        sources=("000_a.txt",),
        added="2026-01-01T00:00:00",
    ),
    rec(
        "b",
        "Diffusion Models",
        "we use sparse autoencoder features",
        published="2023-01-02",
        upvotes=None,
        authors_count=12,
        organization="kyutai",
        organization_name="Kyutai",
        sources=("001_b.txt",),
        added="2026-01-03T00:00:00",
        state=UserState(tags=("llm",), note="my note", status="read"),
    ),
    rec(
        "c",
        "Key-Value Cache Compression",
        "the key-value cache grows",
        published=None,
        upvotes=20,
        sources=("002_c.txt",),
        added="2026-01-02T00:00:00",
        state=UserState(status="reading"),
        queue=2,
    ),
    rec(
        "d",
        "Attention Is Not Enough",
        "",
        published="2025-03-03",
        upvotes=1,
        queue=1,
        enrichment=Enrichment(arxiv_id="2501.00001"),
    ),
]


def ids(query: str, sort: str | None = None) -> list[str]:
    return [r.id for r in search(RECORDS, query, sort)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tag:llm", {"b"}),
        ("-tag:llm", {"a", "c", "d"}),
        ("is:read", {"b"}),
        ("is:unread", {"a", "d"}),
        ("-is:read", {"a", "c", "d"}),
        ("is:queued", {"c", "d"}),
        ("has:code", {"a"}),
        ("has:note", {"b"}),
        ("has:tags", {"b"}),
        ("has:arxiv", {"d"}),
        ("year:2024", {"a"}),
        ("year:>=2024", {"a", "d"}),
        ("year:<2024", {"b"}),
        ("year:2023..2024", {"a", "b"}),
        ("upvotes:>=5", {"a", "c"}),
        ("authors:<=3", {"a"}),
        ("org:kyutai", {"b"}),
        ("org:KYUTAI", {"b"}),
        ("source:001", {"b"}),
        ('"key-value cache"', {"c"}),
        ("-attention", {"b", "c"}),
        ("sparse", {"a", "b"}),
        ("attention year:2025", {"d"}),
    ],
)
def test_filters_words_and_negation(query: str, expected: set[str]) -> None:
    assert set(ids(query)) == expected


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("year:>>2", "'year:>>2'"),
        ("is:maybe", "'is:maybe'"),
        ("has:everything", "'has:everything'"),
        ("foo:bar", "unknown filter 'foo'"),
        ('"open quote', "unterminated quote"),
        ("tag:", "tag: needs a value"),
        ("upvotes:lots", "'upvotes:lots'"),
    ],
)
def test_malformed_queries_name_the_bad_term(query: str, names: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(query)
    assert names in str(raised.value)


def test_title_matches_rank_above_abstract_matches() -> None:
    assert ids("sparse") == ["a", "b"]


def test_typos_are_tolerated() -> None:
    assert ids("atention") == ["d", "a"]
    assert ids("difusion") == ["b"]


def test_sorts_are_deterministic_with_unknowns_last() -> None:
    assert ids("", "date") == ["d", "a", "b", "c"]
    assert ids("", "upvotes") == ["c", "a", "d", "b"]
    assert ids("", "title") == ["d", "b", "c", "a"]
    assert ids("", "added") == ["b", "c", "a", "d"]
    assert ids("") == ids("", "date")
    assert ids("is:queued") == ["d", "c"]


def test_replace_updates_what_filters_see() -> None:
    index = SearchIndex(list(RECORDS))
    assert [r.id for r in index.search("tag:new")] == []
    index.replace(replace(RECORDS[0], state=UserState(tags=("new",))))
    assert [r.id for r in index.search("tag:new")] == ["a"]
    assert [r.id for r in index.search("is:unread")] == ["d", "a"]


def test_indexed_and_one_shot_search_agree() -> None:
    for query in ("sparse", "cache", "attention transformers", "key", "a"):
        indexed = SearchIndex(list(RECORDS))
        indexed.index_abstracts()
        one_shot = SearchIndex(list(RECORDS), indexed=False)
        assert {r.id for r in indexed.search(query)} == {r.id for r in one_shot.search(query)}


def test_indexed_and_one_shot_search_agree_on_the_seeds(library: Library) -> None:
    """The CLI (one shot), the TUI before its abstract index is built and the TUI after it
    answer every query with the same list: an abstract matches where one of its words
    begins with the query word (`vision` finds "visionary", not "supervision")."""
    records = library.all_records(with_abstracts=True)
    indexed = SearchIndex(list(records))
    assert not indexed.abstracts_indexed
    indexed.index_abstracts()
    assert indexed.abstracts_indexed
    hyphenated = ("self-supervised", "auto-regressive", "g-saes", "vision-language", "ar", "lm")
    inside_words = ("former", "coder", "vision", "scale", "ssl")
    acronyms = ("kv cache", "rl", "vq", "3d", "ai")  # short words: whole abstract words too
    combined = (
        "vq OR 3d",
        "(kv OR vq) -3d",
        "mae OR author:x OR has:code",
        "diffusion -(3d OR vq)",
    )
    for query in (
        *hyphenated,
        *inside_words,
        *acronyms,
        *combined,
        "mae",
        "sparse autoencoder",
        "transfromer",
    ):
        expected = [r.id for r in indexed.search(query)]
        assert expected, query
        one_shot = SearchIndex(list(records), indexed=False)  # fresh, as each CLI run is
        assert [r.id for r in one_shot.search(query)] == expected, query
        warming_up = SearchIndex(list(records))  # the app in its first seconds
        assert [r.id for r in warming_up.search(query)] == expected, query


def test_abstract_words_match_from_their_start_in_every_mode() -> None:
    records = [
        rec("a", "One", "Weak supervision helps."),
        rec("b", "Two", "A visionary idea."),
        rec("c", "Three", "Self-vision (vision) works."),
    ]
    indexed = SearchIndex(records)
    indexed.index_abstracts()
    for index in (indexed, SearchIndex(records), SearchIndex(records, indexed=False)):
        assert {r.id for r in index.search("vision")} == {"b", "c"}
        assert {r.id for r in index.search("supervis")} == {"a"}


def test_on_the_seeds_words_narrow_and_rank(library: Library) -> None:
    found = library.records("sparse autoencoder")
    assert 3 < len(found) < 40
    assert all("sparse autoencoder" in r.title.casefold() for r in found[:5])
    assert library.records("org:kyutai")[0].paper.organization == "kyutai"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parse_never_raises_anything_but_query_errors(text: str) -> None:
    try:
        parse_query(text)
    except QueryError:
        pass


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("abvis"), min_size=1, max_size=4),
    st.text(alphabet=st.sampled_from("abvisVI -(,.'\t\u2003\u2019\u00a0é+"), max_size=40),
)
def test_word_start_test_is_what_the_word_index_finds(word: str, text: str) -> None:
    tokens = normalise(text).split()
    assert word_start_test(word)(fold(text)) == any(t.startswith(word) for t in tokens)


def test_warming_in_slices_builds_what_first_use_builds() -> None:
    """The load warms the word indexes in slices, letting searches go first between them:
    the indexes are the ones a first search would have built."""
    words = ["sparse", "attention", "diffusion", "Vision-Language", "self-supervised", "KV"]
    records = [
        rec(f"p{n}", f"{words[n % 6]} {words[(n * 7) % 6]} model {n}", authors=(f"Ann {n % 50}",))
        for n in range(12_000)
    ]
    calls: list[int] = []
    warmed = SearchIndex(records)
    warmed.warm(lambda: calls.append(1))
    assert len(calls) >= 12_000 // 5000 * 2  # titles and their index, each in slices
    lazy = SearchIndex(records)
    assert warmed.titles == lazy.titles
    assert warmed.title_index.postings == lazy.title_index.postings
    assert warmed.title_index.vocabulary == lazy.title_index.vocabulary
    assert warmed.authors.index.postings == lazy.authors.index.postings
    for query in ("sparse", "vision language", "kv", "ann", "model 1"):
        assert [r.id for r in warmed.search(query)] == [r.id for r in lazy.search(query)]
