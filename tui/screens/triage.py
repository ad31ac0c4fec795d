"""Triage: one untriaged paper at a time, one key per decision, straight on to the next.

Every decision is written at once (leaving keeps progress); `u` walks decisions back one by one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import Worker

from store.errors import PaperdeckError, UsageError
from store.library import Change
from store.models import Record
from store.search.decisions import pile_order
from store.search.language import TRIAGE_ORDERS, Query, all_of, parse_query
from tui import bindings
from tui.screens.abstract import metadata_lines
from tui.screens.base import DeskScreen
from tui.screens.modals import TagInput
from tui.text import plural, safe
from tui.widgets.footer import DeskFooter

DECISIONS = ("queued", "dismissed", "tagged", "noted", "skipped")


@dataclass
class Decision:
    paper: str
    kind: str
    changes: list[Change] = field(default_factory=list)


class TriageScreen(DeskScreen):
    DEFAULT_CSS = """
    #triage-progress {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $panel;
    }
    #triage-body {
        padding: 1 2;
    }
    #triage-title, #triage-meta, #triage-abstract {
        margin-bottom: 1;
    }
    """

    BINDINGS = bindings.TRIAGE

    def __init__(self, query: str = "", *, order: str = "interest") -> None:
        super().__init__()
        self.query_text = query
        self.order = order
        self.order_reason = ""
        """Why the pile is in this order, shown under the progress line."""
        self.pile: list[str] = []
        self.position = 0
        self.decisions: list[Decision] = []
        self.started = time.monotonic()

    def compose(self) -> ComposeResult:
        yield Static(id="triage-progress")
        with VerticalScroll(id="triage-body"):
            yield Static(id="triage-title")
            yield Static(id="triage-meta")
            yield Static(id="triage-abstract")
            yield Static(id="triage-links")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.desk.records_changed.subscribe(self, self.records_changed)
        self.when_loaded(self.build_pile, once=True)
        self.host.interest_ready.subscribe(self, lambda _: self.interest_changed())
        self.query_one("#triage-body", VerticalScroll).focus()

    def build_pile(self) -> None:
        try:
            # Queued papers are decided already (`paperdeck queue add` does not mark them triaged).
            query = parse_query(all_of(self.query_text, "is:unread -is:triaged -is:queued"))
        except UsageError as error:
            self.notify(str(error), severity="error", markup=False)
            self.dismiss(None)
            return
        progress = self.query_one("#triage-progress", Static)
        progress.update(Text("Gathering the untriaged papers…", style="dim"))
        self.gather(query)

    @work(
        thread=True,
        exclusive=True,
        group="triage",
        exit_on_error=False,
        description="Gathering the papers to triage",
    )
    def gather(self, query: Query) -> None:
        """The pile, searched off the UI thread: a word query on a large library takes time."""
        view = self.desk.view
        try:
            records = view.search(query, "date")
        except PaperdeckError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        # The interest trains in its own worker (the app starts it on load and after every
        # decision); until it is ready the pile is by upvotes, and `interest_changed` re-orders.
        pile, reason = pile_order(records, view.interest, self.order)
        self.app.call_from_thread(self.pile_ready, pile, reason)

    def worker_failed(self, worker: Worker[object]) -> None:
        if worker.group == "triage" and self.is_mounted:
            progress = self.query_one("#triage-progress", Static)
            progress.update(Text("Could not gather the papers to triage.", style="bold"))

    def pile_ready(self, pile: list[str], reason: str) -> None:
        self.pile = pile
        self.order_reason = reason
        self.position = 0
        self.started = time.monotonic()
        self.show_current()

    def records_changed(self, changed: list[Record]) -> None:
        """A write landed (a decision, its undo, a tag): the card shows what the disk holds."""
        if self.current is not None and any(r.id == self.current for r in changed):
            self.show_current(keep_scroll=True)

    def interest_changed(self) -> None:
        """Retrained after a decision: the papers still to come follow what it learned."""
        self.reorder()

    def action_next_order(self) -> None:
        self.order = TRIAGE_ORDERS[(TRIAGE_ORDERS.index(self.order) + 1) % len(TRIAGE_ORDERS)]
        self.reorder()
        self.notify(f"Triage order: {self.order_reason}.", timeout=3, markup=False)

    def reorder(self) -> None:
        """Put the papers still to come in `self.order`."""
        # The paper on screen stays, unless no decision was made yet (nothing to lose).
        keep = self.position + 1 if self.decisions else 0
        if not self.pile or keep >= len(self.pile):
            return
        done = self.pile[:keep]
        rest = [self.desk.view.get(pid) for pid in self.pile[keep:]]
        ordered, self.order_reason = pile_order(rest, self.desk.view.interest, self.order)
        self.pile = done + ordered
        self.show_current()

    @property
    def current(self) -> str | None:
        return self.pile[self.position] if self.position < len(self.pile) else None

    def show_current(self, *, keep_scroll: bool = False) -> None:
        paper = self.current
        progress = self.query_one("#triage-progress", Static)
        if paper is None:
            progress.update(Text(f"{len(self.pile)} / {len(self.pile)} triaged", style="bold"))
            self.show_summary()
            return
        untriaged = len(self.pile)
        progress.update(
            Text.assemble(
                (f"{self.position + 1} / {untriaged} untriaged", "bold"),
                ("   a queue · x dismiss · t tag · n note · s skip · u undo", "dim"),
                (" · O order · esc leave", "dim"),
                ("\n", ""),
                (f"order: {self.order_reason}", "dim italic"),
            )
        )
        record = self.desk.view.get(paper)
        self.query_one("#triage-title", Static).update(safe(record.title, "bold"))
        self.query_one("#triage-meta", Static).update(
            metadata_lines(record, why=self.desk.view.why(record))
        )
        abstract = self.desk.library.abstract(paper) or record.paper.abstract
        self.query_one("#triage-abstract", Static).update(safe(abstract, multiline=True))
        links = "\n".join(record.paper.links)
        self.query_one("#triage-links", Static).update(safe(links, "underline", multiline=True))
        if not keep_scroll:
            self.query_one("#triage-body", VerticalScroll).scroll_home(animate=False)

    def summary_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(DECISIONS, 0)
        for decision in self.decisions:
            counts[decision.kind] += 1
        return counts

    def show_summary(self) -> None:
        counts = self.summary_counts()
        elapsed = int(time.monotonic() - self.started)
        minutes, seconds = divmod(elapsed, 60)
        text = Text()
        if not self.pile:
            text.append("Nothing to triage: every unread paper here is triaged.\n", "bold")
        else:
            text.append(
                f"Triage done: {plural(len(self.pile), 'paper')} in {minutes} min {seconds} s\n\n",
                "bold",
            )
        for kind in DECISIONS:
            text.append(f"{counts[kind]:>5}  {kind}\n")
        text.append("\nu undoes the last decision · esc returns to the papers", "dim")
        self.query_one("#triage-title", Static).update(text)
        for part in ("#triage-meta", "#triage-abstract", "#triage-links"):
            self.query_one(part, Static).update("")

    # -- decisions ---------------------------------------------------------------------------

    def _record(self, decision: Decision) -> None:
        self.decisions.append(decision)
        self.position += 1
        self.show_current()

    def action_decide(self, kind: str) -> None:
        paper = self.current
        if paper is None:
            return
        decision = Decision(paper, kind)
        if kind != "skipped":
            self.desk.write(
                lambda: self.desk.library.triage(
                    paper, queue=kind == "queued", dismiss=kind == "dismissed"
                ),
                undoable=False,
                on_done=decision.changes.append,
            )
        self._record(decision)

    def action_tag(self) -> None:
        paper = self.current
        if paper is None:
            return
        record = self.desk.view.get(paper)
        decision = Decision(paper, "tagged")

        def apply(spec: str | None) -> None:
            if not spec or not spec.strip():
                return
            self.desk.write(
                lambda: self.desk.library.edit_tags([paper], spec),
                undoable=False,
                on_done=decision.changes.append,
            )
            self.desk.write(
                lambda: self.desk.library.triage(paper),
                undoable=False,
                on_done=decision.changes.append,
            )
            self._record(decision)

        known = list(self.desk.view.tag_counts())
        self.app.push_screen(TagInput(record.title, record.state.tags, known), apply)

    def action_note(self) -> None:
        paper = self.current
        if paper is None:
            return
        decision = Decision(paper, "noted")

        def closed() -> None:
            self.desk.write(
                lambda: self.desk.library.triage(paper),
                undoable=False,
                on_done=decision.changes.append,
            )
            self._record(decision)

        self.edit_note(paper, on_saved=decision.changes.append, on_close=closed)

    def action_open_link(self) -> None:
        if self.current is not None:
            self.desk.open_best_link(self.current)

    def action_undo(self) -> None:
        if not self.decisions:
            self.notify("No decision to undo.", timeout=2, markup=False)
            return
        decision = self.decisions.pop()
        library = self.desk.library

        def undo_decision() -> Change:
            # Runs after this decision's own writes (writes run in order), so they are known.
            undone = Change(f"undo {decision.kind}", {}, {})
            for change in reversed(decision.changes):
                undone = library.undo(change)
            return undone

        self.desk.write(undo_decision, undoable=False)
        self.position = self.pile.index(decision.paper)
        self.show_current()
        self.notify(f"Undid: {decision.kind}.", timeout=2, markup=False)

    def action_leave(self) -> None:
        self.dismiss(None)
