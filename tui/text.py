"""Turn store strings into something safe to put on a terminal.

Text from papers, notes and the network is data: control characters and escape sequences are
neutralised (an OSC sequence in a title must not rename the terminal window) and markup is never
interpreted, so every widget gets `rich.text.Text`, never a markup string.
"""

from __future__ import annotations

import re

from rich.text import Text

from store.models import Record

# ESC-introduced sequences (CSI, OSC, DCS, ...) first, then any lone C0/C1 control character.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC/DCS/SOS/PM/APC ... BEL or ST
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_CONTROL_KEEP_NEWLINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BIDI_OVERRIDES = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def clean(value: object, *, multiline: bool = False) -> str:
    """`value` as a string with escape sequences and control characters removed.

    Single-line text (titles, tags, table cells) also turns tabs and newlines into spaces.
    Bidirectional overrides are dropped so they cannot reorder the rest of a line.
    """
    text = _ESCAPES.sub("", str(value))
    text = _BIDI_OVERRIDES.sub("", text)
    if multiline:
        return _CONTROL_KEEP_NEWLINES.sub("", text.replace("\r\n", "\n"))
    return _CONTROL_ALL.sub(" ", text)


def safe(value: object, style: str = "", *, multiline: bool = False) -> Text:
    """A Text showing `value` verbatim: `[bold]` in a title shows as those six characters."""
    return Text(clean(value, multiline=multiline), style=style)


STATUS_MARKS = {"unread": "", "reading": "R", "read": "✓", "dismissed": "x"}


def markers(record: Record, *, blank: str = " ") -> str:
    """`QNCS`: queued, has a note, has code, status (R reading, ✓ read, x dismissed); `blank` where off.

    The same four columns in the app's list and the CLI's table."""
    state = record.state
    return "".join(
        (
            "Q" if record.queued else blank,
            "N" if state.note.strip() else blank,
            "C" if record.paper.github else blank,
            STATUS_MARKS.get(state.status) or blank,
        )
    )
