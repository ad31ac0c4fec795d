"""The list's scrollbar, drawn as strips directly.

Textual's ScrollBar makes a Rich renderable that its general per-line path turns into strips
(console rendering, padding, tint: ~1.3 ms for 42 lines). Its thumb moves with every result set
typed and every page scrolled, so that cost came with nearly every keystroke's frame. A plain
vertical bar (no border, padding, tint or fade, checked every frame) is one segment per line,
made by the same `ScrollBarRender.render_bar` Textual uses: the same glyphs, colours and mouse
actions, only without the trip through Rich.
"""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip
from textual.widget import Widget

_BACK, _BAR = Color.parse("#555555"), Color.parse("bright_magenta")
"""Textual's own colours for a bar whose style names none (`ScrollBarRender`)."""


def drawn_plain(widget: Widget) -> bool:
    """Whether `widget` has no gutter, outline, tint, fade or hatch of its own: its lines are
    its content, as Textual's general path would draw them."""
    styles = widget.styles
    return (
        not any(styles.gutter)
        and not any(edge for edge, _ in styles.outline)
        and not styles.tint.a
        and widget.opacity == 1.0
        and styles.text_opacity == 1.0
        and not (styles.has_rule("hatch") and styles.hatch != "none")
    )


class QuickScrollBar(ScrollBar):
    """A ScrollBar whose vertical bar is drawn as strips directly (see the module)."""

    def render_lines(self, crop: Region) -> list[Strip]:
        bar = self.render()
        if not (
            self.vertical
            and type(bar) is ScrollBarRender
            and isinstance(bar.style, Style)
            and drawn_plain(self)
        ):
            return super().render_lines(crop)
        width, height = self.size
        # Drawn again with every frame of the list's (nearly every key's), mostly unchanged.
        base = self.visual_style.rich_style
        key = (bar.virtual_size, bar.window_size, bar.position, width, height, bar.style, base)
        kept = self._kept
        if kept is not None and kept[0] == key:
            strips = kept[1]
        else:
            strips = self._strips(bar, bar.style, width, height, base)
            self._kept = (key, strips)
        strips = strips[crop.y : crop.bottom]
        if crop.column_span != (0, width):
            x1, x2 = crop.column_span
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    _kept: tuple[tuple[object, ...], list[Strip]] | None = None

    @staticmethod
    def _strips(
        bar: ScrollBarRender, style: Style, width: int, height: int, base: Style
    ) -> list[Strip]:
        segments: list[Segment] = ScrollBarRender.render_bar(
            size=height,
            virtual_size=bar.virtual_size,
            window_size=bar.window_size,
            position=bar.position,
            thickness=width,
            vertical=True,
            back_color=style.bgcolor or _BACK,
            bar_color=style.color or _BAR,
        ).segments
        # Over the bar's own background, as Textual's path draws a renderable's segments.
        return [Strip([Segment(s.text, base + s.style)], width) for s in segments[:height]]
