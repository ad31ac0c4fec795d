"""`6`: saved searches with their new papers; `enter` opens one in the Papers list, which
marks it opened (nothing in it is new any more); `a` saves a search, `d` forgets one."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from store.errors import PaperdeckError
from store.inbox import Inbox, InboxCount, count
from tui import bindings
from tui.screens.base import DeskScreen
from tui.screens.modals import TextPrompt
from tui.text import plural, safe
from tui.widgets.choice_list import ChoiceList
from tui.widgets.footer import DeskFooter
from tui.widgets.mode_bar import ModeBar


class InboxScreen(DeskScreen):
    DEFAULT_CSS = """
    #inbox-list {
        height: 1fr;
        max-height: 100%;
        border: none;
    }
    """

    BINDINGS = bindings.INBOX

    counts: list[InboxCount]

    def compose(self) -> ComposeResult:
        yield ModeBar("inbox")
        yield Label("", id="inbox-count", classes="screen-count")
        yield ChoiceList(id="inbox-list")
        yield DeskFooter()

    @property
    def options(self) -> OptionList:
        return self.query_one("#inbox-list", OptionList)

    def on_mount(self) -> None:
        self.counts = []
        self.desk.records_changed.subscribe(self, lambda _: self.refresh_counts())
        self.when_loaded(self.recount)
        self.options.focus()

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def recount(self) -> None:
        self.refresh_counts()

    @work(thread=True, exclusive=True, group="inbox-counts", exit_on_error=False)
    def refresh_counts(self) -> None:
        """Count every inbox against the records in memory (a search each: off the UI)."""
        if not self.host.loaded:
            return
        view = self.desk.view
        try:
            counts = count(self.desk.library.inboxes().all(), lambda q: view.search(q))
        except PaperdeckError as error:
            self.app.call_from_thread(
                self.notify, str(error), severity="error", timeout=10, markup=False
            )
            return
        self.app.call_from_thread(self.show_counts, counts)

    def show_counts(self, counts: list[InboxCount]) -> None:
        self.counts = counts
        options = self.options
        keep = options.highlighted
        options.clear_options()
        width = max((len(c.inbox.name) for c in counts), default=0)
        options.add_options(
            [
                Option(
                    Text.assemble(
                        safe(c.inbox.name.ljust(width), "bold"),
                        (f"  {c.new:>4} new" if c.new else "     -    ", "bold green"),
                        (f"  {c.total:>6} total  ", "dim"),
                        safe(c.inbox.query or "(everything)"),
                    ),
                    id=c.inbox.name,
                )
                for c in counts
            ]
        )
        if counts:
            options.highlighted = min(keep or 0, len(counts) - 1)
        fresh = sum(c.new for c in counts)
        self.query_one("#inbox-count", Label).update(
            f"{plural(len(counts), 'inbox', 'inboxes')}, {plural(fresh, 'new paper')}"
            if counts
            else "No inboxes yet: press a to save a search as one."
        )

    @property
    def current(self) -> InboxCount | None:
        options = self.options
        if options.highlighted is None or not self.counts:
            return None
        return self.counts[options.highlighted]

    @on(OptionList.OptionSelected, "#inbox-list")
    def open_inbox(self, event: OptionList.OptionSelected) -> None:
        chosen = next((c for c in self.counts if c.inbox.name == event.option.id), None)
        if chosen is None:
            return
        self._mark_opened(chosen.inbox)
        from tui.screens.papers import PapersScreen

        self.app.switch_mode("papers")
        screen = self.app.screen
        if isinstance(screen, PapersScreen):
            screen.apply_filter(chosen.inbox.query)

    @work(thread=True, group="inbox-write", exit_on_error=False)
    def _mark_opened(self, inbox: Inbox) -> None:
        try:
            self.desk.library.inboxes().mark_opened(inbox.name)
        except PaperdeckError as error:
            self.app.call_from_thread(
                self.notify, str(error), severity="error", timeout=10, markup=False
            )

    def action_add(self) -> None:
        def named(name: str | None) -> None:
            if not name or not name.strip():
                return

            def queried(query: str | None) -> None:
                if query is not None:
                    self._add(name.strip(), query.strip())

            self.app.push_screen(
                TextPrompt(f"Papers of inbox '{name.strip()}' match:", placeholder="a query"),
                queried,
            )

        self.app.push_screen(TextPrompt("Name of the new inbox:", placeholder="llm"), named)

    @work(thread=True, group="inbox-write", exit_on_error=False)
    def _add(self, name: str, query: str) -> None:
        try:
            self.desk.library.inboxes().add(name, query)
        except PaperdeckError as error:
            self.app.call_from_thread(
                self.notify, str(error), severity="error", timeout=10, markup=False
            )
            return
        self.app.call_from_thread(self.refresh_counts)

    def action_remove(self) -> None:
        current = self.current
        if current is None:
            self.notify("No inbox here.", severity="warning", markup=False)
            return
        self._remove(current.inbox.name)

    @work(thread=True, group="inbox-write", exit_on_error=False)
    def _remove(self, name: str) -> None:
        try:
            self.desk.library.inboxes().remove(name)
        except PaperdeckError as error:
            self.app.call_from_thread(
                self.notify, str(error), severity="error", timeout=10, markup=False
            )
            return
        self.app.call_from_thread(self.notify, f"Removed inbox {name}.", timeout=3, markup=False)
        self.app.call_from_thread(self.refresh_counts)
