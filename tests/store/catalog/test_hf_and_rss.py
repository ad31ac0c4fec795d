"""The Hugging Face and arXiv RSS parsers on recorded pages, and on what else servers send."""

from __future__ import annotations

import json

import pytest

from store.catalog.hf import DailyPapersError, load_page, page_day, parse_daily_papers
from store.catalog.rss import RssError, parse_arxiv_rss, split_authors
from tests.fakes.api import PULL_DATA

OLD = (PULL_DATA / "hf_2024-10-25.json").read_bytes()
NEW = (PULL_DATA / "hf_new_shape.json").read_bytes()
RSS = (PULL_DATA / "arxiv_cs.AI_2025-09-22.rss").read_bytes()
RSS_NEXT = (PULL_DATA / "arxiv_cs.AI_2025-09-23.rss").read_bytes()


def test_old_shape_page_gives_every_paper_with_its_facts() -> None:
    first, second, third = parse_daily_papers(OLD, "hf:2024-10-25")
    # The hard line break in the title ("for\n  Contrastive") is joined.
    assert first.title == (
        "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    )
    assert "\n" not in first.abstract and "larger batch sizes enhance" in first.abstract
    assert first.arxiv_id == "2410.17243"
    assert first.authors[:3] == ("Zesen Cheng", "Hang Zhang", "Kehan Li")
    assert first.authors[-1] == "Lidong Bing" and first.authors_count == 9
    assert (first.published, first.upvotes) == ("2024-10-22", 64)
    assert first.source == "hf:2024-10-25" and first.live
    # The old shape has no repository, stars or organisation: none are invented.
    assert (first.github, first.github_stars, first.organization) == ((), None, None)
    assert [p.arxiv_id for p in (second, third)] == ["2410.16251", "2410.18533"]
    assert third.title == "LOGO -- Long cOntext aliGnment via efficient preference Optimization"


def test_new_shape_page_gives_repositories_stars_and_organisations() -> None:
    scicode, openforge, kronos = parse_daily_papers(NEW, "hf:x")
    assert scicode.github == ("scicode-bench/SciCode",) and scicode.github_stars == 120
    assert "https://scicode-bench.github.io" in scicode.links
    assert len(scicode.authors) == 30 and scicode.authors[0] == "Minyang Tian"
    assert (openforge.organization, openforge.organization_name) == ("microsoft", "Microsoft")
    assert openforge.abstract == "Modern AI agents rely on elaborate harnesses."
    # Explicit nulls (projectPage, organization, numComments...) are simply absent facts.
    assert kronos.github == ("shiyu-coder/Kronos",) and kronos.github_stars == 31189
    assert kronos.organization is None and kronos.published == "2025-08-02"


def test_the_day_of_a_saved_page_is_the_day_papers_were_put_on_it() -> None:
    assert page_day(load_page(OLD)) == "2024-10-25"  # the item's publishedAt (old shape)
    assert page_day(load_page(b"[]")) is None


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ((PULL_DATA / "portal.html").read_bytes(), "an HTML page"),
        (b"", "an empty answer"),
        (OLD[:500], "not valid JSON"),
        (b'{"error":"Invalid date"}', "Hugging Face said: Invalid date"),
        (b'{"papers": []}', "expected a JSON array"),
        (b"\xff\xfe[", "not UTF-8"),
        (b'[{"paper": {"id": "1"}}, 3, null]', "none of its 3 items"),
    ],
)
def test_what_is_not_a_page_is_refused_saying_what_it_is(body: bytes, says: str) -> None:
    with pytest.raises(DailyPapersError, match=says):
        parse_daily_papers(body, "hf:x")


