"""`f` in the app: fetch in a worker against the local API, results in the list and the view."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.library import Library
from tests.fakes.api import FakeApi, atom, json_reply
from tui.app import PaperdeckApp
from tui.widgets.paper_table import PaperTable

TITLE = "Sparse Mixture Routing for Efficient Long-Context Transformers"


@pytest.fixture
def desk(api: FakeApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> PaperdeckApp:
    monkeypatch.setenv("PAPERDECK_ARXIV_API", f"{api.base}/api/query")
    monkeypatch.setenv("PAPERDECK_GITHUB_API", f"{api.base}/gh")
    monkeypatch.setenv("PAPERDECK_ARXIV_DELAY", "0")
    listing = tmp_path / "one.txt"
    listing.write_text(
        f"{TITLE}\n\nWe route tokens. Code: https://github.com/example-lab/sparse-routing.\n\n"
        "  • 3 authors\n·\nAug 14, 2024 5\n"
    )
    library = Library.open(tmp_path / "data")
    library.import_files([listing])
    return PaperdeckApp(library, watch_interval=0)


async def test_f_fetches_in_the_background_and_shows_the_stars(
    desk: PaperdeckApp, api: FakeApi
) -> None:
    api.arxiv(TITLE, atom("arxiv_empty.xml"))
    api.repo("example-lab/sparse-routing", json_reply("github_repo.json"))
    async with desk.run_test(size=(120, 40)) as pilot:
        await desk.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("f")
        await desk.workers.wait_for_complete()
        await pilot.pause()
        row = desk.screen.query_one(PaperTable).render_line(1).text
        assert "★" in row
        await pilot.press("enter")
        await pilot.pause()
        meta = str(desk.screen.query_one("#abstract-meta").render())
        assert "example-lab/sparse-routing" in meta and "★" in meta
    (enrichment,) = Library(desk.library.root).enrichments().values()
    assert enrichment.arxiv_status == "not_found"
    assert enrichment.repos[0].status == "ok" and enrichment.repos[0].stars
