"""The listing parser on the bundled seeds and on edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.catalog.links import clean_url, github_repo
from store.catalog.listing import (
    MAX_ABSTRACT_CHARS,
    decode,
    has_controls,
    parse_listing,
)
from store.errors import ListingError
from store.text import title_key
from tests.conftest import DATA, ROOT

LISTINGS = DATA / "listings"


def parse_file(path: Path, year: int | None = None) -> list:  # type: ignore[type-arg]
    return parse_listing(decode(path.read_bytes(), path.name), path.name, year=year)


def test_seed_counts(seeds: list[Path]) -> None:
    per_file = {p.name[:3]: parse_file(p) for p in seeds}
    assert {k: len(v) for k, v in per_file.items()} == {
        "000": 76,
        "001": 65,
        "002": 68,
        "003": 36,
        "004": 43,
    }
    listings = [item for items in per_file.values() for item in items]
    assert len(listings) == 288
    assert len({title_key(item.title) for item in listings}) == 212
    assert len({repo.casefold() for item in listings for repo in item.github}) == 62
    assert len({title_key(item.title) for item in listings if item.organization}) == 3
    # The two files without metadata lines.
    for name in ("002", "004"):
        assert all(item.published is None and item.authors_count is None for item in per_file[name])


def test_seed_dates_take_the_year_after_the_latest_explicit_one(seeds: list[Path]) -> None:
    first = parse_file(seeds[0])
    # 000 gives years up to 2024, so "Mar 31" without a year is in 2025.
    sae = next(i for i in first if i.title.startswith("Evaluating and Designing Sparse"))
    assert sae.published == "2025-03-31"
    rapid = next(i for i in first if i.title.startswith("RAPiD-Seg"))
    assert (rapid.published, rapid.authors_count, rapid.upvotes) == ("2024-07-14", 3, None)
    double = next(i for i in first if i.title.startswith("Post-Training Sparse Attention"))
    assert (double.published, double.upvotes) == ("2024-08-11", 2)
    assert double.github == ("andy-yang-1/DoubleSparse",)


def test_edge_cases_bom_tabs_links_org_and_merging_inside_a_file() -> None:
    items = parse_file(LISTINGS / "edge.txt")
    assert [i.title for i in items] == [
        "Tabs and spaces in a Title",
        "second paper WITH CASE",
        "TABS AND SPACES IN A TITLE",
    ]
    first, second, third = items
    assert first.github == ("owner/repo",)
    assert first.links == ("https://github.com/owner/repo.git/tree/main/sub",)
    assert (first.published, first.authors_count, first.upvotes) == ("2024-01-04", 1, 7)
    assert second.links == ("https://github.com/a/b", "https://example.org/page")
    assert second.github == ("a/b",)
    assert (second.organization, second.organization_name) == ("kyutai", "Kyutai")
    assert second.published == "2023-12-30"
    assert title_key(first.title) == title_key(third.title)


def test_crlf_no_final_newline_and_no_year() -> None:
    (item,) = parse_file(LISTINGS / "crlf.txt")
    assert (item.title, item.abstract) == ("CRLF Title", "CRLF abstract.")
    assert (item.authors_count, item.upvotes, item.published) == (3, 2, None)
    (item,) = parse_file(LISTINGS / "crlf.txt", year=2025)
    assert item.published == "2025-03-20"
    (item,) = parse_file(LISTINGS / "noyear.txt", year=2024)
    assert item.published == "2024-02-03"


@pytest.mark.parametrize(
    ("raw", "cleaned", "repo"),
    [
        ("https://github.com/a/b{b}.", "https://github.com/a/b", "a/b"),
        ("https://github.com/a/b.git", "https://github.com/a/b.git", "a/b"),
        ("https://github.com/a/b/tree/main/x,", "https://github.com/a/b/tree/main/x", "a/b"),
        ("https://github.com/a/b/", "https://github.com/a/b/", "a/b"),
        ("https://github.com/a/b).", "https://github.com/a/b", "a/b"),
        ("https://en.wikipedia.org/wiki/A_(b))", "https://en.wikipedia.org/wiki/A_(b)", None),
        ("https://a.github.io/x/{here}.", "https://a.github.io/x/", None),
        ("https://github.com/orgs/x", "https://github.com/orgs/x", None),
    ],
)
def test_link_cleaning(raw: str, cleaned: str, repo: str | None) -> None:
    assert clean_url(raw) == cleaned
    assert github_repo(cleaned) == repo


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"Title\n\n\xff\xfe bad bytes\n", "not UTF-8"),
        (b"new\n\nSubscribe\n\nNov 10\n", "no paper records"),
        (b"Only a title\n", "no abstract"),
        (b"T\n\nA\n\n  \xe2\x80\xa2 x authors\n\xc2\xb7\nJan 1\n", "N authors"),
        (b"T\n\nA\n\n  \xe2\x80\xa2 2 authors\n\xc2\xb7\nSomeday\n", "expected a date"),
        (b"T\n\nA\n\n  \xe2\x80\xa2 2 authors\n\xc2\xb7\nFeb 30, 2023\n", "not a real date"),
    ],
)
def test_bad_input_is_one_clear_line_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(ListingError) as raised:
        parse_listing(decode(data, "bad.txt"), "bad.txt")
    text = str(raised.value)
    assert text.startswith("bad.txt") and message in text and "\n" not in text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_parser_never_crashes_on_text(text: str) -> None:
    try:
        parse_listing(text, "any.txt")
    except ListingError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_parser_never_crashes_on_mutated_real_listings(data: st.DataObject) -> None:
    lines = (ROOT / "seeds" / "003_893fc5fa7101f31e.txt").read_text().split("\n")
    lines = lines[:80]
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["drop", "dup", "swap", "blank"]))
        i = data.draw(st.integers(0, len(lines) - 1))
        j = data.draw(st.integers(0, len(lines) - 1))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[j])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        else:
            lines[i] = ""
    try:
        parse_listing("\n".join(lines), "mutated.txt")
    except ListingError as error:
        assert "mutated.txt" in str(error)


@pytest.mark.parametrize(
    ("raw", "cut"),
    [
        ("short abstract", False),
        ("x " * 9_000, False),  # long but under the cap once cleaned
        ("  \t " * 6_000 + "tiny", False),  # long only in whitespace
        ("word " * 5_000, True),
        ("y" * 30_000, True),  # no word boundary to cut at
    ],
    ids=["short", "long-under-cap", "whitespace", "words", "one-word"],
)
def test_abstracts_are_capped_at_import(raw: str, cut: bool) -> None:
    text = f"Title\n\n{raw}\n"
    (record,) = parse_listing(text, "cap.txt")
    assert len(record.abstract) <= MAX_ABSTRACT_CHARS + len(" […]")
    assert bool(record.warnings) is cut
    if cut:
        assert record.abstract.endswith(" […]")
        assert f"kept the first {MAX_ABSTRACT_CHARS:,}" in record.warnings[0]
    else:
        assert record.abstract == " ".join(raw.split())


def parsed_or_error(text: str, **options: bool) -> object:
    try:
        return parse_listing(text, "f.txt", year=2024, **options)
    except ListingError as error:
        return str(error)


def test_a_file_without_controls_parses_as_one_checked_field_by_field(seeds: list[Path]) -> None:
    """`has_controls` is asked once per file; without controls, ASCII titles and abstracts
    skip their own look for them, and the listings come out the same."""
    files = [*seeds, *sorted(LISTINGS.glob("*.txt"))]
    clean = [path for path in files if not has_controls(path.read_bytes())]
    assert len(clean) >= 5
    for path in clean:
        text = decode(path.read_bytes(), path.name)
        assert parsed_or_error(text, controls=False) == parsed_or_error(text), path.name


@pytest.mark.parametrize("control", ["\t", "\x1b[31m", "\x07", "\x7f", "\x0b", "\x1f"])
def test_a_control_anywhere_is_seen_and_cleaned(control: str) -> None:
    data = f"Title{control}one\n\nAn  abstract{control}.\n".encode()
    assert has_controls(data)
    assert not has_controls(data.replace(control.encode(), b"").replace(b"\n", b"\r\n"))
    (listing,) = parse_listing(decode(data, "c.txt"), "c.txt", controls=has_controls(data))
    assert listing.title.isprintable() and listing.abstract.isprintable()
    assert "  " not in listing.abstract


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Title",
                "\n",
                "\n\n",
                " ",
                "  ",
                "\t",
                "\x1b[1m",
                "\r\n",
                "ü",
                "•",
                "·",
                "\x85",
                "https://github.com/a/b ",
                "  • 2 authors\n·\nMar 3, 2024 4\n",
                "\u202e",
            ]
        ),  # fmt: skip
        max_size=40,
    ).map("".join)
)
def test_any_text_parses_the_same_told_it_has_no_controls_when_it_has_none(text: str) -> None:
    controls = has_controls(text.encode())
    assert parsed_or_error(text, controls=controls) == parsed_or_error(text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Title",
                "\n\n",
                " ",
                "  ",
                "\t",
                "\x1b[1m",
                "ÉCOLE",
                "ß",
                "İ",
                "ﬁ",
                "Σ",
                "•",
                "  • 2 authors\n·\nMar 3, 2024 4\n\n",
                "x" * 1200,
            ]
        ),  # fmt: skip
        max_size=30,
    ).map("".join)
)
def test_a_parsed_title_comes_with_its_key(text: str) -> None:
    """The parse gives each listing the key the importer would compute from its title (ids
    derive from it: a different key would make a paper known already a new one)."""
    try:
        listings = parse_listing(text, "k.txt", controls=has_controls(text.encode()))
    except ListingError:
        return
    for listing in listings:
        assert listing.key == title_key(listing.title)
