"""One pull: which pages to ask for, asking, and folding each page into the catalog.

A page is the unit of all-or-nothing: a Hugging Face day, or one arXiv RSS request (its
categories joined with `+`).  Each page is fetched, parsed and merged in one catalog write
before the next is asked for; the first failure stops the run with one line naming the source
and what to do, and leaves everything that page would have changed untouched.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from store.catalog.hf import DailyPapersError, parse_daily_papers
from store.catalog.rss import RssError, parse_arxiv_rss
from store.enrich.net import ApiClient, Cancelled
from store.errors import UsageError
from store.pull.client import Pacer, PullFailed, fetch_page
from store.pull.state import FeedState, PullState

if TYPE_CHECKING:
    from store.library import Library

MAX_MISSED_DAYS = 7
CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")
HF_DEFAULT = "https://huggingface.co/api"
RSS_DEFAULT = "https://rss.arxiv.org/rss"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PullSettings:
    hf_api: str = HF_DEFAULT
    arxiv_rss: str = RSS_DEFAULT
    arxiv_delay: float = 3.0
    """Seconds between arXiv requests, shared with `fetch` (PAPERDECK_ARXIV_DELAY)."""
    timeout: float = 20.0
    max_bytes: int = 64 * 1024 * 1024
    """An arXiv feed of 2,000 items is a few MB; a day of Hugging Face well under one."""
    retries: int = 3
    sources: tuple[str, ...] = ("hf",)
    """What `paperdeck pull` (and `P` in the app) pulls when no source is named."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str], configured: Sequence[str] = ()) -> PullSettings:
        """From `PAPERDECK_HF_API`, `PAPERDECK_ARXIV_RSS`, `PAPERDECK_ARXIV_DELAY`,
        `PAPERDECK_FETCH_TIMEOUT` and `PAPERDECK_PULL` (sources, e.g. `hf arxiv:cs.LG+cs.CL`),
        which wins over `configured` (a configuration file's `[pull] sources`), else `hf`."""
        # The same checks `fetch` applies to its variables.
        from store.enrich.run import _api_url, _seconds

        defaults = cls()
        raw_sources = environ.get("PAPERDECK_PULL", "").split()
        sources = tuple(raw_sources) or tuple(configured) or defaults.sources
        for source in sources:
            parse_source(source, name="PAPERDECK_PULL")
        return cls(
            hf_api=_api_url(environ, "PAPERDECK_HF_API", defaults.hf_api),
            arxiv_rss=_api_url(environ, "PAPERDECK_ARXIV_RSS", defaults.arxiv_rss),
            arxiv_delay=_seconds(environ, "PAPERDECK_ARXIV_DELAY", defaults.arxiv_delay),
            timeout=_seconds(environ, "PAPERDECK_FETCH_TIMEOUT", defaults.timeout, minimum=0.1),
            sources=sources,
        )


@dataclass(frozen=True, slots=True)
class Target:
    """One page to pull."""

    kind: str
    """`hf` or `arxiv`."""
    day: date | None = None
    categories: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        if self.kind == "hf":
            assert self.day is not None
            return f"hf:{self.day.isoformat()}"
        return "arxiv:" + "+".join(self.categories)

    @property
    def label(self) -> str:
        if self.kind == "hf":
            assert self.day is not None
            return f"Hugging Face ({self.day.isoformat()})"
        return f"arXiv ({'+'.join(self.categories)})"


@dataclass
class SourceReport:
    source: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    """Replacements of papers not in the library, and RSS items without an arXiv id."""
    not_modified: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "not_modified": self.not_modified,
        }


@dataclass
class PullSummary:
    sources: list[SourceReport] = field(default_factory=list)
    error: str | None = None
    """The one line saying why the run stopped early."""
    cancelled: bool = False
    new_ids: list[str] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(s.new for s in self.sources)

    @property
    def updated(self) -> int:
        return sum(s.updated for s in self.sources)

    @property
    def unchanged(self) -> int:
        return sum(s.unchanged for s in self.sources)

    @property
    def exit_code(self) -> int:
        if self.error:
            return 1
        return 130 if self.cancelled else 0

    def to_json(self) -> dict[str, object]:
        return {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "sources": [s.to_json() for s in self.sources],
            "error": self.error,
            "cancelled": self.cancelled,
        }


def parse_source(text: str, *, name: str = "pull") -> Target | None:
    """`hf` gives None (its days are worked out later); `arxiv:cs.LG+cs.CL` an RSS target."""
    if text == "hf":
        return None
    if text.startswith("arxiv:"):
        return Target("arxiv", categories=parse_categories([text[6:]], name=f"{name} arxiv"))
    raise UsageError(f"{name}: unknown source {text!r}; use hf or arxiv:CATEGORY[+CATEGORY...]")


def parse_categories(values: Sequence[str], *, name: str = "pull arxiv") -> tuple[str, ...]:
    categories: list[str] = []
    for value in values:
        for part in value.split("+"):
            part = part.strip()
            if not CATEGORY_RE.match(part) or len(part) > 40:
                raise UsageError(
                    f"{name}: {part!r} is not an arXiv category; use names such as cs.LG, "
                    "math.OC or hep-th"
                )
            if part not in categories:
                categories.append(part)
    if not categories:
        raise UsageError(f"{name}: name at least one arXiv category, such as cs.LG")
    return tuple(categories)


