"""The list's rows: exactly as wide as the terminal whatever the script, and redrawn when a
paper changes (rows are kept between frames)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from store.library import Library
from store.models import Paper, Record
from tests.tui.pilot import SIZE, app_for, settle, table
from tui.widgets.paper_rows import RowCache, fit
from tui.widgets.paper_table import PaperTable


@pytest.mark.parametrize(
    "text",
    [
        "short",
        "a title exactly twenty",
        "大規模言語モデルの推論と学習について",
        "emoji 🚀🚀🚀 title",
        "",
    ],
)
@pytest.mark.parametrize("width", [1, 5, 20, 21])
def test_fit_fills_exactly_the_cells_asked(text: str, width: int) -> None:
    fitted = fit(text, width)
    assert cell_len(fitted) == width
    if cell_len(text) > width:
        assert fitted.endswith("…")
    else:
        assert fitted.rstrip() == text.rstrip()


def row_text(app: object, y: int) -> str:
    return table(app).render_line(y).text  # type: ignore[arg-type]


async def test_rows_are_redrawn_when_their_paper_changes(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        listed = table(app)
        second = listed.records[1]
        before = row_text(app, 2)
        assert row_text(app, 2) == before  # kept: the same strip
        assert "kept-tag" not in before
        app.desk.view.apply(library.add_tags([second.id], ["kept-tag"]))
        listed.update_records([app.desk.view.get(second.id)])
        await pilot.pause()
        assert "kept-tag" in row_text(app, 2)
        assert len(row_text(app, 2)) == len(before)


async def test_a_wide_title_row_is_the_width_of_the_list(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        listed = table(app)
        wide = Record(Paper(id="wide", title="大規模言語モデル" * 12, published="2024-05-01"))
        listed.set_records([wide, *listed.records[:3]])
        await pilot.pause()
        assert not listed.show_vertical_scrollbar  # its gutter is kept, filled by the rows
        width = listed.content_region.width
        assert listed.render_line(1).cell_length == width  # the wide title, under the cursor
        assert listed.render_line(2).cell_length == width
        assert "…" in listed.render_line(1).text


async def test_focus_moving_away_restyles_the_cursor_row_without_a_new_layout(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/` moves the focus to the filter: the cursor row takes its blurred colours, and the
    screen is not laid out again (restyling the list's scrollbars would)."""
    from textual.scrollbar import ScrollBar

    layouts: list[str] = []
    refresh = ScrollBar.refresh

    def counted(self: ScrollBar, *args: object, **kwargs: object) -> object:
        if kwargs.get("layout"):
            layouts.append(type(self).__name__)
        return refresh(self, *args, **kwargs)  # type: ignore[arg-type]

    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        papers = table(app)
        focused = papers.get_component_rich_style("paper-table--cursor")
        monkeypatch.setattr(ScrollBar, "refresh", counted)
        await pilot.press("slash")
        await settle(app, pilot)
        blurred = papers.get_component_rich_style("paper-table--cursor")
        assert blurred != focused and not papers.has_focus
        assert layouts == []
        await pilot.press("escape")
        await settle(app, pilot)
        assert papers.has_focus
        assert papers.get_component_rich_style("paper-table--cursor") == focused


