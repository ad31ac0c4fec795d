"""The abstract view: related papers while their index builds, and when finding them fails."""

from __future__ import annotations

import asyncio
import threading

import pytest
from textual.widgets import OptionList

from store.library import Library
from store.typing_gate import Stopped
from tests.tui.pilot import SIZE, app_for, settle


async def test_related_papers_say_they_are_coming_while_the_index_builds(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    related = app.desk.view.related
    index_built = threading.Event()

    def slow_related(paper: str, limit: int = 5) -> list[object]:
        index_built.wait(10)  # the first time on a large library reads every abstract
        return related(paper, limit)  # type: ignore[return-value]

    monkeypatch.setattr(app.desk.view, "related", slow_related)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause(0.2)
        options = app.screen.query_one("#abstract-related", OptionList)
        assert "Finding related papers" in str(options.get_option_at_index(0).prompt)
        index_built.set()
        await settle(app, pilot)
        assert options.option_count == 5 and not options.get_option_at_index(0).disabled


async def test_a_worker_that_raises_ends_its_busy_state_with_one_message(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)

    def broken_related(paper: str, limit: int = 5) -> list[object]:
        raise RuntimeError("index file vanished")

    monkeypatch.setattr(app.desk.view, "related", broken_related)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        options = app.screen.query_one("#abstract-related", OptionList)
        assert options.option_count == 1
        assert str(options.get_option_at_index(0).prompt) == "Could not find related papers."
        messages = [n.message for n in app._notifications]
        assert messages == ["Finding related papers failed: RuntimeError: index file vanished"]
        assert app.activity == ""
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.is_running and type(app.screen).__name__ == "PapersScreen"


async def test_an_app_worker_that_raises_is_reported_and_clears_the_activity(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)

    def broken_fetch(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no socket")

    monkeypatch.setattr("store.enrich.run.fetch", broken_fetch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert messages == ["Fetching from arXiv and GitHub failed: RuntimeError: no socket"]
        assert app.activity == ""
        assert app.is_running


async def test_closing_the_app_stops_a_related_index_under_way(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interpreter waits for every worker thread on the way out: a build that went on
    after the app closed (a minute at 100k papers) kept the process after its terminal."""
    import store.search.related as related_module

    app = app_for(library)
    building, stopped = threading.Event(), threading.Event()
    original = related_module.RelatedIndex._check

    def slow_check(index: related_module.RelatedIndex, n: int) -> None:
        building.set()
        threading.Event().wait(0.01)  # each paper slow, as every abstract read at 100k
        try:
            original(index, n)
        except Stopped:
            stopped.set()
            raise

    monkeypatch.setattr(related_module, "STOP_CHECK", 1)
    monkeypatch.setattr(related_module.RelatedIndex, "_check", slow_check)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        assert await asyncio.to_thread(building.wait, 5)
    # Two passes over 212 papers at 10 ms each would take 4 s: it stops at the next paper.
    assert await asyncio.to_thread(stopped.wait, 1)
    assert not app.desk.view.related_ready
