"""`5`: the library at a glance: papers by year and tag, queue, notes, reading progress."""

from __future__ import annotations

from datetime import date, timedelta

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

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


LEVELS = " ▁▂▃▄▅▆▇█"
WEEK_WIDTH = 6
"""Cells per week: the bar, its count and its date label share one column, so they line up."""


def week_chart(counts: list[int], today: date, *, height: int = 3) -> Text:
    """Bars of reads per week, oldest first, each above its count and its week's Monday."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=len(counts) - 1)
    top = max(counts, default=0) or 1
    text = Text()
    for level in range(height, 0, -1):
        for count in counts:
            eighths = round(8 * height * count / top) - 8 * (level - 1)
            cell = LEVELS[max(0, min(8, eighths))] if count else " "
            text.append((cell * (WEEK_WIDTH - 1)).ljust(WEEK_WIDTH), "cyan")
        text.append("\n")
    text.append("".join(f"{n:<{WEEK_WIDTH - 1}} " for n in counts), "bold")
    text.append("\n")
    mondays = (first + timedelta(weeks=n) for n in range(len(counts)))
    text.append("".join(f"{d:%m-%d}".ljust(WEEK_WIDTH - 1) + " " for d in mondays), "dim")
    return text


class StatsScreen(DeskScreen):
    DEFAULT_CSS = """
    #stats-body {
        padding: 1 2;
    }
    #stats-body .section {
        margin-top: 1;
        text-style: bold;
        color: $accent;
    }
    #stats-progress {
        height: auto;
    }
    """

    BINDINGS = bindings.STATS

    def compose(self) -> ComposeResult:
        yield ModeBar("stats")
        with VerticalScroll(id="stats-body"):
            yield Static(id="stats-summary")
            yield Label("Papers by year", classes="section")
            yield Static(id="stats-years")
            yield Label("Tags", classes="section")
            yield Static(id="stats-tags")
            yield Label("Papers read per week (last 12 weeks, by Monday)", classes="section")
            yield Static(id="stats-progress")
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
        chart = week_chart(data.read_per_week, self.desk.today())
        self.query_one("#stats-progress", Static).update(chart)
