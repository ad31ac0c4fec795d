"""Every tag with its count; `enter` lists its papers, `R` renames, `m` merges into another."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui import bindings
from tui.screens.base import DeskScreen
from tui.screens.modals import TextPrompt
from tui.text import plural, safe
from tui.widgets.choice_list import ChoiceList
from tui.widgets.footer import DeskFooter
from tui.widgets.mode_bar import ModeBar


class TagsScreen(DeskScreen):
    DEFAULT_CSS = """
    #tags-list {
        height: 1fr;
        max-height: 100%;
        border: none;
    }
    """

    BINDINGS = bindings.TAGS

    def compose(self) -> ComposeResult:
        yield ModeBar("tags")
        yield Label("", id="tags-count", classes="screen-count")
        yield ChoiceList(id="tags-list")
        yield DeskFooter()

    @property
    def options(self) -> OptionList:
        return self.query_one("#tags-list", OptionList)

    def on_mount(self) -> None:
        self.desk.records_changed.subscribe(self, lambda _: self.refresh_tags())
        self.when_loaded(self.refresh_tags)
        self.options.focus()

    def on_screen_resume(self) -> None:
        self.refresh_tags()

    def refresh_tags(self) -> None:
        counts = self.desk.view.tag_counts()
        options = self.options
        keep = options.highlighted
        options.clear_options()
        options.add_options(
            [
                Option(Text.assemble(safe(tag, "bold"), (f"  {n}", "dim")), id=tag)
                for tag, n in counts.items()
            ]
        )
        if counts:
            options.highlighted = min(keep or 0, len(counts) - 1)
        self.query_one("#tags-count", Label).update(
            plural(len(counts), "tag") if counts else "No tags yet: press t on a paper to tag it."
        )

    @property
    def current_tag(self) -> str | None:
        options = self.options
        if options.highlighted is None or options.option_count == 0:
            return None
        return options.get_option_at_index(options.highlighted).id

    @on(OptionList.OptionSelected, "#tags-list")
    def show_papers(self, event: OptionList.OptionSelected) -> None:
        from tui.screens.papers import PapersScreen

        self.app.switch_mode("papers")
        screen = self.app.screen
        if isinstance(screen, PapersScreen) and event.option.id:
            screen.apply_filter(f"tag:{event.option.id}")

    def _rename(self, question: str) -> None:
        tag = self.current_tag
        if tag is None:
            self.notify("No tag here.", severity="warning", markup=False)
            return
        desk = self.desk

        def apply(new: str | None) -> None:
            if new and new.strip() and new.strip() != tag:
                desk.write(lambda: desk.library.rename_tag(tag, new.strip()))

        self.app.push_screen(TextPrompt(question.format(tag=tag), placeholder="new-name"), apply)

    def action_rename(self) -> None:
        self._rename("Rename tag '{tag}' to:")

    def action_merge(self) -> None:
        self._rename("Merge tag '{tag}' into (an existing tag):")

    def action_undo(self) -> None:
        self.desk.undo()
