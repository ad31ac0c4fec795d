"""arXiv API client: search by title, parse the Atom answer safely, accept only the same paper.

Matching rules (a wrong paper is worse than none):
- titles are compared after `normalise_title`: TeX accents and formatting commands undone,
  Unicode NFKC, case folded, accents dropped, punctuation turned into spaces, whitespace
  (line breaks, double spaces) collapsed; `+` is kept so `PointNet` is not `PointNet++`;
- equal normalised titles match; a near title (`fuzz.ratio >= 95`, same number of words, same
  words with digits or `+`) matches only when the listing's author count agrees, as
  corroboration;
- where the listing knows the author count, it must equal the candidate's;
- where the listing knows a date, it must lie within `DATE_TOLERANCE` (400 days: a year plus
  slack for late listings and time zones) of the candidate's first or latest version;
- two different papers passing all of this is ambiguous and counts as not found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from xml.etree import ElementTree as ET

from rapidfuzz import fuzz

from store import safe_xml
from store.enrich.net import (
    ApiClient,
    Cancelled,
    RequestFailed,
    retry_after_seconds,
)
from store.models import Paper
from store.text import normalise, one_line

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"

MIN_TITLE_RATIO = 95.0
DATE_TOLERANCE = timedelta(days=400)
MAX_RESULTS = 5
MAX_RETRY_AFTER = 120.0
"""Longer `Retry-After` requests stop the arXiv part of the run instead of blocking it."""
QUERY_WORD_LIMIT = 30

_ID_IN_URL = re.compile(
    r"^https?://(?:export\.)?arxiv\.org/abs/"
    r"(?P<id>(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)$"
)
_VERSION = re.compile(r"v(\d+)$")
# A DOI as Crossref defines it: `10.` + registrant + `/` + suffix (no spaces).
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_CATEGORY = re.compile(r"^[A-Za-z][A-Za-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")
# Formatting commands vanish; other commands keep their name (`$\\alpha$` reads as `alpha`).
_TEX_FORMATTING = re.compile(
    r"\\(?:text(?:bf|it|sc|tt|rm|sf)|math(?:bf|cal|rm|bb|it|sf|tt|frak)|emph|bm)\b"
)
_TEX_ACCENT = re.compile(r"""\\["'`^~=.]\{?([A-Za-z])\}?""")


class FeedError(Exception):
    """The answer could not be used; `word` is the paper's status (`malformed` or `error`)."""

    def __init__(self, word: str, detail: str) -> None:
        super().__init__(detail)
        self.word = word


class Throttled(Exception):
    """arXiv kept answering 429/503 or asked for a longer pause than we wait: stop asking."""


@dataclass(frozen=True, slots=True)
class ArxivEntry:
    arxiv_id: str
    """Without the version suffix, so links lead to the latest version."""
    title: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    """Primary category first."""
    pdf_url: str
    published: date | None
    updated: date | None
    doi: str | None = None
    journal_ref: str | None = None
    primary_category: str | None = None
    version: int | None = None
    """The version the answer describes (`v3` in the entry id)."""


# ---------------------------------------------------------------------------------------------
# Titles and matching


def normalise_title(title: str) -> str:
    """A title as `store.text.normalise` sees it once TeX markup and accents are undone."""
    text = _TEX_ACCENT.sub(r"\1", title)
    text = _TEX_FORMATTING.sub(" ", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    # Accents folded: listings write `é` where arXiv titles often keep TeX.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return normalise(text)


def title_query(title: str) -> str:
    """The `search_query` for a title: one quoted phrase of plain lower-case words.

    Punctuation and quotes are dropped, and lower case keeps words like AND or OR from being
    read as operators.  Very long titles are cut to their first words; matching still checks
    the whole title.
    """
    words = normalise_title(title).replace("+", " ").split()[:QUERY_WORD_LIMIT]
    return f'ti:"{" ".join(words)}"'


def title_score(listed: str, candidate: str) -> float:
    """0..100 on normalised titles; 0 unless word counts and marker words agree.

    Marker words carry digits or `+` (`Llama 2`, `PointNet++`): they name a different paper
    when they differ, however small the edit, so they must be equal and in the same order.
    """
    a, b = normalise_title(listed), normalise_title(candidate)
    if not a or not b:
        return 0.0
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b) or _markers(words_a) != _markers(words_b):
        return 0.0
    return float(fuzz.ratio(a, b))


