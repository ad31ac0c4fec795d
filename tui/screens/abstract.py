"""The abstract view: one paper in full; `↓`/`↑` (`j`/`k`) step through the list it was opened
from, `enter` on a related paper opens it, and `escape` walks back the papers opened that way."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Markdown, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from store.facts import facts
from store.models import Record
from store.search.related import Related
from tui import bindings
from tui.screens.base import PaperScreen
from tui.text import clean, safe
from tui.widgets.choice_list import ChoiceList
from tui.widgets.footer import DeskFooter

NOTE_VIEW_LIMIT = 10_000
"""Characters of a note the view renders: Textual's Markdown took 0.7 s for 10,000 characters
in short paragraphs here (a widget per block), 2.6 s for 20,000."""


class AbstractBody(VerticalScroll, inherit_bindings=False):
    """The paper's text: scrolls on the page keys, and leaves `↑`/`↓` to the screen, which
    steps to the previous and next paper as the paper list does."""

    BINDINGS = bindings.ABSTRACT_BODY


def metadata_lines(record: Record, why: tuple[str, ...] = ()) -> Text:
    """The paper's facts, one per line; `why` are the words that raised its interest."""
    rows = facts(record)
    if why:
        after_tags = next((n + 1 for n, (name, _) in enumerate(rows) if name == "tags"), len(rows))
        rows.insert(after_tags, ("why", ", ".join(why)))
    text = Text()
    for name, value in rows:
        text.append(f"{name:>12}  ", "dim")
        text.append_text(safe(value))
        text.append("\n")
    text.rstrip()
    return text


