"""The key footer, rebuilt only when the keys it shows change, and fitted to the width: at 80
columns the least used keys make way so the most used ones stay whole (`?` lists them all)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tui.bindings import FOOTER_DROP_ORDER

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

Shown = tuple[tuple[str, str, str, bool, bool, str], ...]
PALETTE_WIDTH = 12
"""`^p palette` at the right end."""


def shown_keys(screen: Screen) -> Shown:
    """What a footer on `screen` would show: each active binding and whether it is enabled."""
    return tuple(
        (binding.key, binding.description, binding.action, binding.show, enabled, tooltip)
        for _, binding, enabled, tooltip in screen.active_bindings.values()
    )


def keys_to_drop(keys: list[tuple[str, str, str]], width: int) -> frozenset[str]:
    """Actions to leave out so `keys` ((key shown, description, action), in footer order) fit
    in `width` cells: the least used first (`FOOTER_DROP_ORDER`)."""
    sizes: dict[str, int] = {}
    for display, description, action in keys:
        sizes.setdefault(action, len(display) + len(description) + 3)
    total = sum(sizes.values()) + PALETTE_WIDTH
    dropped: set[str] = set()
    for action in FOOTER_DROP_ORDER:
        if total <= width:
            break
        if action in sizes and action not in dropped:
            dropped.add(action)
            total -= sizes[action]
    return frozenset(dropped)


class DeskFooter(Footer):
    """Textual's Footer rebuilds all its keys on every focus change, three times while a
    screen starts; this one skips the rebuild when the keys it would show are the same."""

    _shown: tuple[Shown, frozenset[str]] | None = None
    _dropped: frozenset[str] = frozenset()

    def _fitted(self, screen: Screen) -> frozenset[str]:
        keys = [
            (self.app.get_key_display(binding), binding.description, binding.action)
            for _, binding, _, _ in screen.active_bindings.values()
            if binding.show
        ]
        return keys_to_drop(keys, self.size.width or self.app.size.width)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._dropped = self._fitted(self.screen)
            self._shown = (shown_keys(self.screen), self._dropped)
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.action in self._dropped:
                continue
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        if (
            self._shown is not None
            and screen is self.screen
            and (shown_keys(screen), self._fitted(screen)) == self._shown
        ):
            return
        super().bindings_changed(screen)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and self._fitted(self.screen) != self._dropped:
            self.refresh(recompose=True)
