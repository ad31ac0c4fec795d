"""Settings in the app: a remapped key works, theme and sort are applied and remembered, and
a bad setting is one notification, never a crash."""

from __future__ import annotations

import tomllib
from pathlib import Path

from store.library import Library
from store.settings import load_settings
from tests.tui.pilot import SIZE, app_for, settle, table
from tui.app import PaperdeckApp
from tui.preferences import binding_ids


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def with_settings(library: Library, path: Path) -> PaperdeckApp:
    settings, problems = load_settings(path)
    return app_for(library, settings=settings, settings_path=path, settings_problems=problems)


async def test_a_remapped_key_works_and_the_old_one_no_longer_does(
    library: Library, tmp_path: Path
) -> None:
    path = config(tmp_path, '[keymap]\n"app.help" = "f1"\n"paper.read" = "ctrl+e"\n')
    app = with_settings(library, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "PapersScreen"
        assert "f1 keys" in str(app.screen.query_one("ModeBar").render())
        await pilot.press("f1")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        from rich.table import Table
        from textual.widgets import Static

        tables = [w.content for w in app.screen.query(Static) if isinstance(w.content, Table)]
        keys = [str(cell) for table in tables for cell in table.columns[0].cells]
        assert "ctrl+e" in keys and "f1" in keys  # the help lists the keys as remapped
        await pilot.press("escape")
        await pilot.pause()
        paper_table = table(app)
        first = paper_table.records[paper_table.cursor]
        assert first.state.status != "read"
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        assert Library(library.root).record(first.id).state.status == "read"


async def test_unknown_binding_ids_and_themes_are_one_notification_each(
    library: Library, tmp_path: Path
) -> None:
    path = config(tmp_path, 'theme = "no-such-theme"\n[keymap]\n"app.nonsense" = "f2"\n')
    app = with_settings(library, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = [n.message for n in app._notifications]  # Textual keeps no public list
        assert any("keymap.app.nonsense: no key has this id" in m for m in shown)
        assert any("theme: no theme 'no-such-theme'" in m for m in shown)
        assert app.theme == "textual-dark"


async def test_theme_and_sort_are_applied_and_remembered(library: Library, tmp_path: Path) -> None:
    path = config(tmp_path, '# mine\ntheme = "nord"\n\n[export]\nformat = "bib"\n')
    app = with_settings(library, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == "nord"
        app.theme = "gruvbox"
        app.sort = "title"
        await settle(app, pilot)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# mine\n") and tomllib.loads(text) == {
        "theme": "gruvbox",
        "sort": "title",
        "export": {"format": "bib"},
    }
    again = with_settings(library, path)
    async with again.run_test(size=SIZE) as pilot:
        await settle(again, pilot)
        assert (again.theme, again.sort) == ("gruvbox", "title")
        titles = [r.title for r in table(again).records[:5]]
        assert titles == sorted(titles, key=str.casefold)


def test_every_binding_has_an_id_users_can_name() -> None:
    ids = binding_ids()
    assert {"app.help", "paper.tag", "papers.sort"} <= ids
    assert all("." in i for i in ids)


async def test_the_export_dialog_starts_from_the_configured_folder_and_format(
    library: Library, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    path = config(tmp_path, f'[export]\ndirectory = "{folder}"\nformat = "bib"\n')
    app = with_settings(library, path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        from textual.widgets import Input, RadioSet

        dialog = app.screen
        assert dialog.query_one("#export-path", Input).value == str(folder / "paperdeck.bib")
        pressed = dialog.query_one("#export-format", RadioSet).pressed_button
        assert pressed is not None and pressed.name == "bib"
