"""Text on its way into an exported file: no control characters, one line where one is due."""

from __future__ import annotations

import re

# C0 and C1 controls (tab and newline kept), DEL, and the noncharacters U+FFFE/U+FFFF that make
# YAML and XML readers refuse a whole file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


# Whole terminal escape sequences (CSI, OSC and two-byte ones), as store/enrich/net.py strips them.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[@-_]"
)


def plain(text: str) -> str:
    """Drop escape sequences and control characters: they have no place in an exported file."""
    text = _ESCAPES.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


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
