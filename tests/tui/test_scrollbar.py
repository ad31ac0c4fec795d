"""The list's scrollbar drawn as strips directly is what Textual's own path draws: the same
glyphs, colours and mouse actions, line for line, wherever the thumb is."""

from __future__ import annotations

from textual.geometry import Region
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from store.library import Library
from tests.tui.pilot import SIZE, app_for, settle, table
from tui.widgets.scrollbar import QuickScrollBar


def cells(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    return [[(seg.text, seg.style) for seg in strip] for strip in strips]


async def test_the_scrollbar_draws_what_textual_draws(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        papers = table(app)
        bar = papers.vertical_scrollbar
        assert isinstance(bar, QuickScrollBar) and bar.display
        width, height = bar.size
        seen = set()
        for press in ("", "end", "pageup", "pageup", "home"):
            if press:
                await pilot.press(press)
                await settle(app, pilot)
            for hovered in (False, True):
                bar.mouse_over = hovered
                for crop in (
                    Region(0, 0, width, height),
                    Region(0, 3, width, height - 7),
                    Region(1, 0, width - 1, height),
                ):
                    ours = bar.render_lines(crop)
                    theirs = ScrollBar.render_lines(bar, crop)
                    assert cells(ours) == cells(theirs), (press, hovered, crop)
                    assert all(strip.cell_length == crop.width for strip in ours)
                seen.add(
                    tuple(
                        seg.text
                        for strip in bar.render_lines(bar.region.reset_offset)
                        for seg in strip
                    )
                )
        assert len(seen) >= 3  # the thumb moved: top, the end, in between
