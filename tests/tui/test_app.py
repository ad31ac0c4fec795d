"""The app driven with Pilot, one test per key, checked against what the store holds."""

from __future__ import annotations

import time
import webbrowser
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input, OptionList, TextArea
from textual.widgets._footer import FooterKey

from store.library import Library
from store.paths import bundled_seeds
from tests.conftest import DATA
from tui.app import PaperdeckApp
from tui.widgets.paper_table import PaperTable

SIZE = (120, 40)


def app_for(library: Library, **kwargs: object) -> PaperdeckApp:
    return PaperdeckApp(library, watch_interval=0, **kwargs)  # type: ignore[arg-type]


async def settle(app: PaperdeckApp, pilot: object) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


def table(app: PaperdeckApp) -> PaperTable:
    return app.screen.query_one(PaperTable)


def stored(library: Library) -> Library:
    return Library(library.root)  # a fresh reader: what is on disk


def count_text(app: PaperdeckApp) -> str:
    return str(app.screen.query_one("#filter-count").render())


async def test_empty_store_imports_the_seeds_first(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "fresh")
    app = PaperdeckApp(library, seeds=bundled_seeds(), watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(table(app).records) == 212
        assert "212 papers" in count_text(app)
    assert len(stored(library).papers()) == 212


async def test_the_footer_follows_focus_and_is_rebuilt_only_when_its_keys_change(
    library: Library,
) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        keys = list(app.screen.query(FooterKey))
        assert {"Tag", "Note", "Queue", "Filter", "Quit"} <= {k.description for k in keys}
        app.screen.refresh_bindings()  # nothing changed: the same key widgets stay
        await settle(app, pilot)
        assert list(app.screen.query(FooterKey)) == keys
        await pilot.press("slash")  # the filter bar has its own keys
        await settle(app, pilot)
        assert "Clear filter" in {k.description for k in app.screen.query(FooterKey)}
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Tag" in {k.description for k in app.screen.query(FooterKey)}


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
    running, most = 0, 0
    search = app.desk.view.search

    def slow_search(*args: object, **kwargs: object) -> list[object]:
        nonlocal running, most
        running += 1
        most = max(most, running)
        time.sleep(0.05)  # a large library: long enough for the next keys to arrive
        try:
            return search(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            running -= 1

    monkeypatch.setattr(app.desk.view, "search", slow_search)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
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
        assert most == 1


async def test_a_slow_filter_says_it_is_searching(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    search = app.desk.view.search

    def slow_search(*args: object, **kwargs: object) -> list[object]:
        time.sleep(0.5)  # the first word search on a large library, before its index exists
        return search(*args, **kwargs)  # type: ignore[arg-type]

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.desk.view, "search", slow_search)
        await pilot.press("slash", *"sparse")
        await pilot.pause(0.3)
        assert count_text(app) == "searching…"
        await settle(app, pilot)
        assert count_text(app) == f"{len(search('sparse'))} of 212"


async def test_related_papers_say_they_are_coming_while_the_index_builds(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    related = app.desk.view.related

    def slow_related(paper: str, limit: int = 5) -> list[object]:
        time.sleep(0.5)  # the first time on a large library reads every abstract
        return related(paper, limit)  # type: ignore[return-value]

    monkeypatch.setattr(app.desk.view, "related", slow_related)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause(0.2)
        options = app.screen.query_one("#abstract-related", OptionList)
        assert "Finding related papers" in str(options.get_option_at_index(0).prompt)
        await settle(app, pilot)
        assert options.option_count == 5 and not options.get_option_at_index(0).disabled


async def test_tag_keys_with_selection_and_removal(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first, second = (r.id for r in table(app).records[:2])
        await pilot.press("space", "space", "t")
        await pilot.press(*"llm, to-read", "enter")
        await settle(app, pilot)
        states = stored(library).states()
        assert states[first].tags == ("llm", "to-read") == states[second].tags
        await pilot.press("escape", "g", "t", *"-llm", "enter")
        await settle(app, pilot)
        assert stored(library).states()[first].tags == ("to-read",)
        await pilot.press("u")
        await settle(app, pilot)
        assert stored(library).states()[first].tags == ("llm", "to-read")  # as it was


async def test_note_editor_saves_on_ctrl_s_escape_and_quit(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pid = table(app).records[0].id
        await pilot.press("n")
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"hello [bold]")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert stored(library).states()[pid].note == "hello [bold]"
        await pilot.press(*" more", "escape")
        await settle(app, pilot)
        assert stored(library).states()[pid].note == "hello [bold] more"
        assert type(app.screen).__name__ == "PapersScreen"
        await pilot.press("n", *" at quit")
        app.exit()
    assert stored(library).states()[pid].note == "hello [bold] more at quit"


async def test_a_draft_left_by_a_crash_comes_back(library: Library) -> None:
    pid = sorted(library.papers())[0]
    library.save_draft(pid, "typed before the crash")
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table(app).move_to(pid)
        await pilot.press("n")
        assert app.screen.query_one(TextArea).text == "typed before the crash"
        await pilot.press("escape")
        await settle(app, pilot)
    assert stored(library).states()[pid].note == "typed before the crash"
    assert library.draft(pid) is None


async def test_queue_read_and_undo(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        a, b = (r.id for r in table(app).records[:2])
        await pilot.press("a", "j", "a")
        await settle(app, pilot)
        assert stored(library).queue_ids() == [a, b]
        await pilot.press("r")  # reading b to the end takes it off the queue
        await settle(app, pilot)
        assert stored(library).states()[b].status == "read"
        assert stored(library).queue_ids() == [a]
        await pilot.press("u")
        await settle(app, pilot)
        assert stored(library).states()[b].status == "unread"
        assert stored(library).queue_ids() == [a, b]
        await pilot.press("2")
        await settle(app, pilot)
        assert [r.id for r in table(app).records] == [a, b]
        await pilot.press("shift+down")
        await settle(app, pilot)
        assert stored(library).queue_ids() == [b, a]
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "AbstractScreen"


async def test_open_link_copy_and_sort(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: opened.append(url) or True)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        record = table(app).records[0]
        await pilot.press("o")
        assert opened == [record.best_link()]
        await pilot.press("y")
        assert app.clipboard.startswith(record.title)
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("down", "down", "down", "enter")  # relevance, date, upvotes, title
        await settle(app, pilot)
        titles = [r.title.casefold() for r in table(app).records]
        assert titles == sorted(titles)


async def test_tags_notes_help_palette_and_quit(library: Library) -> None:
    pid = sorted(library.papers())[0]
    library.add_tags([pid], ["old"])
    library.set_note(pid, "first line of the note")
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("3")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "TagsScreen"
        await pilot.press("R", *"renamed", "enter")
        await settle(app, pilot)
        assert stored(library).states()[pid].tags == ("renamed",)
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PapersScreen"
        assert [r.id for r in table(app).records] == [pid]
        await pilot.press("4")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.paper_id == pid  # type: ignore[attr-defined]
        await pilot.press("escape", "1", "question_mark")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape", "5")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "StatsScreen"
        await pilot.press("1", "ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"Queue", "enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "QueueScreen"
        await pilot.press("1", "q")
        await settle(app, pilot)
        assert not app.is_running


async def test_changes_from_another_process_show_and_are_never_overwritten(
    library: Library,
) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        a = table(app).records[0].id
        Library(library.root).add_tags([a], ["from-cli"])  # while the app holds stale data
        await pilot.press("t", *"from-app", "enter")
        await settle(app, pilot)
        assert stored(library).states()[a].tags == ("from-cli", "from-app")
        Library(library.root).set_status([a], "reading")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert table(app).records[0].state.status == "reading"


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


async def test_markup_in_titles_and_notes_is_shown_verbatim(tmp_path: Path) -> None:
    listing = tmp_path / "evil.txt"
    listing.write_text(
        "Paper [bold]x[/] [link=http://evil]y[/link] [MASK] \x1b]0;pwned\x07\n\n"
        "Abstract [/] with [red]markup[/red].\n"
    )
    library = Library.open(tmp_path / "data")
    library.import_files([listing])
    pid = next(iter(library.papers()))
    library.set_note(pid, "note with [/] and [bold]")
    app = app_for(library)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert "[bold]x[/]" in table(app).render_line(1).text
        await pilot.press("enter")
        await settle(app, pilot)
        title = str(app.screen.query_one("#abstract-title").render())
        assert "[bold]x[/] [link=http://evil]y[/link] [MASK]" in title and "\x1b" not in title
        assert "[/] with [red]markup[/red]" in str(app.screen.query_one("#abstract-text").render())
        await pilot.press("t", *"[bold]x", "enter")  # refused, and the message shows it as typed
        await settle(app, pilot)
        toasts = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert any("'[bold]x'" in text for text in toasts), toasts
        await pilot.press("escape", "4")
        await settle(app, pilot)
        assert app.is_running


async def test_triage_gathers_its_pile_off_the_ui_thread(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    search = app.desk.view.search

    def slow_search(*args: object, **kwargs: object) -> list[object]:
        time.sleep(0.5)
        return search(*args, **kwargs)  # type: ignore[arg-type]

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        monkeypatch.setattr(app.desk.view, "search", slow_search)
        await pilot.press("T")
        await pilot.pause(0.2)  # the app answers meanwhile
        progress = str(app.screen.query_one("#triage-progress").render())
        assert "Gathering the untriaged papers" in progress
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
        assert states[second].status == "read" and states[second].triaged
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


async def test_works_at_80_by_24(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        for key in ("enter", "escape", "2", "3", "4", "5", "1"):
            await pilot.press(key)
            await settle(app, pilot)
        assert app.is_running and len(table(app).records) == 212


async def test_export_dialog_writes_the_chosen_scope(library: Library, tmp_path: Path) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pid = table(app).records[0].id
        library.set_note(pid, "exported from the app")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        target = tmp_path / "out.md"
        path_input = app.screen.query_one("#export-path", Input)
        path_input.value = str(target)
        path_input.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PapersScreen"
    text = target.read_text(encoding="utf-8")
    assert "exported from the app" in text and text.count("\n## ") == 1


async def test_hundreds_of_random_keys_never_crash_the_app(library: Library) -> None:
    import random

    keys = [
        "j",
        "k",
        "g",
        "G",
        "enter",
        "escape",
        "space",
        "a",
        "r",
        "u",
        "y",
        "s",
        "1",
        "2",
        "3",
        "4",
        "5",
        "T",
        "x",
        "slash",
        "question_mark",
        "down",
        "up",
        "shift+up",
        "shift+down",
        "pagedown",
        "pageup",
        "t",
        "n",
        "e",
        "b",
        "ctrl+r",
        "R",
        "m",
    ]
    rng = random.Random(42)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for _ in range(250):
            await pilot.press(rng.choice(keys))
        await settle(app, pilot)
        assert app.is_running
    Library(library.root).check_usable()
