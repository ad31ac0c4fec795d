"""A listing's text as blocks: runs of non-blank lines, each with the number of its first line.

Titles, abstracts and metadata are blocks separated by blank lines; a line of only whitespace
(anything `str.strip` removes) is blank.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


def paragraphs(lines: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Runs of non-blank lines with the 1-based number of their first line."""
    block: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


BLANK_RUN = re.compile(r"(\n(?:[^\S\n]*\n)+)")
"""The end of a line and the blank lines after it (`\\s` is `str.isspace`, as `strip` is)."""


def blocks(text: str) -> list[tuple[int, str]]:
    """`paragraphs` of the text's lines, each block's lines joined by newlines: one split by
    a regular expression instead of a Python step for every line.  Only the first part can
    start with blank lines and only the last end with them; those go through `paragraphs`."""
    parts = BLANK_RUN.split(text)
    last = len(parts) - 1
    found: list[tuple[int, str]] = []
    line = 1
    for index in range(0, len(parts), 2):
        part = parts[index]
        if index == 0 or index == last:
            for number, lines in paragraphs(part.split("\n")):
                found.append((line + number - 1, "\n".join(lines)))
        else:
            found.append((line, part))
        if index < last:
            line += part.count("\n") + parts[index + 1].count("\n")
    return found
