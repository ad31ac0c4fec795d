"""The key footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.screen import Screen

Shown = tuple[tuple[str, str, str, bool, bool, str], ...]


def shown_keys(screen: Screen) -> Shown:
    """What a footer on `screen` would show: each active binding and whether it is enabled."""
    return tuple(
        (binding.key, binding.description, binding.action, binding.show, enabled, tooltip)
        for _, binding, enabled, tooltip in screen.active_bindings.values()
    )


class DeskFooter(Footer):
    """Textual's Footer rebuilds all its keys on every focus change, three times while a
    screen starts; this one skips the rebuild when the keys it would show are the same."""

    _shown: Shown | None = None

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = shown_keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is not None and screen is self.screen and shown_keys(screen) == self._shown:
            return
        super().bindings_changed(screen)
