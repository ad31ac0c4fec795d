"""Issue 18's keys: the same moves on every list, `q` everywhere, the abstract view's steps and
back stack, `R` for reading, the footer at 80 columns."""

from __future__ import annotations

import io
import webbrowser

import pytest
from rich.console import Console
from textual.widgets import OptionList, Static

from store.library import Library
from store.search.language import SORTS
from tests.tui.pilot import SIZE, app_for, count_text, settle, stored, table
from tui.app import PaperdeckApp
from tui.bindings import PALETTE
from tui.widgets.footer import DeskFooter


def screen_name(app: PaperdeckApp) -> str:
    return type(app.screen).__name__


def footer(app: PaperdeckApp) -> dict[str, str]:
    """Footer keys shown: description -> key."""
    return {k.description: k.key for k in app.screen.query_one(DeskFooter).drawn if k.description}


def messages(app: PaperdeckApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def tagged(library: Library) -> Library:
    ids = sorted(library.papers())[:4]
    library.add_tags(ids[:1], ["alpha"])
    library.add_tags(ids[:2], ["beta"])
    library.add_tags(ids[:3], ["gamma"])
    for n, pid in enumerate(ids):
        library.set_note(pid, f"note {n}")
    return library


@pytest.mark.parametrize(("mode", "list_id"), [("3", "#tags-list"), ("4", "#notes-list")])
async def test_j_k_g_G_move_on_tags_and_notes(tagged: Library, mode: str, list_id: str) -> None:
    app = app_for(tagged)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(mode)
        await settle(app, pilot)
        options = app.screen.query_one(list_id, OptionList)
        assert options.highlighted == 0  # a cursor at once
        await pilot.press("j", "j")
        assert options.highlighted == 2
        await pilot.press("k")
        assert options.highlighted == 1
        await pilot.press("G")
        assert options.highlighted == options.option_count - 1
        await pilot.press("g")
        assert options.highlighted == 0


async def test_abstract_arrows_step_papers_and_page_keys_scroll(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        ids = [r.id for r in table(app).records]
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert screen.paper_id == ids[0]  # type: ignore[attr-defined]
        await pilot.press("down")
        assert screen.paper_id == ids[1]  # type: ignore[attr-defined]
        await pilot.press("j", "up")
        assert screen.paper_id == ids[1]  # type: ignore[attr-defined]
        body = screen.query_one("#abstract-body")
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 0 and screen.paper_id == ids[1]  # type: ignore[attr-defined]
        await pilot.press("k")
        assert screen.paper_id == ids[0]  # type: ignore[attr-defined]
        await pilot.press("up")  # the first paper: says so, stays
        assert screen.paper_id == ids[0]  # type: ignore[attr-defined]
        assert "This is the first paper of the list." in messages(app)


async def test_links_and_related_show_a_cursor_and_related_papers_go_back(
    library: Library,
) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        ids = [r.id for r in table(app).records]
        await pilot.press("j", "enter")
        await settle(app, pilot)
        screen = app.screen
        links = screen.query_one("#abstract-links", OptionList)
        related = screen.query_one("#abstract-related", OptionList)
        assert links.option_count and links.highlighted == 0
        assert related.option_count == 5 and related.highlighted == 0
        title = str(screen.query_one("#abstract-title").render())
        assert f"(2 of {len(ids)})" in title
        related.focus()
        await pilot.press("j", "enter")
        await settle(app, pilot)
        opened = screen.paper_id  # type: ignore[attr-defined]
        assert opened != ids[1]
        title = str(screen.query_one("#abstract-title").render())
        assert title.endswith(f"({ids.index(opened) + 1} of {len(ids)})")  # its own place
        await pilot.press("escape")  # back to the paper it came from, not the list
        await settle(app, pilot)
        assert screen_name(app) == "AbstractScreen" and screen.paper_id == ids[1]  # type: ignore[attr-defined]
        assert f"(2 of {len(ids)})" in str(screen.query_one("#abstract-title").render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert screen_name(app) == "PapersScreen" and table(app).current_id == ids[1]


@pytest.mark.parametrize("mode", ["2", "3", "4", "5", "6"])
async def test_q_leaves_every_screen_and_the_footer_says_so(library: Library, mode: str) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert footer(app)["Quit"] == "q"
        await pilot.press(mode)
        await settle(app, pilot)
        assert footer(app)["Back"] == "q"
        await pilot.press("q")
        await settle(app, pilot)
        assert screen_name(app) == "PapersScreen" and app.is_running


async def test_q_leaves_abstract_triage_help_and_sort(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for key, shown, says in (
            ("enter", "AbstractScreen", "Back"),
            ("T", "TriageScreen", "Leave"),
            ("question_mark", "HelpScreen", None),
            ("s", "SortChooser", None),
        ):
            await pilot.press(key)
            await settle(app, pilot)
            assert screen_name(app) == shown
            if says:
                assert footer(app)[says] == "q"
            await pilot.press("q")
            await settle(app, pilot)
            assert screen_name(app) == "PapersScreen" and app.is_running
        await pilot.press("q")  # on Papers: quits
        await settle(app, pilot)
        assert not app.is_running


async def test_reading_has_a_key_and_a_palette_command(library: Library) -> None:
    assert any(c.name == "Mark reading / unread" and c.key == "R" for c in PALETTE)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pid = table(app).current_id
        assert pid is not None
        await pilot.press("R")
        await settle(app, pilot)
        assert stored(library).states()[pid].status == "reading"
        await pilot.press("R")
        await settle(app, pilot)
        assert stored(library).states()[pid].status == "unread"
        await pilot.press("enter", "R")  # from the abstract view too
        await settle(app, pilot)
        assert stored(library).states()[pid].status == "reading"
        assert "reading" in str(app.screen.query_one("#abstract-meta").render())


async def test_triage_card_shows_the_undone_state(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("T")
        await settle(app, pilot)
        meta = app.screen.query_one("#triage-meta")
        await pilot.press("t", *"keepme", "enter")
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        shown = str(meta.render())
        assert "keepme" not in shown and "status" in shown
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("u")
        await settle(app, pilot)
        shown = str(meta.render())
        assert "queue #" not in shown and "unread" in shown
        assert stored(library).queue_ids() == []


async def test_open_without_a_browser_says_nothing_opened(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webbrowser, "open", lambda *args, **kwargs: False)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await settle(app, pilot)
        (said,) = messages(app)
        assert "nothing was opened" in said and "y to copy the link" in said
        assert "https://" in said and not said.startswith("Opened")


async def test_selection_count_and_plurals(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "space")
        await settle(app, pilot)
        assert "212 papers · 2 selected" in count_text(app)
        await pilot.press("y")
        await settle(app, pilot)
        assert "Copied 2 papers to the clipboard." in messages(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert "selected" not in count_text(app)
        app.clear_notifications()
        await pilot.press("y")
        await settle(app, pilot)
        assert messages(app) == ["Copied 1 paper to the clipboard."]
        library.set_note(table(app).records[0].id, "only one")
        await pilot.press("ctrl+r", "4")
        await settle(app, pilot)
        assert str(app.screen.query_one("#notes-count").render()) == "1 note"


async def test_the_footer_keeps_the_most_used_keys_at_80_columns(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = footer(app)
        assert {"Open", "Tag", "Note", "Queue", "Read", "Filter", "Quit"} <= set(shown)
        line = app.screen.query_one(DeskFooter).render()
        assert line.cell_len == 80 and line.plain.endswith("^p palette ")
        assert all(
            f" {k.display} {k.description} " in line.plain
            for k in app.screen.query_one(DeskFooter).drawn[:-1]
        )
        header = table(app).render_line(0).text
        assert "tags" in header and "date" in header
        await pilot.resize_terminal(160, 45)
        await settle(app, pilot)
        assert {"Select", "Undo", "Sort"} <= set(footer(app))


async def test_sort_chooser_shows_the_current_sort_one_line_each(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.sort = "upvotes"
        await pilot.press("s")
        await settle(app, pilot)
        assert "now: upvotes" in str(app.screen.query_one("#sort-dialog Label").render())
        options = app.screen.query_one("#sort-options", OptionList)
        assert options.highlighted == 2
        assert options.virtual_size.height == len(SORTS)  # no sort wraps onto a second line
        assert str(options.get_option_at_index(2).prompt).startswith("● upvotes")


async def test_help_lists_the_triage_keys_and_the_query_language(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await settle(app, pilot)
        console = Console(width=120, record=True, file=io.StringIO())
        for static in app.screen.query(Static):
            console.print(static.content)
        text = console.export_text()
        for words in ("Triage", "Dismiss", "Skip", "Reading", "a OR b", "author:"):
            assert words in text, words


async def test_a_related_paper_outside_the_list_says_how_to_go_back(library: Library) -> None:
    library.add_tags([sorted(library.papers())[0]], ["solo"])
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"tag:solo", "enter", "enter")
        await settle(app, pilot)
        screen = app.screen
        first = screen.paper_id  # type: ignore[attr-defined]
        screen.query_one("#abstract-related", OptionList).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        title = str(screen.query_one("#abstract-title").render())
        assert "(0 of" not in title and "related paper · esc goes back" in title
        screen.query_one("#abstract-related", OptionList).focus()
        await pilot.press("enter")  # two deep
        await settle(app, pilot)
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert screen.paper_id == first  # type: ignore[attr-defined]
