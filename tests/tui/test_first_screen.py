"""A large library shows its first screen from the stored date order before every record is
built, and the list the load then finishes is the same papers, in the same order, made of the
same records."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from store.library import Library
from store.memory import end_startup_pause, pause_for_startup
from store.rows import OrderedRows, RecordRows
from store.search.index import SearchIndex
from store.view import LibraryView
from tests.tui.pilot import SIZE, app_for, count_text, searches_asked, settle, table
from tui import app as app_module
from tui import cli, loading, upkeep
from tui.app import PaperdeckApp
from tui.screens import papers as papers_module


@pytest.fixture
def slow_load(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The seeds count as a large library, and building the records waits for the test."""
    monkeypatch.setattr(loading, "PREVIEW_FROM", 100)
    release = threading.Event()
    original = LibraryView.load

    def load(self: LibraryView, rows: RecordRows | None = None, **options: bool) -> None:
        assert release.wait(30), "the test never let the load finish"
        original(self, rows, **options)

    monkeypatch.setattr(LibraryView, "load", load)
    return release


async def until(condition: object, pilot: object) -> None:
    for _ in range(400):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause()  # type: ignore[attr-defined]
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


async def typed_while_the_load_holds(
    app: PaperdeckApp, pilot: Pilot[None], word: str
) -> OrderedRows:
    """The list the app shows for `word`, typed on its first screen before the load ends."""
    await until(lambda: len(table(app).records) == 212, pilot)
    await pilot.press("slash", *word)
    await until(lambda: len(table(app).records) < 212, pilot)
    assert not app.loaded
    shown = table(app).records
    assert isinstance(shown, OrderedRows)
    return shown


async def test_the_first_screen_shows_before_the_records_are_built(
    library: Library, slow_load: threading.Event
) -> None:
    expected = [r.id for r in Library(library.root).records("", with_abstracts=False)]
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(table(app).records) == 212, pilot)
        shown = table(app).records
        assert isinstance(shown, OrderedRows) and not app.loaded
        assert "212 papers" in count_text(app)
        built = shown.rows
        assert sum(r is not None for r in built._built) < 100  # the screen's rows, not all
        assert table(app).current_id == expected[0]
        await pilot.press("down", "down")  # the keys work on the first screen already
        assert table(app).current_id == expected[2]
        first_rows = [shown[i] for i in range(30)]
        slow_load.set()
        await settle(app, pilot)
        assert app.loaded
        finished = table(app).records
        assert isinstance(finished, list)
        assert [r.id for r in finished] == expected
        assert all(a is b for a, b in zip(first_rows, finished, strict=False))  # not rebuilt
        assert table(app).current_id == expected[2]  # the cursor stayed where it was
        assert "212 papers" in count_text(app)
        await pilot.press("slash", *"diffusion")
        await settle(app, pilot)
        found = [r.id for r in Library(library.root).records("diffusion")]
        assert found and [r.id for r in table(app).records] == found


