"""`P` pulls in a worker against the local server; `6` shows the inboxes and opens one."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import OptionList

from store.library import Library
from tests.fakes.api import PULL_DATA, FakeApi, Reply, pulled
from tests.tui.pilot import SIZE, app_for, settle, stored, table
from tui.app import PaperdeckApp
from tui.screens.inbox import InboxScreen
from tui.screens.papers import PapersScreen

NOW = datetime(2024, 10, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def lib(api: FakeApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Library:
    monkeypatch.setenv("PAPERDECK_HF_API", f"{api.base}/hf")
    monkeypatch.setenv("PAPERDECK_ARXIV_RSS", f"{api.base}/rss")
    monkeypatch.setenv("PAPERDECK_ARXIV_DELAY", "0")
    monkeypatch.delenv("PAPERDECK_PULL", raising=False)
    library = Library.open(tmp_path / "data", now=lambda: NOW)
    library.import_files([PULL_DATA / "hf_new_shape.json"])
    return library


def messages(app: PaperdeckApp) -> list[str]:
    return [n.message for n in app._notifications]


def files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


async def test_p_pulls_today_in_the_background_and_says_how_many_are_new(
    lib: Library, api: FakeApi
) -> None:
    api.hf("2024-10-25", pulled("hf_2024-10-25.json"))
    app = app_for(lib)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert len(table(app).records) == 3
        await pilot.press("P")
        await settle(app, pilot)
        assert any(m.startswith("3 new\nhf:2024-10-25: 3 new") for m in messages(app))
        assert len(table(app).records) == 6  # the list was reloaded with the new papers
        assert app.activity == ""
    assert len(stored(lib).papers()) == 6


async def test_a_failed_pull_is_one_error_and_changes_nothing(lib: Library, api: FakeApi) -> None:
    api.hf("2024-10-25", pulled("portal.html"))
    before = files(lib.root)
    app = app_for(lib)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("P")
        await settle(app, pilot)
        (error,) = [n for n in app._notifications if n.severity == "error"]
        assert error.message.startswith("Hugging Face (2024-10-25): the answer was an HTML page")
        assert len(table(app).records) == 3
    after = files(lib.root)
    after.pop("backups", None)
    assert {k: v for k, v in after.items() if not k.startswith("backups/")} == {
        k: v for k, v in before.items() if not k.startswith("backups/")
    }


async def test_ctrl_x_cancels_a_pull_between_pages(
    lib: Library, api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERDECK_PULL", "hf arxiv:cs.AI")
    api.hf("2024-10-25", pulled("hf_2024-10-25.json", delay=1.0))
    app = app_for(lib)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("P")
        await pilot.pause(0.3)
        assert app.activity.startswith("Pulling")
        await pilot.press("ctrl+x")
        # A cancelled thread worker counts as done at once; its thread ends with the request.
        for _ in range(50):
            if any(m.startswith("Pull cancelled") for m in messages(app)):
                break
            await pilot.pause(0.1)
        assert any(m.startswith("Pull cancelled") for m in messages(app)), messages(app)
    # The page in flight landed; the arXiv feed was never asked for.
    assert [s.path for s in api.pull_requests()] == ["/hf/daily_papers"]
    assert len(stored(lib).papers()) == 6


async def test_the_inbox_screen_counts_new_papers_and_opening_one_filters_and_resets(
    lib: Library, api: FakeApi
) -> None:
    inboxes = lib.inboxes()
    inboxes.add("everything", "")
    inboxes.add("code", "has:code")
    api.hf("2024-10-25", pulled("hf_2024-10-25.json"))
    later = datetime(2024, 10, 25, 10, 0, tzinfo=UTC)
    lib.now = lambda: later  # the pull comes after the inboxes were made
    app = app_for(lib)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("6")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, InboxScreen)
        assert [(c.inbox.name, c.total, c.new) for c in screen.counts] == [
            ("everything", 3, 0),
            ("code", 2, 0),
        ]
        await pilot.press("P")
        await settle(app, pilot)
        assert [(c.inbox.name, c.total, c.new) for c in screen.counts] == [
            ("everything", 6, 3),
            ("code", 2, 0),
        ]
        options = screen.query_one("#inbox-list", OptionList)
        assert "3 new" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(app, pilot)
        papers = app.screen
        assert isinstance(papers, PapersScreen)
        assert papers.filter_bar.value == "" and len(table(app).records) == 6
        await pilot.press("6")
        await settle(app, pilot)
        assert [(c.inbox.name, c.new) for c in app.screen.counts] == [  # type: ignore[attr-defined]
            ("everything", 0),
            ("code", 0),
        ]
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.screen.filter_bar.value == "has:code"  # type: ignore[attr-defined]
        assert len(table(app).records) == 2
    assert {i.name: i.opened for i in stored(lib).inboxes().all()} == {
        "everything": later.isoformat(timespec="seconds"),
        "code": later.isoformat(timespec="seconds"),
    }


async def test_inboxes_are_added_and_removed_from_the_screen(lib: Library) -> None:
    app = app_for(lib)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("6")
        await settle(app, pilot)
        await pilot.press("a")
        await pilot.press(*"agents", "enter")
        await pilot.press(*"agents", "enter")
        await settle(app, pilot)
        assert [(c.inbox.name, c.total) for c in app.screen.counts] == [  # type: ignore[attr-defined]
            ("agents", 1)
        ]
        await pilot.press("a")
        await pilot.press(*"bad", "enter")
        await pilot.press(*"tag:", "enter")
        await settle(app, pilot)
        assert any("needs a value" in m for m in messages(app))
        await pilot.press("d")
        await settle(app, pilot)
        assert app.screen.counts == []  # type: ignore[attr-defined]
    assert stored(lib).inboxes().all() == []


async def test_a_second_p_while_pulling_is_refused(lib: Library, api: FakeApi) -> None:
    api.hf("2024-10-25", Reply(body=b"[]", delay=0.8))
    app = app_for(lib)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("P")
        await pilot.pause(0.1)
        await pilot.press("P")
        await settle(app, pilot)
        assert "A pull is already running; ctrl+x cancels it." in messages(app)
    assert len(api.pull_requests()) == 1
