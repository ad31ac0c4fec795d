"""The merge's fast path for a new paper gives exactly what its plain definition gives: a copy
of the blank document with fresh lists, the first listing folded in by `fold_listing`."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.catalog import importing
from store.catalog.documents import fold_listing, fresh_doc, in_doc_order, is_bare, new_doc
from store.catalog.importing import merge_listings
from store.catalog.listing import Listing
from store.files.documents import paper_doc
from store.models import ImportReport, Paper
from store.text import title_key
from tests.conftest import ROOT

SEED = next((ROOT / "seeds").glob("*.txt"))
BLANK = paper_doc(Paper(id="", title="", added="2026-11-01T09:30:00"))

TEXT = st.text(alphabet=st.sampled_from("aAb é\u00a0x"), max_size=6)
MAYBE_TEXT = st.none() | TEXT
MAYBE_INT = st.none() | st.integers(min_value=-3, max_value=3)
# Few distinct values, so that tuples repeat their items and listings share titles.
STRINGS = st.lists(st.sampled_from(["u", "v", "https://x.org", "a/b"]), max_size=4).map(tuple)

LISTINGS = st.builds(
    Listing,
    title=st.sampled_from(["A paper", "a  PAPER", "Another", "Third one"]),
    abstract=st.sampled_from(["", "An abstract.", "Other words."]),
    source=st.sampled_from(["a.txt", "b.txt", ""]),
    line=st.integers(min_value=1, max_value=99),
    authors_count=MAYBE_INT,
    organization=MAYBE_TEXT,
    organization_name=MAYBE_TEXT,
    published=st.none() | st.sampled_from(["2024-08-11", "2023-01-02"]),
    upvotes=MAYBE_INT,
    links=STRINGS,
    github=STRINGS,
    warnings=st.just(()),
    arxiv_id=st.none() | st.sampled_from(["2408.00001", "2408.00002"]),
    authors=STRINGS,
    categories=STRINGS,
    doi=MAYBE_TEXT,
    journal_ref=MAYBE_TEXT,
    version=MAYBE_INT,
    github_stars=MAYBE_INT,
    announce=st.sampled_from(["new", "cross", "replace"]),
    live=st.booleans(),
)


def folded(blank: dict[str, Any], pid: str, listing: Listing) -> dict[str, Any]:
    """The definition: a copy of the blank with fresh lists, the listing folded in."""
    doc = blank.copy()
    doc["id"] = pid
    doc["title"] = listing.title
    for name, value in blank.items():
        if isinstance(value, list):
            doc[name] = []
    fold_listing(doc, listing)
    return doc


@settings(max_examples=600, deadline=None)
@given(LISTINGS)
def test_a_new_papers_document_is_its_first_listing_folded_into_the_blank(
    listing: Listing,
) -> None:
    assert is_bare(BLANK)
    doc = new_doc(BLANK, "pid", listing)
    expected = folded(BLANK, "pid", listing)
    assert list(doc.items()) == list(expected.items())  # the keys' order too: the file's bytes
    # Lists of its own: never the blank's, never shared with another paper's document.
    assert all(doc[name] is not BLANK[name] for name, v in BLANK.items() if isinstance(v, list))
    assert BLANK == paper_doc(Paper(id="", title="", added="2026-11-01T09:30:00"))


@settings(max_examples=600, deadline=None)
@given(LISTINGS)
def test_a_new_papers_document_made_in_one_display_is_the_same(listing: Listing) -> None:
    """`fresh_doc`, for the blank every import uses, is `new_doc` to the keys' order."""
    assert in_doc_order(BLANK)
    doc = fresh_doc("pid", listing, BLANK["added"])
    assert list(doc.items()) == list(new_doc(BLANK, "pid", listing).items())


def test_a_blank_in_another_order_or_with_other_fields_takes_the_copy() -> None:
    reordered = dict(reversed(list(BLANK.items())))
    assert is_bare(reordered) and not in_doc_order(reordered)
    assert not in_doc_order({**BLANK, "extra": None})


@pytest.mark.parametrize(
    "change",
    [
        lambda doc: doc.pop("upvotes"),
        lambda doc: doc.pop("links"),
        lambda doc: doc.update(organization="set"),
        lambda doc: doc.update(version=0),
        lambda doc: doc.update(sources=["seed"]),
        lambda doc: doc.update(tags=[]),  # a list the fast path would not make fresh
        lambda doc: doc.update(authors=None),
    ],
)
def test_a_blank_with_a_fact_set_missing_or_extra_is_not_bare(change: Any) -> None:
    blank = BLANK.copy()
    change(blank)
    assert not is_bare(blank)


def merged(
    listings: list[Listing], blank: dict[str, Any], existing: list[Listing]
) -> tuple[str, dict[str, str] | None, ImportReport]:
    table: dict[str, Any] = {}
    merge_listings(table, existing, blank_doc=blank, report=ImportReport())
    report = ImportReport()
    abstracts = merge_listings(table, listings, blank_doc=blank, report=report)
    return json.dumps(table), abstracts, report


@settings(max_examples=300, deadline=None)
@given(st.lists(LISTINGS, max_size=8), st.lists(LISTINGS, max_size=4))
def test_merging_with_the_fast_path_stores_what_the_plain_path_stores(
    listings: list[Listing], existing: list[Listing]
) -> None:
    fast = merged(listings, BLANK, existing)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importing, "in_doc_order", lambda blank: False)
        bare = merged(listings, BLANK, existing)  # the copy of the blank, not one display
        patch.setattr(importing, "is_bare", lambda blank: False)
        plain = merged(listings, BLANK, existing)
    assert fast == bare == plain


@settings(max_examples=300, deadline=None)
@given(st.lists(LISTINGS, max_size=8), st.lists(LISTINGS, max_size=4))
def test_listings_keyed_where_parsed_merge_as_listings_keyed_by_the_merge(
    listings: list[Listing], existing: list[Listing]
) -> None:
    """A file's parse gives each listing its title key and id (on whichever core parsed it):
    the merge then stores exactly what it stores computing them itself."""
    keyed = importing.keyed([replace(listing) for listing in listings])
    assert [(k.key, k.pid) for k in keyed] == [
        (title_key(k.title), importing.paper_id(title_key(k.title))) for k in keyed
    ]
    assert merged(keyed, BLANK, existing) == merged(listings, BLANK, existing)


def test_a_parsed_files_listings_carry_their_keys_across_the_parsing_child() -> None:
    """The rows the parsing child sends (`store.catalog.frames`) keep each key and id."""
    from store.catalog import frames

    parsed = importing.read_listing_file(SEED, None)
    assert parsed and all(p.key == title_key(p.title) and p.pid for p in parsed)
    assert frames.from_rows(frames.to_rows(parsed)) == parsed


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]), st.sampled_from(["", "An abstract."]), max_size=4
    ),
    st.dictionaries(st.sampled_from(["a", "b", "c", "e"]), st.just("New."), max_size=4),
)
def test_lacks_abstracts_says_whether_add_abstracts_changes_the_table(
    stored: dict[str, str], new: dict[str, str]
) -> None:
    """The import forks its abstracts' writer only when there is something to write, and the
    writer makes the documents: the check must agree with the making."""
    table = {str(n): {"id": pid, "abstract": text} for n, (pid, text) in enumerate(stored.items())}
    before = json.dumps(table)
    lacks = importing.lacks_abstracts(table, new)
    assert json.dumps(table) == before  # the check changes nothing
    assert importing.add_abstracts(table, new) is lacks
