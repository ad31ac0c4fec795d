"""The Papers screen: loading, the footer, moving, filtering and its worker, at any size."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from store.library import Library
from store.paths import bundled_seeds
from store.view import LibraryView
from tests.conftest import DATA
from tests.tui.pilot import SIZE, app_for, count_text, searches_asked, settle, stored, table
from tui.app import PaperdeckApp
from tui.widgets.footer import DeskFooter
from tui.widgets.paper_table import PaperTable


async def test_empty_store_imports_the_seeds_first(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "fresh")
    app = PaperdeckApp(library, seeds=bundled_seeds(), watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(table(app).records) == 212
        assert "212 papers" in count_text(app)
    assert len(stored(library).papers()) == 212


def footer_descriptions(app: PaperdeckApp) -> set[str]:
    return {key.description for key in app.screen.query_one(DeskFooter).drawn}


async def test_the_footer_follows_focus(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert {"Tag", "Note", "Queue", "Filter", "Quit"} <= footer_descriptions(app)
        await pilot.press("slash")  # the filter bar has its own keys
        await settle(app, pilot)
        assert "Clear filter" in footer_descriptions(app)
        assert "Tag" not in footer_descriptions(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Tag" in footer_descriptions(app)


async def test_a_click_on_a_footer_key_presses_it(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one(DeskFooter)
        help_key = next(k for s, _, k in footer._drawn if k.description == "Help")
        start = next(s for s, _, k in footer._drawn if k is help_key)
        await pilot.hover(DeskFooter, offset=(start + 1, 0))
        assert footer.hovered == help_key.action
        await pilot.click(DeskFooter, offset=(start + 1, 0))
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HelpScreen"


async def test_moving_and_opening(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        papers = table(app)
        await pilot.press("j", "j", "down")
        assert papers.cursor == 3
        await pilot.press("k", "up")
        assert papers.cursor == 1
        await pilot.press("G")
        assert papers.cursor == 211
        await pilot.press("g")
        assert papers.cursor == 0
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "AbstractScreen"
        second = papers.records[1].id
        assert app.screen.paper_id == second  # type: ignore[attr-defined]
        await pilot.press("j")
        assert app.screen.paper_id == papers.records[2].id  # type: ignore[attr-defined]
        await pilot.press("k", "k")
        assert app.screen.paper_id == papers.records[0].id  # type: ignore[attr-defined]
        await pilot.press("escape")
        await settle(app, pilot)
        assert table(app).cursor == 0  # back where the view ended


async def test_the_cursor_stays_on_its_paper_while_the_filter_changes(library: Library) -> None:
    """Narrowed and widened again, the list keeps the cursor on the paper it was on (found
    by its row in the new results: no scan of every id per key)."""
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        papers = table(app)
        await pilot.press("slash", "d")
        await settle(app, pilot)
        narrowed = papers.records
        assert 10 < len(narrowed) < 212
        await pilot.press("escape")
        await settle(app, pilot)
        middle = len(narrowed) // 2
        chosen = narrowed[middle].id  # a paper both lists have, at another place in each
        index = [r.id for r in papers.records].index(chosen)
        assert index != middle
        papers.move_to(chosen)
        await pilot.press("slash", "d")
        await settle(app, pilot)
        assert papers.current_id == chosen and papers.cursor == middle
        await pilot.press("backspace")
        await settle(app, pilot)
        assert papers.current_id == chosen and papers.cursor == index


async def test_keys_typed_right_after_enter_or_escape_reach_the_list(library: Library) -> None:
    """Keys sent in one burst (a terminal's paste, a script's `tmux send-keys`): those after
    enter and escape move the list's cursor; none of them lands in the filter."""
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", "d", "i", "f")
        await settle(app, pilot)
        for key, character in (("enter", "\r"), ("j", "j"), ("j", "j")):
            app.post_message(events.Key(key, character))  # queued together, no pause between
        await settle(app, pilot)
        assert app.screen.filter_bar.value == "dif"  # type: ignore[attr-defined]
        assert isinstance(app.focused, PaperTable) and table(app).cursor == 2
        await pilot.press("slash")
        for key, character in (("escape", None), ("G", "G")):
            app.post_message(events.Key(key, character))
        await settle(app, pilot)
        assert app.screen.filter_bar.value == ""  # type: ignore[attr-defined]
        assert isinstance(app.focused, PaperTable)
        assert table(app).cursor == len(table(app).records) - 1 == 211


async def test_filter_bar(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"sparse autoencoder")
        await settle(app, pilot)
        shown = len(table(app).records)
        assert 3 < shown < 212 and f"{shown} of 212" in count_text(app)
        await pilot.press("enter")
        assert isinstance(app.focused, PaperTable) and table(app).cursor == 0
        await pilot.press("slash", "escape")
        await settle(app, pilot)
        assert len(table(app).records) == 212
        await pilot.press("slash", *"year:>>2")
        await settle(app, pilot)
        assert "year:>>2" in count_text(app)  # the error names the term, the app lives on
        assert app.is_running


async def test_keys_typed_right_after_slash_never_act_on_papers(library: Library) -> None:
    """On a busy moment keys arrive together; those after `/` must not queue, mark or sort."""
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key, character in (("slash", "/"), ("a", "a"), ("r", "r"), ("s", "s")):
            app.post_message(events.Key(key, character))  # all queued before any is handled
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PapersScreen"  # no sort chooser
        assert isinstance(app.focused, Input) and app.focused.value == "ars"  # nothing lost
        await pilot.press("slash", "x")  # in the filter bar itself `/` is text
        assert app.focused.value == "ars/x"
    assert stored(library).queue_ids() == [] and stored(library).states() == {}