def _markers(words: list[str]) -> list[str]:
    return [w for w in words if "+" in w or any(c.isdigit() for c in w)]


def contradicts(paper: Paper, entry: ArxivEntry) -> bool:
    """True when what the listing knows rules the candidate out."""
    if paper.authors_count is not None and paper.authors_count != len(entry.authors):
        return True
    listed = _parse_date(paper.published)
    if listed is not None:
        known = [d for d in (entry.published, entry.updated) if d is not None]
        if known and all(abs(listed - d) > DATE_TOLERANCE for d in known):
            return True
    return False


def choose_match(paper: Paper, entries: list[ArxivEntry]) -> ArxivEntry | None:
    """The one entry that is this paper, or None when there is none or it is ambiguous."""
    # An exact title stands on its own; a near one needs the author count to agree as well.
    needed = MIN_TITLE_RATIO if paper.authors_count is not None else 100.0
    scored = [
        (score, entry)
        for entry in entries
        if (score := title_score(paper.title, entry.title)) >= needed
        and not contradicts(paper, entry)
    ]
    if not scored:
        return None
    best = max(score for score, _ in scored)
    ids = {entry.arxiv_id for score, entry in scored if score == best}
    if len(ids) != 1:
        return None
    return next(entry for score, entry in scored if score == best)


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_xml(body: bytes) -> ET.Element:
    """Parse with the guarded parser (no DOCTYPE, so no entity expansion)."""
    try:
        return safe_xml.parse_xml(body)
    except safe_xml.XmlError as err:
        raise FeedError("malformed", str(err)) from err


def parse_feed(body: bytes) -> list[ArxivEntry]:
    """Entries of an arXiv Atom feed; raises FeedError for damage or an API error entry."""
    root = parse_xml(body)
    if root.tag != f"{ATOM}feed":
        raise FeedError("malformed", "not an Atom feed")
    total = root.findtext(f"{OPENSEARCH}totalResults")
    if total is not None and not total.strip().isdigit():
        raise FeedError("malformed", "totalResults is not a number")
    raw_entries = root.findall(f"{ATOM}entry")
    if len(raw_entries) == 1 and _is_error_entry(raw_entries[0]):
        summary = one_line(raw_entries[0].findtext(f"{ATOM}summary") or "", limit=200)
        raise FeedError("error", f"arXiv reported an error: {summary or 'no detail'}")
    entries = [e for e in map(_parse_entry, raw_entries) if e is not None]
    if raw_entries and not entries:
        raise FeedError("malformed", "no usable entry")
    return entries


def _is_error_entry(element: ET.Element) -> bool:
    title = " ".join((element.findtext(f"{ATOM}title") or "").split())
    ident = element.findtext(f"{ATOM}id") or ""
    return title == "Error" and ("/api/errors" in ident or not _ID_IN_URL.match(ident.strip()))


