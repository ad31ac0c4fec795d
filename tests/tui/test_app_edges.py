"""The app at the store's edges (issue 17): what it says when a store file cannot be used."""

from __future__ import annotations

from pathlib import Path

from store.library import Library
from tests.store.test_document_types import db, first_doc, hand_edit
from tui.app import PaperdeckApp

__all__ = ["db"]  # the fixture: a seeded store with a tag, a queue and an enrichment


async def test_the_app_names_the_file_with_the_wrong_type(db: Path) -> None:
    hand_edit(db / "state.json", lambda c: first_doc(c).update(tags=5))
    app = PaperdeckApp(Library.open(db), watch_interval=0)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("state.json" in m and "'tags'" in m for m in messages), messages
