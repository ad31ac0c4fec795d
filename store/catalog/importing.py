"""How listings become catalog documents: stable ids, merging repeated listings, input files."""

from __future__ import annotations

import hashlib
from base64 import b32encode
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from store.catalog.listing import Listing, ListingError


def paper_id(key: str, length: int = 8) -> str:
    """Short, stable id of a paper: the same normalised title gives the same id on any machine."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    # base32: 5 bytes give 8 characters; encode only what the id needs.
    return b32encode(digest[: (length * 5 + 7) // 8]).decode("ascii").lower()[:length]


def unique_id(key: str, taken: dict[str, str]) -> str:
    for length in (8, 12, 16, 24, 52):
        pid = paper_id(key, length)
        if taken.get(pid, key) == key:
            return pid
    raise AssertionError("sha256 collision")  # pragma: no cover


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
    for name in FIRST_WINS:
        value = getattr(listing, name)
        if doc.get(name) is None and value is not None:
            doc[name] = value
    if listing.authors and not doc.get("authors"):
        doc["authors"] = list(listing.authors)
    if listing.upvotes is not None:
        if listing.live or (doc.get("upvotes") or -1) < listing.upvotes:
            doc["upvotes"] = listing.upvotes
    if listing.github_stars is not None:
        doc["github_stars"] = listing.github_stars
    if listing.version is not None and (doc.get("version") or 0) < listing.version:
        doc["version"] = listing.version
    for name in ("links", "github", "sources", "categories"):
        extra = (listing.source,) if name == "sources" else getattr(listing, name)
        values = doc.get(name) or []
        missing = [value for value in extra if value not in values]
        if missing:
            # A document written before a field existed lacks its key: it is only added with
            # a value, so an unchanged paper is never rewritten.
            doc[name] = list(values) + list(dict.fromkeys(missing))
    return doc != before


def listing_files(paths: Sequence[Path]) -> list[Path]:
    """The files an import names: files as given, directories' `*.txt` files in name order."""
    if not paths:
        raise ListingError("import: name at least one listing file or directory")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix == ".txt")
            if not found:
                raise ListingError(f"{path}: no listing files (*.txt) in this directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise ListingError(f"{path}: not a regular file; pass a listing .txt file")
        else:
            raise ListingError(f"{path}: no such file or directory")
    return list(dict.fromkeys(files))
