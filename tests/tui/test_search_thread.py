"""The Papers screen's one search thread: the newest query wins, stale results never show,
and a keystroke that finds the same papers leaves the list alone."""

from __future__ import annotations

import threading

import pytest

from store.library import Library
from store.models import Paper, Record
from store.search.language import Query, parse_query
from tests.tui.pilot import SIZE, app_for, count_text, settle, table
from tui.search_thread import SearchDone, SearchThread
from tui.widgets.paper_table import PaperTable


async def test_the_newest_query_wins_and_stale_results_never_show(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    search, search_listed = app.desk.view.search, app.desk.view.search_listed
    started, release = threading.Event(), threading.Event()
    asked: list[str] = []
    shown: list[list[str]] = []

    def held_search(query: str | Query, sort: str | None = None) -> object:
        asked.append(str(getattr(query, "text", query)))
        started.set()
        release.wait(10)  # the first search is still running while the user types on
        return search_listed(query, sort)

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.desk.view, "search_listed", held_search)
        original = PaperTable.set_records

        def spy(self: PaperTable, records: list[Record], **kwargs: object) -> None:
            shown.append([r.id for r in records])
            original(self, records, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(PaperTable, "set_records", spy)
        await pilot.press("slash", "s")
        assert started.wait(10)
        await pilot.press(*"parse")  # five more queries while the first one is held
        release.set()
        await settle(app, pilot)
        expected = [r.id for r in search("sparse")]
        assert [r.id for r in table(app).records] == expected
        assert count_text(app) == f"{len(expected)} of 212"
        assert len(asked) == 2  # the held one and the newest; the ones between never ran
        assert shown == [expected]  # the held search's results (for "s") were never shown
        assert {r.id for r in search("s")} != set(expected)


async def test_the_list_is_not_rebuilt_when_the_results_did_not_change(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"sparse")
        await settle(app, pilot)
        before = table(app).records
        refreshes = 0
        original = PaperTable.refresh

        def counting_refresh(self: PaperTable, *args: object, **kwargs: object) -> PaperTable:
            nonlocal refreshes
            refreshes += 1
            return original(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(PaperTable, "refresh", counting_refresh)
        await pilot.press("space")  # `sparse ` finds the same papers in the same order
        await settle(app, pilot)
        assert table(app).records is before and refreshes == 0
        await pilot.press(*"autoencoder")  # fewer papers: the list changes
        await settle(app, pilot)
        assert table(app).records is not before and refreshes > 0


class Inbox:
    """Where the thread posts what nobody waited for."""

    def __init__(self) -> None:
        self.posted: list[SearchDone] = []
        self.arrived = threading.Event()

    def post_message(self, message: SearchDone) -> bool:
        self.posted.append(message)
        self.arrived.set()
        return True


def test_a_quick_search_is_handed_to_the_waiting_ui_not_posted() -> None:
    inbox = Inbox()
    found = [Record(Paper(id="p", title="Sparse"))]
    thread = SearchThread(inbox, lambda query, sort: found)  # type: ignore[arg-type]
    try:
        done = thread.submit_and_wait(1, parse_query("sparse"), None, timeout=5.0)
        assert done is not None and done.generation == 1 and done.records == found
        assert done.seconds >= 0.0
        assert not thread.busy and inbox.posted == []  # shown once, by the waiter
    finally:
        thread.stop()


def test_a_slow_search_is_not_waited_for_and_arrives_as_a_message() -> None:
    inbox = Inbox()
    release = threading.Event()

    def slow(query: Query, sort: str | None) -> list[Record]:
        release.wait(10)
        return []

    thread = SearchThread(inbox, slow)  # type: ignore[arg-type]
    try:
        assert thread.submit_and_wait(1, parse_query("sparse"), None, timeout=0.01) is None
        release.set()
        assert inbox.arrived.wait(10)
        assert [m.generation for m in inbox.posted] == [1] and inbox.posted[0].seconds > 0.0
    finally:
        thread.stop()
