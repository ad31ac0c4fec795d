"""Helpers for driving the app with Pilot and reading back what the store holds."""

from __future__ import annotations

import asyncio

import pytest
from textual.worker import WorkerCancelled

from store.library import Library
from store.view import LibraryView
from tui.app import PaperdeckApp
from tui.search_thread import SearchThread
from tui.widgets.paper_table import PaperTable

SIZE = (120, 40)


def app_for(library: Library, **kwargs: object) -> PaperdeckApp:
    return PaperdeckApp(library, watch_interval=0, **kwargs)  # type: ignore[arg-type]


async def workers_done(app: PaperdeckApp) -> None:
    """Every worker has ended. One cancelled meanwhile is the app replacing an exclusive worker
    with a newer one (a reload's abstract indexing replaces the first load's): the newer one
    is waited for instead of failing the wait."""
    for _ in range(100):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue
    raise AssertionError("workers kept being cancelled")


async def settle(app: PaperdeckApp, pilot: object) -> None:
    await workers_done(app)
    await pilot.pause()  # type: ignore[attr-defined]
    for _ in range(2000):  # the search thread's answer, then its message handled
        if not SearchThread.any_busy():
            break
        await asyncio.sleep(0.005)
    await pilot.pause()  # type: ignore[attr-defined]
    await workers_done(app)
    await pilot.pause()  # type: ignore[attr-defined]


def table(app: PaperdeckApp) -> PaperTable:
    return app.screen.query_one(PaperTable)


def stored(library: Library) -> Library:
    return Library(library.root)  # a fresh reader: what is on disk


def count_text(app: PaperdeckApp) -> str:
    return str(app.screen.query_one("#filter-count").render()).rstrip()


def searches_asked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every query the view searches for a list from now on, in order."""
    asked: list[str] = []
    search_listed = LibraryView.search_listed

    def recorded(self: LibraryView, query: object, sort: str | None = None) -> object:
        asked.append(str(getattr(query, "text", query)))
        return search_listed(self, query, sort)  # type: ignore[arg-type]

    monkeypatch.setattr(LibraryView, "search_listed", recorded)
    return asked
