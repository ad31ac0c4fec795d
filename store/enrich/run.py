"""One enrichment run: which papers need asking, in what order, and what gets saved.

GitHub goes first (a few threads, cheap), then arXiv (one request every few seconds).  Every
paper is handed to `save` as soon as its part is done, always from the calling thread, so a
cancelled or killed run keeps what it got.  Failures never blank stored facts: an error on a
refresh leaves the previous answer in place and is only counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx

from store.enrich.arxiv import ArxivClient, FeedError, Throttled, choose_match
from store.enrich.github import GitHubClient
from store.enrich.net import ApiClient, Cancelled, RequestFailed, ServiceUnreachable
from store.errors import UsageError
from store.models import Enrichment, Record, Repo

DONE = frozenset({"ok", "not_found"})
MAX_FAILURES_IN_A_ROW = 3
"""Timeouts and network errors in a row after which arXiv is treated as down for the run."""

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class FetchSettings:
    arxiv_api: str = "https://export.arxiv.org/api/query"
    github_api: str = "https://api.github.com"
    arxiv_delay: float = 3.0
    """Seconds between arXiv requests; arXiv asks for three."""
    timeout: float = 15.0
    """Per connect and per read; a whole response gets twice this."""
    max_bytes: int = 2 * 1024 * 1024
    retries: int = 3
    """Extra tries after a 429/503 from arXiv."""
    github_concurrency: int = 4

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> FetchSettings:
        """Settings from `PAPERDECK_ARXIV_API`, `PAPERDECK_GITHUB_API`, `PAPERDECK_ARXIV_DELAY`
        and `PAPERDECK_FETCH_TIMEOUT`; raises UsageError for unusable values."""
        defaults = cls()
        return cls(
            arxiv_api=_api_url(environ, "PAPERDECK_ARXIV_API", defaults.arxiv_api),
            github_api=_api_url(environ, "PAPERDECK_GITHUB_API", defaults.github_api),
            arxiv_delay=_seconds(environ, "PAPERDECK_ARXIV_DELAY", defaults.arxiv_delay),
            timeout=_seconds(environ, "PAPERDECK_FETCH_TIMEOUT", defaults.timeout, minimum=0.1),
        )


def _api_url(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(name, "").strip() or default
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL as err:
        raise UsageError(f"{name} is not a URL: {value!r}") from err
    if url.scheme not in ("http", "https") or not url.host:
        raise UsageError(f"{name} must be an http(s) URL, not {value!r}")
    return value.rstrip("/")


def _seconds(
    environ: Mapping[str, str], name: str, default: float, *, minimum: float = 0.0
) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not minimum <= value <= 3600:
        raise UsageError(
            f"{name} must be a number of seconds from {minimum:g} to 3600, not {raw!r}"
        )
    return value


@dataclass(frozen=True, slots=True)
class Failure:
    paper_id: str
    what: str
    """`arXiv` or the repository name."""
    word: str


@dataclass
class FetchSummary:
    matched: int = 0
    not_found: int = 0
    failed: int = 0
    skipped: int = 0
    """Papers whose arXiv lookup was already done (and no --refresh)."""
    repos_ok: int = 0
    repos_not_found: int = 0
    repos_failed: int = 0
    repos_skipped: int = 0
    service_errors: list[str] = field(default_factory=list)
    """One line per service that could not be reached or stopped the run."""
    failures: list[Failure] = field(default_factory=list)
    cancelled: bool = False

    def arxiv_line(self) -> str:
        """What both front ends say about arXiv after a run."""
        return (
            f"arXiv: {self.matched} matched, {self.not_found} not found, "
            f"{self.failed} failed, {self.skipped} skipped"
        )

    def github_line(self) -> str:
        """What both front ends say about GitHub after a run."""
        return (
            f"GitHub: {self.repos_ok} repos ok, {self.repos_not_found} not found, "
            f"{self.repos_failed} failed, {self.repos_skipped} skipped"
        )

    @property
    def exit_code(self) -> int:
        if self.service_errors:
            return 1
        return 130 if self.cancelled else 0


def fetch(
    records: Sequence[Record],
    *,
    arxiv: bool,
    github: bool,
    refresh: bool,
    settings: FetchSettings,
    token: str | None,
    save: Callable[[str, Enrichment], None],
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FetchSummary:
    """Enrich `records` from arXiv and/or GitHub, saving each paper as soon as it is done.

    `progress(done, total, title)` is called after each paper and service; titles are raw
    catalog strings.  `cancelled` is polled between requests (and from GitHub worker threads).
    """
    run = _Run(records, settings, save, progress, cancelled, sleep, clock, now)
    github_work: list[tuple[Record, list[str]]] = []
    if github:
        for record in records:
            names = record.paper.github
            todo = [n for n in names if refresh or _stored_status(record, n) not in DONE]
            run.summary.repos_skipped += len(names) - len(todo)
            if todo:
                github_work.append((record, todo))
    arxiv_work: list[Record] = []
    if arxiv:
        for record in records:
            if not refresh and record.enrichment.arxiv_status in DONE:
                run.summary.skipped += 1
            else:
                arxiv_work.append(record)

    run.total = len(github_work) + len(arxiv_work)
    if github_work and not cancelled():
        run.github(github_work, token=token, revalidate=refresh)
    if arxiv_work and not cancelled():
        run.arxiv(arxiv_work)
    summary = run.summary
    if cancelled():
        summary.cancelled = True
    if token:
        # Belt and braces: no message leaves this function with the token in it.
        summary.service_errors = [line.replace(token, "***") for line in summary.service_errors]
    return summary


def _stored_status(record: Record, name: str) -> str | None:
    repo = _find_repo(record.enrichment.repos, name)
    return repo.status if repo is not None else None


def _find_repo(repos: Sequence[Repo], name: str) -> Repo | None:
    key = name.casefold()
    return next((repo for repo in repos if repo.name.casefold() == key), None)


def _order(names: Sequence[str], name: str) -> int:
    keys = [n.casefold() for n in names]
    return keys.index(name.casefold()) if name.casefold() in keys else len(keys)


class _Run:
    """The state of one `fetch` call: what each paper holds now, the counts, the callbacks."""

    def __init__(
        self,
        records: Sequence[Record],
        settings: FetchSettings,
        save: Callable[[str, Enrichment], None],
        progress: Progress | None,
        cancelled: Callable[[], bool],
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        now: Callable[[], datetime],
    ) -> None:
        self.summary = FetchSummary()
        self.current = {record.id: record.enrichment for record in records}
        self.settings = settings
        self.total = 0
        self.done = 0
        self._save = save
        self._progress = progress
        self.cancelled = cancelled
        self.sleep = sleep
        self.clock = clock
        self.now = now

    def store(self, paper_id: str, enrichment: Enrichment) -> None:
        """Save a paper's enrichment, unless nothing changed (no needless rewrite)."""
        if enrichment != self.current[paper_id]:
            self.current[paper_id] = enrichment
            self._save(paper_id, enrichment)

    def step(self, label: str) -> None:
        self.done += 1
        if self._progress is not None:
            self._progress(self.done, self.total, label)

    def api(self, base_url: str, service: str) -> ApiClient:
        return ApiClient(
            base_url,
            service=service,
            timeout=self.settings.timeout,
            max_bytes=self.settings.max_bytes,
        )

    # -- GitHub ----------------------------------------------------------------------------------

    def github(
        self, work: list[tuple[Record, list[str]]], *, token: str | None, revalidate: bool
    ) -> None:
        api = self.api(self.settings.github_api, "GitHub")
        client = GitHubClient(api, token=token, now=self.now, cancelled=self.cancelled)

        def one_paper(record: Record, names: list[str]) -> dict[str, Repo | None]:
            stored = record.enrichment.repos
            return {
                name: client.fetch(name, _find_repo(stored, name), revalidate=revalidate)
                for name in names
            }

        pool = ThreadPoolExecutor(max(1, self.settings.github_concurrency), "paperdeck-github")
        try:
            futures: list[tuple[Record, Future[dict[str, Repo | None]]]] = [
                (record, pool.submit(one_paper, record, names)) for record, names in work
            ]
            # Results are taken in submission order, so saves and progress follow the catalog
            # while the pool works ahead on the next papers.
            for record, future in futures:
                self._merge_repos(record, future.result())
                self.step(record.paper.title)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            api.close()
        if client.stop_reason is not None:
            self.summary.service_errors.append(
                f"GitHub: {client.stop_reason}; stopped asking GitHub."
            )

    def _merge_repos(self, record: Record, results: dict[str, Repo | None]) -> None:
        summary = self.summary
        repos = list(self.current[record.id].repos)
        for name, fetched in results.items():
            if fetched is None:
                continue  # not asked (stopped or cancelled): the stored answer stands
            previous = _find_repo(repos, name)
            if fetched.status == "ok":
                summary.repos_ok += 1
            elif fetched.status == "not_found":
                summary.repos_not_found += 1
            else:
                summary.repos_failed += 1
                summary.failures.append(Failure(record.id, name, fetched.status))
                if previous is not None and previous.status == "ok":
                    continue  # an error never replaces facts we had
            if previous is None:
                repos.append(fetched)
            else:
                repos[repos.index(previous)] = fetched
        repos.sort(key=lambda repo: _order(record.paper.github, repo.name))
        self.store(record.id, replace(self.current[record.id], repos=tuple(repos)))

    # -- arXiv -----------------------------------------------------------------------------------

    def arxiv(self, work: list[Record]) -> None:
        api = self.api(self.settings.arxiv_api, "arXiv")
        client = ArxivClient(
            api,
            delay=self.settings.arxiv_delay,
            retries=self.settings.retries,
            sleep=self.sleep,
            clock=self.clock,
            now=self.now,
            cancelled=self.cancelled,
        )
        failures_in_a_row = 0
        try:
            for record in work:
                word = self._arxiv_one(client, record)
                self.step(record.paper.title)
                failures_in_a_row = failures_in_a_row + 1 if word in ("timeout", "network") else 0
                if failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                    self.summary.service_errors.append(
                        f"arXiv: {MAX_FAILURES_IN_A_ROW} requests in a row failed ({word}); "
                        "stopped asking arXiv."
                    )
                    return
        except (ServiceUnreachable, Throttled) as err:
            self.summary.service_errors.append(f"arXiv: {err}; stopped asking arXiv.")
        except Cancelled:
            self.summary.cancelled = True
        finally:
            api.close()

    def _arxiv_one(self, client: ArxivClient, record: Record) -> str | None:
        """Look one paper up and store the outcome; returns the error word, if any."""
        previous = self.current[record.id]
        checked = self.now().isoformat(timespec="seconds")
        try:
            entry = choose_match(record.paper, client.search(record.paper.title))
        except (FeedError, RequestFailed) as err:
            self.summary.failed += 1
            self.summary.failures.append(Failure(record.id, "arXiv", err.word))
            if previous.arxiv_status != "ok":
                self.store(
                    record.id, replace(previous, arxiv_status=err.word, arxiv_checked=checked)
                )
            return err.word
        if entry is None:
            self.summary.not_found += 1
            if previous.arxiv_status != "ok":
                # A match found before is kept: search results vary, the paper did not.
                self.store(
                    record.id, replace(previous, arxiv_status="not_found", arxiv_checked=checked)
                )
            return None
        self.summary.matched += 1
        self.store(
            record.id,
            replace(
                previous,
                arxiv_id=entry.arxiv_id,
                authors=entry.authors,
                arxiv_categories=entry.categories,
                pdf_url=entry.pdf_url,
                doi=entry.doi,
                journal_ref=entry.journal_ref,
                primary_category=entry.primary_category,
                version=entry.version,
                arxiv_status="ok",
                arxiv_checked=checked,
            ),
        )
        return None
