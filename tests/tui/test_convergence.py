"""The app's view converges to the files without a key press, whatever another process wrote
and whenever it landed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from store.library import Library
from store.models import Enrichment
from tests.conftest import DATA
from tests.tui.pilot import SIZE, count_text, settle, table
from tui.app import PaperdeckApp


async def until(pilot: Any, condition: Callable[[], bool], seconds: float = 5) -> bool:
    for _ in range(int(seconds / 0.1)):
        if condition():
            return True
        await pilot.pause(0.1)
    return condition()


async def test_a_cli_write_landing_between_the_apps_write_and_its_refresh_shows(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Library.set_status
    other = Library(library.root)

    def set_status_then_cli_writes(self: Library, ids: Any, status: str) -> Any:
        change = real(self, ids, status)
        other.add_tags(ids, ["from-cli"])  # lands before the app takes in its own change
        return change

    monkeypatch.setattr(Library, "set_status", set_status_then_cli_writes)
    app = PaperdeckApp(library, watch_interval=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = table(app).records[0].id
        await pilot.press("r")
        await settle(app, pilot)
        assert await until(pilot, lambda: "from-cli" in app.desk.view.get(first).state.tags)
        assert app.desk.view.get(first).state.status == "read"
        shown = next(r for r in table(app).records if r.id == first)
        assert "from-cli" in shown.state.tags


async def test_papers_from_a_cli_import_show_without_ctrl_r(library: Library) -> None:
    app = PaperdeckApp(library, watch_interval=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "212 papers" in count_text(app)
        Library(library.root).import_files([DATA / "listings" / "crlf.txt"])
        assert await until(pilot, lambda: "213 papers" in count_text(app))
        assert len(table(app).records) == 213


async def test_enrichment_from_a_cli_fetch_shows(library: Library) -> None:
    app = PaperdeckApp(library, watch_interval=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = table(app).records[0].id
        Library(library.root).save_enrichment(first, Enrichment(arxiv_id="2410.12345"))
        assert await until(
            pilot, lambda: app.desk.view.get(first).enrichment.arxiv_id == "2410.12345"
        )
