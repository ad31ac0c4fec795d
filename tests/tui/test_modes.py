"""The other screens (Tags, Notes, Overview, help, palette) and quitting; random keys everywhere."""

from __future__ import annotations

from store.library import Library
from tests.tui.pilot import SIZE, app_for, settle, stored, table


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
