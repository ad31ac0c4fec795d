"""FilterBar: the query input above the papers list, with the count in view and query errors."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Input, Label

from tui import bindings
from tui.text import plural, safe

PARTIAL = " · abstracts indexing…"
"""After the count while words were looked for in titles and authors only."""


class FilterInput(Input):
    BINDINGS = bindings.FILTER

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
    """The typed text's width (the input scrolls by it), set by Input on every key: a change
    laid out the whole screen again (Textual's `virtual_size` asks for a layout), though the
    input's own size never depends on it here (`width: 1fr`)."""

    class Cleared(Message):
        pass

    leave_to: Widget | None = None
    """Where enter and escape move the focus, at once: keys typed right after them belong
    there (a message's hop later, `j` went into the filter)."""

    def action_clear(self) -> None:
        self.value = ""
        self.post_message(self.Cleared())
        self._leave()

    async def action_submit(self) -> None:
        await super().action_submit()
        self._leave()

    def _leave(self) -> None:
        if self.leave_to is not None and self.leave_to.is_attached:
            self.screen.set_focus(self.leave_to)


class FilterBar(Horizontal):
    """The filter input (its screen watches its value) and the count; posts `Submitted` on enter
    and `Cleared` on escape; shows `3 of 212`."""

    DEFAULT_CSS = """
    FilterBar { height: 1; }
    FilterBar > FilterInput, FilterBar > FilterInput:focus {
        width: 1fr; height: 1; border: none; padding: 0 1;
    }
    FilterBar > #filter-count {
        width: auto; min-width: 12; max-width: 60%; padding: 0 1; color: $text-muted;
    }
    FilterBar > #filter-count.-error { color: $error; }
    """

    class Submitted(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Cleared(Message):
        pass

    def compose(self) -> ComposeResult:
        yield FilterInput(
            placeholder='/ filter: words, "phrase", tag:x is:unread has:code year:>=2024 …',
            id="filter-input",
            # No validators: Input would still set its `-valid` class on the first key, a
            # restyle of the screen (3 ms) in that key's frame.
            validate_on=(),
        )
        yield Label("", id="filter-count")

    @property
    def input(self) -> FilterInput:
        return self.query_one("#filter-input", FilterInput)

    @property
    def value(self) -> str:
        return self.input.value

    def set_value(self, value: str) -> None:
        self.input.value = value

    searching_shown = False
    _counts_shown: tuple[int, int, int, bool] | None = None
    _count_cells = 0
    """The width of the count as last shown (0: something else is shown)."""
    """The counts the label shows, None while it shows something else."""

    def show_count(
        self, shown: int, total: int, selected: int = 0, *, partial: bool = False
    ) -> None:
        """`212 papers`, `3 of 212`, and `· 2 selected` while papers are selected; `partial`:
        `· abstracts indexing…` while words were found in titles and authors only."""
        counts = (shown, total, selected, partial)
        if counts == self._counts_shown:
            return  # already on screen: a keystroke that found the same papers redraws nothing
        self._counts_shown = counts
        self.searching_shown = False
        label = self.query_one("#filter-count", Label)
        label.remove_class("-error")
        text = Text(plural(total, "paper") if shown == total else f"{shown} of {total}")
        widest = len(f"{total} of {total}")
        if selected:
            text.append(f" · {selected} selected", "bold")
            widest += len(f" · {total} selected")
        if partial:
            text.append(PARTIAL, "italic")
            widest += len(PARTIAL)
        # As wide as the widest count for this library, so that typing changes only the
        # label's text: a change of width would lay out the whole screen again, every key.
        text.pad_right(widest - text.cell_len)
        same_width = text.cell_len == self._count_cells
        self._count_cells = text.cell_len
        label.update(text, layout=not same_width)

    def show_searching(self) -> None:
        """A search is taking longer than a moment (a large library, abstracts not indexed)."""
        label = self.query_one("#filter-count", Label)
        label.remove_class("-error")
        label.update(Text("searching…", style="italic"))
        self._count_cells = 0
        self.searching_shown = True
        self._counts_shown = None

    def show_error(self, message: str) -> None:
        self.searching_shown = False
        self._counts_shown = None
        self._count_cells = 0
        label = self.query_one("#filter-count", Label)
        label.add_class("-error")
        label.update(safe(message))

    @on(Input.Changed, "#filter-input")
    def changed(self, event: Input.Changed) -> None:
        event.stop()  # the screen watches the input's value itself: at once, not a hop later

    @on(Input.Submitted, "#filter-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted(event.value))

    @on(FilterInput.Cleared)
    def cleared(self, event: FilterInput.Cleared) -> None:
        event.stop()
        self.post_message(self.Cleared())
