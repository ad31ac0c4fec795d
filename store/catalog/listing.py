"""Parse Hugging Face "Daily Papers" text dumps into listings: text in, records out, no I/O.

A file is page chrome and a listing date, then records separated by blank lines::

    Title

    Abstract (one line)

      • 5 authors            (or an organisation line: "kyutai Kyutai")
    ·
    Aug 11, 2024 2          (Mon D[, YYYY][ UPVOTES])

The metadata block is optional.  Dates without a year belong to the listing's year, which the
site omits: the year after the latest explicit year in the same file, or `year` when the file
has none.  Anything that does not fit raises `ListingError` naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from store.catalog.blocks import blocks as text_blocks
from store.catalog.links import extract_links
from store.errors import ListingError
from store.text import one_line, printable

CHROME = frozenset(
    {
        "new",
        "Get trending papers in your email inbox!",
        "Subscribe",
        "Daily Papers",
        "byAK and the research community",
    }
)
MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        start=1,
    )
}
_MONTH = "(" + "|".join(MONTHS) + ")"
LISTING_DATE_RE = re.compile(rf"^{_MONTH} (\d{{1,2}})$")
DATE_LINE_RE = re.compile(rf"^{_MONTH} (\d{{1,2}})(?:, (\d{{4}}))?(?: (\d{{1,9}}))?$")
AUTHORS_RE = re.compile(r"^•\s*(\d{1,6}) authors?$")
ORG_RE = re.compile(r"^(\S+)(?:\s+(.+))?$")
MAX_ABSTRACT_CHARS = 20_000
"""Longer abstracts are cut at import, with a warning: ten times the longest arXiv abstract,
and a 50 MB line would otherwise cost gigabytes in every later load and search."""
MAX_TITLE_CHARS = 1_000


@dataclass(slots=True)
class Listing:
    """One appearance of a paper in one listing file: made by a parser (and given its `key`
    and `pid` as its file is read), read by the importer, never changed after. Not `frozen`:
    a frozen dataclass sets each of its 23 fields through `object.__setattr__`, 5 us a listing
    where this takes 0.3 us (0.5 s of a 100k import)."""

    title: str
    abstract: str
    source: str
    line: int
    authors_count: int | None = None
    organization: str | None = None
    organization_name: str | None = None
    published: str | None = None
    upvotes: int | None = None
    links: tuple[str, ...] = ()
    github: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """What import changed about this record (an abstract cut to MAX_ABSTRACT_CHARS)."""
    key: str = ""
    """`store.text.title_key(title)`, where the file's parse computed it; "" where not (the
    importer then does)."""
    pid: str = ""
    """`store.catalog.importing.paper_id(key)`, with `key` (see `keyed`)."""
    arxiv_id: str | None = None
    """Without the version suffix."""
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    doi: str | None = None
    journal_ref: str | None = None
    version: int | None = None
    github_stars: int | None = None
    announce: str = "new"
    """arXiv's announce type (`new`, `cross`, `replace`, `replace-cross`, `absonly`); a
    replacement revises a paper already known and never adds one."""
    live: bool = False
    """Figures (upvotes, stars) are a service's current ones: they replace stored figures
    instead of the larger one winning, so a re-pull refreshes them."""

    @property
    def replaces(self) -> bool:
        return self.announce.startswith("replace")


def capped_text(text: str, limit: int) -> tuple[str, int | None]:
    """`one_line(text)` cut to at most `limit` characters (at a word where one is near), and
    the raw length when it was cut, else None.  Only about `2 * limit` characters of a huge
    line are ever cleaned, so memory stays bounded by the input itself."""
    if len(text) <= limit:
        return one_line(text), None
    cleaned = one_line(text[: 2 * limit])
    if len(cleaned) <= limit and len(text) <= 2 * limit:
        return cleaned, None  # it was long only in whitespace and controls
    cut = cleaned[:limit]
    space = cut.rfind(" ", limit - 200)
    return (cut[:space] if space > 0 else cut) + " […]", len(text)


def _capped(text: str, limit: int, controls: bool) -> tuple[str, int | None]:
    """`capped_text`; for ASCII text from a file without control characters, that is the text
    itself unless it is too long or has spaces to collapse (`one_line`'s own test, but for its
    look for controls)."""
    if (
        controls
        or len(text) > limit
        or not text.isascii()
        or "  " in text
        or text[:1] == " "
        or text[-1:] == " "
    ):
        return capped_text(text, limit)
    return text, None


def _is_metadata(block: str) -> bool:
    if "•" not in block and "·" not in block:
        return False  # most blocks, abstracts above all: no need to split them
    lines = block.split("\n", 2)
    first = lines[0].strip()
    return first.startswith("•") or first == "·" or (len(lines) > 1 and lines[1].strip() == "·")


def decode(data: bytes, source: str) -> str:
    """Text of a listing file: UTF-8 with or without a BOM; anything else is refused."""
    if not data or data.isspace():  # `not data.strip()`, without copying the file
        raise ListingError(f"{source}: the file is empty; expected a Daily Papers listing")
    if b"\x00" in data:
        raise ListingError(f"{source}: binary data, not a text listing; pass a .txt listing file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ListingError(
            f"{source}: not UTF-8 text (bad byte at offset {err.start}); "
            "save the listing as UTF-8 and import it again"
        ) from None
    return text


def has_controls(data: bytes) -> bool:
    """Whether a listing file's bytes hold an ASCII control character other than a line break
    (`parse_listing`'s `controls`): one C pass over the file, 8 ms for 8 MB, where checking
    each title and abstract alone took 20 ms."""
    return len(data.translate(None, _CONTROLS_BUT_BREAKS)) != len(data)


_CONTROLS_BUT_BREAKS = bytes([*range(0x20), 0x7F]).translate(None, b"\n\r")


def parse_listing(
    text: str, source: str, *, year: int | None = None, controls: bool = True
) -> list[Listing]:
    """Every record in one listing file, in file order.

    `source` names the file in records and in error messages; `year` is the listing's year for
    files that give no explicit year anywhere.  `controls=False`: the text has no ASCII control
    character but line breaks (`has_controls`), so its ASCII titles and abstracts need no
    cleaning of them.
    """
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = text_blocks(text)
    index = 0
    # Page chrome and the listing date come first; a file without them is fine too.
    while index < len(blocks):
        lines = [line.strip() for line in blocks[index][1].split("\n")]
        if all(line in CHROME or LISTING_DATE_RE.match(line) for line in lines):
            index += 1
            continue
        break
    raw: list[tuple[int, str, str, str | None, int]] = []
    while index < len(blocks):
        line_no, title_block = blocks[index]
        if _is_metadata(title_block):
            raise ListingError(
                f"{source} line {line_no}: author/date lines without a paper before them; "
                "expected a title line"
            )
        if index + 1 >= len(blocks):
            raise ListingError(
                f"{source} line {line_no}: title {_first_line(title_block)!r} has no "
                "abstract after it; expected title, blank line, abstract"
            )
        abstract_line, abstract_block = blocks[index + 1]
        if _is_metadata(abstract_block):
            raise ListingError(
                f"{source} line {abstract_line}: expected the abstract of "
                f"{_first_line(title_block)!r}, found author/date lines"
            )
        meta: str | None = None
        meta_line = 0
        index += 2
        if index < len(blocks) and _is_metadata(blocks[index][1]):
            meta_line, meta = blocks[index]
            index += 1
        title_text = title_block.replace("\n", " ")
        raw.append((line_no, title_text, abstract_block.replace("\n", " "), meta, meta_line))
    if not raw:
        raise ListingError(f"{source}: no paper records found; is this a Daily Papers listing?")

    parsed_meta = [_parse_metadata(meta, source, line) for *_, meta, line in raw if meta]
    explicit_years = [m[3] for m in parsed_meta if m[3] is not None]
    listing_year = max(explicit_years) + 1 if explicit_years else year

    listings: list[Listing] = []
    metas = iter(parsed_meta)
    for line_no, title, abstract, meta, meta_line in raw:
        warnings: list[str] = []
        title, title_length = _capped(title, MAX_TITLE_CHARS, controls)
        if title_length is not None:
            warnings.append(
                f"{source} line {line_no}: a title of {title_length:,} characters; kept the "
                f"first {MAX_TITLE_CHARS:,}"
            )
        abstract, abstract_length = _capped(abstract, MAX_ABSTRACT_CHARS, controls)
        if abstract_length is not None:
            warnings.append(
                f"{source} line {line_no}: the abstract of {title[:60]!r} has "
                f"{abstract_length:,} characters; kept the first {MAX_ABSTRACT_CHARS:,}"
            )
        links, github = extract_links(abstract)
        authors = org = org_name = published = None
        upvotes = None
        if meta:
            authors, org, org_name, explicit, month, day, upvotes = next(metas)
            published = _iso_date(explicit or listing_year, month, day, source, meta_line)
        listings.append(
            Listing(  # positional, in field order: a third cheaper for 100k listings
                title,
                abstract,
                source,
                line_no,
                authors,
                org,
                org_name,
                published,
                upvotes,
                links,
                github,
                tuple(warnings),
                title.casefold(),  # `title_key(title)`: the title is on one line already
            )
        )
    return listings


def _first_line(block: str) -> str:
    return one_line(block.partition("\n")[0][:200])[:60]


def _clean_line(line: str) -> str:
    """`one_line(line)`, from `strip()` alone when that leaves clean text (only a space is
    both whitespace and printable, and no escape sequence starts with whitespace)."""
    stripped = line.strip()
    if printable(stripped) and "  " not in stripped:
        return stripped
    return one_line(line)


_Meta = tuple[int | None, str | None, str | None, int | None, int, int, int | None]


_PLAIN_META_RE = re.compile(
    r" *• ?(\d{1,6}) authors? *\n *· *\n"
    rf" *{_MONTH} (\d{{1,2}})(?:, (\d{{4}}))?(?: (\d{{1,9}}))? *"
)
"""The usual metadata block, already clean but for outer spaces: read by one expression."""


def _parse_metadata(block: str, source: str, line_no: int) -> _Meta:
    """(authors, org handle, org name, explicit year, month, day, upvotes) of a metadata block."""
    plain = _PLAIN_META_RE.fullmatch(block)
    if plain is not None:  # what the lines below make of it, without cleaning each line
        authors, month_name, day, explicit, votes = plain.groups()
        return (
            int(authors),
            None,
            None,
            int(explicit) if explicit else None,
            MONTHS[month_name],
            int(day),
            int(votes) if votes else None,
        )
    lines = [_clean_line(line) for line in block.split("\n")]
    if len(lines) != 3 or lines[1] != "·":
        raise ListingError(
            f"{source} line {line_no}: expected '• N authors' or an organisation, then '·', then a "
            f"date, got {' / '.join(lines)[:80]!r}"
        )
    who, _, when = lines
    authors = org = org_name = None
    if who.startswith("•"):
        match = AUTHORS_RE.match(who)
        if match is None:
            raise ListingError(f"{source} line {line_no}: expected '• N authors', got {who[:60]!r}")
        authors = int(match.group(1))
    else:
        org_match = ORG_RE.match(who)
        assert org_match is not None  # `who` is non-blank, so it has a first word
        org, org_name = org_match.group(1), org_match.group(2)
    date_match = DATE_LINE_RE.match(when)
    if date_match is None:
        raise ListingError(
            f"{source} line {line_no + 2}: expected a date such as 'Aug 11, 2024 5', "
            f"got {when[:60]!r}"
        )
    month_name, day, explicit, votes = date_match.groups()
    return (
        authors,
        org,
        org_name,
        int(explicit) if explicit else None,
        MONTHS[month_name],
        int(day),
        int(votes) if votes else None,
    )


def _iso_date(year: int | None, month: int, day: int, source: str, line_no: int) -> str | None:
    if year is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise ListingError(
            f"{source} line {line_no + 2}: {year}-{month:02d}-{day:02d} is not a real date"
        ) from None
