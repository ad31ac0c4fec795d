"""On a large library the app indexes abstracts in another process: words typed meanwhile find
titles and authors at once, say that abstracts are still to come, and the list fills in when
the index arrives (the next start reads the saved index)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from textual.pilot import Pilot

from store.files.storage import file_lock
from store.files.word_index import LOCK_FILE
from store.library import Library
from store.search.index import SearchIndex
from tests.tui.pilot import SIZE, app_for, count_text, settle, table
from tui.app import PaperdeckApp


async def until(ready: object, what: str) -> None:
    for _ in range(1200):
        if ready():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


def a_word_only_abstracts_have(library: Library) -> tuple[str, list[str], list[str]]:
    """A word whose papers are found through abstracts as well as titles: (word, without the
    abstracts, with them)."""
    records = Library(library.root).all_records(with_abstracts=False)
    for word in ("benchmark", "tokens", "reasoning", "training", "video"):
        titles = SearchIndex(records, defer_abstracts=True).search(word)
        everything = Library(library.root).records(word)
        if len(everything) > len(titles):
            return word, [r.id for r in titles], [r.id for r in everything]
    raise AssertionError("the seeds have such words")


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("store.view.DEFER_FROM_BYTES", 0)  # the 212 seeds count as large


@contextlib.asynccontextmanager
async def loaded_while_another_indexes(
    library: Library,
) -> AsyncIterator[tuple[PaperdeckApp, Pilot[None], contextlib.ExitStack]]:
    """The app with its library read, while another builder holds the abstract index's lock
    (this app's build waits behind it until `held.close()`)."""
    with contextlib.ExitStack() as held:
        held.enter_context(file_lock(library.root / LOCK_FILE, 5))
        app = app_for(library)
        async with app.run_test(size=SIZE) as pilot:
            await until(lambda: app.loaded, "loaded")
            yield app, pilot, held


@pytest.mark.usefixtures("large")
async def test_words_find_titles_first_then_abstracts_once_indexed(library: Library) -> None:
    word, titles_only, everything = a_word_only_abstracts_have(library)
    async with loaded_while_another_indexes(library) as (app, pilot, held):
        await pilot.press("slash", *word)
        await until(lambda: count_text(app).endswith("abstracts indexing…"), "partial count")
        assert count_text(app) == f"{len(titles_only)} of 212 · abstracts indexing…"
        assert [r.id for r in table(app).records] == titles_only
        # The build starts once the reader stops typing (store.typing_gate.TYPING_PAUSE).
        await until(lambda: "Indexing abstracts" in app.activity, "indexing shown")
        held.close()  # the other builder is done: this one builds and saves the index
        await until(lambda: count_text(app) == f"{len(everything)} of 212", "full count")
        assert [r.id for r in table(app).records] == everything
        await until(lambda: app.activity == "", "activity cleared")
    assert Library(library.root).saved_abstract_index() is not None


@pytest.mark.usefixtures("large")
async def test_the_next_start_reads_the_saved_index(library: Library) -> None:
    word, _, everything = a_word_only_abstracts_have(library)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: app.desk.view.index.abstracts_indexed, "indexed")
    saved = (library.root / "abstract-words.idx").stat()
    app = app_for(Library(library.root))
    async with app.run_test(size=SIZE) as pilot:
        await until(lambda: app.desk.view.index.abstracts_indexed, "indexed")
        await pilot.press("slash", *word)
        await settle(app, pilot)
        assert count_text(app) == f"{len(everything)} of 212"
    assert (library.root / "abstract-words.idx").stat().st_mtime_ns == saved.st_mtime_ns


@pytest.mark.usefixtures("large")
async def test_the_short_frequent_words_are_made_ahead_once_abstracts_are_indexed(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each word typed begins as a short one (`a`, `in`): their rows are made ready while
    nobody types, not in the time of a key (`RowPostings.keep_short_words`)."""
    monkeypatch.setattr("store.search.row_postings.FREQUENT", 20)  # in 20 of the 212 abstracts
    app = app_for(library)
    async with app.run_test(size=SIZE):
        await until(lambda: app.desk.view.index.abstracts_indexed, "indexed")
        postings = app.desk.view.index._abstract_index
        assert postings is not None

        def kept() -> set[str]:
            return {postings.postings.vocabulary[k] for k in list(postings._kept) if k >= 0}

        await until(lambda: {"a", "in", "of", "to"} <= kept(), "short words kept")
        assert all(len(word) < 3 for word in kept())


async def test_small_libraries_are_indexed_in_the_app_and_save_nothing(library: Library) -> None:
    app: PaperdeckApp = app_for(library)
    async with app.run_test(size=SIZE):
        await until(lambda: app.desk.view.index.abstracts_indexed, "indexed")
        assert not app.desk.view.abstracts_pending
    assert not (library.root / "abstract-words.idx").exists()


@pytest.mark.usefixtures("large")
async def test_the_count_says_abstracts_are_indexed_before_any_word_is_typed(
    library: Library,
) -> None:
    """From the first count on, while the index is built: a word typed then changes the
    count's text, not its width (a new width laid out the whole screen in that key's frame)."""
    word, titles_only, everything = a_word_only_abstracts_have(library)
    async with loaded_while_another_indexes(library) as (app, pilot, held):
        assert count_text(app) == "212 papers · abstracts indexing…"
        label = app.screen.query_one("#filter-count")
        width = label.size.width
        await pilot.press("slash", *word)
        await until(lambda: count_text(app).startswith(f"{len(titles_only)} of"), "count")
        assert count_text(app) == f"{len(titles_only)} of 212 · abstracts indexing…"
        assert label.size.width == width
        await pilot.press(*["backspace"] * len(word))
        await until(lambda: count_text(app).startswith("212 papers"), "all again")
        held.close()
        await until(lambda: count_text(app) == "212 papers", "indexed: said no more")
        await pilot.press(*word)
        await until(lambda: count_text(app) == f"{len(everything)} of 212", "full count")


@pytest.mark.usefixtures("large")
async def test_a_stale_title_index_alone_is_rebuilt_without_waiting(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog changed but not the abstracts: the saved abstract index is used at once (no
    `Indexing abstracts`), and the title index is built for the next start by an indexer of its
    own."""
    from store.files.title_index import INDEX_FILE as TITLES
    from store.indexer import build_and_save

    monkeypatch.setattr("store.indexer.DEFER_FROM_BYTES", 0)  # its own copy of the threshold

    assert build_and_save(library.root)
    (library.root / TITLES).unlink()  # as after a catalog write that left the abstracts alone
    app = app_for(Library(library.root))
    shown: list[str] = []
    async with app.run_test(size=SIZE):
        app.watch(app, "activity", lambda text: shown.append(text))
        await until(lambda: app.desk.view.index.abstracts_indexed, "indexed")
        await until(lambda: (library.root / TITLES).exists(), "title index rebuilt")
    assert not any("Indexing" in text for text in shown)
    fresh = Library(library.root)
    assert fresh.saved_title_index(fresh.record_rows()) is not None
