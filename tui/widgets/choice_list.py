"""An OptionList that moves like the paper list (`j` `k` `g` `G`) and shows its cursor at once.

Textual's OptionList highlights nothing until the first `↓`, so a screen that opens on one looks
as if `enter` would do nothing; and it knows only the arrow keys. Tags, Notes, and the Links and
Related lists of the abstract view all use this one instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Self

from textual.binding import BindingType
from textual.widgets import OptionList
from textual.widgets._option_list import OptionListContent

from tui import bindings


class ChoiceList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = bindings.CHOICES

    def add_options(self, new_options: Iterable[OptionListContent]) -> Self:
        super().add_options(new_options)
        if self.highlighted is None:
            self.action_first()  # the first enabled option; none if all are notes ("No …")
        return self
