"""Started by the benchmark as its own process: report when the app first shows rows, and the
peak memory of one way through the app.

`python -m bench.tui_probe DB [PATH]` prints `painted` once the papers list has drawn its rows,
then takes PATH as a user would and prints the peak RSS as JSON: this process's own and that of
the largest process it started (RUSAGE_CHILDREN), and their sum, the figure the target is for.
PATH is `related` (the default: open the first paper and wait for its Related panel), `query`
(type a word right after the first paint, before any abstract index exists) or `triage` (the
triage screen, deciding papers until the pile is ordered by the learned interest). Every path
ends when the app's background work has finished: what a user who stays reaches.
`--bare` does the same for a one-label Textual app, the floor.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App


PATHS = ("related", "query", "triage")
QUERY = "attention"
"""A word in titles and abstracts (bench/synth.py), typed before abstracts are indexed."""
DECISIONS = 24
"""Enough for the triage pile to follow the interest (store.search.interest.MIN_DECISIONS)."""


def peak_rss() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "peak_rss_mb": round(own + children, 1),
        "own_peak_rss_mb": round(own, 1),
        "children_peak_rss_mb": round(children, 1),
    }


PAINTED = asyncio.Event()


def painted() -> None:
    """Tell the benchmark at once, from inside the drawing: the app may stay busy after it,
    and the app redirects sys.stdout while it runs."""
    if not PAINTED.is_set():
        PAINTED.set()
        os.write(sys.__stdout__.fileno(), b"painted\n")


async def wait_painted() -> None:
    """Until the widget that matters has drawn its content for the screen."""
    await PAINTED.wait()


async def probe_bare() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Painted(Label):
        def render_line(self, y: int):  # type: ignore[no-untyped-def]
            painted()
            return super().render_line(y)

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Painted("paperdeck")

    app = Bare()
    async with app.run_test(size=(120, 40)):
        await wait_painted()


async def probe_app(db: Path, path: str) -> None:
    from store.library import Library
    from tui.app import PaperdeckApp
    from tui.widgets.paper_table import PaperTable

    draw = PaperTable.render_line

    def render_line(table: PaperTable, y: int):  # type: ignore[no-untyped-def]
        if y > 0 and table.records:  # a paper's row, not the header
            painted()
        return draw(table, y)

    PaperTable.render_line = render_line  # type: ignore[method-assign]
    app = PaperdeckApp(Library.open(db), watch_interval=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_painted()
        if path == "query":
            table = app.screen.query_one("#papers", PaperTable)
            everything = len(table.records)
            await pilot.press("slash", *QUERY)
            await until(lambda: 0 < len(table.records) < everything)
        elif path == "related":
            await settled(app)  # as before issue 16: the abstracts read and indexed first
            await pilot.press("enter")
            await until(lambda: app.desk.view.related_ready)
        elif path == "triage":
            # A paper's keys wait for the records (they say so before): as a user would.
            await until(lambda: app.loaded)
            await pilot.press("T")
            screen = app.screen
            for n in range(DECISIONS):
                await until(lambda: screen.current is not None)  # type: ignore[attr-defined]
                await pilot.press("a" if n % 3 == 0 else "x")  # queue one, dismiss two
                await pilot.pause()
            await until(lambda: "your interest" in screen.order_reason)  # type: ignore[attr-defined]
        await settled(app)


async def until(ready: Callable[[], bool]) -> None:
    for _ in range(3600):  # three minutes at most
        if ready():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the app never got there")


async def settled(app: App[None]) -> None:
    """Until the app's background work is done (timers may start more: look twice)."""
    for _ in range(2):
        await asyncio.sleep(1.0)
        await app.workers.wait_for_complete()


def main() -> None:
    if sys.argv[1] == "--bare":
        asyncio.run(probe_bare())
    else:
        path = sys.argv[2] if len(sys.argv) > 2 else "related"
        if path not in PATHS:
            sys.exit(f"tui_probe: unknown path {path!r}: use one of {', '.join(PATHS)}")
        asyncio.run(probe_app(Path(sys.argv[1]), path))
    print(json.dumps(peak_rss()), flush=True)


if __name__ == "__main__":
    main()
