"""The keys every paper screen shares (`t a r u o y s`), checked against the store on disk."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import pytest

from store.library import Library
from tests.tui.pilot import SIZE, app_for, settle, stored, table


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
