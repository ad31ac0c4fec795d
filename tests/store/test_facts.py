"""A paper's facts, as the abstract screen, `paperdeck show` and the export say them."""

from __future__ import annotations

from store.facts import authors, facts, repo_summary
from store.models import Enrichment, Paper, Record, Repo, UserState


def test_a_listing_only_paper() -> None:
    record = Record(Paper(id="p1", title="T", authors_count=1, sources=("a.txt", "b.txt")))
    assert facts(record) == [
        ("id", "p1"),
        ("published", "unknown"),
        ("authors", "1 author"),
        ("status", "unread"),
        ("tags", "—"),
        ("sources", "a.txt, b.txt"),
    ]


def test_an_enriched_queued_paper() -> None:
    paper = Paper(
        id="p2",
        title="T",
        authors_count=3,
        organization="kyutai",
        organization_name="Kyutai",
        published="2024-03-11",
        upvotes=0,
    )
    enrichment = Enrichment(
        arxiv_id="2403.01234",
        authors=("Ada Lovelace", "Alan Turing"),
        arxiv_categories=("cs.LG", "cs.CL"),
        repos=(
            Repo("a/b", stars=12, license="MIT", pushed_at="2024-05-01T10:00:00Z", description="d"),
            Repo("c/d", status="not_found"),
        ),
    )
    state = UserState(tags=("llm", "to-read"), status="reading")
    record = Record(paper, state, 2, enrichment)
    assert facts(record) == [
        ("id", "p2"),
        ("published", "2024-03-11"),
        ("upvotes", "0"),
        ("authors", "Ada Lovelace, Alan Turing"),
        ("organization", "kyutai Kyutai"),
        ("arXiv", "2403.01234  cs.LG cs.CL"),
        ("repo", "a/b  ★ 12  MIT  pushed 2024-05-01"),
        ("", "d"),
        ("repo", "c/d  not_found"),
        ("status", "reading  · queue #2"),
        ("tags", "llm to-read"),
    ]


def test_authors_prefer_names_then_a_count() -> None:
    assert authors(Record(Paper(id="p", title="T"))) == ""
    assert authors(Record(Paper(id="p", title="T", authors_count=2))) == "2 authors"
    named = Record(Paper(id="p", title="T", authors_count=2), enrichment=Enrichment(authors=("A",)))
    assert authors(named) == "A"


def test_an_archived_repository_says_so() -> None:
    assert repo_summary(Repo("a/b", archived=True)) == "a/b  archived"
