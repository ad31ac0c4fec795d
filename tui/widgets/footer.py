"""The key footer: one widget drawing one line of text, fitted to the width. At 80 columns the
least used keys make way so the most used ones stay whole (`?` lists them all).

Textual's Footer is a container of one widget per key (13 on the Papers screen), each styled and
laid out, rebuilt on every focus change: a quarter of the time from start to the first frame.
This draws the same line (the keys, then `^p palette` at the right end) from the screen's
bindings, with the same theme variables; a click on a key presses it."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.reactive import reactive
from textual.widget import Widget

from tui.bindings import FOOTER_DROP_ORDER

if TYPE_CHECKING:
    from textual.screen import Screen

PALETTE_WIDTH = 12
"""`▏^p palette ` at the right end."""
DIM = Style(dim=True)


class Key(NamedTuple):
    """One key as the footer shows it."""

    key: str
    display: str
    description: str
    action: str
    enabled: bool


def shown_keys(screen: Screen) -> tuple[list[Key], Key | None]:
    """What a footer on `screen` shows: one key per action among the bindings shown, in order,
    and the command palette's key (None when there is no palette)."""
    app = screen.app
    keys: list[Key] = []
    actions: set[str] = set()
    palette: Key | None = None
    for name, (_, binding, enabled, _) in screen.active_bindings.items():
        key = Key(
            binding.key, app.get_key_display(binding), binding.description, binding.action, enabled
        )
        if name == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
            palette = key
        if binding.show and binding.action not in actions:
            actions.add(binding.action)
            keys.append(key)
    return keys, palette


def keys_to_drop(keys: list[tuple[str, str, str]], width: int) -> frozenset[str]:
    """Actions to leave out so `keys` ((key shown, description, action), in footer order) fit
    in `width` cells: the least used first (`FOOTER_DROP_ORDER`)."""
    sizes: dict[str, int] = {}
    for display, description, action in keys:
        sizes.setdefault(action, cell_len(display) + cell_len(description) + 3)
    total = sum(sizes.values()) + PALETTE_WIDTH
    dropped: set[str] = set()
    for action in FOOTER_DROP_ORDER:
        if total <= width:
            break
        if action in sizes and action not in dropped:
            dropped.add(action)
            total -= sizes[action]
    return frozenset(dropped)


class DeskFooter(Widget, can_focus=False):
    """The screen's keys on one line; redrawn when they change, never rebuilt."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "desk-footer--key",
        "desk-footer--description",
        "desk-footer--hover",
        "desk-footer--edge",
    }
    DEFAULT_CSS = """
    DeskFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    DeskFooter > .desk-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    DeskFooter > .desk-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    DeskFooter > .desk-footer--hover {
        background: $block-hover-background;
    }
    DeskFooter > .desk-footer--edge {
        color: $foreground 20%;
    }
    """

    hovered: reactive[str | None] = reactive(None)
    """The action of the key under the mouse pointer."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: tuple[list[Key], Key | None] | None = None
        self._drawn: list[tuple[int, int, Key]] = []
        """(first cell, cell after, key) of every key on the line last drawn."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        keys = shown_keys(screen)
        if keys != self._keys:
            self._keys = keys
            self.refresh()

    @property
    def drawn(self) -> list[Key]:
        """The keys on the line as last drawn, left to right."""
        return [key for _, _, key in self._drawn]

    def render(self) -> Text:
        if self._keys is None:
            self._keys = shown_keys(self.screen)
        keys, palette = self._keys
        width = self.size.width or self.app.size.width
        dropped = keys_to_drop([(k.display, k.description, k.action) for k in keys], width)
        key_style = self.get_component_rich_style("desk-footer--key")
        description_style = self.get_component_rich_style("desk-footer--description")
        hover = self.get_component_rich_style("desk-footer--hover", partial=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        drawn: list[tuple[int, int, Key]] = []
        at = 0

        def add(key: Key, parts: list[tuple[str, Style]]) -> None:
            nonlocal at
            extra = (DIM if not key.enabled else Style()) + (
                hover if key.action == self.hovered else Style()
            )
            start = at
            for part, style in parts:
                line.append(part, style + extra)
                at += cell_len(part)
            drawn.append((start, at, key))

        for key in keys:
            if key.action not in dropped:
                add(
                    key,
                    [(f" {key.display} ", key_style), (f"{key.description} ", description_style)],
                )
        if palette is not None and at + PALETTE_WIDTH <= width:
            line.append(" " * (width - at - PALETTE_WIDTH))
            at = width - PALETTE_WIDTH
            line.append("▏", self.get_component_rich_style("desk-footer--edge"))
            at += 1
            add(
                palette,
                [(palette.display, key_style), (f" {palette.description} ", description_style)],
            )
        self._drawn = drawn
        return line

    def key_at(self, x: int) -> Key | None:
        return next((key for start, end, key in self._drawn if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        key = self.key_at(event.x)
        self.hovered = key.action if key is not None else None

    def on_leave(self, _: events.Leave) -> None:
        self.hovered = None

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()
