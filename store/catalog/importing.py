"""How listings become catalog documents: stable ids, merging repeated listings, input files."""

from __future__ import annotations

import hashlib
from base64 import b32encode
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from store.catalog.listing import Listing, ListingError

ID_LENGTH = 16
"""80 bits: a collision among 10 million papers has odds of about 4e-11.  Lists show the first
8 characters where those are unambiguous (see `store.catalog.ids.short_ids`)."""


def paper_id(key: str, length: int = ID_LENGTH) -> str:
    """Stable id of a paper: the same normalised title gives the same id on any machine, in
    any import order.  Shorter ids of earlier versions are prefixes of it."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    # base32: 5 bytes give 8 characters; encode only what the id needs.
    return b32encode(digest[: (length * 5 + 7) // 8]).decode("ascii").lower()[:length]


def unique_id(key: str, taken: dict[str, str]) -> str:
    # Longer only on an 80-bit collision, which no library will meet.
    for length in (ID_LENGTH, 24, 52):
        pid = paper_id(key, length)
        if taken.get(pid, key) == key:
            return pid
    raise AssertionError("sha256 collision")  # pragma: no cover


def merge_listing(doc: dict[str, Any], listing: Listing) -> bool:
    """Fold one listing into a catalog document; True when the document changed."""
    before = dict(doc)
    for name in ("authors_count", "organization", "organization_name", "published"):
        value = getattr(listing, name)
        if doc.get(name) is None and value is not None:
            doc[name] = value
    if listing.upvotes is not None and (doc.get("upvotes") or -1) < listing.upvotes:
        doc["upvotes"] = listing.upvotes
    for name in ("links", "github", "sources"):
        values = list(doc.get(name) or [])
        extra = (listing.source,) if name == "sources" else getattr(listing, name)
        for value in extra:
            if value not in values:
                values.append(value)
        doc[name] = values
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
