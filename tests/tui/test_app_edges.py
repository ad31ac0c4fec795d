"""The app at the store's edges (issue 17): what it says when a store file cannot be used."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from store.library import Library
from tests.store.files.test_document_types import db, first_doc, hand_edit
from tests.store.files.test_storage_edges import stopped_holder
from tui.app import PaperdeckApp
from tui.widgets.paper_table import PaperTable

# Fixtures: a seeded store with a tag, a queue and an enrichment; a SIGSTOPped lock holder.
__all__ = ["db", "stopped_holder"]


async def test_the_app_names_the_file_with_the_wrong_type(db: Path) -> None:
    hand_edit(db / "state.json", lambda c: first_doc(c).update(tags=5))
    app = PaperdeckApp(Library.open(db), watch_interval=0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("state.json" in m and "'tags'" in m for m in messages), messages


async def test_tagging_a_paper_merged_away_meanwhile_lands_on_the_kept_one(
    library: Library,
) -> None:
    """Issue 17, item 6: the app's list still shows a paper another process merged away."""
    app = PaperdeckApp(library, watch_interval=0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        drop = app.screen.query_one(PaperTable).records[0].id
        keep = next(pid for pid in library.papers() if pid != drop)
        Library(library.root).merge_user_state(keep, drop)  # elsewhere, while the app shows drop
        await pilot.press("t", *"later", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        states = Library(library.root).states()
        assert "later" in states[keep].tags and "later" not in states[drop].tags
        messages = [n.message for n in app._notifications]
        assert any(f"{drop} was merged into {keep}" in m for m in messages), messages


async def test_a_write_waiting_for_a_lock_says_so_in_the_app(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17, item 10: the wait shows within a second, then the give-up message."""
    app = PaperdeckApp(library, watch_interval=0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        library.state_file.lock_timeout = 1.5
        holder = Library(library.root)
        with holder.state_file.locked():
            await pilot.press("t", *"blocked", "enter")
            started = time.monotonic()
            while time.monotonic() - started < 1.2:
                await pilot.pause(0.05)
                if any("waiting for state.json" in n.message.lower() for n in app._notifications):
                    break
            waited = time.monotonic() - started
            assert any("waiting for state.json" in n.message.lower() for n in app._notifications), [
                n.message for n in app._notifications
            ]
            assert waited < 1.2
            await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("held the store lock for 1.5 s" in m for m in messages), messages


async def test_the_app_starts_at_once_beside_a_stopped_lock_holder(
    library: Library, stopped_holder: object
) -> None:
    """Issue 17, item 10: a stopped process holding every lock delayed the start by 20 s."""
    root = library.root
    library.add_tags([next(iter(library.papers()))], ["kept"])  # a state file to back up
    locks = [root / f".{name}.lock" for name in ("catalog.json", "abstracts.json", "state.json")]
    stopped_holder(*locks)  # type: ignore[operator]
    started = time.monotonic()
    app = PaperdeckApp(Library.open(root), watch_interval=0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(PaperTable).records
        await pilot.pause(0.8)  # the start's backups and abstract index follow after 0.5 s
        await app.workers.wait_for_complete()
        messages = [n.message for n in app._notifications]
        assert not any("held the store lock" in m for m in messages), messages
    assert time.monotonic() - started < 8  # each lock used to cost 10 s