def parse_day(text: str, today: date) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"pull hf: {text!r} is not a date; use YYYY-MM-DD") from None
    if day > today:
        raise UsageError(f"pull hf: {text} is in the future (today is {today} UTC)")
    return day


def hf_days(today: date, last_pulled: str | None) -> list[date]:
    """Today (UTC) and every day since the last successful pull, at most seven.

    The last pulled day is asked for again: a page pulled early in its day fills up later,
    and asking again only refreshes upvotes and stars.
    """
    first = today
    if last_pulled:
        try:
            first = min(today, date.fromisoformat(last_pulled))
        except ValueError:
            first = today
    first = max(first, today - timedelta(days=MAX_MISSED_DAYS - 1))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def pull(
    library: Library,
    targets: Sequence[Target],
    *,
    settings: PullSettings,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PullSummary:
    """Pull `targets` in order into `library`; stops at the first failure or cancellation."""
    summary = PullSummary()
    state = PullState(library.root, library.catalog_file.lock_timeout)
    apis: dict[str, ApiClient] = {}
    pacers: dict[str, Pacer] = {}
    try:
        for done, target in enumerate(targets):
            if cancelled():
                summary.cancelled = True
                break
            if progress is not None:
                progress(done, len(targets), target.label)
            base = settings.hf_api if target.kind == "hf" else settings.arxiv_rss
            if target.kind not in apis:
                apis[target.kind] = ApiClient(
                    base,
                    service=target.label,
                    timeout=settings.timeout,
                    max_bytes=settings.max_bytes,
                )
                pacers[target.kind] = Pacer(
                    settings.arxiv_delay if target.kind == "arxiv" else 0.0,
                    sleep=sleep,
                    clock=clock,
                    cancelled=cancelled,
                )
            try:
                report = _pull_one(
                    library, state, target, apis[target.kind], pacers[target.kind], settings, now
                )
            except PullFailed as err:
                summary.error = str(err)
                break
            except Cancelled:
                summary.cancelled = True
                break
            summary.sources.append(report[0])
            summary.new_ids.extend(report[1])
        else:
            if progress is not None:
                progress(len(targets), len(targets), "done")
    finally:
        for api in apis.values():
            api.close()
    return summary


def _pull_one(
    library: Library,
    state: PullState,
    target: Target,
    api: ApiClient,
    pacer: Pacer,
    settings: PullSettings,
    now: Callable[[], datetime],
) -> tuple[SourceReport, list[str]]:
    stored = state.feed(target.key)
    revalidate = _has_source(library, target)
    if target.kind == "hf":
        assert target.day is not None
        url = f"{settings.hf_api}/daily_papers"
        params: dict[str, str] | None = {"date": target.day.isoformat()}
    else:
        url = f"{settings.arxiv_rss}/{'+'.join(target.categories)}"
        params = None
    page = fetch_page(
        api,
        url,
        what=target.label,
        params=params,
        etag=stored.etag if revalidate else None,
        last_modified=stored.last_modified if revalidate else None,
        pacer=pacer,
        retries=settings.retries,
        now=now,
    )
    report = SourceReport(target.key)
    pulled_at = now().isoformat(timespec="seconds")
    if page.not_modified:
        report.not_modified = True
        state.save(FeedState(target.key, stored.etag, stored.last_modified, pulled_at))
        return report, []
    try:
        if target.kind == "hf":
            listings = parse_daily_papers(page.body, target.key)
            skipped = 0
        else:
            feed = parse_arxiv_rss(page.body, target.categories)
            listings, skipped = feed.listings, feed.skipped
    except (DailyPapersError, RssError) as err:
        raise PullFailed(
            f"{target.label}: the answer was {err}; a proxy or captive portal may be in the "
            "way, or the address is wrong: check your network and the source's address, then "
            "pull again"
        ) from None
    merged = library.merge_listings(listings)
    report.new, report.updated, report.unchanged = merged.new, merged.merged, merged.unchanged
    report.skipped = skipped + merged.skipped
    state.save(FeedState(target.key, page.etag, page.last_modified, pulled_at))
    return report, merged.new_ids


def _has_source(library: Library, target: Target) -> bool:
    """Whether the catalog holds anything this target brought: only then may a 304 stand in
    for the page (a catalog restored from elsewhere must get the page in full)."""
    if target.kind == "hf":
        wanted = {target.key}
    else:
        wanted = {f"arxiv:{c}" for c in target.categories}
    return any(not wanted.isdisjoint(p.sources) for p in library.papers().values())


def plan(
    library: Library,
    sources: Sequence[str],
    *,
    days: Sequence[str] = (),
    today: date,
) -> list[Target]:
    """The pages a pull asks for: `sources` as in PAPERDECK_PULL (`hf`, `arxiv:CAT+CAT`)."""
    targets: list[Target] = []
    for source in sources:
        target = parse_source(source)
        if target is not None:
            targets.append(target)
            continue
        if days:
            chosen = sorted({parse_day(d, today) for d in days})
        else:
            chosen = hf_days(today, PullState(library.root).last_hf_day())
        targets.extend(Target("hf", day=d) for d in chosen)
    return targets
