"""The filter bar's count: as wide for every count of a library, so that a key changing only
the count lays out nothing (a layout of the whole screen cost ~5 ms a key)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Label

from tui.widgets.filter_bar import FilterBar


class BarApp(App[None]):
    def compose(self) -> ComposeResult:
        yield FilterBar()


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ({"shown": 100_000}, {"shown": 40_938}),
        ({"shown": 40_938, "partial": True}, {"shown": 578, "partial": True}),
        ({"shown": 7, "selected": 1}, {"shown": 12_345, "selected": 10_000}),
        ({"shown": 5, "selected": 3, "partial": True}, {"shown": 99_999, "partial": True}),
    ],
)
async def test_a_new_count_of_the_same_kind_lays_nothing_out(
    first: dict[str, int], then: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    layouts: list[str] = []
    refresh_layout = Screen._refresh_layout

    def counted(self: Screen, *args: object, **kwargs: object) -> None:
        layouts.append(type(self).__name__)
        refresh_layout(self, *args, **kwargs)  # type: ignore[arg-type]

    app = BarApp()
    async with app.run_test(size=(100, 3)) as pilot:
        bar = app.query_one(FilterBar)
        bar.show_count(total=100_000, **first)  # type: ignore[arg-type]
        await pilot.pause()
        width = app.query_one("#filter-count", Label).size.width
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        bar.show_count(total=100_000, **then)  # type: ignore[arg-type]
        await pilot.pause()
        label = app.query_one("#filter-count", Label)
        shown = str(label.render()).rstrip()
        assert shown.startswith(f"{then['shown']} of 100000")
        assert ("abstracts indexing" in shown) == bool(then.get("partial"))
        if bool(first.get("selected")) == bool(then.get("selected")):
            assert layouts == [] and label.size.width == width
