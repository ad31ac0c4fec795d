"""How listings become catalog documents: stable ids, merging repeated listings, input files.

The importer works on the catalog's and the abstracts' tables as plain dicts; the Library reads
and writes them under their locks (this package knows nothing of files or TinyDB).
"""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.catalog.documents import (
    fold_listing,
    fresh_doc,
    in_doc_order,
    is_bare,
    merge_listing,
    new_doc,
)
from store.errors import ListingError
from store.models import ImportReport
from store.text import title_key

if TYPE_CHECKING:  # the parser is loaded by the commands that parse (list, tag... never do)
    from store.catalog.listing import Listing

Progress = Callable[[int, int, str], None]
"""`progress(done, total, what)`: called as long work advances."""

ID_LENGTH = 16
"""80 bits: a collision among 10 million papers has odds of about 4e-11.  Lists show the first
8 characters where those are unambiguous (see `store.catalog.ids.short_ids`)."""


_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_PAIRS = [first + second for first in _B32 for second in _B32]
"""Ten bits to two base32 characters: an 80-bit id is eight lookups, where `b32encode` (pure
Python) was a quarter of merging 100k new papers."""


_sha256: Callable[[bytes], Any] | None = None
"""`hashlib.sha256`, imported with the first id made: OpenSSL's hashes took 4 ms of every
start (the app's, every command's), and most starts make no id."""


def _import_sha256() -> Callable[[bytes], Any]:
    global _sha256
    from hashlib import sha256

    _sha256 = sha256
    return sha256


