"""Parse a Hugging Face Daily Papers JSON page into listings: bytes in, records out, no I/O.

`GET /api/daily_papers?date=YYYY-MM-DD` answers a JSON array of items, each with a `paper`
object (`id` = the arXiv id, `title` and `summary` hard-wrapped, `authors[].name`,
`publishedAt`, `upvotes`; newer pages add `submittedOnDailyAt`, `githubRepo`, `githubStars`,
`projectPage`, `organization{name, fullname}`, `ai_summary`, `ai_keywords`).  The item repeats
`title`/`summary` and may carry `organization` and `numComments`.  Any field may be missing,
null or of another type; unknown fields are ignored.  A page that is not such an array
(an HTML page served with 200, an error object, broken JSON) raises `DailyPapersError`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from store.catalog.links import extract_links, github_repo
from store.catalog.listing import (
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    Listing,
    capped_text,
)
from store.text import one_line

ARXIV_ID_RE = re.compile(
    r"^(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?$"
)
_DAY_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]|$)")
MAX_ITEMS = 20_000
"""A day has about a hundred papers; far more is not a Daily Papers page."""


class DailyPapersError(ValueError):
    """The bytes are not a Daily Papers page; the message says what they are instead."""


def split_arxiv_id(value: object) -> tuple[str | None, int | None]:
    """(`2410.17243`, 2) for `2410.17243v2`; (None, None) for anything not an arXiv id."""
    if not isinstance(value, str):
        return None, None
    match = ARXIV_ID_RE.match(value.strip())
    if match is None:
        return None, None
    version = match["version"]
    return match["id"], int(version) if version else None


def iso_day(value: object) -> str | None:
    """`2024-10-22` from `2024-10-22T17:59:30.000Z`; None for anything else."""
    if not isinstance(value, str):
        return None
    match = _DAY_RE.match(value.strip())
    return match.group(1) if match else None


def load_page(data: bytes) -> list[Any]:
    """The page's items, or DailyPapersError saying why the bytes are not a page."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        raise DailyPapersError("an HTML page, not Daily Papers JSON")
    if not head:
        raise DailyPapersError("an empty answer, not Daily Papers JSON")
    try:
        page = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise DailyPapersError(f"not UTF-8 (bad byte at offset {err.start})") from None
    except (ValueError, RecursionError) as err:
        raise DailyPapersError(f"not valid JSON ({str(err)[:60]})") from None
    if isinstance(page, dict) and isinstance(page.get("error"), str):
        raise DailyPapersError(f"Hugging Face said: {one_line(page['error'])[:120]}")
    if not isinstance(page, list):
        raise DailyPapersError(f"expected a JSON array of papers, got a JSON {_kind(page)}")
    if len(page) > MAX_ITEMS:
        raise DailyPapersError(f"{len(page)} items: too many for one day's page")
    return page


def looks_like_page(data: bytes) -> bool:
    """Whether a file's content is (meant to be) a Daily Papers JSON page rather than a text
    listing: it starts with `[`. Decided on content, never on the file's name."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"["


def page_day(items: list[Any]) -> str | None:
    """The day a saved page is for: the day most of its papers were put on Daily Papers."""
    days: Counter[str] = Counter()
    for item in items:
        if isinstance(item, Mapping):
            day = _daily_day(item)
            if day:
                days[day] += 1
    return days.most_common(1)[0][0] if days else None


def parse_daily_papers(data: bytes, source: str) -> list[Listing]:
    """Every usable paper on the page, in page order; `source` names the pull (`hf:DATE`)."""
    items = load_page(data)
    listings: list[Listing] = []
    for number, item in enumerate(items, start=1):
        listing = _listing(item, source, number)
        if listing is not None:
            listings.append(listing)
    if items and not listings:
        raise DailyPapersError(f"none of its {len(items)} items is a paper with a title")
    return listings


def _kind(value: object) -> str:
    return {dict: "object", str: "string", bool: "boolean"}.get(type(value), "number or null")


def _daily_day(item: Mapping[str, Any]) -> str | None:
    paper = item.get("paper")
    if isinstance(paper, Mapping):
        day = iso_day(paper.get("submittedOnDailyAt"))
        if day:
            return day
    return iso_day(item.get("submittedOnDailyAt")) or iso_day(item.get("publishedAt"))


def _text(*values: object, limit: int = 300) -> str:
    """The first non-blank string on one line, cut to `limit` characters (as imports cut)."""
    for value in values:
        if isinstance(value, str) and value.strip():
            return capped_text(value, limit)[0]
    return ""


def _count(*values: object) -> int | None:
    for value in values:
        # bool is an int in Python; a `true` upvote count is damage, not a number.
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    return None


def _listing(item: object, source: str, number: int) -> Listing | None:
    if not isinstance(item, Mapping):
        return None
    paper = item.get("paper")
    if not isinstance(paper, Mapping):
        # `/api/papers` and some saved files hold the paper objects themselves.
        paper = item
    title = _text(paper.get("title"), item.get("title"), limit=MAX_TITLE_CHARS)
    if not title:
        return None
    abstract = _text(paper.get("summary"), item.get("summary"), limit=MAX_ABSTRACT_CHARS)
    arxiv_id, version = split_arxiv_id(paper.get("id"))
    raw_authors = paper.get("authors")
    authors = tuple(
        name
        for author in (raw_authors if isinstance(raw_authors, list) else [])
        if isinstance(author, Mapping) and (name := _text(author.get("name")))
    )
    links, repos = extract_links(abstract)
    link_list, repo_list = list(links), list(repos)
    for key in ("githubRepo", "projectPage"):
        url = paper.get(key)
        if not isinstance(url, str) or not url.strip().startswith(("http://", "https://")):
            continue
        url = one_line(url)
        if url not in link_list:
            link_list.append(url)
        repo = github_repo(url)
        if repo is not None and repo.casefold() not in {r.casefold() for r in repo_list}:
            # The repository Hugging Face links goes first: it is the paper's own.
            repo_list.insert(0 if key == "githubRepo" else len(repo_list), repo)
    org = paper.get("organization") or item.get("organization")
    org_handle = org_name = None
    if isinstance(org, Mapping):
        org_handle = _text(org.get("name")) or None
        org_name = _text(org.get("fullname")) or None
    return Listing(
        title=title,
        abstract=abstract,
        source=source,
        line=number,
        authors_count=len(authors) or None,
        organization=org_handle or org_name,
        organization_name=org_name if org_handle else None,
        published=iso_day(paper.get("publishedAt")),
        upvotes=_count(paper.get("upvotes"), item.get("upvotes")),
        links=tuple(link_list),
        github=tuple(repo_list),
        arxiv_id=arxiv_id,
        authors=authors,
        version=version,
        github_stars=_count(paper.get("githubStars")) if repo_list else None,
        live=True,
    )
