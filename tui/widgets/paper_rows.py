"""A paper's row in the list, drawn as segments: its columns for a width, the header, and the
styles a frame's rows are drawn with (`PaperTable` keeps the rows between frames)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from store.models import Record
from tui.text import clean, markers

TITLE_MIN = 30
"""Cells a title keeps before any other column is shown."""


class Look(NamedTuple):
    """What a frame's rows are drawn with: the content width and the styles."""

    width: int
    """The columns' width: the list's content, less its scrollbar's gutter (kept while the
    scrollbar hides, so that a scrollbar that comes or goes leaves every row as it was)."""
    full: int
    """The list's content width, the scrollbar's gutter included."""
    line: int
    """The lines' width: `width` while the scrollbar shows (Textual cuts each line where it
    begins, and a line that ends there is not cut again in every frame), else `full`."""
    base: Style
    dim: Style
    selected: Style
    read: Style
    tags: Style
    cursor: Style
    header: Style
    filtered: bool = False
    """The styles are as the app's line filter leaves them: the rows need no filtering."""


def cells(text: str) -> int:
    """`text`'s width in cells: its length for ASCII (every title, nearly), else rich's."""
    return len(text) if text.isascii() else cell_len(text)


def fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: cut with an ellipsis, or padded with spaces."""
    if text.isascii():
        return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def stars(record: Record) -> str:
    counts = [r.stars for r in record.enrichment.repos if r.stars is not None]
    if not counts and record.paper.github_stars is not None:
        counts = [record.paper.github_stars]  # Hugging Face's figure until `fetch` asks GitHub
    if not counts:
        return ""
    best = max(counts)
    return f"★{best / 1000:.1f}k" if best >= 10_000 else f"★{best}"


@lru_cache(maxsize=64)
def columns(width: int, show_position: bool) -> tuple[int, int, int, int, int]:
    """Widths of title, date, upvotes, tags, stars for a row `width` cells wide.

    Designed for 80 columns first: the title keeps at least `TITLE_MIN` cells, and the
    other columns join in priority order (date, tags, upvotes, stars) while they fit;
    tags grow on wide terminals."""
    room = width - 1 - 5 - (4 if show_position else 0) - 1  # select, QNCS, #, edge
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


def header(look: Look, show_position: bool, console: Console) -> Strip:
    """The list's column titles."""
    title_w, date_w, votes_w, tags_w, stars_w = columns(look.width, show_position)
    cells = [" " + ("  # " if show_position else ""), "QNCS ", "title".ljust(title_w)]
    if date_w:
        cells.append(" date".ljust(date_w + 1))
    if votes_w:
        cells.append("  ▲".rjust(votes_w) + " ")
    if tags_w:
        cells.append(" tags".ljust(tags_w + 1))
    if stars_w:
        cells.append("stars".rjust(stars_w))
    return _strip(Text("".join(cells), style=look.header), look.width, look.base, console)


def row(record: Record, look: Look, *, selected: bool, show_position: bool, cursor: bool) -> Strip:
    """A paper's row as segments, built directly: rich `Text` layout cost a third of a
    millisecond per row, redrawn for every row on every keystroke.  The segments are made
    exactly `look.width` cells wide, so the row is one `Strip` (each carries seven caches: the
    extend-and-crop of a general row made three, a third of a row's 37 us).  That is the width
    left of the scrollbar: Textual cuts each line where the scrollbar begins, and a strip that
    ends there is not cut (two new strips per row and frame, 24 us)."""
    width, base, dim = look.width, look.base, look.dim
    title_w, date_w, votes_w, tags_w, stars_w = columns(width, show_position)
    paper = record.paper
    pieces: list[tuple[str, Style]] = [("●" if selected else " ", look.selected)]
    if show_position:
        pieces.append((f"{record.queue_position or '':>3} ", dim))
    if selected:
        title_style = look.selected
    elif record.state.status in ("read", "dismissed"):
        title_style = look.read
    else:
        title_style = base
    # Neighbours in the same style are one segment: fewer to cut and render in every frame.
    pieces.append((markers(record) + " ", dim))
    pieces.append((fit(clean(paper.title), title_w), title_style))
    after = ""
    if date_w:
        after += " " + (paper.published or "").ljust(date_w)
    if votes_w:
        votes = "" if paper.upvotes is None else str(paper.upvotes)
        after += " " + votes.rjust(votes_w - 1) + " "
    if after:
        pieces.append((after, dim))
    if tags_w:
        pieces.append((fit(" " + clean(" ".join(record.state.tags)), tags_w + 1), look.tags))
    if stars_w:
        pieces.append((stars(record).rjust(stars_w), dim))
    if cursor:
        pieces = [(text, style + look.cursor) for text, style in pieces]
    segments = [Segment(text, style) for text, style in pieces]
    used = sum([cells(text) for text, _ in pieces])
    if used < width:
        segments.append(Segment(" " * (width - used), base))
    elif used > width:  # a narrow list, or a value longer than its column
        return Strip(segments, used).crop(0, width)
    return Strip(segments, width)


def widen(strip: Strip, look: Look) -> Strip:
    """`strip` (a row `look.width` wide) as wide as `look.line`: the scrollbar's gutter, in
    the list's colours."""
    if look.line <= strip.cell_length:
        return strip
    pad = Segment(" " * (look.line - strip.cell_length), look.base)
    return Strip([*strip, pad], look.line)


def _strip(line: Text, width: int, base: Style, console: Console) -> Strip:
    strip = Strip(list(line.render(console))).apply_style(base)
    return strip.extend_cell_length(width, base).crop(0, width)


ROWS_KEPT = 2000
"""Rows kept drawn: a few screens of each keystroke's results."""


class RowCache:
    """Papers' rows as drawn, kept while the paper's record (a new object once anything about
    it changes), its selection, the width and the look are the same: rows are drawn again on
    every keystroke's new results, mostly for the same papers.  The least recently shown go
    first."""

    def __init__(self, show_position: bool) -> None:
        self.show_position = show_position
        self._rows: dict[tuple[int, bool, int, Style], list[Any]] = {}
        """[record, its row, the row widened to the gutter (once the scrollbar hides)]"""

    def row(self, record: Record, look: Look, selected: bool) -> Strip:
        rows = self._rows
        key = (id(record), selected, look.width, look.base)
        kept = rows.pop(key, None)
        if kept is None or kept[0] is not record:
            strip = row(
                record, look, selected=selected, show_position=self.show_position, cursor=False
            )
            kept = [record, strip, None]
            if len(rows) >= ROWS_KEPT:
                del rows[next(iter(rows))]
        rows[key] = kept  # the newest at the end
        if look.line == look.width:
            return kept[1]
        wide = kept[2]
        if wide is None or wide.cell_length != look.line:
            wide = kept[2] = widen(kept[1], look)
        return wide