async def test_typing_a_filter_lays_out_nothing_and_the_scrollbar_follows_the_results(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key in the filter redraws the input, the count and the rows, and lays nothing out
    again (a layout of the whole screen cost ~5 ms a key); the list's scrollbar still goes when
    the results fit and comes back when they do not, and rows always fill the list (up to the
    scrollbar when it shows)."""
    from textual.screen import Screen

    layouts: list[str] = []
    refresh_layout = Screen._refresh_layout

    def counted(self: Screen, *args: object, **kwargs: object) -> None:
        layouts.append(type(self).__name__)
        refresh_layout(self, *args, **kwargs)  # type: ignore[arg-type]

    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        papers = table(app)
        assert papers.show_vertical_scrollbar  # 212 papers in 38 rows
        width = papers.content_region.width
        columns = papers.scrollable_content_region.width
        assert columns < width
        await pilot.press("slash")
        await settle(app, pilot)
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        # A scrollbar that goes or comes is the one layout a key asks for.
        scrollbar = papers.show_vertical_scrollbar
        quiet_keys = 0
        for key in "sparse autoencoder":
            await pilot.press(key if key != " " else "space")
            await settle(app, pilot)
            if papers.show_vertical_scrollbar == scrollbar:
                assert layouts == [], key
                quiet_keys += 1
            scrollbar = papers.show_vertical_scrollbar
            layouts.clear()
        assert quiet_keys >= 10
        assert len(papers.records) < papers.size.height - 1
        assert not papers.show_vertical_scrollbar
        # The scrollbar's gutter is kept: the columns stay where they were (no row is drawn
        # again for a new width), and the rows fill the gutter.
        assert papers.scrollable_content_region.width == columns
        for y in range(1, len(papers.records) + 1):
            assert papers.render_line(y).cell_length == width
        header = papers.render_line(0).text
        assert header.rstrip().endswith("stars")
        await pilot.press("escape")
        await settle(app, pilot)
        assert papers.show_vertical_scrollbar
        assert len(papers.records) == app.desk.view.total
        # Rows end where the scrollbar begins: Textual cuts every line there, and a row that
        # ends there is not cut again in every frame.
        assert papers.scrollable_content_region.width == columns
        assert papers.render_line(1).cell_length == columns
        assert papers.render_line(0).cell_length == columns


async def test_a_filter_longer_than_its_box_scrolls_to_the_cursor(library: Library) -> None:
    """The input's scrollable width follows the text without a layout: typing past the box's
    end keeps the end of the text and the cursor in view."""
    from tui.widgets.filter_bar import FilterInput

    app = app_for(library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        words = "attention " * 12
        for key in words.strip():
            await pilot.press(key if key != " " else "space")
        await settle(app, pilot)
        typed = app.screen.query_one(FilterInput)
        assert typed.value == words.strip()
        assert typed.virtual_size.width == len(typed.value) + 1
        assert typed.scroll_offset.x > 0
        shown = typed.render_line(0).text
        assert shown.rstrip().endswith("attention")


async def test_rows_are_drawn_in_the_styles_of_now_after_focus_and_theme_changes(
    library: Library,
) -> None:
    """The list keeps its styles between frames: a focus change (the cursor's colours) and a
    new theme (every colour) are drawn at once, as Textual looks them up."""

    def drawn_cursor_style(papers: PaperTable) -> object:
        line = papers.render_lines(papers.region.reset_offset)[1 + papers.cursor]
        return next(seg.style for seg in line if seg.text.strip())

    def expected_cursor_style(papers: PaperTable) -> object:
        base = papers.rich_style
        return base + papers.get_component_rich_style("paper-table--cursor")

    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        papers = table(app)
        first = drawn_cursor_style(papers)
        await pilot.press("slash")
        await settle(app, pilot)
        blurred = drawn_cursor_style(papers)
        assert blurred != first
        await pilot.press("escape")
        await settle(app, pilot)
        assert drawn_cursor_style(papers) == first
        background = papers.rich_style.bgcolor
        app.theme = "textual-light"
        await settle(app, pilot)
        assert papers.rich_style.bgcolor != background
        line = papers.render_lines(papers.region.reset_offset)[3]
        assert all(seg.style.bgcolor == papers.rich_style.bgcolor for seg in list(line))
        assert drawn_cursor_style(papers) != first


async def test_results_are_rows_and_a_tagged_paper_is_redrawn_in_them(library: Library) -> None:
    """A search's results are the library's rows in an order (a list of 40k records cost
    25 ms a key at 100k papers): a change to a shown paper is drawn from its row, and the
    same results typed again leave the list as it is."""
    from store.rows import OrderedRows

    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"sparse", "enter")
        await settle(app, pilot)
        papers = table(app)
        shown = papers.records
        assert isinstance(shown, OrderedRows)
        assert [r.id for r in shown] == [r.id for r in app.desk.view.search("sparse")]
        first = papers.current
        assert first is not None and not first.state.tags
        await pilot.press("t", *"rows", "enter")
        await settle(app, pilot)
        assert papers.records is shown  # drawn from the rows, not copied into a list
        assert papers.current is not None and papers.current.state.tags == ("rows",)
        assert "rows" in papers.render_line(1 + papers.cursor).text
        papers.selected.add(first.id)
        await pilot.press("slash", "end", "space")  # `sparse ` finds the same rows: nothing moves
        await settle(app, pilot)
        assert papers.records is shown and papers.selected == {first.id}


@pytest.mark.parametrize(
    "theme", ["textual-dark", "textual-light", "ansi-dark", "ansi-accent", "dim-cursor"]
)
async def test_rows_drawn_ahead_of_the_filter_are_what_the_filter_makes_of_them(
    library: Library, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    """Rows are drawn in the styles the app's line filter leaves (so that new rows need no
    filtering in a key's frame): the lines, cursor, selection and header included, are the
    ones the general way makes, rows drawn in the styles looked up and then filtered."""
    from textual.theme import Theme

    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        app.register_theme(
            Theme(
                name="dim-cursor", primary="#0178D4", variables={"block-cursor-text-style": "dim"}
            )
        )
        # Colours the filter turns into the terminal theme's: the selection's and the tags'.
        app.register_theme(
            Theme(
                name="ansi-accent", primary="#0178D4", accent="ansi_magenta", success="ansi_green"
            )
        )
        await settle(app, pilot)
        app.theme = theme
        await pilot.press("down", "space")  # a selected row above the cursor
        await settle(app, pilot)
        papers = table(app)
        assert papers.look().filtered == (theme not in ("ansi-dark", "dim-cursor"))
        drawn = [list(line) for line in papers.render_lines(papers.region.reset_offset)]

        monkeypatch.setattr(PaperTable, "_filtered", lambda self, styles, filters: (styles, False))
        papers.notify_style_update()  # the styles looked up again, the rows drawn anew
        papers._drawn, papers._header = RowCache(show_position=False), None
        assert not papers.look().filtered
        general = [list(line) for line in papers.render_lines(papers.region.reset_offset)]
        assert drawn == general
