"""How a listing becomes a catalog document, and how later listings of the same paper fold
into it: the merge's per-listing work (`store.catalog.importing.Merge`), kept apart from how
files are found, parsed and merged."""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.catalog.listing import Listing


FIRST_WINS = (
    "authors_count",
    "organization",
    "organization_name",
    "published",
    "arxiv_id",
    "doi",
    "journal_ref",
)
"""Facts a listing fills in where the catalog has none; a later listing never overwrites them."""


def merge_listing(doc: dict[str, Any], listing: Listing) -> bool:
    """Fold one listing into a catalog document; True when the document changed."""
    before = dict(doc)
    fold_listing(doc, listing)
    return doc != before


_first_wins = attrgetter(*FIRST_WINS)


def fold_listing(doc: dict[str, Any], listing: Listing) -> None:
    """`merge_listing` without telling whether anything changed (a new paper: it did)."""
    get = doc.get
    for name, value in zip(FIRST_WINS, _first_wins(listing), strict=True):
        if value is not None and get(name) is None:
            doc[name] = value
    if listing.authors and not get("authors"):
        doc["authors"] = list(listing.authors)
    if listing.upvotes is not None:
        if listing.live or (get("upvotes") or -1) < listing.upvotes:
            doc["upvotes"] = listing.upvotes
    if listing.github_stars is not None:
        doc["github_stars"] = listing.github_stars
    if listing.version is not None and (get("version") or 0) < listing.version:
        doc["version"] = listing.version
    for name, extra in (
        ("links", listing.links),
        ("github", listing.github),
        ("sources", (listing.source,)),
        ("categories", listing.categories),
    ):
        if not extra:
            continue
        values = get(name) or []
        missing = [value for value in extra if value not in values]
        if missing:
            # A document written before a field existed lacks its key: it is only added with
            # a value, so an unchanged paper is never rewritten.
            doc[name] = list(values) + list(dict.fromkeys(missing))


_FACTS = (*FIRST_WINS, "upvotes", "github_stars", "version")
_LISTS = frozenset(("authors", "links", "github", "sources", "categories"))
"""What `fold_listing` may set: facts (None until set) and lists (empty until set)."""


def is_bare(blank_doc: dict[str, Any]) -> bool:
    """Whether `blank_doc` holds every fact a listing can give, unset (None, or an empty list
    for the lists), and no other lists: a paper's document always does. `new_doc` starts from
    such a document."""
    lists = {name for name, value in blank_doc.items() if isinstance(value, list)}
    return (
        lists == _LISTS
        and all(blank_doc[name] == [] for name in lists)
        and all(blank_doc.get(name, ...) is None for name in _FACTS)
    )


def new_doc(blank_doc: dict[str, Any], pid: str, listing: Listing) -> dict[str, Any]:
    """The document of a new paper from its first listing: exactly `fold_listing` into a copy
    of a bare `blank_doc` (see `is_bare`) with fresh lists, written out for that one case
    (every fact unset: no checks, no lookups) at a third of the cost."""
    doc = blank_doc.copy()
    doc["id"] = pid
    doc["title"] = listing.title
    # The first listing's facts win over the blank's None (a None of the listing's leaves it).
    doc.update(zip(FIRST_WINS, _first_wins(listing), strict=True))
    doc["authors"] = list(listing.authors)
    upvotes = listing.upvotes
    if upvotes is not None and (listing.live or upvotes > -1):
        doc["upvotes"] = upvotes
    doc["github_stars"] = listing.github_stars
    version = listing.version
    if version is not None and version > 0:
        doc["version"] = version
    doc["links"] = _distinct(listing.links)
    doc["github"] = _distinct(listing.github)
    doc["sources"] = [listing.source]
    doc["categories"] = _distinct(listing.categories)
    return doc


DOC_ORDER = (
    "id",
    "title",
    "authors_count",
    "organization",
    "organization_name",
    "published",
    "upvotes",
    "links",
    "github",
    "sources",
    "added",
    "arxiv_id",
    "authors",
    "categories",
    "doi",
    "journal_ref",
    "version",
    "github_stars",
)
"""A paper document's fields in `store.files.documents.paper_doc`'s order, the abstract aside."""


def in_doc_order(blank_doc: dict[str, Any]) -> bool:
    """Whether `fresh_doc` makes `new_doc(blank_doc, ...)`: a bare blank (`is_bare`) with
    exactly the fields of `DOC_ORDER`, in that order."""
    return tuple(blank_doc) == DOC_ORDER and is_bare(blank_doc)


def fresh_doc(pid: str, listing: Listing, added: str) -> dict[str, Any]:
    """`new_doc(blank_doc, pid, listing)` for a blank `in_doc_order` whose `added` is `added`:
    one dict display, where a copy and its updates took 4-5 us of a 100k import's 12 us a
    listing (the merge is one process's work, while the other core parses)."""
    upvotes = listing.upvotes
    version = listing.version
    return {
        "id": pid,
        "title": listing.title,
        "authors_count": listing.authors_count,
        "organization": listing.organization,
        "organization_name": listing.organization_name,
        "published": listing.published,
        "upvotes": upvotes if upvotes is not None and (listing.live or upvotes > -1) else None,
        "links": _distinct(listing.links),
        "github": _distinct(listing.github),
        "sources": [listing.source],
        "added": added,
        "arxiv_id": listing.arxiv_id,
        "authors": list(listing.authors),
        "categories": _distinct(listing.categories),
        "doi": listing.doi,
        "journal_ref": listing.journal_ref,
        "version": version if version is not None and version > 0 else None,
        "github_stars": listing.github_stars,
    }


def _distinct(values: tuple[str, ...]) -> list[str]:
    """`list(dict.fromkeys(values))`: mostly none or one, nothing to drop."""
    return list(values) if len(values) < 2 else list(dict.fromkeys(values))
