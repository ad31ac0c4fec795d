"""Turn store strings into rich Text that is safe to put on a terminal.

Text from papers, notes and the network is data: `store.text.clean` neutralises control
characters and escape sequences (an OSC sequence in a title must not rename the terminal window)
and markup is never interpreted, so every widget gets `rich.text.Text`, never a markup string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.models import Record
from store.text import clean

if TYPE_CHECKING:
    from rich.text import Text

__all__ = ["STATUS_MARKS", "clean", "markers", "safe"]


def safe(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """A Text showing `value` verbatim: `[bold]` in a title shows as those six characters."""
    from rich.text import Text  # rich only where text is drawn: the CLI's commands mostly print

    return Text(clean(value, multiline=multiline), style=style)


STATUS_MARKS = {"unread": "", "reading": "R", "read": "✓", "dismissed": "x"}


def markers(record: Record, *, blank: str = " ") -> str:
    """`QNCS`: queued, has a note, has code, status (R reading, ✓ read, x dismissed); `blank`
    where off.  The same four columns in the app's list and the CLI's table."""
    state = record.state
    return "".join(
        (
            "Q" if record.queued else blank,
            "N" if state.has_note else blank,
            "C" if record.paper.github else blank,
            STATUS_MARKS.get(state.status) or blank,
        )
    )


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`1 paper`, `2 papers`, `2 inboxes` (with `many`): never `1 papers` or `paper(s)`."""
    return f"{count} {noun}" if count == 1 else f"{count} {many or noun + 's'}"
