"""GitHub REST client: one repository at a time, with ETags, renames and rate limits.

`GitHubClient.fetch` is safe to call from several threads.  Anything that means "stop asking
GitHub for this run" (rate limit, rejected token, unreachable host) sets `stopped` with a
one-line reason; calls after that return None without a request.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from store.enrich.net import (
    ApiClient,
    RequestFailed,
    ServiceUnreachable,
    local_time_words,
    minutes_words,
)
from store.models import Repo
from store.text import one_line

API_VERSION = "2022-11-28"
_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_ETAG = re.compile(r'^(?:W/)?"[\x21\x23-\x7e]*"$')
TOKEN_HINT = "set GITHUB_TOKEN or run `paperdeck auth github` for a higher limit"


def split_name(name: str) -> tuple[str, str] | None:
    """`(owner, repo)` for a well-formed `owner/repo`, else None (never sent to GitHub)."""
    owner, _, repo = name.partition("/")
    if not _OWNER.match(owner) or not _REPO.match(repo) or repo in {".", ".."}:
        return None
    return owner, repo


def parse_repo(name: str, body: bytes, etag: str | None) -> Repo:
    """A `Repo` from a `GET /repos/{owner}/{repo}` body; RequestFailed('malformed') if unusable.

    `name` stays the listing's `owner/repo` even after a rename, so later runs find the stored
    facts (and the ETag) again; github.com redirects the old name for people too.
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as err:
        raise RequestFailed("malformed", "not JSON") from err
    if not isinstance(data, dict):
        raise RequestFailed("malformed", "not a JSON object")
    stars = data.get("stargazers_count")
    archived = data.get("archived")
    full_name = data.get("full_name")
    if type(stars) is not int or stars < 0:
        raise RequestFailed("malformed", "stargazers_count is not a count")
    if type(archived) is not bool:
        raise RequestFailed("malformed", "archived is not a boolean")
    if not isinstance(full_name, str) or "/" not in full_name:
        raise RequestFailed("malformed", "full_name is missing")
    return Repo(
        name=name,
        stars=stars,
        description=_optional_text(data.get("description"), limit=1000),
        license=_license(data.get("license")),
        pushed_at=_timestamp(data.get("pushed_at")),
        archived=archived,
        status="ok",
        etag=etag if etag and _ETAG.match(etag) and len(etag) <= 200 else None,
    )


def _optional_text(value: Any, *, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RequestFailed("malformed", "a text field is not text")
    return one_line(value, limit=limit) or None


def _license(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise RequestFailed("malformed", "license is not an object")
    return _optional_text(value.get("spdx_id"), limit=64)


def _timestamp(value: Any) -> str | None:
    text = _optional_text(value, limit=64)
    if text is None:
        return None
    try:
        datetime.fromisoformat(text)
    except ValueError as err:
        raise RequestFailed("malformed", "pushed_at is not a timestamp") from err
    return text


class GitHubClient:
    def __init__(
        self,
        api: ApiClient,
        *,
        token: str | None,
        now: Callable[[], datetime],
        cancelled: Callable[[], bool],
    ) -> None:
        self.api = api
        self.token = token
        self._now = now
        self._cancelled = cancelled
        self.stopped = threading.Event()
        self.stop_reason: str | None = None
        self._lock = threading.Lock()

    def fetch(self, name: str, previous: Repo | None, *, revalidate: bool) -> Repo | None:
        """What GitHub says about `name` now, or None when no request was made.

        With `revalidate` and a stored ETag, a 304 returns `previous` unchanged.
        """
        parts = split_name(name)
        if parts is None:
            return Repo(name=name, status="invalid")
        if self.stopped.is_set() or self._cancelled():
            return None
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        etag = previous.etag if previous is not None and previous.status == "ok" else None
        if revalidate and etag:
            headers["If-None-Match"] = etag
        owner, repo = (quote(part, safe="") for part in parts)
        url = self.api.base_url.join(f"{self.api.base_url.path.rstrip('/')}/repos/{owner}/{repo}")
        try:
            # A renamed repository answers 301 with the new location: follow it once.
            response = self.api.get(url, headers=headers, max_redirects=1)
        except ServiceUnreachable as err:
            self._stop(str(err))
            return None
        except RequestFailed as err:
            return Repo(name=name, status=err.word)

        status, remaining = response.status, response.headers.get("x-ratelimit-remaining")
        if status == 200:
            try:
                result = parse_repo(name, response.body, response.headers.get("etag"))
            except RequestFailed as err:
                result = Repo(name=name, status=err.word)
            if remaining == "0":
                self._stop(self._rate_limit_words(response.headers.get("x-ratelimit-reset")))
            return result
        if status == 304:
            if previous is None:
                return Repo(name=name, status="error")
            return replace(previous, status="ok")
        if status in (404, 410):
            base = previous if previous is not None else Repo(name=name)
            return replace(base, status="not_found", etag=None)
        if status == 429 or (status == 403 and remaining == "0"):
            self._stop(self._rate_limit_words(response.headers.get("x-ratelimit-reset")))
            return None
        if status == 403 and response.headers.get("retry-after"):
            self._stop("secondary rate limit reached; try again in a few minutes")
            return None
        if status == 401:
            self._stop("the token was refused (401); check GITHUB_TOKEN or `paperdeck auth github`")
            return None
        if status == 403:
            return Repo(name=name, status="forbidden")
        if status == 451:
            return Repo(name=name, status="unavailable")
        if 300 <= status < 400:
            return Repo(name=name, status="redirect")
        return Repo(name=name, status="error")

    def _rate_limit_words(self, reset: str | None) -> str:
        words = "rate limit reached"
        if reset is not None and reset.strip().isdigit():
            try:
                when = datetime.fromtimestamp(int(reset), tz=UTC)
            except (OverflowError, OSError, ValueError):
                pass
            else:
                now = self._now()
                words += f"; it resets at {local_time_words(when, now)} local time"
                if when > now:
                    words += f" (in {minutes_words(when - now)})"
        if not self.token:
            words += f"; {TOKEN_HINT}"
        return words

    def _stop(self, reason: str) -> None:
        with self._lock:
            if not self.stopped.is_set():
                self.stop_reason = reason
                self.stopped.set()
