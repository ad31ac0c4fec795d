"""The floors the benchmark compares paperdeck with, started as processes the same way.

`bare`: a Textual app with one label (first paint).  `echo`: an Input whose value is echoed into
a Label on every key (keystroke to screen).
"""

from __future__ import annotations

import sys

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.widgets import Input, Label


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Label("paperdeck ready")


class Echo(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="typed")
        yield Label(Text("echo:|"), id="echo")

    @on(Input.Changed)
    def echo(self, event: Input.Changed) -> None:
        self.query_one("#echo", Label).update(Text(f"echo:{event.value}|"))


if __name__ == "__main__":
    (Bare if sys.argv[1] == "bare" else Echo)().run()
