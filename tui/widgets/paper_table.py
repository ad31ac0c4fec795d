"""PaperTable: a virtual table of papers that renders only the rows on screen.

DataTable measures every cell before the first paint (seconds at 100k rows); this widget keeps
the records in a list and draws a row only when `render_line` asks for it, so swapping in a new
result set costs nothing but a refresh.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store.models import Record
from store.rows import OrderedRows
from tui import bindings
from tui.text import clean, markers


def stars(record: Record) -> str:
    counts = [r.stars for r in record.enrichment.repos if r.stars is not None]
    if not counts and record.paper.github_stars is not None:
        counts = [record.paper.github_stars]  # Hugging Face's figure until `fetch` asks GitHub
    if not counts:
        return ""
    best = max(counts)
    return f"★{best / 1000:.1f}k" if best >= 10_000 else f"★{best}"


TITLE_MIN = 30
"""Cells a title keeps before any other column is shown."""
ROWS_KEPT = 2000
"""Rows drawn and kept for the next frame (a few screens' worth of results)."""


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: cut with an ellipsis, or padded with spaces."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class PaperTable(ScrollView, can_focus=True):
    """Papers, one per row: title, date, upvotes, tags, stars and markers; `space` selects."""

    DEFAULT_CSS = """
    PaperTable {
        height: 1fr;
        overflow-x: hidden;
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

    @dataclass
    class Highlighted(Message):
        table: PaperTable
        record: Record | None

    @dataclass
    class Opened(Message):
        table: PaperTable
        record: Record

    @dataclass
    class SelectionChanged(Message):
        table: PaperTable
        selected: frozenset[str]

    def __init__(
        self, *, show_position: bool = False, name: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(name=name, id=id)
        self.records: Sequence[Record] = []
        self.selected: set[str] = set()
        self.show_position = show_position
        """Show the queue position in the first column (the Queue screen)."""
        self._rows: dict[tuple[int, bool, int, Style], tuple[Record, Strip]] = {}

    # -- data --------------------------------------------------------------------------------

    def set_records(self, records: Sequence[Record], *, keep: str | None = None) -> None:
        """Show `records`; the cursor stays on paper `keep` (or the current one) when present."""
        if keep is None and isinstance(self.records, list) and self._same_records(records):
            return  # the same papers in the same order: nothing to move or redraw
        current = keep if keep is not None else self.current_id
        # Rows that build themselves (store.rows, a first screen while the library loads) are
        # kept as they are: listing them would build every record now.
        self.records = records if isinstance(records, OrderedRows) else list(records)
        if self.selected:
            self.selected &= {r.id for r in self.records}
        self.virtual_size = Size(self.size.width, len(self.records) + 1)
        index = 0
        if isinstance(self.records, OrderedRows):
            index = (self.records.position(current) if current is not None else None) or 0
        elif current is not None:
            index = next((i for i, r in enumerate(self.records) if r.id == current), 0)
        self._set_cursor(index)
        self.refresh()

    def _same_records(self, records: Sequence[Record]) -> bool:
        """Whether `records` are the very objects shown, in order (a record that changed is a
        new object, so its row is redrawn)."""
        shown = self.records
        return len(records) == len(shown) and all(map(operator.is_, records, shown))

    def update_records(self, changed: Sequence[Record]) -> None:
        """Redraw rows whose records changed (tags, notes, queue) without moving anything."""
        by_id = {r.id: r for r in changed}
        self.records = [by_id.get(r.id, r) for r in self.records]
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

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
        self.post_message(self.Highlighted(self, self.current))

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

    # -- drawing -----------------------------------------------------------------------------

    def _columns(self, width: int) -> tuple[int, int, int, int, int]:
        """Widths of title, date, upvotes, tags, stars for a row `width` cells wide.

        Designed for 80 columns first: the title keeps at least `TITLE_MIN` cells, and the
        other columns join in priority order (date, tags, upvotes, stars) while they fit;
        tags grow on wide terminals."""
        room = width - 1 - 5 - (4 if self.show_position else 0) - 1  # select, QNCS, #, edge
        date_w = tags_w = votes_w = stars_w = 0
        if room - 11 >= TITLE_MIN:
            date_w, room = 10, room - 11
        if room - 13 >= TITLE_MIN:
            tags_w, room = 12, room - 13
        if room - 5 >= TITLE_MIN:
            votes_w, room = 4, room - 5
        if room - 7 >= TITLE_MIN + 20:  # stars only where titles stay comfortable
            stars_w, room = 7, room - 7
        if tags_w and room > TITLE_MIN + 40:  # wide: longer tag lists
            extra = min(10, room - TITLE_MIN - 40)
            tags_w, room = tags_w + extra, room - extra
        return max(10, room), date_w, votes_w, tags_w, stars_w

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header(width, base)
        index = y - 1 + round(self.scroll_offset.y)
        if index >= len(self.records):
            return Strip.blank(width, base)
        record = self.records[index]
        if index == self.cursor:
            cursor = self.get_component_rich_style("paper-table--cursor")
            return self._row(record, width, base, cursor)
        # Rows are drawn again on every keystroke's new results, mostly for the same papers:
        # a row is kept while its record (a new object once anything about it changes), its
        # selection, the width and the look are the same.
        key = (id(record), record.id in self.selected, width, base)
        cached = self._rows.get(key)
        if cached is not None and cached[0] is record:
            return cached[1]
        strip = self._row(record, width, base, None)
        if len(self._rows) >= ROWS_KEPT:
            self._rows.clear()
        self._rows[key] = (record, strip)
        return strip

    def _strip(self, line: Text, width: int, base: Style) -> Strip:
        strip = Strip(list(line.render(self.app.console))).apply_style(base)
        return strip.extend_cell_length(width, base).crop(0, width)

    def _header(self, width: int, base: Style) -> Strip:
        title_w, date_w, votes_w, tags_w, stars_w = self._columns(width)
        cells = [" " + ("  # " if self.show_position else ""), "QNCS ", "title".ljust(title_w)]
        if date_w:
            cells.append(" date".ljust(date_w + 1))
        if votes_w:
            cells.append("  ▲".rjust(votes_w) + " ")
        if tags_w:
            cells.append(" tags".ljust(tags_w + 1))
        if stars_w:
            cells.append("stars".rjust(stars_w))
        text = Text("".join(cells), style=self.get_component_rich_style("paper-table--header"))
        return self._strip(text, width, base)

    def _row(self, record: Record, width: int, base: Style, cursor: Style | None) -> Strip:
        """A paper's row as segments, built directly: rich `Text` layout cost a third of a
        millisecond per row, redrawn for every row on every keystroke."""
        title_w, date_w, votes_w, tags_w, stars_w = self._columns(width)
        paper = record.paper
        selected = record.id in self.selected
        dim = base + self.get_component_rich_style("paper-table--dim")
        selected_style = base + self.get_component_rich_style("paper-table--selected")
        pieces: list[tuple[str, Style]] = [("●" if selected else " ", selected_style)]
        if self.show_position:
            pieces.append((f"{record.queue_position or '':>3} ", dim))
        pieces.append((markers(record) + " ", dim))
        if selected:
            title_style = selected_style
        elif record.state.status in ("read", "dismissed"):
            title_style = base + self.get_component_rich_style("paper-table--read")
        else:
            title_style = base
        pieces.append((fit(clean(paper.title), title_w), title_style))
        if date_w:
            pieces.append((" " + (paper.published or "").ljust(date_w), dim))
        if votes_w:
            votes = "" if paper.upvotes is None else str(paper.upvotes)
            pieces.append((" " + votes.rjust(votes_w - 1) + " ", dim))
        if tags_w:
            tags = fit(" " + clean(" ".join(record.state.tags)), tags_w + 1)
            pieces.append((tags, base + self.get_component_rich_style("paper-table--tags")))
        if stars_w:
            pieces.append((stars(record).rjust(stars_w), dim))
        if cursor is not None:
            pieces = [(text, style + cursor) for text, style in pieces]
        strip = Strip([Segment(text, style) for text, style in pieces if text])
        return strip.extend_cell_length(width, base).crop(0, width)
