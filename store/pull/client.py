"""Fetch one page for a pull: conditional GET, waits out 429/503, and fails in one sentence.

Built on `store.enrich.net.ApiClient` (one origin, capped bodies, timeouts).  Every way a
request can fail becomes `PullFailed` naming the service and what the user can do; a 304
answer to `If-None-Match` / `If-Modified-Since` is `Page(not_modified=True)`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from store.enrich.net import (
    ApiClient,
    Cancelled,
    RequestFailed,
    ServiceUnreachable,
    retry_after_seconds,
)
from store.errors import PaperdeckError

MAX_RETRY_AFTER = 120.0
"""A longer `Retry-After` stops the pull instead of blocking it."""


class PullFailed(PaperdeckError):
    """A page could not be fetched or read; the store was not changed by it."""


@dataclass(frozen=True, slots=True)
class Page:
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class Pacer:
    """At most one request per `delay` seconds (arXiv asks for three), waiting in slices so a
    cancellation is noticed within half a second."""

    def __init__(
        self,
        delay: float,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        cancelled: Callable[[], bool],
    ) -> None:
        self.delay = delay
        self._sleep = sleep
        self._clock = clock
        self._cancelled = cancelled
        self._next: float | None = None

    def wait(self, extra: float = 0.0) -> None:
        if extra:
            self._next = max(self._next or 0.0, self._clock() + extra)
        while True:
            if self._cancelled():
                raise Cancelled
            remaining = (self._next or 0.0) - self._clock()
            if self._next is None or remaining <= 0:
                return
            self._sleep(min(remaining, 0.5))

    def done(self) -> None:
        self._next = self._clock() + self.delay


def fetch_page(
    api: ApiClient,
    url: str,
    *,
    what: str,
    params: Mapping[str, str] | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    pacer: Pacer,
    retries: int,
    now: Callable[[], datetime],
) -> Page:
    """GET `url` (`what` names it in messages: `Hugging Face (2024-10-25)`); raises PullFailed
    or Cancelled."""
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    host = api.base_url.host
    for attempt in range(retries + 1):
        pacer.wait()
        try:
            response = api.get(url, params=params, headers=headers, max_redirects=3)
        except ServiceUnreachable as err:
            raise PullFailed(
                f"{what}: {err}; check your connection (or proxy), then pull again"
            ) from None
        except RequestFailed as err:
            raise PullFailed(f"{what}: {_request_failure(err, host)}") from None
        finally:
            pacer.done()
        status = response.status
        if status == 304:
            return Page(not_modified=True)
        if status == 200:
            return Page(
                response.body,
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
        if status in (429, 503):
            pause = retry_after_seconds(response.headers.get("retry-after"), now())
            if pause is None:
                pause = max(pacer.delay, 1.0) * 2**attempt
            if pause > MAX_RETRY_AFTER:
                raise PullFailed(
                    f"{what}: {host} asked to wait {pause:.0f} s (HTTP {status}); try again later"
                )
            if attempt < retries:
                pacer.wait(pause)
                continue
            raise PullFailed(
                f"{what}: {host} is busy (HTTP {status} after {retries + 1} tries); try again later"
            )
        if 500 <= status < 600:
            raise PullFailed(
                f"{what}: {host} answered HTTP {status} (a server problem); try again later"
            )
        if status in (301, 302, 303, 307, 308):
            raise PullFailed(
                f"{what}: {host} redirected too often (HTTP {status}); check the address "
                "in the environment variable for this source"
            )
        raise PullFailed(
            f"{what}: {host} answered HTTP {status}{_error_detail(response.body)}; check the "
            "address in the environment variable for this source and what you asked for"
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _request_failure(err: RequestFailed, host: str) -> str:
    if err.word == "timeout":
        return f"no answer from {host} in time; try again later"
    if err.word == "too_large":
        return f"the answer from {host} is too large ({err}); this is not a daily page"
    if err.word == "redirect":
        return f"{host} redirected elsewhere ({err}); check the source's address"
    return f"the connection to {host} failed ({err}); check your connection, then pull again"


def _error_detail(body: bytes) -> str:
    """` (arXiv said: ...)` for an arXiv error feed, ` ({"error": ...})` for HF; else ""."""
    from store.catalog.hf import DailyPapersError, load_page
    from store.catalog.rss import RssError, parse_arxiv_rss

    if not body.strip():
        return ""
    try:
        load_page(body)
    except DailyPapersError as err:
        if "said:" in str(err):
            return f" ({err})"
    try:
        parse_arxiv_rss(body, ("x",))
    except RssError as err:
        if "said:" in str(err):
            return f" ({err})"
    return ""
