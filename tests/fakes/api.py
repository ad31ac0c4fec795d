"""A scripted local stand-in for the arXiv and GitHub APIs, plus a fake clock.

`api` serves both services from one ThreadingHTTPServer on 127.0.0.1: arXiv at `/api/query`
(routed by the `search_query` phrase) and GitHub under `/gh` (routed by path).  Each route is a
list of `Reply`s played in order, the last one repeating.  Every request is recorded with its
headers and the fake clock's time, so tests assert on what was sent and when.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import keyring
import keyring.core
import pytest

from store.enrich.arxiv import title_query
from store.enrich.run import FetchSettings, FetchSummary, fetch
from store.models import Enrichment, Paper, Record
from store.pull.run import PullSettings
from tests.fakes.memory_keyring import MemoryKeyring

DATA = Path(__file__).resolve().parent.parent / "data" / "enrich"
PULL_DATA = DATA.parent / "pull"
NOW = datetime(2024, 9, 10, 12, 0, tzinfo=UTC)


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds of real time to wait before answering (for timeouts)."""
    content_length: bool = True
    """False: no Content-Length, the body ends when the connection closes."""


def atom(name: str, **kwargs: object) -> Reply:
    return Reply(body=data(name), headers={"Content-Type": "application/atom+xml"}, **kwargs)  # type: ignore[arg-type]


def pulled(name: str, **kwargs: object) -> Reply:
    """A recorded Hugging Face page or arXiv feed from tests/data/pull."""
    kind = "application/json" if name.endswith(".json") else "application/rss+xml"
    headers = {"Content-Type": kind, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
    return Reply(body=(PULL_DATA / name).read_bytes(), headers=headers, **kwargs)  # type: ignore[arg-type]


def json_reply(name: str, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status=status,
        body=data(name),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )


@dataclass
class Seen:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float


class FakeClock:
    """Monotonic time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class FakeApi:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.routes: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        self.unrouted: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    # -- scripting -----------------------------------------------------------------------------

    def arxiv(self, title: str, *replies: Reply) -> None:
        self.routes["arxiv:" + title_query(title)] = list(replies)

    def repo(self, name: str, *replies: Reply) -> None:
        self.routes[f"/gh/repos/{name}"] = list(replies)

    def hf(self, day: str, *replies: Reply) -> None:
        """Hugging Face Daily Papers for `day`, at `{base}/hf/daily_papers?date=DAY`."""
        self.routes[f"/hf/daily_papers?date={day}"] = list(replies)

    def rss(self, categories: str, *replies: Reply) -> None:
        """An arXiv RSS feed, at `{base}/rss/CATS`."""
        self.routes[f"/rss/{categories}"] = list(replies)

    def pull_settings(self, **overrides: object) -> PullSettings:
        values: dict[str, object] = {
            "hf_api": f"{self.base}/hf",
            "arxiv_rss": f"{self.base}/rss",
            "arxiv_delay": 3.0,
            "timeout": 2.0,
            "retries": 3,
        }
        values.update(overrides)
        return PullSettings(**values)  # type: ignore[arg-type]

    def pull_requests(self) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith(("/hf/", "/rss/"))]

    def route(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def settings(self, **overrides: object) -> FetchSettings:
        values: dict[str, object] = {
            "arxiv_api": f"{self.base}/api/query",
            "github_api": f"{self.base}/gh",
            "arxiv_delay": 3.0,
            "timeout": 2.0,
            "max_bytes": 100_000,
            "retries": 3,
            "github_concurrency": 4,
        }
        values.update(overrides)
        return FetchSettings(**values)  # type: ignore[arg-type]

    def github_requests(self) -> list[Seen]:
        return [s for s in self.seen if s.path.startswith("/gh/")]

    def arxiv_requests(self) -> list[Seen]:
        return [s for s in self.seen if s.path == "/api/query"]

    # -- serving -------------------------------------------------------------------------------

    def _reply_for(self, key: str) -> Reply | None:
        with self._lock:
            replies = self.routes.get(key)
            if not replies:
                self.unrouted.append(key)
                return None
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server convention
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                key = parts.path
                if parts.query and f"{parts.path}?{parts.query}" in api.routes:
                    key = f"{parts.path}?{parts.query}"  # routed by the query string too
                if parts.path == "/api/query":
                    key = "arxiv:" + query.get("search_query", [""])[0]
                with api._lock:
                    api.seen.append(Seen(parts.path, query, dict(self.headers), api.clock()))
                    api.in_flight += 1
                    api.max_in_flight = max(api.max_in_flight, api.in_flight)
                try:
                    reply = api._reply_for(key) or Reply(599, b"no route in the test")
                    if reply.delay:
                        time.sleep(reply.delay)
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if reply.content_length:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with api._lock:
                        api.in_flight -= 1

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler


@pytest.fixture(autouse=True)
def _no_proxies_no_real_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the machine running the tests out of them: no proxy, no real keyring, no token."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.fakes.memory_keyring.MemoryKeyring")
    keyring.core.init_backend()
    MemoryKeyring.secrets.clear()
    yield
    MemoryKeyring.secrets.clear()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def api(clock: FakeClock) -> Iterator[FakeApi]:
    fake = FakeApi(clock)
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    assert not fake.unrouted, f"requests the test did not script: {fake.unrouted}"


@pytest.fixture
def closed_port() -> int:
    """A port nothing listens on, so connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def record(
    paper_id: str = "p1",
    title: str = "Sparse Mixture Routing for Efficient Long-Context Transformers",
    *,
    authors_count: int | None = 3,
    published: str | None = "2024-08-14",
    github: tuple[str, ...] = (),
    enrichment: Enrichment | None = None,
) -> Record:
    paper = Paper(
        id=paper_id,
        title=title,
        authors_count=authors_count,
        published=published,
        github=github,
    )
    return Record(paper=paper, enrichment=enrichment or Enrichment())


@dataclass
class Run:
    summary: FetchSummary
    saved: dict[str, Enrichment]
    saves: list[str]
    progress: list[tuple[int, int, str]]


@pytest.fixture
def run(api: FakeApi, clock: FakeClock) -> Callable[..., Run]:
    """Call `fetch` against the fake API with a dict-backed save and the fake clock."""

    def go(
        records: list[Record],
        *,
        arxiv: bool = True,
        github: bool = True,
        refresh: bool = False,
        token: str | None = None,
        settings: FetchSettings | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> Run:
        saved: dict[str, Enrichment] = {}
        saves: list[str] = []
        progress: list[tuple[int, int, str]] = []

        def save(paper_id: str, enrichment: Enrichment) -> None:
            saves.append(paper_id)
            saved[paper_id] = enrichment

        summary = fetch(
            records,
            arxiv=arxiv,
            github=github,
            refresh=refresh,
            settings=settings or api.settings(),
            token=token,
            save=save,
            progress=lambda done, total, label: progress.append((done, total, label)),
            cancelled=cancelled,
            sleep=clock.sleep,
            clock=clock,
            now=lambda: NOW,
        )
        return Run(summary, saved, saves, progress)

    return go
