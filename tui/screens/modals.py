"""Small dialogs: tag input, sort chooser, a one-line prompt (the note editor: note_editor.py)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from store.search.language import SORTS
from tui import bindings
from tui.text import safe


class TagSuggester(Suggester):
    """Completes the tag being typed after the last comma (also after a `-` that removes)."""

    def __init__(self, tags: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.tags = sorted(tags)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(",")
        stripped = last.lstrip()
        prefix = stripped.removeprefix("-").removeprefix("#").casefold()
        if not prefix:
            return None
        for tag in self.tags:
            if tag.startswith(prefix) and tag != prefix:
                typed = value[: len(value) - len(stripped)]
                marker = stripped[: len(stripped) - len(stripped.lstrip("-#"))]
                return f"{typed}{marker}{tag}"
        return None


class TagInput(ModalScreen[str | None]):
    """`t`: comma-separated tags to add, `-name` to remove; `→` accepts a completion."""

    DEFAULT_CSS = """
    #current-tags {
        color: $text-muted;
    }
    #tag-input {
        margin-top: 1;
    }
    """

    BINDINGS = bindings.TAG_INPUT

    def __init__(self, title: str, current: Sequence[str], known: Sequence[str]) -> None:
        super().__init__()
        self.paper_title = title
        self.current = list(current)
        self.known = list(known)

    def compose(self) -> ComposeResult:
        with Vertical(id="tag-dialog", classes="dialog"):
            yield Label(Text.assemble(("Tags for ", "bold"), safe(self.paper_title)))
            shown = " ".join(self.current) if self.current else "(none yet)"
            yield Static(Text.assemble(("Current: ", "dim"), safe(shown)), id="current-tags")
            yield Input(
                placeholder="llm, to-read, -old   (Enter applies, → completes, Esc cancels)",
                suggester=TagSuggester(self.known),
                id="tag-input",
            )

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(ModalScreen[str | None]):
    """Asks for one line of text (tag rename and merge)."""

    DEFAULT_CSS = """
    #prompt-input {
        margin-top: 1;
    }
    """

    BINDINGS = bindings.PROMPT

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(safe(self.question))
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SortChooser(ModalScreen[str | None]):
    DEFAULT_CSS = """
    #sort-options {
        height: auto;
        max-height: 100%;
    }
    """

    BINDINGS = bindings.SORT

    DESCRIPTIONS = {
        "relevance": "best match first (no words: date)",
        "date": "newest first",
        "upvotes": "most upvoted first",
        "title": "title A→Z",
        "added": "most recently imported first",
        "interest": "what your decisions favour first",
    }

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current or "relevance"

    def compose(self) -> ComposeResult:
        with Vertical(id="sort-dialog", classes="dialog"):
            yield Label(f"Sort papers by (now: {self.current})")
            options = [
                Option(
                    Text.assemble(
                        ("● " if name == self.current else "  ", "bold"),
                        (f"{name:<10}", "bold"),
                        self.DESCRIPTIONS[name],
                        no_wrap=True,
                        overflow="ellipsis",
                    ),
                    id=name,
                )
                for name in SORTS
            ]
            yield OptionList(*options, id="sort-options")

    def on_mount(self) -> None:
        options = self.query_one("#sort-options", OptionList)
        options.highlighted = list(SORTS).index(self.current) if self.current in SORTS else 0

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
