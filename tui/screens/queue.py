"""The reading queue in order; `shift+up`/`shift+down` reorder it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widgets import Label

from store.models import Record
from tui import bindings
from tui.screens.base import PaperScreen
from tui.widgets.footer import DeskFooter
from tui.widgets.mode_bar import ModeBar
from tui.widgets.paper_table import PaperTable


class QueueScreen(PaperScreen):
    BINDINGS = bindings.QUEUE

    def compose(self) -> ComposeResult:
        yield ModeBar("queue")
        yield Label("", id="queue-count", classes="screen-count")
        yield PaperTable(show_position=True, id="queue-table")
        yield DeskFooter()

    @property
    def table(self) -> PaperTable:
        return self.query_one("#queue-table", PaperTable)

    def on_mount(self) -> None:
        self.desk.records_changed.subscribe(self, lambda _: self.refresh_queue())
        self.when_loaded(self.refresh_queue)
        self.table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_queue()

    def refresh_queue(self) -> None:
        if not self.host.loaded:
            return
        queue = self.desk.view.queue()
        self.table.set_records(queue)
        label = self.query_one("#queue-count", Label)
        label.update(
            f"{len(queue)} in the queue"
            if queue
            else "The queue is empty: press a on a paper to queue it."
        )

    def target_ids(self) -> list[str]:
        return self.table.target_ids()

    def export_query(self) -> str:
        return "is:queued"

    def action_move(self, offset: int) -> None:
        record: Record | None = self.table.current
        if record is not None:
            self.desk.write(lambda: self.desk.library.queue_move(record.id, offset))

    @on(PaperTable.Opened)
    def open_paper(self, event: PaperTable.Opened) -> None:
        ids = [r.id for r in self.table.records]
        self.open_abstract(ids, event.record.id, on_close=self.table.move_to)
