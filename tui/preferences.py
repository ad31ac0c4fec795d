"""The user's settings in the app: theme, default sort and keymap applied at start, theme and
sort written back when the user changes them (`store.settings.remember`, off the UI thread)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from textual.binding import Binding

from store.settings import Settings, SettingsError, remember
from tui import bindings


def binding_ids() -> set[str]:
    """Every id a user can remap: all bindings listed in `tui.bindings`."""
    found: set[str] = set()
    for value in vars(bindings).values():
        if isinstance(value, list):
            found.update(b.id for b in value if isinstance(b, Binding) and b.id)
    return found


def checked_keymap(
    keymap: Mapping[str, str], path: Path | None
) -> tuple[dict[str, str], list[str]]:
    """The remappings whose binding id exists, and one line for each that does not."""
    known = binding_ids()
    where = f"{path}: " if path else ""
    usable = {k: v for k, v in keymap.items() if k in known}
    problems = [
        f"{where}keymap.{k}: no key has this id (`?` lists the keys; ids look like "
        f"{_example(known)}); ignored"
        for k in keymap
        if k not in known
    ]
    return usable, problems


def _example(known: Iterable[str]) -> str:
    return ", ".join(sorted(known)[:3])


def checked_theme(
    settings: Settings, available: Iterable[str], path: Path | None
) -> tuple[str | None, list[str]]:
    if settings.theme is None or settings.theme in available:
        return settings.theme, []
    where = f"{path}: " if path else ""
    names = ", ".join(sorted(available)[:6])
    return None, [
        f"{where}theme: no theme {settings.theme!r} (try {names}, ...); using the default"
    ]


def save_choice(path: Path, key: str, value: str) -> str | None:
    """Remember a choice; the error line to show when the file cannot take it."""
    try:
        remember(path, key, value)
    except SettingsError as error:
        return f"Could not remember the {key}: {error}"
    return None