def test_missing_null_and_wrong_typed_fields_are_tolerated() -> None:
    page = json.dumps(
        [
            {"paper": {"id": "2401.00001v3", "title": "A  title\nwrapped", "upvotes": True}},
            {"title": "Item title only", "paper": None, "upvotes": 4},
            {"paper": {"id": None, "title": "No id", "authors": [{"name": None}, "x", {}]}},
            {"paper": {"title": ""}},
            "not an item",
        ]
    ).encode()
    first, second, third = parse_daily_papers(page, "hf:x")
    assert (first.title, first.arxiv_id, first.version, first.upvotes) == (
        "A title wrapped",
        "2401.00001",
        3,
        None,  # `true` is not a number of upvotes
    )
    assert (second.title, second.upvotes) == ("Item title only", 4)
    assert (third.arxiv_id, third.authors, third.authors_count) == (None, (), None)


def test_rss_items_give_ids_versions_types_and_bibliographic_facts() -> None:
    feed = parse_arxiv_rss(RSS, ("cs.AI",))
    assert feed.day == "2025-09-22" and feed.skipped == 0
    mica, rpg, cross, replaced = feed.listings
    assert (mica.arxiv_id, mica.version, mica.announce) == ("2509.15237", 1, "new")
    # The "arXiv:... Announce Type: new" prefix is gone; the abstract starts with its text.
    assert mica.abstract.startswith("Industrial workflows demand adaptive")
    assert mica.authors[0] == "Di Wen" and mica.authors[-1] == "Rainer Stiefelhagen"
    assert mica.categories == ("cs.AI", "cs.RO") and mica.source == "arxiv:cs.AI"
    assert mica.links[0] == "https://arxiv.org/abs/2509.15237"
    assert "3.9$\\times$" in rpg.abstract  # TeX is text, kept as arXiv wrote it
    assert (cross.announce, cross.version) == ("cross", 2)
    assert replaced.announce == "replace-cross" and replaced.replaces
    assert replaced.doi == "10.5802/jep.257"
    assert replaced.journal_ref == (
        "Journal de l'\\'Ecole polytechnique - Math\\'ematiques, Tome 11 (2024), pp. 431-472"
    )
    next_day = parse_arxiv_rss(RSS_NEXT, ("cs.LG", "cs.AI"))
    new, revised = next_day.listings
    assert new.source == "arxiv:cs.LG"  # the first requested category the paper is listed in
    assert (revised.arxiv_id, revised.version, revised.announce) == ("2509.15237", 2, "replace")


def test_an_empty_channel_is_a_day_without_announcements() -> None:
    body = RSS.split(b"<item>")[0] + b"</channel></rss>"
    feed = parse_arxiv_rss(body, ("cs.AI",))
    assert (feed.day, feed.listings) == ("2025-09-22", [])


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ((PULL_DATA / "portal.html").read_bytes(), "an HTML page"),
        (RSS[: len(RSS) // 2], "not well-formed"),
        (b"<feed><entry/></feed>", "the document is <feed>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel/></rss>',
            "DOCTYPE",
        ),
        (
            b"<rss><channel><title>Feed error for query: x</title>"
            b"<description>Bad category: cs.XX</description></channel></rss>",
            "arXiv said: Bad category: cs.XX",
        ),
        (b"<rss><channel><item><title>No id</title></item></channel></rss>", "none of its 1"),
    ],
)
def test_what_is_not_a_feed_is_refused_saying_what_it_is(body: bytes, says: str) -> None:
    with pytest.raises(RssError, match=says):
        parse_arxiv_rss(body, ("cs.AI",))


@pytest.mark.parametrize(
    ("creator", "names"),
    [
        ("Antonin Monteil, Paul Pegon", ("Antonin Monteil", "Paul Pegon")),
        ("A. Smith (MIT, CSAIL), B. Jones (ETH)", ("A. Smith", "B. Jones")),
        ("Solo Author", ("Solo Author",)),
        ("A, B, et al.", ("A", "B")),
        ("", ()),
    ],
)
def test_authors_split_outside_affiliations(creator: str, names: tuple[str, ...]) -> None:
    assert split_authors(creator) == names
