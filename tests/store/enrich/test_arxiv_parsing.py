"""Pure parts of the arXiv client: titles, queries, the Atom parser and the matching rules."""

from __future__ import annotations

import time
from datetime import date

import pytest

from store.enrich.arxiv import (
    ArxivEntry,
    FeedError,
    choose_match,
    normalise_title,
    parse_feed,
    title_query,
    title_score,
)
from store.models import Paper
from tests.fakes.api import data

SPARSE = "Sparse Mixture Routing for Efficient Long-Context Transformers"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Sparse Mixture Routing for\n  Efficient  Long-Context Transformers",
            "sparse mixture routing for efficient long context transformers",
        ),
        (
            "  SPARSE mixture routing: for efficient long context transformers. ",
            "sparse mixture routing for efficient long context transformers",
        ),
        ("PointNet++: Deep Hierarchical Learning", "pointnet++ deep hierarchical learning"),
        (
            r"Schr\"odinger Bridges and Schrödinger's cat",
            "schrodinger bridges and schrodinger s cat",
        ),
        (r"$\mathcal{O}(n)$ attention with $\alpha$-entmax", "o n attention with alpha entmax"),
        ("Ｆｕｌｌｗｉｄｔｈ and snake_case", "fullwidth and snake case"),
    ],
)
def test_normalise_title(raw: str, expected: str) -> None:
    assert normalise_title(raw) == expected


def test_normalise_title_folds_layout_case_and_punctuation() -> None:
    assert normalise_title("A\n  B\t\tC:  d-e.") == "a b c d e"
    assert normalise_title("PointNet") != normalise_title("PointNet++")


@pytest.mark.parametrize(
    ("title", "query"),
    [
        (SPARSE, 'ti:"sparse mixture routing for efficient long context transformers"'),
        ('Say "AND" or OR: ANDNOT (x)', 'ti:"say and or or andnot x"'),
        ('Quotes " inside \\" titles', 'ti:"quotes inside titles"'),
        ("C++ for $\\beta$-VAEs", 'ti:"c for beta vaes"'),
    ],
)
def test_title_query_is_one_safe_lowercase_phrase(title: str, query: str) -> None:
    assert title_query(title) == query
    assert title_query(title).count('"') == 2


def test_title_query_cuts_very_long_titles() -> None:
    words = title_query(" ".join(f"word{i}" for i in range(200)))[4:-1].split()
    assert len(words) == 30


@pytest.mark.parametrize(
    ("listed", "candidate", "accepted"),
    [
        (SPARSE, "Sparse Mixture Routing for\n Efficient  Long-Context Transformers", True),
        (SPARSE, SPARSE + " 2", False),
        (SPARSE, SPARSE + " Revisited", False),
        ("Llama 2: Open Models", "Llama 3: Open Models", False),
        ("PointNet: Deep Learning on Point Sets", "PointNet++: Deep Learning on Point Sets", False),
        (
            "Modelling Ocean Eddies with Neural Operators",
            "Modeling Ocean Eddies with Neural Operators",
            True,
        ),
        ("Attention Is All You Need", "Attention Is Not All You Need", False),
        ("", "", False),
    ],
)
def test_title_score(listed: str, candidate: str, accepted: bool) -> None:
    assert (title_score(listed, candidate) >= 95) is accepted


def test_parse_feed_reads_entries_of_the_recorded_format() -> None:
    entries = parse_feed(data("arxiv_found.xml"))
    assert [e.arxiv_id for e in entries] == ["2501.04321", "2408.07092", "2311.00007"]
    found = entries[1]
    assert found.title == "Sparse Mixture Routing for Efficient Long-Context Transformers"
    assert found.authors == ("Ada Lovelace", "Grace Hopper", "Alan Turing")
    assert found.categories == ("cs.CL", "cs.LG")  # primary first; ACM class I.2.7 dropped
    assert found.pdf_url == "https://arxiv.org/pdf/2408.07092v2"
    assert found.published == date(2024, 8, 13)
    assert found.updated == date(2024, 9, 1)
    assert (found.version, found.primary_category) == (2, "cs.CL")
    assert (found.doi, found.journal_ref) == (None, None)  # this entry has neither


def test_parse_feed_reads_bibliographic_fields_of_a_recorded_answer() -> None:
    """DOI, journal reference, primary category and version, as the arXiv API sends them."""
    entries = parse_feed(data("arxiv_bibliographic.xml"))
    got = [(e.arxiv_id, e.version, e.doi, e.journal_ref, e.primary_category) for e in entries]
    assert got == [
        (
            "cond-mat/0102536",
            1,
            "10.1063/1.1383585",
            "J. Chem. Phys. 115, 1626 (2001)",
            "cond-mat.str-el",
        ),
        (
            "astro-ph/0608371",
            1,
            "10.1103/PhysRevD.74.043004",
            "Phys.Rev. D74 (2006) 043004",
            "astro-ph",
        ),
        ("1802.06593", 1, "10.1088/2399-6528/aaaee0", None, "cond-mat.str-el"),
        ("astro-ph/9904306", 1, None, None, "astro-ph"),
    ]
    assert entries[2].authors[1] == "Ladir Cândido"