async def test_one_search_at_a_time_and_the_last_filter_wins(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    running, most, searches = 0, 0, 0
    search, search_listed = app.desk.view.search, app.desk.view.search_listed

    def slow_search(*args: object, **kwargs: object) -> object:
        nonlocal running, most, searches
        running += 1
        searches += 1
        most = max(most, running)
        time.sleep(0.05)  # a large library: long enough for the next keys to arrive
        try:
            return search_listed(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            running -= 1

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.desk.view, "search_listed", slow_search)
        await pilot.press("slash")
        for character in "sparse autoencoder":
            key = "space" if character == " " else character
            app.post_message(events.Key(key, character))
            await pilot.pause(0.01)
        for _ in range(50):
            await settle(app, pilot)
            if count_text(app).startswith(f"{len(search('sparse autoencoder'))} of"):
                break
        assert [r.id for r in table(app).records] == [r.id for r in search("sparse autoencoder")]
        assert most == 1 and 2 <= searches < len("sparse autoencoder")


async def test_a_slow_filter_says_it_is_searching(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    search, search_listed = app.desk.view.search, app.desk.view.search_listed

    def slow_search(*args: object, **kwargs: object) -> object:
        time.sleep(0.5)  # the first word search on a large library, before its index exists
        return search_listed(*args, **kwargs)  # type: ignore[arg-type]

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.desk.view, "search_listed", slow_search)
        await pilot.press("slash", *"sparse")
        await pilot.pause(0.3)
        assert count_text(app) == "searching…"
        await settle(app, pilot)
        assert count_text(app) == f"{len(search('sparse'))} of 212"


async def test_reload_keeps_the_filter_and_never_shows_an_old_list(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"sparse autoencoder", "enter")
        await settle(app, pilot)
        shown = len(table(app).records)
        Library(library.root).import_files([DATA / "listings" / "crlf.txt"])
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert len(table(app).records) == shown and f"{shown} of 213" in count_text(app)
        first = table(app).records[0].id
        await pilot.press("t", *"after-reload", "enter")
        await settle(app, pilot)
        await pilot.press("slash", "escape")  # back to everything: today's state, not the load's
        await settle(app, pilot)
        assert len(table(app).records) == 213
        tagged = [r for r in table(app).records if r.id == first]
        assert tagged[0].state.tags == ("after-reload",)


async def test_works_at_80_by_24(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key in ("enter", "escape", "2", "3", "4", "5", "1"):
            await pilot.press(key)
            await settle(app, pilot)
        assert app.is_running and len(table(app).records) == 212


async def test_the_app_tells_the_view_of_every_key(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    noted: list[float] = []
    monkeypatch.setattr(LibraryView, "note_activity", lambda self: noted.append(time.monotonic()))
    app = app_for(library)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        before = len(noted)
        await pilot.press("slash")
        await pilot.press("x")
        await settle(app, pilot)
        assert len(noted) - before == 2


async def test_a_search_nobody_sees_runs_once_the_list_is_drawn(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search thread runs one search after the first list is drawn, so that the first
    key typed runs code already run; the list and its count stay as they are."""
    from tui.screens import papers as papers_module

    asked = searches_asked(monkeypatch)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert asked == [papers_module.WARM_UP_QUERY]
        assert count_text(app) == "212 papers"
        assert len(table(app).records) == 212
        await pilot.press("slash", "d", "i", "f", "f")
        await settle(app, pilot)
        assert asked[1:] == ["d", "di", "dif", "diff"]
        assert count_text(app).endswith("of 212")


async def test_a_key_after_a_slow_search_is_waited_for_and_one_during_it_is_not(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen waits a moment for a search so that its results come in the typed
    character's frame, whenever no search is under way (a slow first letter at 100k papers
    must not keep the keys after it from being waited for); a key typed while one runs
    has its character drawn at once."""
    from tui.search_thread import SearchThread

    app = app_for(library)
    search_listed = app.desk.view.search_listed
    release = threading.Event()
    how: list[tuple[str, str]] = []

    def first_slow(query: object, sort: str | None = None) -> object:
        if str(getattr(query, "text", query)) == "d":
            release.wait(10)
        return search_listed(query, sort)  # type: ignore[arg-type]

    waited, submitted = SearchThread.submit_and_wait, SearchThread.submit

    def waiting(self: SearchThread, generation: int, query: object, *args: object) -> object:
        how.append(("waited", str(getattr(query, "text", query))))
        return waited(self, generation, query, *args)  # type: ignore[arg-type]

    def not_waiting(self: SearchThread, generation: int, query: object, *args: object) -> None:
        if not how or how[-1][1] != str(getattr(query, "text", query)):
            how.append(("submitted", str(getattr(query, "text", query))))
        submitted(self, generation, query, *args)  # type: ignore[arg-type]

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.desk.view, "search_listed", first_slow)
        monkeypatch.setattr(SearchThread, "submit_and_wait", waiting)
        monkeypatch.setattr(SearchThread, "submit", not_waiting)
        await pilot.press("slash", "d")  # slow: waited for a moment, then shown when done
        await pilot.press("i")  # while `d` is searched: not waited for
        release.set()
        await settle(app, pilot)
        await pilot.press("f")  # nothing under way: waited for
        await settle(app, pilot)
        assert count_text(app).endswith("of 212")
    assert how == [("waited", "d"), ("submitted", "di"), ("waited", "dif")]
