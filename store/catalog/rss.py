"""Parse an arXiv RSS 2.0 feed (`rss.arxiv.org/rss/CAT`) into listings: bytes in, no I/O.

arXiv's serializer (github.com/arXiv/arxiv-feed) writes one `item` per announcement: `title`,
`link`, `description` (`arXiv:IDvN Announce Type: TYPE \\nAbstract: ...`), `guid`
(`oai:arXiv.org:IDvN`), one `category` per subject, `pubDate`, `arxiv:announce_type` (`new`,
`cross`, `replace`, `replace-cross`, `absonly`), `dc:rights`, optional `arxiv:DOI` and
`arxiv:journal_reference`, and `dc:creator` (names joined by commas, an affiliation in
parentheses after a name).  Weekends and holidays give a channel without items.  The XML goes
through the guarded parser (no DOCTYPE, no entities); an HTML page or anything that is not an
RSS channel raises `RssError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

from store.catalog.hf import split_arxiv_id
from store.catalog.links import extract_links
from store.catalog.listing import (
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    Listing,
    capped_text,
)
from store.safe_xml import XmlError, parse_xml
from store.text import one_line

ARXIV_NS = "{http://arxiv.org/schemas/atom}"
DC_NS = "{http://purl.org/dc/elements/1.1/}"
ANNOUNCE_TYPES = frozenset({"new", "cross", "replace", "replace-cross", "absonly"})
_DESCRIPTION_RE = re.compile(
    r"^\s*arXiv:(?P<id>\S+?)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?(?P<rest>.*)$",
    re.DOTALL,
)
_GUID_RE = re.compile(r"^oai:arXiv\.org:(?P<id>\S+)$")
_ABS_LINK_RE = re.compile(r"^https?://(?:export\.)?arxiv\.org/abs/(?P<id>\S+?)/?$")
_CATEGORY_RE = re.compile(r"^[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")
MAX_ITEMS = 20_000


class RssError(ValueError):
    """The bytes are not an arXiv RSS channel; the message says what they are instead."""


@dataclass(frozen=True, slots=True)
class RssFeed:
    day: str | None
    """The announcement day of the channel (`pubDate`), `YYYY-MM-DD`."""
    listings: list[Listing]
    skipped: int = 0
    """Items without a usable arXiv id or title."""


def split_authors(creator: str) -> tuple[str, ...]:
    """Names from `dc:creator`: commas inside an affiliation's parentheses do not split, and
    the affiliation itself is dropped (`A (MIT, CSAIL), B` gives `A`, `B`)."""
    names: list[str] = []
    depth = 0
    current: list[str] = []
    for char in creator:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            if char == ",":
                names.append("".join(current))
                current = []
            else:
                current.append(char)
    names.append("".join(current))
    cleaned = (one_line(name) for name in names)
    return tuple(name for name in cleaned if name and name.casefold() != "et al.")


def parse_arxiv_rss(data: bytes, categories: tuple[str, ...]) -> RssFeed:
    """The feed's announcements; each listing's source is `arxiv:CAT` for the first of the
    requested `categories` it is listed under (else the first requested)."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        raise RssError("an HTML page, not an RSS feed")
    if not head:
        raise RssError("an empty answer, not an RSS feed")
    try:
        root = parse_xml(data)
    except XmlError as err:
        raise RssError(f"not an RSS feed: {err}") from None
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise RssError(f"not an RSS feed (the document is <{_local(root.tag)[:20]}>)")
    title = one_line(channel.findtext("title") or "")
    if title.startswith("Feed error"):
        raise RssError(f"arXiv said: {one_line(channel.findtext('description') or title)[:160]}")
    items = channel.findall("item")
    if len(items) > MAX_ITEMS:
        raise RssError(f"{len(items)} items: more than any arXiv feed holds")
    listings: list[Listing] = []
    for number, item in enumerate(items, start=1):
        listing = _listing(item, number, categories)
        if listing is not None:
            listings.append(listing)
    if items and not listings:
        raise RssError(f"none of its {len(items)} items is an arXiv paper with a title")
    return RssFeed(_day(channel.findtext("pubDate")), listings, len(items) - len(listings))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _day(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value.strip()).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _listing(item: ET.Element, number: int, requested: tuple[str, ...]) -> Listing | None:
    title = capped_text(item.findtext("title") or "", MAX_TITLE_CHARS)[0]
    description = item.findtext("description") or ""
    match = _DESCRIPTION_RE.match(description)
    raw_id = match["id"] if match else None
    abstract = capped_text(match["rest"] if match else description, MAX_ABSTRACT_CHARS)[0]
    announce = (item.findtext(f"{ARXIV_NS}announce_type") or "").strip().lower()
    if announce not in ANNOUNCE_TYPES:
        announce = match["type"].lower() if match else "new"
        if announce not in ANNOUNCE_TYPES:
            announce = "new"
    arxiv_id, version = split_arxiv_id(raw_id)
    if arxiv_id is None:
        guid = _GUID_RE.match((item.findtext("guid") or "").strip())
        arxiv_id, version = split_arxiv_id(guid["id"] if guid else None)
    if arxiv_id is None:
        link = _ABS_LINK_RE.match((item.findtext("link") or "").strip())
        arxiv_id, version = split_arxiv_id(link["id"] if link else None)
    if arxiv_id is None or not title:
        return None
    categories: list[str] = []
    for element in item.findall("category"):
        term = (element.text or element.get("term") or "").strip()
        if _CATEGORY_RE.match(term) and len(term) <= 40 and term not in categories:
            categories.append(term)
    doi = " ".join((item.findtext(f"{ARXIV_NS}DOI") or "").split()[:1]) or None
    journal_ref = one_line(item.findtext(f"{ARXIV_NS}journal_reference") or "") or None
    authors = split_authors(item.findtext(f"{DC_NS}creator") or "")
    links, repos = extract_links(abstract)
    source_category = next((c for c in requested if c in categories), requested[0])
    return Listing(
        title=title,
        abstract=abstract,
        source=f"arxiv:{source_category}",
        line=number,
        authors_count=len(authors) or None,
        published=_day(item.findtext("pubDate")),
        links=(f"https://arxiv.org/abs/{arxiv_id}", *links),
        github=repos,
        arxiv_id=arxiv_id,
        authors=authors,
        categories=tuple(categories),
        doi=doi,
        journal_ref=journal_ref,
        version=version,
        announce=announce,
        live=True,
    )
