"""The export dialog as issue 18 asks: the current filter by default, exact messages, every
choice reachable at 80x24 and 60x20, overwriting asked in the dialog; and the small things
around it (screenshots, the overview's weeks, `triage --query`)."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input, RadioButton, RadioSet

from store.library import Library
from tests.tui.cli.test_commands import PAPERDECK
from tests.tui.pilot import SIZE, app_for, settle, table
from tui.app import PaperdeckApp
from tui.screens.stats import WEEK_WIDTH, week_chart


def messages(app: PaperdeckApp) -> list[str]:
    return [n.message for n in app._notifications]


def pressed(app: PaperdeckApp, radio_set: str) -> str | None:
    button = app.screen.query_one(f"#{radio_set}", RadioSet).pressed_button
    return button.name if button is not None else None


def radio(app: PaperdeckApp, name: str) -> RadioButton:
    (button,) = [b for b in app.screen.query(RadioButton) if b.name == name]
    return button


async def open_dialog(app: PaperdeckApp, pilot: object, target: Path) -> None:
    await pilot.press("e")  # type: ignore[attr-defined]
    await settle(app, pilot)
    app.screen.query_one("#export-path", Input).value = str(target)


async def test_the_default_scope_is_the_filter_and_the_message_counts_the_file(
    library: Library, tmp_path: Path
) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"sparse autoencoder", "enter")
        await settle(app, pilot)
        shown = table(app).records
        library.set_note(shown[0].id, "the one with a note")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        target = tmp_path / "filtered.md"
        await open_dialog(app, pilot, target)
        assert pressed(app, "export-scope") == "filter"
        assert radio(app, "selection").disabled
        await pilot.click("#export-go")
        await settle(app, pilot)
        text = target.read_text(encoding="utf-8")
        assert text.count("\n## ") == 1 and "· 1 paper\n" in text
        left_out = len(shown) - 1
        assert messages(app)[-1] == (
            f"Exported 1 paper to {target}; {left_out} papers without a note left out "
            "(tick “Include papers without notes” to add them)"
        )


async def test_a_selection_is_offered_and_chosen_by_default(
    library: Library, tmp_path: Path
) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "space", "space")
        target = tmp_path / "selected.json"
        await open_dialog(app, pilot, tmp_path / "x.md")
        assert pressed(app, "export-scope") == "selection"
        assert "Selected papers (3)" in str(radio(app, "selection").label)
        radio(app, "json").value = True
        await settle(app, pilot)
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-go")
        await settle(app, pilot)
        assert target.read_text(encoding="utf-8").count('"id":') == 3
        assert messages(app)[-1] == f"Exported 3 papers to {target}"  # JSON keeps every one


async def test_an_existing_file_is_offered_for_overwrite_with_choices_kept(
    library: Library, tmp_path: Path
) -> None:
    target = tmp_path / "old.bib"
    target.write_text("mine\n", encoding="utf-8")
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_dialog(app, pilot, tmp_path / "x.md")
        radio(app, "bib").value = True
        radio(app, "queue").value = True
        app.screen.query_one("#export-all", Checkbox).value = True
        await settle(app, pilot)
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.click("#export-go")
        await settle(app, pilot)
        dialog = app.screen
        assert type(dialog).__name__ == "ExportDialog"  # still open, nothing written
        assert target.read_text(encoding="utf-8") == "mine\n"
        assert "old.bib exists" in str(dialog.query_one("#export-status").render())
        assert str(dialog.query_one("#export-go", Button).label) == "Overwrite"
        assert pressed(app, "export-format") == "bib" and pressed(app, "export-scope") == "queue"
        assert dialog.query_one("#export-all", Checkbox).value
        await pilot.pause(0.6)  # a second click at once would be a double click
        await pilot.click("#export-go")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PapersScreen"
        assert target.read_text(encoding="utf-8") == ""  # the queue is empty: an empty .bib
        assert messages(app)[-1] == f"Exported 0 papers to {target}"


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_every_scope_and_format_is_on_screen(library: Library, size: tuple[int, int]) -> None:
    app = app_for(library)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("space")
        await pilot.press("e")
        await settle(app, pilot)
        width, height = size
        for widget in (
            *app.screen.query(RadioButton),
            app.screen.query_one("#export-all"),
            app.screen.query_one("#export-path"),
            app.screen.query_one("#export-go"),
            app.screen.query_one("#export-cancel"),
        ):
            region = widget.region
            assert region.width > 0 and region.height > 0, widget
            assert region.right <= width and region.bottom <= height, widget


async def test_screenshots_go_to_home_when_downloads_is_missing(
    library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setattr(platformdirs, "user_downloads_path", lambda: home / "Downloads")
    monkeypatch.setattr(Path, "home", lambda: home)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.deliver_screenshot()
        await pilot.pause()
        (saved,) = home.glob("*.svg")
        assert messages(app) == [f"Saved the screenshot to {saved}"]
        app.deliver_screenshot(path=str(tmp_path / "missing" / "deeper"))
        await pilot.pause()
        assert "Could not save the screenshot in" in messages(app)[-1]


def test_week_labels_sit_under_their_bars() -> None:
    counts = [0, 1, 3, 0, 0, 2, 5, 0, 0, 0, 1, 12]
    lines = week_chart(counts, date(2026, 11, 26)).plain.splitlines()
    bars, numbers, labels = lines[:-2], lines[-2], lines[-1]
    assert labels.split() == [
        "09-07", "09-14", "09-21", "09-28", "10-05", "10-12",
        "10-19", "10-26", "11-02", "11-09", "11-16", "11-23",
    ]  # fmt: skip
    for week, count in enumerate(counts):
        column = slice(week * WEEK_WIDTH, (week + 1) * WEEK_WIDTH - 1)
        assert numbers[column].strip() == str(count)
        assert labels[column].strip()  # a date under every bar
        assert any(line[column].strip() for line in bars) == (count > 0)


def test_triage_with_a_bad_query_exits_2_without_opening_the_app(tmp_path: Path) -> None:
    done = subprocess.run(
        [PAPERDECK, "--db", str(tmp_path / "db"), "triage", "--query", "year:>>2"],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert "year:>>2" in done.stderr and done.stderr.count("\n") == 1
    assert done.stdout == ""
