"""`make bench`, the daily pull and inboxes: a 2,000-item arXiv RSS page and a 2,000-item
Hugging Face page pulled into the library (CPU seconds, the pages served from memory on
127.0.0.1), and `paperdeck inbox list` as a user runs it."""

from __future__ import annotations

import json
import random
import resource
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from store.library import Library
from store.pull.run import PullSettings, Target, pull

PAGE = 2000
RSS_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' version="2.0"><channel><title>cs.LG updates on arXiv.org</title>'
    "<link>http://rss.arxiv.org/rss/cs.LG</link>"
    "<pubDate>Mon, 22 Sep 2025 00:00:00 -0400</pubDate>\n"
)


def _items(titles: list[str], seed: int) -> Iterator[tuple[str, str, str, int]]:
    """(arXiv id, title, announce type, version): three quarters new papers, the rest papers
    the library has (cross-lists and replacements: merges, not rows)."""
    rng = random.Random(seed)
    known = rng.sample(titles, min(len(titles), PAGE // 4))
    for n in range(PAGE - len(known)):
        yield f"2509.{10000 + n:05d}", f"Pulled paper {seed} number {n} on sparse routing", "new", 1
    for n, title in enumerate(known):
        kind = "replace" if n % 3 == 0 else "cross"
        yield f"2408.{20000 + n:05d}", title, kind, 2 if kind == "replace" else 1


def rss_page(titles: list[str]) -> bytes:
    abstract = "We study sparse routing for long contexts. " * 25
    parts = [RSS_HEAD]
    for arxiv_id, title, kind, version in _items(titles, 11):
        parts.append(
            f"<item><title>{escape(title)}</title><link>https://arxiv.org/abs/{arxiv_id}</link>"
            f"<description>arXiv:{arxiv_id}v{version} Announce Type: {kind} \nAbstract: "
            f'{abstract}</description><guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v'
            f"{version}</guid><category>cs.LG</category><category>cs.AI</category>"
            f"<pubDate>Mon, 22 Sep 2025 00:00:00 -0400</pubDate>"
            f"<arxiv:announce_type>{kind}</arxiv:announce_type>"
            f"<dc:creator>Ada Lovelace, Alan Turing (Bletchley, GCHQ), Grace Hopper</dc:creator>"
            "</item>\n"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def hf_page(titles: list[str]) -> bytes:
    summary = "We study sparse routing\nfor long contexts. " * 25
    items = []
    for arxiv_id, title, _, _ in _items(titles, 12):
        items.append(
            {
                "paper": {
                    "id": arxiv_id.replace("2509.", "2510."),
                    "authors": [
                        {"_id": "x", "name": f"Author {k}", "hidden": False} for k in range(6)
                    ],
                    "publishedAt": "2025-10-01T17:59:30.000Z",
                    "title": title,
                    "summary": summary,
                    "upvotes": 12,
                    "githubRepo": "https://github.com/lab/project",
                    "githubStars": 40,
                    "organization": {"name": "lab", "fullname": "The Lab"},
                },
                "publishedAt": "2025-10-02T00:57:09.392Z",
                "title": title,
                "numComments": 1,
            }
        )
    return json.dumps(items).encode("utf-8")


@contextmanager
def serving(routes: dict[str, bytes]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server convention
            body = routes.get(self.path.split("?")[0], b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _cpu_of_pull(library: Library, target: Target, settings: PullSettings) -> tuple[float, int]:
    start = time.process_time()
    summary = pull(library, [target], settings=settings)
    assert summary.error is None, summary.error
    return time.process_time() - start, summary.new


def bench_pull(db: Path) -> dict[str, float]:
    """CPU seconds of pulling each page into (a copy of) the library, and of pulling it again."""
    copy = db.with_name(db.name + "-pull")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(db, copy)
    library = Library(copy)
    titles = [paper.title for paper in library.papers().values()]
    routes = {"/rss/cs.LG": rss_page(titles), "/hf/daily_papers": hf_page(titles)}
    result: dict[str, float] = {}
    with serving(routes) as base:
        settings = PullSettings(hf_api=f"{base}/hf", arxiv_rss=f"{base}/rss", arxiv_delay=0.0)
        rss = Target("arxiv", categories=("cs.LG",))
        hf = Target("hf", day=date(2025, 10, 2))
        result["pull_rss_cpu_s"], new = _cpu_of_pull(library, rss, settings)
        assert new == PAGE * 3 // 4, new
        result["repull_rss_cpu_s"], _ = _cpu_of_pull(library, rss, settings)
        result["pull_hf_cpu_s"], _ = _cpu_of_pull(library, hf, settings)
    shutil.rmtree(copy, ignore_errors=True)
    return result


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of a command: on a shared machine the
    wall time of a short process is mostly waiting for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench_inbox(paperdeck: str, db: Path) -> dict[str, float]:
    """`inbox list` as a user runs it: once to count (after the store changed), then as it
    answers while nothing changed (median of three)."""
    for name, query in (
        ("routing", "sparse routing"),
        ("recent", "year:>=2024 upvotes:>=10"),
        ("unread-code", "has:code -is:read"),
    ):
        subprocess.run(
            [paperdeck, "--db", str(db), "inbox", "add", name, query],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    command = [paperdeck, "--db", str(db), "inbox", "list"]
    first, _ = timed(command)
    runs = [timed(command) for _ in range(3)]
    return {
        "inbox_list_first_s": first,
        "inbox_list_s": statistics.median(wall for wall, _ in runs),
        "inbox_list_cpu_s": statistics.median(cpu for _, cpu in runs),
    }
