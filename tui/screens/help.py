"""`?`: every key of every screen, read from the bindings themselves so it never goes stale."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui import bindings
from tui.bindings import describe_keys


def key_table(title: str, keys: list[BindingType], remapped: dict[str, str] | None = None) -> Table:
    """`remapped`: binding id -> keys from the user's keymap, shown instead of the defaults."""
    remapped = remapped or {}
    table = Table(title=title, title_justify="left", title_style="bold", box=None, expand=True)
    table.add_column("key", style="bold cyan", width=18, no_wrap=True)
    table.add_column("action", ratio=1)
    for binding in keys:
        if isinstance(binding, Binding):
            key = remapped.get(binding.id or "", binding.key)
            table.add_row(describe_keys(key), Text(binding.description))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings.HELP

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body", classes="dialog"):
            yield Static(Text("paperdeck keys", style="bold"))
            remapped = getattr(self.app, "remapped", {})
            for title, keys in bindings.HELP_SECTIONS:
                yield Static(key_table(title, list(keys), remapped))
            yield Static(
                Text(
                    'Filter syntax: words "a phrase" a OR b (a OR b) c -word tag:x -tag:x '
                    "is:unread|reading|read|queued has:code|note|arxiv|tags year:>=2024 "
                    "upvotes:>=5 author:lecun authors:<=3 org:x source:000",
                    style="dim",
                )
            )
