"""A modal progress bar for long work the user waits on (the first import of the seeds)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar

from tui.text import safe


class ProgressScreen(ModalScreen[None]):
    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="progress-dialog"):
            yield Label(safe(self.title_text))
            yield ProgressBar(id="progress-bar", show_eta=False)
            yield Label("", id="progress-what")

    def advance(self, done: int, total: int, what: str) -> None:
        if not self.is_mounted:
            return
        self.query_one("#progress-bar", ProgressBar).update(total=total, progress=done)
        self.query_one("#progress-what", Label).update(safe(what))
