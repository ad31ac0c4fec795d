"""A new user's first session at 80x24, driving the README's keys table screen by screen.

The keys pressed are checked against the table in README.md: a key documented there and not
walked through here fails the test, so the manual and the app cannot drift apart."""

from __future__ import annotations

import re
import webbrowser
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, TextArea

from store.library import Library
from tests.conftest import ROOT
from tests.fakes.api import FakeApi, atom, json_reply, pulled
from tests.tui.pilot import app_for, count_text, settle, stored, table
from tui.app import PaperdeckApp

README_KEYS = {"↓": "down", "↑": "up", "/": "slash", "shift+↑": "shift+up", "shift+↓": "shift+down"}


def readme_keys() -> set[str]:
    """Every key in the first column of the README's keys table, as Pilot names it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table_text = text.split("### Keys", 1)[1].split("\n\n", 2)[1]
    keys: set[str] = set()
    for row in table_text.splitlines()[2:]:
        first = row.split("|")[1]
        keys |= {README_KEYS.get(k, k) for k in re.findall(r"`([^`]+)`", first)}
    return keys


class Walk:
    def __init__(self, app: PaperdeckApp, pilot: object) -> None:
        self.app = app
        self.pilot = pilot
        self.pressed: set[str] = set()

    async def press(self, *keys: str) -> None:
        self.pressed.update(keys)
        await self.pilot.press(*keys)  # type: ignore[attr-defined]
        await settle(self.app, self.pilot)

    async def type(self, text: str) -> None:
        await self.pilot.press(*text)  # type: ignore[attr-defined]
        await settle(self.app, self.pilot)

    @property
    def screen(self) -> str:
        return type(self.app.screen).__name__

    def said(self) -> str:
        return " | ".join(n.message for n in self.app._notifications)


@pytest.fixture
def offline(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    monkeypatch.setenv("PAPERDECK_ARXIV_API", f"{api.base}/api/query")
    monkeypatch.setenv("PAPERDECK_GITHUB_API", f"{api.base}/gh")
    monkeypatch.setenv("PAPERDECK_ARXIV_DELAY", "0")
    monkeypatch.setenv("PAPERDECK_HF_API", f"{api.base}/hf")
    monkeypatch.delenv("PAPERDECK_PULL", raising=False)
    return api


async def test_the_readme_keys_screen_by_screen(
    library: Library, offline: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: opened.append(url) or True)
    app = app_for(library)
    async with app.run_test(size=(80, 24)) as pilot:
        walk = Walk(app, pilot)
        await settle(app, pilot)
        papers = table(app)

        # Papers: moving.
        await walk.press("j", "j", "k")
        assert papers.cursor == 1
        await walk.press("down", "down", "up")
        assert papers.cursor == 2
        await walk.press("G")
        assert papers.cursor == len(papers.records) - 1
        await walk.press("g")
        assert papers.cursor == 0

        # The filter bar: `/`, words, `enter` to the first match; `escape` clears it.
        await walk.press("slash")
        await walk.type("sparse autoencoder")
        await walk.press("enter")
        assert count_text(app).endswith("of 212") and app.focused is papers
        first, second = (r.id for r in papers.records[:2])

        # Selecting two, tagging both, clearing the selection.
        await walk.press("space", "space")
        assert "2 selected" in count_text(app)
        await walk.press("t")
        await walk.type("walkthrough")
        await walk.press("enter")
        assert all("walkthrough" in stored(library).states()[p].tags for p in (first, second))
        await walk.press("escape")
        assert "selected" not in count_text(app)

        # One paper: queue, read, reading, undo, note, copy, open.
        await walk.press("g", "a")
        assert stored(library).queue_ids() == [first]
        await walk.press("r")
        assert stored(library).states()[first].status == "read"
        await walk.press("R")
        assert stored(library).states()[first].status == "reading"
        await walk.press("u")
        assert stored(library).states()[first].status == "read"
        await walk.press("n")
        await walk.type("first note")
        await walk.press("ctrl+s", "escape")
        assert stored(library).states()[first].note == "first note"
        await walk.press("y")
        assert "Copied 1 paper" in walk.said()
        await walk.press("o")
        assert opened == [papers.records[0].best_link()]

        # Sort, fetch (against the local API), export, reload.
        await walk.press("s")
        assert walk.screen == "SortChooser"
        await walk.press("down", "enter")  # relevance -> date
        assert app.sort == "date"
        record = papers.current
        assert record is not None
        offline.arxiv(record.title, atom("arxiv_empty.xml"))
        for repo in record.paper.github:
            offline.repo(repo, json_reply("github_repo.json"))
        await walk.press("f")
        assert "arXiv: 0 matched, 1 not found" in walk.said()
        await walk.press("e")
        target = tmp_path / "walk.md"
        path = app.screen.query_one("#export-path", Input)
        path.value = str(target)
        path.focus()
        await walk.press("enter")
        assert "first note" in target.read_text(encoding="utf-8")
        await walk.press("ctrl+r")
        assert "Reloaded from the store." in walk.said()

        # Abstract: arrows step through the list, escape goes back where it was.
        await walk.press("g", "enter")
        assert walk.screen == "AbstractScreen"
        await walk.press("down")
        assert app.screen.paper_id == papers.records[1].id  # type: ignore[attr-defined]
        await walk.press("up", "escape")
        assert walk.screen == "PapersScreen" and papers.cursor == 0

        # Triage on the filter: queue, undo, leave.
        await walk.press("T")
        assert walk.screen == "TriageScreen"
        await walk.press("q")
        assert walk.screen == "PapersScreen"

        # Queue: two papers, reordered.
        assert stored(library).queue_ids() == []  # read papers leave the queue
        papers.move_to(second)
        await walk.press("a")
        papers.move_to(first)
        await walk.press("a", "2")
        assert stored(library).queue_ids() == [second, first]
        app.screen.query_one("#queue-table").focus()
        await walk.press("shift+down")
        assert stored(library).queue_ids() == [first, second]
        await walk.press("shift+up")
        assert stored(library).queue_ids() == [second, first]

        # Tags: rename, then merge into another.
        await walk.press("3")
        tags = app.screen.query_one("#tags-list", OptionList)
        assert tags.highlighted == 0
        await walk.press("R")
        field = app.screen.query_one("#prompt-input", Input)
        field.value = "walked"
        await walk.press("enter")
        assert "walked" in stored(library).tag_counts()
        library.add_tags([first], ["other"])
        await walk.press("ctrl+r", "g")
        await walk.press("m")
        app.screen.query_one("#prompt-input", Input).value = "other"
        await walk.press("enter")
        assert set(stored(library).tag_counts()) == {"other"}

        # Back to Papers; pull today's papers (the local Hugging Face).
        await walk.press("q")
        assert walk.screen == "PapersScreen"
        offline.hf(f"{library.now():%Y-%m-%d}", pulled("hf_2024-10-25.json"))
        await walk.press("P")
        assert "3 new" in walk.said() and len(stored(library).papers()) == 215

        # Inboxes: save a search as one, open it, forget it.
        await walk.press("6")
        await walk.press("a")
        app.screen.query_one("#prompt-input", Input).value = "sparse"
        await walk.press("enter")
        app.screen.query_one("#prompt-input", Input).value = "sparse autoencoder"
        await walk.press("enter")
        assert "1 inbox," in str(app.screen.query_one("#inbox-count").render())
        await walk.press("enter")
        assert walk.screen == "PapersScreen" and count_text(app).endswith("of 215")
        await walk.press("6", "d")
        assert "No inboxes yet" in str(app.screen.query_one("#inbox-count").render())
        await walk.press("q")
        assert walk.screen == "PapersScreen"
        assert not app.screen.query(TextArea)
        await walk.press("q")
        assert not app.is_running

    documented = readme_keys()
    assert {"j", "down", "shift+up", "slash", "R", "q"} <= documented  # the table was read
    missing = documented - walk.pressed
    assert not missing, f"README keys this walkthrough never pressed: {sorted(missing)}"
