"""The Papers screen: the whole library, filtered as you type."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult

from store.errors import UsageError
from store.models import Record
from store.search.language import Query, parse_query
from tui import bindings
from tui.messages import StartTriage
from tui.screens.base import PaperScreen
from tui.search_thread import SearchDone, SearchThread
from tui.widgets.filter_bar import FilterBar
from tui.widgets.footer import DeskFooter
from tui.widgets.mode_bar import ModeBar
from tui.widgets.paper_table import PaperTable

SEARCHING_AFTER = 0.15
"""Seconds a filter may take before the count shows `searching…`."""
WAIT_FOR_SEARCH = 0.015
"""Seconds the UI may wait for a search when none is under way: less than a frame at 60 Hz,
so the list changes in the same frame as the typed character, not the next (the scan of 100k
titles while their word index is built takes 5-10 ms a key). Waiting only after a quick search
kept the keys after a slow one (a first letter at 100k papers) from ever being waited for."""
WARM_UP, WARM_UP_QUERY = -1, "e"
"""The generation and query of the search run once the first list is drawn (`_warm_up`)."""


class PapersScreen(PaperScreen):
    AUTO_FOCUS = "#papers"  # the list, at once: every focus change re-lays the footer
    _shown_before_load_ended = False
    BINDINGS = bindings.PAPERS

    def __init__(self) -> None:
        super().__init__()
        # Textual parses every stylesheet again when a mode's first screen is made, in case the
        # CSS changed since that screen was last styled; this one has never been styled and
        # brings no CSS of its own, so that pass would repeat the mount's (~10 ms before the
        # first frame). Marking it current with the app's CSS skips the pass.
        self._css_update_count = self.app._css_update_count

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
        self.watch(self.filter_bar.input, "value", self.typed, init=False)
        self.filter_bar.input.leave_to = self.table  # enter and escape: the list, at once
        self.watch(self.app, "sort", lambda _: self.run_filter(self.filter_bar.value), init=False)
        self.host.first_results_ready.subscribe(self, self.first_results_ready)
        self.host.abstracts_ready.subscribe(self, self.abstracts_ready)
        self.host.interest_ready.subscribe(self, self.interest_learned)
        self._searcher = SearchThread(self, self._search)
        self._searcher.start()
        self.first_results_ready()
        self.when_loaded(self.library_loaded)

    def first_results_ready(self, _: None = None) -> bool:
        """Show the list the load prepared, if it is there and nothing is typed yet: the store
        is read while the screen is built, so the rows come with the first frames."""
        if self.filter_bar.value.strip():
            return False
        ready = self.host.take_first_results(self.host.sort)
        if ready is None:
            return False
        self._generation += 1  # a search still running from before the load must not follow
        self.show_results(ready)
        self._shown_before_load_ended = True
        self.call_after_drawn(self.host.first_results_shown)
        self.call_after_drawn(self._warm_up)
        return True

    def _warm_up(self) -> None:
        """Once the list is drawn, one search nobody sees (the thread's, off the screen's
        way): the first key typed then runs code already run (a first search at 10k papers
        took 10 ms, then 2). Not while a large library loads: its first search builds the
        scan's tables (0.2 s and 25 MB at 100k papers), which only a key should pay for."""
        if self._searcher is not None and self.desk.view.indexed:
            self._searcher.submit(WARM_UP, parse_query(WARM_UP_QUERY), self.host.sort)

    def library_loaded(self) -> None:
        shown, self._shown_before_load_ended = self._shown_before_load_ended, False
        if not (shown and not self.filter_bar.value.strip()):
            self.run_filter(self.filter_bar.value)

    def abstracts_ready(self, _: None = None) -> None:
        """Words typed before the abstract index came were found in titles and authors only."""
        if self._partial:
            self.run_filter(self.filter_bar.value)
        else:
            self.show_count()  # without `abstracts indexing…`

    def interest_learned(self, _: None = None) -> None:
        """The interest sort was shown by upvotes until the interest was learned."""
        if self.host.sort == "interest":
            self.run_filter(self.filter_bar.value)

    def records_changed(self, changed: list[Record]) -> None:
        self.table.update_records([self.desk.view.get(r.id) for r in changed])

    def target_ids(self) -> list[str]:
        return self.table.target_ids()

    def selected_ids(self) -> list[str]:
        return [r.id for r in self.table.records if r.id in self.table.selected]

    def export_query(self) -> str:
        return self.filter_bar.value

    def apply_filter(self, query: str) -> None:
        """Show papers matching `query` (the Tags screen sends `tag:x` here)."""
        self.filter_bar.set_value(query)
        self.run_filter(query)

    # -- filtering ---------------------------------------------------------------------------

    def typed(self, value: str) -> None:
        """Every change of the filter text, as it happens: called while the key is handled, so
        a quick search's results are drawn in the same frame as the typed character (after a
        message's hops they came a frame later)."""
        self.run_filter(value)

    @on(FilterBar.Submitted)
    def filter_submitted(self) -> None:
        self.set_focus(self.table)
        self.table.action_cursor_top()

    @on(FilterBar.Cleared)
    def filter_cleared(self) -> None:
        self.run_filter("")
        self.set_focus(self.table)

    def run_filter(self, text: str) -> None:
        if not self.desk.view.searchable:
            return
        self._generation += 1  # whatever a running search finds now is for an older filter
        try:
            query = parse_query(text)
        except UsageError as error:
            self.filter_bar.show_error(str(error))
            return
        if self._searcher is None:
            self._searcher = SearchThread(self, self._search)
        if self._slow_search is None:  # say so when a search takes more than a moment
            loop = asyncio.get_running_loop()
            self._slow_search = loop.call_later(SEARCHING_AFTER, self._search_is_slow)
        if not self._searcher.busy:
            # Nothing searched meanwhile: wait a moment for this one, so that its results
            # come in the echo's frame (a search still under way from a key before would
            # keep this one waiting for nothing: then the echo goes out at once).
            done = self._searcher.submit_and_wait(
                self._generation, query, self.host.sort, WAIT_FOR_SEARCH
            )
            if done is not None:
                self.search_done(done)
            return
        self._searcher.submit(self._generation, query, self.host.sort)

    # One thread searches, the newest filter next (see `SearchThread`); what it finds comes
    # back as `SearchDone` and is shown only if no newer filter was typed meanwhile.
    _generation = 0
    _searcher: SearchThread | None = None
    _slow_search: asyncio.TimerHandle | None = None

    def _search(self, query: Query, sort: str | None) -> tuple[Sequence[Record], bool]:
        """(found, partial): partial when words were looked for without the abstracts."""
        view = self.desk.view
        pending = view.abstracts_pending
        return view.search_listed(query, sort), pending and query.has_words

    def _search_is_slow(self) -> None:
        self._slow_search = None
        self.filter_bar.show_searching()

    def on_unmount(self) -> None:
        if self._searcher is not None:
            self._searcher.stop()

    @on(SearchDone)
    def search_done(self, event: SearchDone) -> None:
        event.stop()
        if event.generation == WARM_UP:
            return
        if event.generation != self._generation:
            return  # typed on meanwhile: the newest filter's results are on their way
        if self._slow_search is not None:
            self._slow_search.cancel()
            self._slow_search = None
        if event.problem:
            self.notify(event.problem, severity="error", timeout=10, markup=False)
            if self.filter_bar.searching_shown:  # what the list shows stands
                self.show_count()
        elif event.records is not None:
            self._partial = event.partial
            self.show_results(event.records)

    _partial = False
    """The list shows a word search made before the abstract index came."""

    def show_results(self, records: Sequence[Record]) -> None:
        self.table.set_records(records)
        self.show_count()

    def show_count(self) -> None:
        """`3 of 212`; `· abstracts indexing…` from the first frame while a large library's
        abstracts are indexed (not only once a word is typed: the count changing width then
        laid out the whole screen in that key's frame)."""
        table, view = self.table, self.desk.view
        partial = self._partial or (view.abstracts_deferred and view.abstracts_pending)
        self.filter_bar.show_count(
            len(table.records), view.total, len(table.selected), partial=partial
        )

    @on(PaperTable.SelectionChanged)
    def selection_changed(self) -> None:
        self.show_count()

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_filter" and self.focused is self.filter_bar.input:
            return False
        return super().check_action(action, parameters)

    def action_focus_filter(self) -> None:
        # At once, not after a refresh as Widget.focus() does: on a busy moment the keys typed
        # right after `/` would otherwise reach the list and act on papers (`s`, `a`, `r`...).
        self.set_focus(self.filter_bar.input)

    def action_clear_selection(self) -> None:
        self.table.clear_selection()

    def action_triage(self) -> None:
        if not self.library_ready():
            return
        self.post_message(StartTriage(self.filter_bar.value))

    @on(PaperTable.Opened)
    def open_paper(self, event: PaperTable.Opened) -> None:
        if not self.library_ready():
            return
        ids = [r.id for r in self.table.records]
        self.open_abstract(ids, event.record.id, on_close=self.table.move_to)
