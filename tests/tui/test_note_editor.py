"""The note editor: every way of leaving it saves, and a crash leaves a draft that comes back."""

from __future__ import annotations

from textual.widgets import TextArea

from store.library import Library
from tests.tui.pilot import SIZE, app_for, settle, stored, table


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