def paper_id(key: str, length: int = ID_LENGTH) -> str:
    """Stable id of a paper: the same normalised title gives the same id on any machine, in
    any import order.  Shorter ids of earlier versions are prefixes of it."""
    digest = (_sha256 or _import_sha256())(key.encode("utf-8")).digest()
    if length == ID_LENGTH:  # base32 of the first 10 bytes, as below, in 10-bit steps
        bits = int.from_bytes(digest[:10], "big")
        pairs = _B32_PAIRS
        return (
            pairs[bits >> 70]
            + pairs[(bits >> 60) & 1023]
            + pairs[(bits >> 50) & 1023]
            + pairs[(bits >> 40) & 1023]
            + pairs[(bits >> 30) & 1023]
            + pairs[(bits >> 20) & 1023]
            + pairs[(bits >> 10) & 1023]
            + pairs[bits & 1023]
        )
    # base32: 5 bytes give 8 characters; encode only what the id needs.
    return b32encode(digest[: (length * 5 + 7) // 8]).decode("ascii").lower()[:length]


def unique_id(key: str, taken: dict[str, str], first: str = "") -> str:
    """`paper_id(key)` (`first`, if computed already), unless another key has that id."""
    # Longer only on an 80-bit collision, which no library will meet.
    for length in (ID_LENGTH, 24, 52):
        pid = first if first and length == ID_LENGTH else paper_id(key, length)
        if taken.get(pid, key) == key:
            return pid
    raise AssertionError("sha256 collision")  # pragma: no cover


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


def parse_files(
    files: Sequence[Path],
    *,
    year: int | None = None,
    progress: Progress | None = None,
    consume: Callable[[list[Listing]], object] | None = None,
) -> list[Listing]:
    """Every listing in `files` (as `listing_files` gives them; ListingError on a bad one);
    large imports are parsed on two cores (`store.catalog.parallel`), with the same result.
    `consume` is given each file's listings in file order as soon as they are parsed."""
    from store.catalog.parallel import parse_in_parallel

    def parse(path: Path) -> list[Listing]:
        return read_listing_file(path, year)

    return parse_in_parallel(files, parse, progress, consume)


def read_listing_file(path: Path, year: int | None) -> list[Listing]:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ListingError(f"{path}: cannot read ({error.strerror or error})") from None
    return keyed(_parse_file(path, data, year))


def keyed(listings: list[Listing]) -> list[Listing]:
    """`listings` with their title keys and ids (`Listing.key`, `Listing.pid`): computed as
    each file is parsed, on whichever core parses it, rather than by the merge, which one
    process does for every file (9 of its 24 us a listing at 100k)."""
    for listing in listings:
        listing.key = key = listing.key or title_key(listing.title)  # a parser's, if it knew
        listing.pid = paper_id(key)
    return listings


def _parse_file(path: Path, data: bytes, year: int | None) -> list[Listing]:
    """A text listing, or a saved Hugging Face Daily Papers JSON page (told by its content)."""
    from store.catalog.hf import (
        DailyPapersError,
        load_page,
        looks_like_page,
        page_day,
        parse_daily_papers,
    )

    if not looks_like_page(data):
        from store.catalog.listing import decode, has_controls, parse_listing

        text = decode(data, str(path))
        return parse_listing(text, path.name, year=year, controls=has_controls(data))
    try:
        day = page_day(load_page(data))
        return parse_daily_papers(data, f"hf:{day}" if day else path.name)
    except DailyPapersError as error:
        raise ListingError(
            f"{path}: looks like a saved Hugging Face page but is {error}; save the page's JSON "
            "again (https://huggingface.co/api/daily_papers?date=YYYY-MM-DD)"
        ) from None


def merge_listings(
    table: dict[str, Any],
    listings: Sequence[Listing],
    *,
    blank_doc: dict[str, Any],
    report: ImportReport,
    matched: Mapping[str, str] | None = None,
) -> dict[str, str] | None:
    """Fold `listings` into the catalog's papers `table` (slot -> document), counting into
    `report`; the new abstracts by id, or None when the table did not change (see `Merge`)."""
    merge = Merge(table, blank_doc=blank_doc, matched=matched)
    merge.add(listings)
    return merge.finish(report)


class Merge:
    """Listings folded into the catalog's papers `table` (slot -> document) a part at a time,
    in order: an import folds each file's listings in while the other core still parses the
    later files. `blank_doc` is the document of a paper with no id, title or facts yet: each
    new paper's starts as a copy.

    One paper per work: a listing joins the paper with its arXiv id (the catalog's, or one
    `fetch` matched: `matched` maps such ids to papers) before trying the normalised title; a
    replacement announcement only ever revises a paper the library has."""

    def __init__(
        self,
        table: dict[str, Any],
        *,
        blank_doc: dict[str, Any],
        matched: Mapping[str, str] | None = None,
    ) -> None:
        self.table = table
        self.by_key: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self.slot: dict[str, str] = {}
        for doc_id, doc in table.items():
            key = title_key(doc["title"])
            self.by_key[key] = doc["id"]
            self.ids[doc["id"]] = key
            self.slot[doc["id"]] = doc_id
        self.by_arxiv = {aid: pid for aid, pid in (matched or {}).items() if pid in self.slot}
        for doc in table.values():
            if isinstance(doc.get("arxiv_id"), str):
                self.by_arxiv[doc["arxiv_id"]] = doc["id"]
        self.abstracts: dict[str, str] = {}
        self.touched: dict[str, str] = {}  # id -> "new" | "merged"
        self.seen: set[str] = set()
        self.skipped = 0
        self.next_slot = _next_slot(table)
        self.blank_doc = blank_doc
        # A copy of one blank document, not a Paper made and converted for each: 4 us a paper.
        self.fresh_lists = [name for name, value in blank_doc.items() if isinstance(value, list)]
        self.bare = is_bare(blank_doc)
        self.ordered = in_doc_order(blank_doc)

    def add(self, listings: Sequence[Listing]) -> None:
        table, blank_doc, bare = self.table, self.blank_doc, self.bare
        ordered, added = self.ordered, blank_doc.get("added")
        by_key, ids, slot, by_arxiv = self.by_key, self.ids, self.slot, self.by_arxiv
        abstracts, touched, seen = self.abstracts, self.touched, self.seen
        next_slot = self.next_slot
        for listing in listings:
            key = listing.key or title_key(listing.title)
            pid = by_arxiv.get(listing.arxiv_id) if listing.arxiv_id else None
            if pid is None:
                pid = by_key.get(key)
            if pid is None and listing.announce != "new" and listing.replaces:
                self.skipped += 1
                continue
            if pid is None:
                if listing.key and ids.get(listing.pid, key) == key:
                    pid = listing.pid  # `unique_id`'s answer but on an 80-bit collision
                else:
                    pid = unique_id(key, ids, listing.pid if listing.key else "")
                by_key[key] = pid
                ids[pid] = key
                slot[pid] = doc_id = str(next_slot)
                next_slot += 1
                if ordered:
                    doc = fresh_doc(pid, listing, added)  # type: ignore[arg-type]
                elif bare:
                    doc = new_doc(blank_doc, pid, listing)
                else:
                    doc = blank_doc.copy()
                    doc["id"] = pid
                    doc["title"] = listing.title
                    for name in self.fresh_lists:
                        doc[name] = []
                    fold_listing(doc, listing)
                table[doc_id] = doc
                touched[pid] = "new"
            else:
                doc = table[slot[pid]]
                if touched.get(pid) == "new":
                    fold_listing(doc, listing)
                elif merge_listing(doc, listing):
                    touched[pid] = "merged"
            if listing.abstract and pid not in abstracts:
                abstracts[pid] = listing.abstract
            if listing.arxiv_id:
                by_arxiv.setdefault(listing.arxiv_id, pid)
            seen.add(pid)
        self.next_slot = next_slot

    def finish(self, report: ImportReport) -> dict[str, str] | None:
        """Counts into `report`; the new abstracts by id, or None when the table did not
        change."""
        touched = self.touched
        report.skipped += self.skipped
        report.new_ids = [pid for pid, how in touched.items() if how == "new"]
        report.new = len(report.new_ids)
        report.merged = sum(1 for v in touched.values() if v == "merged")
        report.unchanged = len(self.seen) - report.new - report.merged
        return self.abstracts if touched else None


def lacks_abstracts(table: dict[str, Any], abstracts: dict[str, str]) -> bool:
    """Whether `add_abstracts` would change `table` (without making its documents)."""
    have = {doc["id"]: doc for doc in table.values()}
    return any(pid not in have or not have[pid].get("abstract") for pid in abstracts)


def add_abstracts(table: dict[str, Any], abstracts: dict[str, str]) -> bool:
    """Give papers in the abstracts `table` the abstracts they lack; True when it changed."""
    have = {doc["id"]: doc_id for doc_id, doc in table.items()}
    next_slot = _next_slot(table)
    changed = False
    for pid, text in abstracts.items():
        if pid in have:
            if table[have[pid]].get("abstract"):
                continue
            table[have[pid]]["abstract"] = text
        else:
            table[str(next_slot)] = {"id": pid, "abstract": text}
            next_slot += 1
        changed = True
    return changed


def _next_slot(table: dict[str, Any]) -> int:
    return max((int(k) for k in table if k.isdigit()), default=0) + 1
