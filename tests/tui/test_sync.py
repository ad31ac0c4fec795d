"""The app with a sync folder: other devices' changes appear while it is open, and its own
changes reach the folder, without blocking the screen."""

from __future__ import annotations

from pathlib import Path

from store.library import Library
from tests.tui.pilot import SIZE, settle, stored, table
from tui.app import PaperdeckApp


async def test_the_app_syncs_on_start_after_changes_and_picks_up_others(
    library: Library, tmp_path: Path, seeds: list[Path]
) -> None:
    folder = tmp_path / "Sync"
    folder.mkdir()
    other = Library.open(tmp_path / "desktop")
    other.import_files(seeds)
    first = sorted(other.papers())[0]
    other.add_tags([first], ["from-desktop"])
    other.sync(folder)

    app = PaperdeckApp(
        library, watch_interval=0, sync_folder=folder, sync_interval=0.2, sync_delay=0.01
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # On start: the desktop's tag is here, in the store and on screen.
        assert stored(library).states()[first].tags == ("from-desktop",)
        assert app.desk.view.get(first).state.tags == ("from-desktop",)

        # A change made in the app reaches the folder soon after.
        mine = table(app).records[0].id
        await pilot.press("t", *"from-laptop", "enter")
        await settle(app, pilot)
        await pilot.pause(0.1)
        await settle(app, pilot)
        other.sync(folder)
        assert "from-laptop" in other.states()[mine].tags

        # While open: the desktop changes something, the periodic sync shows it.
        other.set_note(first, "desktop note")
        other.sync(folder)
        for _ in range(40):
            await pilot.pause(0.1)
            await app.workers.wait_for_complete()
            app.pick_up_outside_changes()
            if app.desk.view.get(first).state.note == "desktop note":
                break
        assert app.desk.view.get(first).state.note == "desktop note"


async def test_a_sync_folder_that_is_gone_is_one_warning(library: Library, tmp_path: Path) -> None:
    app = PaperdeckApp(library, watch_interval=0, sync_folder=tmp_path / "unplugged")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert sum("unplugged" in m and "no such directory" in m for m in messages) == 1
        assert table(app).records  # the app works on


async def test_a_missing_state_file_is_reported_not_shown_as_an_empty_desk(
    library: Library,
) -> None:
    pid = sorted(library.papers())[0]
    library.add_tags([pid], ["precious"])
    (library.root / "state.json").unlink()
    app = PaperdeckApp(library, watch_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert any("state.json: missing" in m and "doctor --restore" in m for m in messages)
        assert not app.loaded