class AbstractScreen(PaperScreen):
    DEFAULT_CSS = """
    #abstract-body {
        padding: 1 2;
    }
    #abstract-title, #abstract-meta {
        margin-bottom: 1;
    }
    #abstract-body .section {
        margin-top: 1;
        text-style: bold;
        color: $accent;
    }
    #abstract-links, #abstract-related {
        height: auto;
        max-height: 10;
        border: none;
        padding: 0;
    }
    #abstract-note {
        margin: 0;
        padding: 0;
    }
    """

    BINDINGS = bindings.ABSTRACT

    def __init__(
        self,
        ids: Sequence[str],
        paper: str,
        *,
        on_close: Callable[[str], None] | None = None,
        focus_note: bool = False,
    ) -> None:
        super().__init__()
        self.ids = list(ids) or [paper]
        self.paper_id = paper
        self.on_close = on_close
        self.focus_note = focus_note
        self.history: list[str] = []
        """Papers left by opening a related one: `escape` goes back to them, newest first."""

    def compose(self) -> ComposeResult:
        with AbstractBody(id="abstract-body"):
            yield Static(id="abstract-title")
            yield Static(id="abstract-meta")
            yield Label("Abstract", classes="section")
            yield Static(id="abstract-text")
            yield Label("Links  (enter opens)", classes="section", id="links-heading")
            yield ChoiceList(id="abstract-links")
            yield Label("Note  (n edits)", classes="section")
            yield Markdown(id="abstract-note")
            yield Label("Related  (enter opens)", classes="section")
            yield ChoiceList(id="abstract-related")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.desk.records_changed.subscribe(self, self.records_changed)
        self.show(self.paper_id)
        body = self.query_one("#abstract-body", VerticalScroll)
        body.focus()
        if self.focus_note:
            self.call_after_refresh(body.scroll_end, animate=False)

    @property
    def record(self) -> Record:
        return self.desk.view.get(self.paper_id)

    def target_ids(self) -> list[str]:
        return [self.paper_id]

    def show(self, paper: str) -> None:
        self.paper_id = paper
        record = self.record
        if paper in self.ids:
            position = self.ids.index(paper) + 1
            counter = f"  ({position} of {len(self.ids)})" if len(self.ids) > 1 else ""
        else:  # opened from Related: not in the list it steps through
            counter = "  (related paper · esc goes back)"
        self.query_one("#abstract-title", Static).update(
            Text.assemble(safe(record.title, "bold"), (counter, "dim"))
        )
        self.query_one("#abstract-meta", Static).update(
            metadata_lines(record, why=self.desk.view.why(record))
        )
        abstract = self.desk.library.abstract(paper) or record.paper.abstract
        self.query_one("#abstract-text", Static).update(safe(abstract, multiline=True))
        links = self.query_one("#abstract-links", OptionList)
        links.clear_options()
        urls = list(record.paper.links)
        best = record.best_link()
        if best and best not in urls:
            urls.insert(0, best)
        links.add_options([Option(safe(url), id=clean(url)) for url in urls])
        links.display = bool(urls)
        self.query_one("#links-heading", Label).display = bool(urls)
        note = record.state.note.strip()
        if len(note) > NOTE_VIEW_LIMIT:
            note = (
                f"{note[:NOTE_VIEW_LIMIT]}\n\n*… this note goes on ({len(note):,} characters "
                f"in all); `paperdeck note {paper} --edit` edits it in full.*"
            )
        # Markdown renders the note's Markdown but never Rich markup; control characters go.
        self.query_one("#abstract-note", Markdown).update(
            clean(note, multiline=True) if note else "*No note yet.*"
        )
        if not self.desk.view.related_ready:
            waiting = "Finding related papers… (the first time reads every abstract)"
            related = self.query_one("#abstract-related", OptionList)
            related.clear_options()
            related.add_option(Option(Text(waiting, style="dim"), disabled=True))
        self.load_related(paper)

    @work(
        thread=True,
        exclusive=True,
        group="related",
        exit_on_error=False,
        description="Finding related papers",
    )
    def load_related(self, paper: str) -> None:
        related = self.desk.view.related(paper)
        self.app.call_from_thread(self.show_related, paper, related)

    def worker_failed(self, worker: Worker[object]) -> None:
        if worker.group == "related" and self.is_mounted:
            options = self.query_one("#abstract-related", OptionList)
            options.clear_options()
            options.add_option(
                Option(Text("Could not find related papers.", style="dim"), disabled=True)
            )

    def show_related(self, paper: str, related: list[Related]) -> None:
        if paper != self.paper_id or not self.is_mounted:
            return
        options = self.query_one("#abstract-related", OptionList)
        options.clear_options()
        for item in related:
            record = self.desk.view.get(item.paper)
            why = ", ".join(item.shared[:3])
            options.add_option(
                Option(Text.assemble(safe(record.title), (f"  ({why})", "dim")), id=item.paper)
            )
        if not related:
            options.add_option(Option(Text("No related papers found.", style="dim"), disabled=True))

    def records_changed(self, changed: list[Record]) -> None:
        if any(r.id == self.paper_id for r in changed):
            self.show(self.paper_id)

    def action_step(self, offset: int) -> None:
        if self.paper_id not in self.ids:
            self.notify("A related paper: esc goes back to the list.", timeout=3, markup=False)
            return
        index = self.ids.index(self.paper_id) + offset
        if 0 <= index < len(self.ids):
            self.show(self.ids[index])
            self.back_to_top()
        else:
            edge = "last" if offset > 0 else "first"
            self.notify(f"This is the {edge} paper of the list.", timeout=2, markup=False)

    def action_back(self) -> None:
        if self.history:
            self.show(self.history.pop())
            self.back_to_top()
            return
        if self.on_close is not None:
            self.on_close(self.paper_id)
        self.dismiss(None)

    def back_to_top(self) -> None:
        body = self.query_one("#abstract-body", AbstractBody)
        body.scroll_home(animate=False)
        body.focus()

    @on(OptionList.OptionSelected, "#abstract-related")
    def open_related(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and event.option.id != self.paper_id:
            self.history.append(self.paper_id)
            self.show(event.option.id)
            self.back_to_top()

    @on(OptionList.OptionSelected, "#abstract-links")
    def open_link(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.desk.open_url(event.option.id)