@pytest.mark.parametrize(
    ("doi", "expected"),
    [
        ("10.1063/1.1383585", "10.1063/1.1383585"),
        ("  10.1103/PhysRevD.74.043004\n", "10.1103/PhysRevD.74.043004"),
        ("10.1000/1 10.1000/2", "10.1000/1"),  # several DOIs: the first
        ("doi:10.1000/1", None),
        ("not a doi", None),
        ("", None),
    ],
)
def test_parse_feed_keeps_only_well_formed_dois(doi: str, expected: str | None) -> None:
    body = data("arxiv_bibliographic.xml").replace(
        b"10.1063/1.1383585</arxiv:doi>", doi.replace("\\n", "\n").encode() + b"</arxiv:doi>"
    )
    assert parse_feed(body)[0].doi == expected


def test_parse_feed_empty_result() -> None:
    assert parse_feed(data("arxiv_empty.xml")) == []


def test_parse_feed_error_entry() -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(data("arxiv_error.xml"))
    assert caught.value.word == "error"
    assert "incorrect id format" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        data("arxiv_truncated.xml"),
        data("arxiv_entity_bomb.xml"),
        data("arxiv_external_entity.xml"),
        b"<html><body>Service Unavailable</body></html>",
        b"",
        b"\xff\xfe\x00garbage",
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><feed/>'.encode(
            "utf-16"
        ),
        b'<feed xmlns="http://www.w3.org/2005/Atom"><opensearch:totalResults '
        b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">many</opensearch:totalResults>'
        b"</feed>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>javascript:alert(1)</id>'
        b"<title>x</title></entry></feed>",
    ],
    ids=[
        "truncated",
        "entity-bomb",
        "external-entity",
        "html",
        "empty",
        "binary",
        "utf16-doctype",
        "bad-total",
        "bad-id",
    ],
)
def test_parse_feed_refuses_hostile_or_broken_bodies(body: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(FeedError) as caught:
        parse_feed(body)
    assert caught.value.word == "malformed"
    assert time.perf_counter() - started < 0.5  # no entity was ever expanded


def entry(
    title: str = SPARSE,
    *,
    arxiv_id: str = "2408.07092",
    authors: int = 3,
    published: date | None = date(2024, 8, 13),
    updated: date | None = date(2024, 9, 1),
) -> ArxivEntry:
    return ArxivEntry(
        arxiv_id=arxiv_id,
        title=title,
        authors=tuple(f"Author {i}" for i in range(authors)),
        categories=("cs.CL",),
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
        published=published,
        updated=updated,
    )


def paper(
    title: str = SPARSE, *, authors_count: int | None = 3, published: str | None = "2024-08-14"
) -> Paper:
    return Paper(id="p", title=title, authors_count=authors_count, published=published)


@pytest.mark.parametrize(
    ("listed", "candidates", "expected"),
    [
        (paper(), [entry()], "2408.07092"),
        (paper(authors_count=None, published=None), [entry()], "2408.07092"),
        (paper(), [entry(authors=2)], None),
        (paper(), [entry(published=date(2019, 3, 1), updated=date(2019, 4, 1))], None),
        # Within a year (and the slack) of either the first or the latest version is fine.
        (paper(published="2025-08-20"), [entry()], "2408.07092"),
        (paper(published="2025-09-20"), [entry()], "2408.07092"),
        (paper(published="2026-01-01"), [entry()], None),
        (paper(published="2023-08-01"), [entry()], "2408.07092"),
        (paper(published="2023-05-01"), [entry()], None),
        (paper(published="sometime"), [entry()], "2408.07092"),
        # Exact beats near; near needs the author count to agree.
        (
            paper(),
            [entry(SPARSE[:-1], arxiv_id="2311.00007"), entry()],
            "2408.07092",
        ),
        (paper(authors_count=None), [entry(SPARSE[:-1], arxiv_id="2311.00007")], None),
        (paper(), [entry(SPARSE[:-1], arxiv_id="2311.00007")], "2311.00007"),
        # Two different papers with the same title, nothing to tell them apart: neither.
        (
            paper(authors_count=None, published=None),
            [entry(), entry(arxiv_id="2409.00001")],
            None,
        ),
        (paper(), [], None),
    ],
)
def test_choose_match(listed: Paper, candidates: list[ArxivEntry], expected: str | None) -> None:
    chosen = choose_match(listed, candidates)
    assert (chosen.arxiv_id if chosen else None) == expected


def test_choose_match_never_takes_a_decoy_from_the_recorded_feed() -> None:
    listed = Paper(
        id="p", title="Graph Priors for Protein Docking", authors_count=4, published="2024-05-02"
    )
    assert choose_match(listed, parse_feed(data("arxiv_decoys.xml"))) is None


def test_any_doctype_is_refused_even_a_harmless_one() -> None:
    # Well-formed Atom whose only fault is its DTD: refused by our check, not by accident.
    body = data("arxiv_found.xml").replace(
        b"<feed ", b'<!DOCTYPE feed [<!ENTITY t "Transformers">]>\n<feed ', 1
    )
    assert len(parse_feed(data("arxiv_found.xml"))) == 3
    with pytest.raises(FeedError, match="DOCTYPE"):
        parse_feed(body)