async def test_words_typed_before_the_load_ends_are_searched_at_once(
    library: Library, slow_load: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load holds (as building 100k records would): a typed word is still answered, from
    titles and authors, each record built only when shown; the load's end completes it."""
    monkeypatch.setattr(loading, "SEARCH_READY_UNTIL", 0)  # as 100k: no index before it
    whole = [r.id for r in Library(library.root).records("diffusion")]
    by_id = {r.id: r for r in Library(library.root).records("diffusion")}
    rows = library.record_rows()
    found = SearchIndex(rows, indexed=False, defer_abstracts=True).matching_rows("diffusion")
    titles_and_authors = [rows[row].id for row in found]
    assert titles_and_authors and len(titles_and_authors) < len(whole)
    for pid in titles_and_authors:  # what the whole search finds, less the abstracts' finds
        record = by_id[pid]
        assert "diffusion" in (record.paper.title + " ".join(record.authors)).lower()
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        shown = await typed_while_the_load_holds(app, pilot, "diffusion")
        assert sorted(r.id for r in shown) == sorted(titles_and_authors)
        assert sum(r is not None for r in shown.rows._built) < 100  # only what is drawn
        assert "abstracts indexing" in count_text(app)
        slow_load.set()
        await settle(app, pilot)
        assert app.loaded
        assert [r.id for r in table(app).records] == whole
        assert "abstracts indexing" not in count_text(app)


async def test_a_small_library_loads_in_one_step(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[object] = []
    original = app_module.PaperdeckApp.take_first_results

    def take(self: app_module.PaperdeckApp, sort: str | None) -> object:
        found = original(self, sort)
        offered.append(found)
        return found

    monkeypatch.setattr(app_module.PaperdeckApp, "take_first_results", take)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(table(app).records, list) and len(table(app).records) == 212
        assert not any(isinstance(found, OrderedRows) for found in offered)


def loads_recorded(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each `LibraryView.load`: whether it ran on the UI (main) thread."""
    on_ui_thread: list[bool] = []
    original = LibraryView.load

    def load(self: LibraryView, rows: RecordRows | None = None, **options: bool) -> None:
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        original(self, rows, **options)

    monkeypatch.setattr(LibraryView, "load", load)
    return on_ui_thread


async def test_a_small_library_is_read_before_the_screen_is_built(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seeds' catalog is under READ_BEFORE_FRAME: read once, before the Papers screen is
    mounted, so its first layout already has every row; the worker reads nothing again."""
    loads = loads_recorded(monkeypatch)
    rows_when_mounted: list[int] = []
    on_mount = papers_module.PapersScreen.on_mount

    def mounted(self: papers_module.PapersScreen) -> None:
        on_mount(self)
        rows_when_mounted.append(len(self.table.records))

    monkeypatch.setattr(papers_module.PapersScreen, "on_mount", mounted)
    assert library.catalog_file.path.stat().st_size <= loading.READ_BEFORE_FRAME
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert loads == [True]
        assert rows_when_mounted == [212]
        assert app.loaded and len(table(app).records) == 212


async def test_a_larger_catalog_is_read_in_the_worker(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over READ_BEFORE_FRAME (told by the file's size, without reading it) the load runs in
    the worker, off the UI thread, and the list fills all the same."""
    monkeypatch.setattr(loading, "READ_BEFORE_FRAME", 1000)
    loads = loads_recorded(monkeypatch)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert loads == [False]
        assert len(table(app).records) == 212


async def test_a_problem_met_before_the_screen_is_reported_by_the_worker(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lost state file is not read before the first frame: the worker says what to do."""
    library.add_tags([min(library.paper_ids())], ["kept"])
    library.state_file.path.unlink()
    loads = loads_recorded(monkeypatch)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert loads == []
        shown = [str(n.message) for n in app._notifications]
        assert any("doctor --restore" in message for message in shown), shown


async def test_a_medium_library_is_searchable_from_its_first_frame(
    library: Library, slow_load: threading.Event
) -> None:
    """Up to SEARCH_READY_UNTIL papers the word indexes come before the first frame: a word
    typed at once finds all it will find after the load, each record built when shown."""
    assert loading.SEARCH_READY_UNTIL >= 212
    whole = [r.id for r in Library(library.root).records("diffusion")]
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        shown = await typed_while_the_load_holds(app, pilot, "diffusion")
        assert [r.id for r in shown] == whole  # the same papers in the same order
        assert "abstracts indexing" not in count_text(app)
        slow_load.set()
        await settle(app, pilot)
        assert app.loaded and [r.id for r in table(app).records] == whole


async def test_the_first_frame_sent_is_the_whole_screen(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual drops frames drawn while the app's start is batched, yet counted them as sent:
    the first frame a terminal got was the list alone, the mode bar, filter and footer came a
    frame later.  Nothing is drawn while batched now, and the first frame is everything."""
    from textual._compositor import LayoutUpdate

    sent: list[object] = []
    drawn_while_batched: list[object] = []
    display = PaperdeckApp._display

    def recorded(self: PaperdeckApp, screen: object, renderable: object) -> None:
        if renderable is not None:
            (drawn_while_batched if self._batch_count else sent).append(renderable)
        display(self, screen, renderable)  # type: ignore[arg-type]

    monkeypatch.setattr(PaperdeckApp, "_display", recorded)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert drawn_while_batched == []
        first = sent[0]
        assert isinstance(first, LayoutUpdate)
        assert first.region.size == app.size
        text = "\n".join("".join(strip.text for strip in line) for line in first.strips)
        for part in ("1 Papers", "/ filter", "QNCS title"):
            assert part in text, part
        assert "Quit" in text.splitlines()[-1]


async def test_the_warm_up_search_waits_for_the_first_frame(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search nobody sees (so the first key runs warm code) parses its query and starts
    the search thread: work that held the first frame back when it ran as the screen went
    idle, before the frame was drawn.  It runs once the first list is on the terminal."""
    events: list[str] = []
    display = PaperdeckApp._display
    warm_up = papers_module.PapersScreen._warm_up

    def recorded(self: PaperdeckApp, screen: object, renderable: object) -> None:
        if renderable is not None:
            events.append("frame")
        display(self, screen, renderable)  # type: ignore[arg-type]

    def warming(self: papers_module.PapersScreen) -> None:
        events.append("warm-up")
        warm_up(self)

    monkeypatch.setattr(PaperdeckApp, "_display", recorded)
    monkeypatch.setattr(papers_module.PapersScreen, "_warm_up", warming)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await until(lambda: "warm-up" in events, pilot)
        assert events.index("frame") < events.index("warm-up")
        assert events.count("warm-up") == 1


@pytest.mark.parametrize("large", [False, True])
async def test_mallocs_threshold_is_held_before_a_large_load_and_after_a_small_ones_frame(
    library: Library, monkeypatch: pytest.MonkeyPatch, large: bool
) -> None:
    """A large library's load frees the blocks that would raise malloc's threshold: it is held
    before that load. A small library is read before the first frame, and the ctypes it takes
    (2-3 ms) waits until that frame is drawn; either way it is held before any training."""
    events: list[str] = []
    display = PaperdeckApp._display

    def recorded(self: PaperdeckApp, screen: object, renderable: object) -> None:
        if renderable is not None:
            events.append("frame")
        display(self, screen, renderable)  # type: ignore[arg-type]

    def fixed() -> bool:
        events.append("threshold")
        return True

    loads = loads_recorded(monkeypatch)
    original_load = LibraryView.load

    def load(self: LibraryView, rows: RecordRows | None = None, **options: bool) -> None:
        events.append("load")
        original_load(self, rows, **options)

    monkeypatch.setattr(LibraryView, "load", load)
    monkeypatch.setattr(PaperdeckApp, "_display", recorded)
    monkeypatch.setattr(loading, "fix_mmap_threshold", fixed)
    monkeypatch.setattr(upkeep, "fix_mmap_threshold", fixed)
    if large:
        monkeypatch.setattr(loading, "READ_BEFORE_FRAME", 1000)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await until(lambda: events.count("threshold") == (2 if large else 1), pilot)
    assert loads == [not large]
    if large:
        assert events.index("threshold") < events.index("load")
    else:
        assert events.index("load") < events.index("frame") < events.index("threshold")


async def test_no_search_runs_by_itself_while_a_large_library_loads(
    library: Library, slow_load: threading.Event, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search run once the first list is drawn (so the first key runs warm code) waits
    for built word indexes: on a large library still loading, a first search builds the
    scan's tables (0.2 s and 25 MB at 100k papers), which only a key typed should pay for."""
    monkeypatch.setattr(loading, "SEARCH_READY_UNTIL", 100)  # no indexes before the load
    asked = searches_asked(monkeypatch)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(table(app).records) == 212, pilot)
        for _ in range(20):
            await pilot.pause()
        assert not app.loaded and asked == []
        slow_load.set()
        await settle(app, pilot)
        assert app.loaded and asked == [papers_module.WARM_UP_QUERY]  # once built: cheap


async def test_a_frame_asked_for_in_a_later_batch_is_drawn_after_it(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Desk screens draw nothing while the app is batched; a frame asked for then (a layout
    inside `batch_update`, not only the app's start) is drawn once the batch is over."""
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sent: list[object] = []
        display = PaperdeckApp._display

        def recorded(self: PaperdeckApp, screen: object, renderable: object) -> None:
            if renderable is not None and not self._batch_count:
                sent.append(renderable)
            display(self, screen, renderable)  # type: ignore[arg-type]

        monkeypatch.setattr(PaperdeckApp, "_display", recorded)
        screen = app.screen
        with app.batch_update():
            # What Textual's layout does at the end: draw what is marked, here the whole
            # screen, with nothing else left to ask for a frame after the batch.
            screen._compositor._dirty_regions.add(screen.region)
            screen._compositor_refresh()
            assert sent == []
        await settle(app, pilot)
        assert sent  # drawn once the batch was over


async def test_acting_on_a_paper_while_the_records_load_says_so(
    library: Library, slow_load: threading.Event
) -> None:
    """The list shows before a large library's records are built: a paper's keys then say
    that the library is still being read (they used to end the app), and work once it is."""
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(table(app).records) == 212, pilot)
        assert not app.loaded
        first = table(app).current_id
        for keys in (("t",), ("a",), ("r",), ("enter",), ("e",), ("T",), ("o",), ("y",)):
            app.clear_notifications()
            await pilot.press(*keys)
            await pilot.pause()
            assert type(app.screen).__name__ == "PapersScreen", keys
            shown = [str(n.message) for n in app._notifications]
            assert shown == ["Still reading the library: try again in a moment."], keys
        slow_load.set()
        await settle(app, pilot)
        assert app.loaded and table(app).current_id == first
        await pilot.press("a")  # into the queue, now that the records are read
        await settle(app, pilot)
        assert Library(library.root).queue_ids() == [first]


async def test_keys_typed_while_a_large_library_loads_use_the_saved_title_index(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `title-words.idx` current, the load searches through it from right after the first
    frame: a key typed while the records are built is answered by the word index (a typo
    too), exactly as the whole search answers it."""
    from store.indexer import build_and_save
    from store.search.postings import SavedWordIndex

    monkeypatch.setattr(loading, "PREVIEW_FROM", 100)
    monkeypatch.setattr(loading, "SEARCH_READY_UNTIL", 0)  # as 100k: nothing before it
    assert build_and_save(library.root)
    release = threading.Event()
    original = RecordRows.materialise

    def materialise(self: RecordRows, *args: object, **options: object) -> object:
        assert release.wait(30), "the test never let the records be built"
        return original(self, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(RecordRows, "materialise", materialise)
    searched_by: list[tuple[str, bool]] = []  # (query, through a saved title index)
    original_rows = SearchIndex.matching_rows

    def matching_rows(self: SearchIndex, query: object, *args: object, **options: object) -> object:
        text = str(getattr(query, "text", query))
        searched_by.append((text, isinstance(self._title_index, SavedWordIndex)))
        return original_rows(self, query, *args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(SearchIndex, "matching_rows", matching_rows)
    expected = [r.id for r in Library(library.root).records("difusion")]
    assert expected
    searched_by.clear()  # the app's searches only
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        # Right after the first frame the load reads the saved index and searches through it.
        await until(
            lambda: isinstance(getattr(app.desk.view._early, "_title_index", None), SavedWordIndex),
            pilot,
        )
        shown = await typed_while_the_load_holds(app, pilot, "difusion")
        assert ("difusion", True) in searched_by
        typed = [saved for query, saved in searched_by if query and "difusion".startswith(query)]
        assert typed and all(typed)  # every key typed: through the saved index
        assert [r.id for r in shown] == expected
        release.set()
        await settle(app, pilot)
        assert app.loaded
        assert [r.id for r in table(app).records] == expected


@pytest.fixture
def collector_restored() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


async def test_the_collector_paused_at_start_resumes_once_the_load_has_ended(
    library: Library, slow_load: threading.Event, collector_restored: None
) -> None:
    pause_for_startup()  # as the `paperdeck` entry point does, first thing
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: len(table(app).records) == 212, pilot)
        assert not gc.isenabled()  # the first screen is up, the records still to build
        slow_load.set()
        await settle(app, pilot)
        assert app.loaded
        assert gc.isenabled()
        end_startup_pause()  # once only: a later pause (`paused_gc`) is its own
        assert gc.isenabled()


def test_a_command_resumes_the_collector_before_its_work(
    library: Library,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    collector_restored: None,
) -> None:
    seen: list[bool] = []
    original = Library.search

    def search(self: Library, *args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Library, "search", search)
    monkeypatch.setattr(sys, "argv", ["paperdeck", "--db", str(library.root), "list"])
    assert cli.start() == 0  # the entry point's work: the collector paused at once
    assert capsys.readouterr().out.count("\n") >= 20  # the papers listed
    assert seen == [True]
