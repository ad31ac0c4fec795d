"""Papers with notes, each with its note's first lines; `enter` opens the note."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from store.models import Record
from tui import bindings
from tui.screens.base import PaperScreen
from tui.text import clean, plural, safe
from tui.widgets.choice_list import ChoiceList
from tui.widgets.footer import DeskFooter
from tui.widgets.mode_bar import ModeBar

PREVIEW_LINES = 2


def note_option(record: Record) -> Option:
    head = record.state.note.strip()[:2000]  # a huge note costs no more than a short one
    lines = [clean(line) for line in head.splitlines() if line.strip()]
    preview = "\n".join("  " + line[:200] for line in lines[:PREVIEW_LINES])
    if len(lines) > PREVIEW_LINES:
        preview += " …"
    prompt = Text.assemble(safe(record.title, "bold"), "\n", (preview, "dim"))
    return Option(prompt, id=record.id)


class NotesScreen(PaperScreen):
    DEFAULT_CSS = """
    #notes-list {
        height: 1fr;
        max-height: 100%;
        border: none;
    }
    """

    BINDINGS = bindings.NOTES

    def compose(self) -> ComposeResult:
        yield ModeBar("notes")
        yield Label("", id="notes-count", classes="screen-count")
        yield ChoiceList(id="notes-list")
        yield DeskFooter()

    @property
    def options(self) -> OptionList:
        return self.query_one("#notes-list", OptionList)

    def on_mount(self) -> None:
        self.desk.records_changed.subscribe(self, lambda _: self.refresh_notes())
        self.when_loaded(self.refresh_notes)
        self.options.focus()

    def on_screen_resume(self) -> None:
        self.refresh_notes()

    def noted(self) -> list[Record]:
        records = [r for r in self.desk.view.by_id.values() if r.state.has_note]
        return sorted(records, key=lambda r: r.state.updated, reverse=True)

    def refresh_notes(self) -> None:
        if not self.host.loaded:
            return
        options = self.options
        keep = options.highlighted
        records = self.noted()
        options.clear_options()
        options.add_options([note_option(r) for r in records])
        if records:
            options.highlighted = min(keep or 0, len(records) - 1)
        self.query_one("#notes-count", Label).update(
            plural(len(records), "note")
            if records
            else "No notes yet: press n on a paper to write one."
        )

    def target_ids(self) -> list[str]:
        options = self.options
        if options.highlighted is None or options.option_count == 0:
            return []
        option_id = options.get_option_at_index(options.highlighted).id
        return [option_id] if option_id else []

    @on(OptionList.OptionSelected, "#notes-list")
    def open_note(self, event: OptionList.OptionSelected) -> None:
        ids = [r.id for r in self.noted()]
        if event.option.id:
            self.open_abstract(ids, event.option.id, focus_note=True)
