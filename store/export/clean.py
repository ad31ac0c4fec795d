"""Text on its way into an exported file: no control characters, one line where one is due."""

from __future__ import annotations

import re

from store.text import clean

# The noncharacters U+FFFE/U+FFFF make YAML and XML readers refuse a whole file; the one
# sanitiser (store.text) keeps them, since a terminal shows them harmlessly.
_NONCHARACTERS = re.compile("[\ufffe\uffff]")


def plain(text: str) -> str:
    """Text for an exported file, lines kept: `store.text.clean`, less noncharacters."""
    return _NONCHARACTERS.sub("", clean(text, multiline=True))


def one_line(text: str) -> str:
    return " ".join(plain(text).split())


def year_month_day(published: str | None) -> tuple[int, ...]:
    """(2024, 8, 11) from `2024-08-11`; shorter when the date is partial; () when unknown."""
    parts: list[int] = []
    for piece in (published or "").split("-")[:3]:
        if not piece.isdigit():
            break
        parts.append(int(piece))
    if parts and not 1 <= parts[0] <= 9999:
        return ()
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return tuple(parts[:1])
    if len(parts) > 2 and not 1 <= parts[2] <= 31:
        return tuple(parts[:2])
    return tuple(parts)
