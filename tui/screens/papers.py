"""The Papers screen: the whole library, filtered as you type."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.worker import get_current_worker

from store.errors import UsageError
from store.models import Record
from store.query import Query, parse_query
from tui.screens.base import PaperScreen
from tui.widgets.filter_bar import FilterBar
from tui.widgets.footer import DeskFooter
from tui.widgets.mode_bar import ModeBar
from tui.widgets.paper_table import PaperTable


class PapersScreen(PaperScreen):
    AUTO_FOCUS = "#papers"  # the list, at once: every focus change re-lays the footer
    _shown_before_load_ended = False
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="papers.filter"),
        Binding("s", "sort", "Sort", id="papers.sort"),
        Binding("T", "triage", "Triage", show=False, id="papers.triage"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="papers.escape"),
        Binding("q", "app.quit", "Quit", id="papers.quit"),
    ]

    def compose(self) -> ComposeResult:
        yield ModeBar("papers")
        yield FilterBar()
        yield PaperTable(id="papers")
        yield DeskFooter()

    @property
    def table(self) -> PaperTable:
        return self.query_one("#papers", PaperTable)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def on_mount(self) -> None:
        self.desk.records_changed.subscribe(self, self.records_changed)
        self.desk.library_loaded.subscribe(self, self.library_loaded)
        self.desk.sort_changed.subscribe(self, lambda _: self.run_filter(self.filter_bar.value))
        self.desk.first_results_ready.subscribe(self, self.first_results_ready)
        if not self.first_results_ready() and self.desk.loaded:
            self.run_filter("")

    def first_results_ready(self, _: None = None) -> bool:
        """Show the list the load prepared, if it is there and nothing is typed yet: the store
        is read while the screen is built, so the rows come with the first frames."""
        if self.filter_bar.value.strip():
            return False
        ready = self.desk.take_first_results(self.desk.sort)
        if ready is None:
            return False
        self.show_results(ready)
        self._shown_before_load_ended = True
        return True

    def library_loaded(self, _: None) -> None:
        shown, self._shown_before_load_ended = self._shown_before_load_ended, False
        if not (shown and not self.filter_bar.value.strip()):
            self.run_filter(self.filter_bar.value)

    def records_changed(self, changed: list[Record]) -> None:
        self.table.update_records([self.desk.view.get(r.id) for r in changed])

    def target_ids(self) -> list[str]:
        return self.table.target_ids()

    def export_query(self) -> str:
        return self.filter_bar.value

    def apply_filter(self, query: str) -> None:
        """Show papers matching `query` (the Tags screen sends `tag:x` here)."""
        self.filter_bar.set_value(query)
        self.run_filter(query)

    # -- filtering ---------------------------------------------------------------------------

    @on(FilterBar.Changed)
    def filter_changed(self, event: FilterBar.Changed) -> None:
        self.run_filter(event.query)

    @on(FilterBar.Submitted)
    def filter_submitted(self) -> None:
        self.table.focus()
        self.table.action_cursor_top()

    @on(FilterBar.Cleared)
    def filter_cleared(self) -> None:
        self.run_filter("")
        self.table.focus()

    def run_filter(self, text: str) -> None:
        if not self.desk.loaded:
            return
        ready = self.desk.take_first_results(self.desk.sort)
        if ready is not None and not text.strip():
            self.show_results(ready)  # the first frame after a load, without a worker's round trip
            return
        try:
            query = parse_query(text)
        except UsageError as error:
            self.filter_bar.show_error(str(error))
            return
        self.search(query)

    @work(thread=True, exclusive=True, group="filter", exit_on_error=False)
    def search(self, query: Query) -> None:
        records = self.desk.view.search(query, self.desk.sort)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_results, records)

    def show_results(self, records: list[Record]) -> None:
        self.table.set_records(records)
        self.filter_bar.show_count(len(records), self.desk.view.total)

    # -- actions -----------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.filter_bar.input.focus()

    def action_clear_selection(self) -> None:
        self.table.clear_selection()

    def action_triage(self) -> None:
        self.desk.start_triage(self.filter_bar.value)

    @on(PaperTable.Opened)
    def open_paper(self, event: PaperTable.Opened) -> None:
        ids = [r.id for r in self.table.records]
        self.desk.open_abstract(ids, event.record.id, on_close=self.table.move_to)
