"""The export dialog writes the scope and format chosen."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from store.library import Library
from tests.tui.pilot import SIZE, app_for, settle, table


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
