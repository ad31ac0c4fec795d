"""PaperTable: a virtual table of papers that renders only the rows on screen.

DataTable measures every cell before the first paint (seconds at 100k rows); this widget keeps
the records in a list and draws a row only when `render_line` asks for it, so swapping in a new
result set costs nothing but a refresh.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

from rich.style import Style
from textual import events
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar
from textual.strip import Strip

from store.models import Record
from store.rows import OrderedRows
from tui import bindings
from tui.widgets.paper_rows import Look, RowCache, header, row, widen
from tui.widgets.scrollbar import QuickScrollBar, drawn_plain


class PaperTable(ScrollView, can_focus=True):
    """Papers, one per row: title, date, upvotes, tags, stars and markers; `space` selects."""

    DEFAULT_CSS = """
    PaperTable {
        height: 1fr;
        overflow-x: hidden;
        scrollbar-gutter: stable;
        background: $surface;
    }
    PaperTable > .paper-table--header { text-style: bold; color: $text-muted; }
    PaperTable > .paper-table--cursor { background: $block-cursor-blurred-background; }
    PaperTable:focus > .paper-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    PaperTable > .paper-table--selected { color: $accent; text-style: bold; }
    PaperTable > .paper-table--tags { color: $success; }
    PaperTable > .paper-table--dim { color: $text-muted; }
    PaperTable > .paper-table--read { color: $text-disabled; }
    """

    COMPONENT_CLASSES = {
        "paper-table--header",
        "paper-table--cursor",
        "paper-table--selected",
        "paper-table--tags",
        "paper-table--dim",
        "paper-table--read",
    }

    BINDINGS = bindings.TABLE

    cursor: reactive[int] = reactive(0, init=False, always_update=True)
    """Index of the highlighted row in `records`."""

    class Opened(Message):
        def __init__(self, table: PaperTable, record: Record) -> None:
            super().__init__()
            self.table = table
            self.record = record

    class SelectionChanged(Message):
        def __init__(self, table: PaperTable, selected: frozenset[str]) -> None:
            super().__init__()
            self.table = table
            self.selected = selected

    def __init__(
        self, *, show_position: bool = False, name: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(name=name, id=id)
        self.records: Sequence[Record] = []
        self.selected: set[str] = set()
        self.show_position = show_position
        """Show the queue position in the first column (the Queue screen)."""
        self._drawn = RowCache(show_position)

    # -- data --------------------------------------------------------------------------------

    def set_records(self, records: Sequence[Record], *, keep: str | None = None) -> None:
        """Show `records`; the cursor stays on paper `keep` (or the current one) when present."""
        if keep is None and self._same_records(records):
            return  # the same papers in the same order: nothing to move or redraw
        shown, current_row = self.records, None
        if (
            keep is None
            and isinstance(shown, OrderedRows)
            and isinstance(records, OrderedRows)
            and shown.rows is records.rows
            and 0 <= self.cursor < len(shown)
        ):
            current_row = shown.order[self.cursor]  # the cursor's paper, as a row of both
        current = keep if keep is not None or current_row is not None else self.current_id
        # Rows that build themselves (store.rows, a first screen while the library loads) are
        # kept as they are: listing them would build every record now.
        self.records = records if isinstance(records, OrderedRows) else list(records)
        if self.selected:
            listed = records if isinstance(records, OrderedRows) else None
            self.selected &= set(listed.ids() if listed else [r.id for r in self.records])
        self._fit_virtual_size()
        index = 0
        if isinstance(self.records, OrderedRows):
            if current_row is not None:
                index = self.records.row_position(current_row) or 0
            else:
                index = (self.records.position(current) if current is not None else None) or 0
        elif current is not None:
            index = next((i for i, r in enumerate(self.records) if r.id == current), 0)
        self._set_cursor(index)
        self.refresh()

    def _same_records(self, records: Sequence[Record]) -> bool:
        """Whether `records` are the very objects shown, in order (a record that changed is a
        new object, so its row is redrawn)."""
        shown = self.records
        if isinstance(shown, OrderedRows) or isinstance(records, OrderedRows):
            # The same rows in the same order show the records those rows hold now.
            return (
                isinstance(shown, OrderedRows)
                and isinstance(records, OrderedRows)
                and shown.rows is records.rows
                and shown.order == records.order
            )
        return len(records) == len(shown) and all(map(operator.is_, records, shown))

    def update_records(self, changed: Sequence[Record]) -> None:
        """Redraw rows whose records changed (tags, notes, queue) without moving anything."""
        shown = self.records
        if not (isinstance(shown, OrderedRows) and shown.rows.hold(changed)):
            by_id = {r.id: r for r in changed}
            self.records = [by_id.get(r.id, r) for r in shown]
        self.refresh()

    @property
    def current(self) -> Record | None:
        if 0 <= self.cursor < len(self.records):
            return self.records[self.cursor]
        return None

    @property
    def current_id(self) -> str | None:
        record = self.current
        return record.id if record else None

    def target_ids(self) -> list[str]:
        """The selection in list order, else the highlighted paper."""
        if self.selected:
            return [r.id for r in self.records if r.id in self.selected]
        return [self.current.id] if self.current else []

    def clear_selection(self) -> None:
        if self.selected:
            self.selected.clear()
            self.refresh()
            self.post_message(self.SelectionChanged(self, frozenset()))

    def move_to(self, paper: str) -> None:
        for index, record in enumerate(self.records):
            if record.id == paper:
                self._set_cursor(index)
                return

    # -- cursor ------------------------------------------------------------------------------

    def _set_cursor(self, index: int) -> None:
        self.cursor = max(0, min(index, len(self.records) - 1)) if self.records else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_visible()
        self.refresh_line(old)
        self.refresh_line(new)

    def refresh_line(self, index: int) -> None:
        y = index + 1 - round(self.scroll_offset.y)
        self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_cursor_visible(self) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False)

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor - 1)

    def action_cursor_top(self) -> None:
        self._set_cursor(0)

    def action_cursor_bottom(self) -> None:
        self._set_cursor(len(self.records) - 1)

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor + max(1, self.scrollable_content_region.height - 2))

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor - max(1, self.scrollable_content_region.height - 2))

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self, self.current))

    def action_toggle_select(self) -> None:
        record = self.current
        if record is None:
            return
        self.selected.symmetric_difference_update({record.id})
        self.post_message(self.SelectionChanged(self, frozenset(self.selected)))
        self._set_cursor(self.cursor + 1)
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        row = event.y + round(self.scroll_offset.y) - 1
        if 0 <= row < len(self.records):
            if row == self.cursor and event.chain >= 2:
                self.action_open()
            self._set_cursor(row)

    def watch_has_focus(self, has_focus: bool) -> None:
        # Focus changes the cursor row's colours only (`PaperTable:focus > ...`). Textual
        # restyles the scrollbars too, which re-lays the whole screen: ~15 ms on every `/`.
        self.app.stylesheet.apply(self, animate=True)
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.records) + 1)

    def _fit_virtual_size(self) -> None:
        """One line per paper under the header.  Set without a layout of the whole screen (what
        setting `virtual_size` asks for, ~5 ms on every keystroke's results): the list's size
        does not depend on it; only the scrollbar does, updated here, and a scrollbar that
        appears or goes asks for its own layout (Textual 8's `_scroll_update`, as a resize)."""
        size = Size(self.size.width, len(self.records) + 1)
        if size == self.virtual_size:
            return
        self.set_reactive(PaperTable.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    # -- drawing -----------------------------------------------------------------------------

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """Textual's, but drawn as strips directly (`QuickScrollBar`): its thumb moves with
        nearly every keystroke's results."""
        if self._vertical_scrollbar is None:
            bar = QuickScrollBar(
                vertical=True, name="vertical", thickness=self.scrollbar_size_vertical
            )
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar

    _header: tuple[Look, Strip] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        """The rows in `crop`.  Styles are looked up once per frame, not per line (a widget's
        `rich_style` walks its ancestors' styles, ~0.05 ms).  The list has no border, padding,
        tint or fade of its own (checked): its rows, drawn to the content width with the list's
        background, are what Textual's general path would make of them after seven more strips
        per line (~0.1 ms a line, ~4 ms for a frame of new results); that path is kept for
        anything else."""
        self._look = look = self.look()
        self._top = round(self.scroll_offset.y)  # a reactive read: once a frame, not a line
        try:
            if not drawn_plain(self):
                return super().render_lines(crop)
            render_line = self.render_line
            strips = [render_line(y) for y in crop.line_range]
        finally:
            self._look = None
        filters = self.get_line_filters()
        if filters and not look.filtered:
            background = self.background_colors[1]
            for line_filter in filters:
                strips = [strip.apply_filter(line_filter, background) for strip in strips]
        if crop.column_span != (0, look.full):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    _look: Look | None = None
    _top = 0
    """The first row shown, while a frame is drawn."""

    def look(self) -> Look:
        """The styles rows are drawn with now (`rich_style` and the component classes)."""
        # Textual forgets a widget's component styles at every refresh (~0.5 ms a frame to
        # look up again); they change only when styles are applied again: the widget's own
        # (`notify_style_update`: CSS, theme, pseudo-classes) or its component classes' (each
        # applied anew as a new object, e.g. `:focus > .paper-table--cursor`).
        # The objects themselves are kept and compared (an id alone could be a new object's
        # at a freed one's address), with the app's line filters (a new one with each theme).
        filters = self.get_line_filters()
        applied = (*self._component_styles.values(), *filters)
        kept = self._styles_kept
        if (
            kept is None
            or len(kept[0]) != len(applied)
            or not all(map(operator.is_, kept[0], applied))
        ):
            base = self.rich_style

            def part(name: str) -> Style:
                return base + self.get_component_rich_style(name)

            styles = (
                base,
                part("paper-table--dim"),
                part("paper-table--selected"),
                part("paper-table--read"),
                part("paper-table--tags"),
                self.get_component_rich_style("paper-table--cursor"),
                self.get_component_rich_style("paper-table--header"),
            )
            kept = self._styles_kept = (applied, *self._filtered(styles, filters))
        _, (base, dim, selected, read, tags, cursor, header), filtered = kept
        width, full = self.scrollable_content_region.width, self.content_region.width
        line = width if self.show_vertical_scrollbar else full
        return Look(width, full, line, base, dim, selected, read, tags, cursor, header, filtered)

    _styles_kept: tuple[tuple[object, ...], tuple[Style, ...], bool] | None = None

    def _filtered(
        self, styles: tuple[Style, ...], filters: Sequence[LineFilter]
    ) -> tuple[tuple[Style, ...], bool]:
        """`styles` as the app's line filter leaves them, and True, when that filter is the
        usual one alone (Textual's `ANSIToTruecolor`, unless the app draws in the terminal's
        own colours): rows drawn in them are what that filter makes of rows drawn in
        `styles`, so that rows new to a frame need not be filtered there (12 us a row, 0.5 ms
        of a keystroke whose results fill the screen). Else `styles` and False: each frame
        filters its rows."""
        if len(filters) != 1 or type(filters[0]) is not ANSIToTruecolor:
            return styles, False
        if any(style.dim for style in styles):  # dim is turned into a colour, which a row's
            return styles, False  # cursor or selection, added after, would not blend again
        background = self.background_colors[1].rich_color
        truecolor = filters[0].truecolor_style
        return tuple(truecolor(style, background) for style in styles), True

    def notify_style_update(self) -> None:
        self._styles_kept = None
        super().notify_style_update()

    def render_line(self, y: int) -> Strip:
        look = self._look
        if look is None:
            look, self._top = self.look(), round(self.scroll_offset.y)
        if y == 0:
            kept = self._header
            if kept is None or kept[0] != look:
                line = widen(header(look, self.show_position, self.app.console), look)
                kept = self._header = (look, line)
            return kept[1]
        index = y - 1 + self._top
        if index >= len(self.records):
            return Strip.blank(look.line, look.base)
        record = self.records[index]
        selected = record.id in self.selected
        if index == self.cursor:
            cursor = row(
                record, look, selected=selected, show_position=self.show_position, cursor=True
            )
            return widen(cursor, look)
        return self._drawn.row(record, look, selected)
