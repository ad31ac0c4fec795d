"""ModeBar: the top line naming paperdeck's screens and their keys, the current one lit."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

MODES = (
    ("1", "papers", "Papers"),
    ("2", "queue", "Queue"),
    ("3", "tags", "Tags"),
    ("4", "notes", "Notes"),
    ("5", "stats", "Overview"),
    ("6", "inbox", "Inboxes"),
)


class ModeBar(Static):
    DEFAULT_CSS = """
    ModeBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def on_mount(self) -> None:
        # Any app works (tests mount the bar alone); paperdeck's says what runs in the background.
        if hasattr(self.app, "activity"):
            self.watch(self.app, "activity", self.show_activity)
        else:
            self.show_activity("")

    def show_activity(self, activity: str) -> None:
        text = Text.assemble(("paperdeck", "bold"), " ")
        # paperdeck's app knows the keys as the user mapped them; any other app shows defaults.
        key_for = getattr(self.app, "key_for", lambda _id, default: default)
        for key, mode, label in MODES:
            style = "reverse bold" if mode == self.current else ""
            text.append(f" {key_for(f'app.{mode}', key)} {label} ", style)
        text.append(f"  {key_for('app.help', '?')} keys", "dim")
        if activity:
            text.append("   " + activity, "bold")
        self.update(text)
