"""Started by the benchmark as its own process: report when the app first shows rows.

`python -m bench.tui_probe DB` prints `painted` once the papers list has drawn its rows, then
the peak RSS as JSON; `--bare` does the same for a one-label Textual app, the floor.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
from collections.abc import Callable
from pathlib import Path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


async def probe_app(db: Path) -> None:
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
        # Stay as a user would: until abstracts are read and indexed, then open a paper and
        # wait for its Related panel (an index of its own): the peak memory is then.
        await until(lambda: app.desk.view.index.abstracts_indexed)
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await until(lambda: app.desk.view.related_ready)
        await app.workers.wait_for_complete()


async def until(ready: Callable[[], bool]) -> None:
    for _ in range(2400):  # two minutes at most
        if ready():
            return
        await asyncio.sleep(0.05)


def main() -> None:
    if sys.argv[1] == "--bare":
        asyncio.run(probe_bare())
    else:
        asyncio.run(probe_app(Path(sys.argv[1])))
    print(json.dumps({"peak_rss_mb": round(peak_rss_mb(), 1)}), flush=True)


if __name__ == "__main__":
    main()
