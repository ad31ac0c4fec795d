"""HTTP plumbing shared by the arXiv and GitHub clients: one configured host, capped bodies.

Everything a remote service sends is untrusted.  A client built here talks to the host of its
base URL only (redirects elsewhere are refused), follows a bounded number of redirects by hand,
reads bodies by streaming and stops at `max_bytes`, and turns transport failures into two
exceptions: `ServiceUnreachable` (stop asking this service) and `RequestFailed` (this item only).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx

from store.text import one_line

USER_AGENT = "paperdeck (+https://pypi.org/project/paperdeck/)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class ServiceUnreachable(Exception):
    """The service cannot be reached at all (offline, DNS, refused, TLS): stop asking it."""


class Cancelled(Exception):
    """The caller asked to stop; raised between requests, never in the middle of one."""


class RequestFailed(Exception):
    """One request failed in a way that concerns only the item asked about.

    `word` is the status stored for that item: `timeout`, `network`, `too_large`,
    `malformed` or `redirect`.
    """

    def __init__(self, word: str, detail: str = "") -> None:
        super().__init__(detail or word)
        self.word = word


@dataclass(frozen=True, slots=True)
class Response:
    """A fully read, size-capped response."""

    status: int
    headers: httpx.Headers
    body: bytes
    url: httpx.URL


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


class ApiClient:
    """A synchronous client bound to one service's origin; safe to share between threads."""

    def __init__(
        self,
        base_url: str,
        *,
        service: str,
        timeout: float,
        max_bytes: int,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = httpx.URL(base_url)
        self.service = service
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            # HTTPS_PROXY, NO_PROXY and SSL_CERT_FILE from the environment are honoured.
            trust_env=True,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str | httpx.URL,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        max_redirects: int = 0,
    ) -> Response:
        """GET `url` on this client's origin, following at most `max_redirects` same-origin hops.

        A redirect left over once the budget is spent is returned as is, so callers see it.
        """
        target = httpx.URL(url)
        if params:
            target = target.copy_merge_params(dict(params))
        for hop in range(max_redirects + 1):
            if origin(target) != origin(self.base_url):
                raise RequestFailed("redirect", f"refused to leave {self.base_url.host}")
            response = self._send(target, headers)
            if response.status not in REDIRECT_STATUSES or hop == max_redirects:
                return response
            location = response.headers.get("location")
            if not location:
                raise RequestFailed("redirect", "redirect without a location")
            try:
                target = target.join(location)
            except httpx.InvalidURL as err:
                raise RequestFailed("redirect", "unusable redirect location") from err
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, url: httpx.URL, headers: Mapping[str, str] | None) -> Response:
        # httpx's timeout bounds each connect and each read; a server trickling bytes could still
        # hold a request open forever, so the whole response also gets a deadline.
        deadline = time.monotonic() + 2 * self.timeout
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                if response.status_code in REDIRECT_STATUSES:
                    return Response(response.status_code, response.headers, b"", url)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise RequestFailed("too_large", f"body of {declared} bytes")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise RequestFailed("too_large", f"body over {self.max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise RequestFailed("timeout", "response took too long")
                    chunks.append(chunk)
                return Response(response.status_code, response.headers, b"".join(chunks), url)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as err:
            raise ServiceUnreachable(
                f"cannot reach {self.base_url.host} ({describe(err)})"
            ) from err
        except httpx.TimeoutException as err:
            raise RequestFailed("timeout", "no answer in time") from err
        except httpx.DecodingError as err:
            raise RequestFailed("malformed", "undecodable body") from err
        except (httpx.TransportError, httpx.InvalidURL) as err:
            raise RequestFailed("network", describe(err)) from err


def describe(err: BaseException) -> str:
    """A short, single-line reason for a transport error, without URLs or headers."""
    reason: BaseException = err
    while reason.__context__ is not None and not str(reason):
        reason = reason.__context__
    text = one_line(reason, limit=120) or type(err).__name__
    return text


def local_time_words(when: datetime, now: datetime) -> str:
    """`14:32` today, else `2024-08-14 14:32`, in the machine's local time zone."""
    local, local_now = when.astimezone(), now.astimezone()
    if local.date() == local_now.date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def minutes_words(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    return f"{minutes} min"
