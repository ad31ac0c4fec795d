"""`5`: the library at a glance: papers by year and tag, queue, notes, reading progress."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Sparkline, Static

from store.stats import Overview, overview
from tui import bindings
from tui.screens.base import DeskScreen
from tui.text import safe
from tui.widgets.footer import DeskFooter
from tui.widgets.mode_bar import ModeBar

BAR_WIDTH = 40


def bars(rows: list[tuple[str, int]], *, limit: int = 12) -> Table:
    table = Table(box=None, show_header=False, pad_edge=False, expand=False)
    table.add_column(no_wrap=True, max_width=20)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    top = max((n for _, n in rows), default=1) or 1
    for label, count in rows[:limit]:
        width = max(1, round(BAR_WIDTH * count / top)) if count else 0
        table.add_row(safe(label), str(count), Text("█" * width, style="cyan"))
    return table


class StatsScreen(DeskScreen):
    BINDINGS = bindings.STATS

    def compose(self) -> ComposeResult:
        yield ModeBar("stats")
        with VerticalScroll(id="stats-body"):
            yield Static(id="stats-summary")
            yield Label("Papers by year", classes="section")
            yield Static(id="stats-years")
            yield Label("Tags", classes="section")
            yield Static(id="stats-tags")
            yield Label("Papers read per week (last 12 weeks)", classes="section")
            yield Sparkline([], id="stats-progress")
            yield Static(id="stats-progress-numbers")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.desk.records_changed.subscribe(self, lambda _: self.refresh_stats())
        self.when_loaded(self.refresh_stats)

    def on_screen_resume(self) -> None:
        self.refresh_stats()

    def refresh_stats(self) -> None:
        if not self.host.loaded:
            return
        data: Overview = overview(list(self.desk.view.by_id.values()), today=self.desk.today())
        status = data.by_status
        summary = Text.assemble(
            (f"{data.papers}", "bold"),
            " papers   ",
            (f"{status['unread']}", "bold"),
            " unread · ",
            (f"{status['reading']}", "bold"),
            " reading · ",
            (f"{status['read']}", "bold"),
            " read · ",
            (f"{status['dismissed']}", "bold"),
            " dismissed   ",
            (f"{data.queued}", "bold"),
            " queued   ",
            (f"{data.notes}", "bold"),
            " notes   ",
            (f"{data.triaged}", "bold"),
            " triaged",
        )
        self.query_one("#stats-summary", Static).update(summary)
        self.query_one("#stats-years", Static).update(bars(data.by_year, limit=30))
        tags = bars(data.by_tag) if data.by_tag else Text("No tags yet.", style="dim")
        self.query_one("#stats-tags", Static).update(tags)
        self.query_one("#stats-progress", Sparkline).data = data.read_per_week
        numbers = " ".join(str(n) for n in data.read_per_week)
        self.query_one("#stats-progress-numbers", Static).update(Text(numbers, style="dim"))
