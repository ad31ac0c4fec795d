"""Issue 18's search: short words in abstracts, OR and parentheses, accents, authors.

Every query runs in the three ways paperdeck searches: the CLI's one-shot scan, the app before
its abstract index exists, and the app after; all three must give the same list."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import QueryError
from store.library import Library
from store.models import Enrichment, Paper, Record
from store.search.boolean import Term, clauses
from store.search.index import SearchIndex
from store.search.language import parse_query
from store.search.postings import build, decode, encode
from store.search.words import WHITESPACE, whole_word_test, word_start_test
from store.text import fold, normalise


def rec(pid: str, title: str, abstract: str = "", authors: tuple[str, ...] = ()) -> Record:
    return Record(
        Paper(id=pid, title=title, abstract=abstract), enrichment=Enrichment(authors=authors)
    )


RECORDS = [
    rec("kv", "Double Sparsity", "We shrink the KV cache of long-context models.", ("Shuo Yang",)),
    rec("rl", "Reward Models", "Trained with RL from human feedback.", ("Yann LeCun",)),
    rec("rlhf", "Preference Tuning", "RLHF without a world model."),
    rec("vq", "Tokenizers", "A VQ-VAE codebook; 3D-aware.", ("Ana Núñez", "Jürgen Schmidhuber")),
    rec("uni", "Ünïcödé Everywhere", "A naïve approach to café text."),
    rec("lecun", "LeCun Networks Revisited", "Convolutions, again."),
    rec("diff", "Diffusion Transformers", "Sparse attention for images.", ("Li Wei",)),
]


def indexes(records: list[Record]) -> list[SearchIndex]:
    """Every way of searching: one-shot, before the abstract index, with one built here, with
    one saved by another process (built in another order, read back from its bytes)."""
    indexed = SearchIndex(records)
    indexed.index_abstracts()
    saved = SearchIndex(records)
    built = build((r.id, r.paper.abstract) for r in reversed(records))
    decoded = decode(encode(built, {"abstracts": [1, 2, 3]}))
    assert decoded is not None
    saved.use_abstract_index(decoded[1])
    return [SearchIndex(records, indexed=False), SearchIndex(records), indexed, saved]


def found(query: str, records: list[Record] = RECORDS) -> list[str]:
    """The ids `query` finds, checked to be the same in every search mode."""
    answers = [[r.id for r in index.search(query)] for index in indexes(records)]
    assert all(answer == answers[0] for answer in answers), (query, answers)
    return answers[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("KV cache", ["kv"]),
        ("kv", ["kv"]),
        ("RL", ["rl"]),  # a whole word: not "RLHF", not "world"
        ("VQ", ["vq"]),
        ("3D", ["vq"]),
        ("rlhf", ["rlhf"]),
        (
            "a",
            ["rlhf", "vq", "uni"],
        ),  # one letter: whole words only, never every word starting with a
    ],
)
def test_short_words_match_whole_abstract_words(query: str, expected: list[str]) -> None:
    assert sorted(found(query)) == sorted(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("unicode", ["uni"]),
        ("ÜNICODE", ["uni"]),
        ("naive", ["uni"]),
        ("naïve", ["uni"]),
        ("cafe", ["uni"]),
        ('"naive approach"', ["uni"]),
        ("nunez", ["vq"]),
        ("-naive tokenizers", ["vq"]),
    ],
)
def test_case_and_accents_fold_for_matching(query: str, expected: list[str]) -> None:
    assert found(query) == expected


def test_folding_never_touches_what_is_shown() -> None:
    (record,) = SearchIndex(RECORDS).search("unicode")
    assert record.title == "Ünïcödé Everywhere"
    assert record.paper.abstract == "A naïve approach to café text."
    assert fold("Ünïcödé ﬁne Straße") == "unicode fine strasse"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kv OR vq", {"kv", "vq"}),
        ("kv or vq", set()),  # lower-case "or" is a word to search for
        ("reward OR preference tuning", {"rl", "rlhf"}),  # AND binds tighter than OR
        ("(reward OR preference) tuning", {"rlhf"}),
        ("(kv OR vq) (cache OR codebook)", {"kv", "vq"}),
        ("(kv OR vq) -(cache OR codebook)", set()),
        ("-(kv OR vq) -(rl OR rlhf) -lecun -diffusion", {"uni"}),
        ("sparse OR author:lecun", {"diff", "rl"}),
        ("author:yang OR author:wei", {"kv", "diff"}),
        ("kv AND cache", {"kv"}),
    ],
)
def test_or_and_parentheses(query: str, expected: set[str]) -> None:
    assert set(found(query)) == expected


def test_or_combines_filters_and_keeps_the_best_score() -> None:
    records = [
        Record(Paper(id="a", title="Sparse Attention", published="2024-01-01")),
        Record(Paper(id="b", title="Dense", abstract="sparse", published="2025-01-01")),
        Record(Paper(id="c", title="Other", published="2023-01-01", upvotes=9)),
    ]
    # Title hit first, abstract hit next, then the paper matched only by a filter.
    assert found("sparse OR upvotes:>=5", records) == ["a", "b", "c"]
    assert found("year:2024 OR year:2023", records) == ["a", "c"]  # by date: no words
    assert parse_query("kv OR vq").matches(records[0]) and not parse_query("-(a OR b)").matches(
        Record(Paper(id="x", title="A"))
    )


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("kv OR", "OR needs a term on both sides"),
        ("OR kv", "OR needs a term on both sides"),
        ("kv OR OR vq", "OR needs a term on both sides"),
        ("(kv OR vq", "unclosed `(`"),
        ("kv)", "`)` without a matching `(`"),
        ("()", "empty parentheses"),
        ("(a OR b) (c OR d) (e OR f) (g OR h) (i OR j) (k OR l) (m OR n)", "too complex"),
        ("(tag:x OR year:>>2)", "'year:>>2'"),
        ("-(year:x)", "'-year:x'"),
        ('("kv OR vq)', "unterminated quote"),
        ("authors:lecun", "author:lecun searches their names"),
    ],
)
def test_bad_boolean_queries_say_what_is_wrong(query: str, names: str) -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(query)
    assert names in str(raised.value)


def test_clauses_are_the_disjunctive_normal_form() -> None:
    assert clauses("a (b OR -c)") == [(Term("a"), Term("b")), (Term("a"), Term("c", True))]
    assert clauses('-(a "x y")') == [(Term("a", True),), (Term('"x y"', True),)]
    assert clauses('tag:"a (b)" OR c') == [(Term('tag:"a (b)"'),), (Term("c"),)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("author:lecun", ["rl"]),
        ("author:LeCun", ["rl"]),
        ("author:lecunn", ["rl"]),  # one typo in a family name
        ("author:le-cun", ["rl"]),
        ('author:"yann lecun"', ["rl"]),
        ("author:yann", ["rl"]),  # a given name, whole
        ("author:schmidhuber", ["vq"]),
        ("author:schmidhueber", ["vq"]),
        ("author:nunez", ["vq"]),
        ("author:li", ["diff"]),  # a whole name word
        ("author:sch", ["vq"]),  # the start of a family name
        ("author:cun", []),  # not the start of a family name; too short for typos
        ("author:wei", ["diff"]),
        ("-author:lecun lecun", ["lecun"]),
    ],
)
def test_author_filter_is_fuzzy_on_family_names(query: str, expected: list[str]) -> None:
    assert found(query) == expected


def test_plain_words_match_authors_below_title_hits() -> None:
    assert found("lecun") == ["lecun", "rl"]  # the title hit first, the author's paper next
    assert found("yang sparsity") == ["kv"]
    assert found("li") == ["diff"]  # a short word: a whole name word


def test_fetched_authors_become_searchable_in_a_running_index() -> None:
    records = [rec("a", "Alpha"), rec("b", "Beta")]
    index = SearchIndex(records)
    index.index_abstracts()
    assert index.search("hinton") == []
    index.replace(rec("b", "Beta", authors=("Geoffrey Hinton",)))
    assert [r.id for r in index.search("hinton")] == ["b"]
    assert [r.id for r in index.search("author:hinton")] == ["b"]


def test_the_seeds_answer_acronyms_and_ors_alike_in_every_mode(library: Library) -> None:
    records = library.all_records(with_abstracts=True)
    kv = found("KV cache", records)
    assert any(
        r.title.startswith("Post-Training Sparse Attention with Double Sparsity")
        for r in (library.get(pid) for pid in kv)
    )
    for query in ("rl", "vq", "3d"):
        assert found(query, records), query
    either = set(found("vq OR 3d", records))
    assert either == set(found("vq", records)) | set(found("3d", records))


@settings(max_examples=500, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("abvis"), min_size=1, max_size=3),
    st.text(alphabet=st.sampled_from("abvisVI -(,.'\t\u2003\u2019\u00a0éá+"), max_size=40),
)
def test_word_tests_are_what_the_word_indexes_find(word: str, text: str) -> None:
    tokens = normalise(text).split()
    assert word_start_test(word)(fold(text)) == any(t.startswith(word) for t in tokens)
    assert whole_word_test(word)(fold(text)) == (word in tokens)


def test_the_whitespace_list_is_every_whitespace_character() -> None:
    import sys

    every = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert set(WHITESPACE) == every


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab"), min_size=1, max_size=2),
    st.text(alphabet=st.sampled_from("ab -,\n\u2003\u00a0é"), max_size=30),
)
def test_whole_words_on_normalised_text_agree(word: str, text: str) -> None:
    tokens = normalise(text).split()
    assert whole_word_test(word, normalised=True)(normalise(text)) == (word in tokens)


def test_queries_combined_keep_their_ors_inside() -> None:
    """Triage and inboxes add terms to the user's query: `kv OR vq` stays one alternative."""
    from store.search.language import all_of

    combined = all_of("kv OR vq", "-cache")
    assert combined == "(kv OR vq) (-cache)"
    assert set(found(combined)) == {"vq"}  # not "kv OR (vq -cache)", which keeps kv
    assert set(found("kv OR vq -cache")) == {"kv", "vq"}
    assert all_of("", "is:unread") == "(is:unread)"