def _parse_entry(element: ET.Element) -> ArxivEntry | None:
    match = _ID_IN_URL.match((element.findtext(f"{ATOM}id") or "").strip())
    title = one_line(element.findtext(f"{ATOM}title") or "", limit=1000)
    if match is None or not title:
        return None
    arxiv_id = _VERSION.sub("", match["id"])
    version = _VERSION.search(match["id"])
    authors = tuple(
        name
        for author in element.findall(f"{ATOM}author")
        if (name := one_line(author.findtext(f"{ATOM}name") or "", limit=300))
    )
    categories: list[str] = []
    primary = element.find(f"{ARXIV}primary_category")
    terms = [primary.get("term", "")] if primary is not None else []
    terms += [c.get("term", "") for c in element.findall(f"{ATOM}category")]
    for term in terms:
        term = term.strip()
        if _CATEGORY.match(term) and term not in categories and len(term) <= 40:
            categories.append(term)
    return ArxivEntry(
        arxiv_id=arxiv_id,
        title=title,
        authors=authors,
        categories=tuple(categories),
        pdf_url=_pdf_url(element, arxiv_id),
        published=_parse_date(element.findtext(f"{ATOM}published")),
        updated=_parse_date(element.findtext(f"{ATOM}updated")),
        doi=_doi(element.findtext(f"{ARXIV}doi")),
        journal_ref=one_line(element.findtext(f"{ARXIV}journal_ref") or "", limit=300) or None,
        primary_category=terms[0].strip()
        if primary is not None and terms[0].strip() in categories
        else None,
        version=int(version[1]) if version else None,
    )


def _doi(value: str | None) -> str | None:
    """The first DOI arXiv lists (some entries carry several, space-separated); None if it
    does not look like one."""
    words = (value or "").split()
    doi = words[0] if words else ""
    return doi if _DOI.match(doi) and len(doi) <= 200 else None


def _pdf_url(element: ET.Element, arxiv_id: str) -> str:
    for link in element.findall(f"{ATOM}link"):
        if link.get("title") == "pdf":
            href = link.get("href", "").strip()
            found = re.match(r"^https?://(?:export\.)?arxiv\.org/pdf/([\w./-]+)$", href)
            if found:
                return f"https://arxiv.org/pdf/{found[1]}"
    return f"https://arxiv.org/pdf/{arxiv_id}"


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None


# ---------------------------------------------------------------------------------------------
# The client


class ArxivClient:
    """Searches arXiv one request at a time, at least `delay` seconds after the last answer.

    arXiv asks for no more than one request every three seconds.  `sleep` and `clock` are
    injected so tests can check the spacing without waiting; `cancelled` is polled while
    waiting so a long pause never delays a cancellation by more than half a second.
    """

    def __init__(
        self,
        api: ApiClient,
        *,
        delay: float,
        retries: int,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        now: Callable[[], datetime],
        cancelled: Callable[[], bool],
    ) -> None:
        self.api = api
        self.delay = delay
        self.retries = retries
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._cancelled = cancelled
        self._next_allowed: float | None = None

    def search(self, title: str) -> list[ArxivEntry]:
        """Candidates for a title; raises FeedError, RequestFailed, Throttled, Cancelled."""
        params: dict[str, str | int] = {
            "search_query": title_query(title),
            "start": 0,
            "max_results": MAX_RESULTS,
        }
        for attempt in range(self.retries + 1):
            self._wait_turn()
            try:
                response = self.api.get(self.api.base_url, params=params, max_redirects=2)
            finally:
                self._next_allowed = self._clock() + self.delay
            if response.status in (429, 503):
                pause = retry_after_seconds(response.headers.get("retry-after"), self._now())
                if pause is None:
                    pause = max(self.delay, 1.0) * 2**attempt
                if pause > MAX_RETRY_AFTER:
                    raise Throttled(f"arXiv asked to wait {pause:.0f} s; try again later")
                if attempt == self.retries:
                    break
                self._next_allowed = self._clock() + max(self.delay, pause)
                continue
            if response.status == 200:
                return parse_feed(response.body)
            if 300 <= response.status < 400:
                raise RequestFailed("redirect", f"HTTP {response.status}")
            raise RequestFailed("error", f"HTTP {response.status}")
        raise Throttled(f"arXiv is busy (HTTP 429/503 after {self.retries + 1} tries)")

    def _wait_turn(self) -> None:
        while True:
            if self._cancelled():
                raise Cancelled
            if self._next_allowed is None:
                return
            remaining = self._next_allowed - self._clock()
            if remaining <= 0:
                return
            self._sleep(min(remaining, 0.5))
