"""An OptionList that moves like the paper list (`j` `k` `g` `G`) and shows its cursor at once.

Textual's OptionList highlights nothing until the first `↓`, so a screen that opens on one looks
as if `enter` would do nothing; and it knows only the arrow keys. Tags, Notes, and the Links and
Related lists of the abstract view all use this one instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Self

from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets._option_list import OptionListContent


class ChoiceList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="choice-list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="choice-list.up"),
        Binding("g", "first", "Top", show=False, id="choice-list.top"),
        Binding("G", "last", "Bottom", show=False, id="choice-list.bottom"),
    ]

    def add_options(self, new_options: Iterable[OptionListContent]) -> Self:
        super().add_options(new_options)
        if self.highlighted is None:
            self.action_first()  # the first enabled option; none if all are notes ("No …")
        return self
