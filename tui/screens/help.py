"""`?`: every key of every screen, read from the bindings themselves so it never goes stale."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def describe_keys(keys: str) -> str:
    names = {"question_mark": "?", "slash": "/", "space": "space", "escape": "esc"}
    return ", ".join(names.get(k, k) for k in keys.split(","))


def key_table(title: str, bindings: list[BindingType]) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", box=None, expand=True)
    table.add_column("key", style="bold cyan", width=18, no_wrap=True)
    table.add_column("action", ratio=1)
    for binding in bindings:
        if isinstance(binding, Binding):
            table.add_row(describe_keys(binding.key), Text(binding.description))
        else:
            table.add_row(describe_keys(binding[0]), Text(binding[2] if len(binding) > 2 else ""))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        from tui.app import PaperdeckApp
        from tui.screens.abstract import AbstractScreen
        from tui.screens.base import PaperScreen
        from tui.screens.note_editor import NoteEditor
        from tui.screens.papers import PapersScreen
        from tui.screens.queue import QueueScreen
        from tui.screens.tags import TagsScreen
        from tui.widgets.paper_table import PaperTable

        sections = [
            ("Moving around (lists)", PaperTable.BINDINGS),
            ("On a paper (list: the selection, else the highlighted paper)", PaperScreen.BINDINGS),
            ("Papers screen", PapersScreen.BINDINGS),
            ("Abstract view", AbstractScreen.BINDINGS),
            ("Queue screen", QueueScreen.BINDINGS),
            ("Tags screen", TagsScreen.BINDINGS),
            ("Note editor", NoteEditor.BINDINGS),
            (
                "Everywhere",
                [*PaperdeckApp.BINDINGS, ("ctrl+p", "", "Command palette"), ("ctrl+q", "", "Quit")],
            ),
        ]
        with VerticalScroll(id="help-body", classes="dialog"):
            yield Static(Text("paperdeck keys", style="bold"))
            for title, bindings in sections:
                yield Static(key_table(title, list(bindings)))
            yield Static(
                Text(
                    'Filter syntax: words "a phrase" tag:x -tag:x is:unread|reading|read|queued '
                    "has:code|note|arxiv|tags year:>=2024 upvotes:>=5 authors:<=3 org:x source:000",
                    style="dim",
                )
            )
