"""Triage: the pile gathered off the UI thread, decisions, undo and resume."""

from __future__ import annotations

import threading

import pytest

from store.library import Library
from tests.tui.pilot import SIZE, app_for, settle, stored


async def test_triage_gathers_its_pile_off_the_ui_thread(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    search = app.desk.view.search
    searched = threading.Event()

    def slow_search(*args: object, **kwargs: object) -> list[object]:
        searched.wait(10)  # a word query on a large library takes a while
        return search(*args, **kwargs)  # type: ignore[arg-type]

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.desk.view, "search", slow_search)
        await pilot.press("T")
        await pilot.pause(0.2)  # the app answers meanwhile
        progress = str(app.screen.query_one("#triage-progress").render())
        assert "Gathering the untriaged papers" in progress
        searched.set()
        await settle(app, pilot)
        assert "1 / 212 untriaged" in str(app.screen.query_one("#triage-progress").render())


async def test_triage_flow_with_undo_and_resume(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        screen = app.screen
        assert type(screen).__name__ == "TriageScreen"
        first, second, third, fourth = screen.pile[:4]  # type: ignore[attr-defined]
        assert "1 / 212 untriaged" in str(screen.query_one("#triage-progress").render())
        await pilot.press("a", "x", "s")
        await pilot.press("t", *"keep", "enter")
        await settle(app, pilot)
        assert "5 / 212" in str(screen.query_one("#triage-progress").render())
        states = stored(library).states()
        assert stored(library).queue_ids() == [first]
        assert states[second].status == "dismissed" and states[second].triaged
        assert third not in states or not states[third].triaged  # skipped: still untriaged
        assert states[fourth].tags == ("keep",) and states[fourth].triaged
        await pilot.press("u", "u")
        await settle(app, pilot)
        states = stored(library).states()
        assert not states[fourth].triaged and states[fourth].tags == ()
        assert "3 / 212" in str(screen.query_one("#triage-progress").render())
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        pile = app.screen.pile  # type: ignore[attr-defined]
        assert first not in pile and second not in pile and third in pile
        assert len(pile) == 210
