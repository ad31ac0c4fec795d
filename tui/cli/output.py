"""How the CLI prints: papers as a Rich table on a terminal, tab-separated lines in a pipe; every
message and JSON document through the one sanitiser (`tui.text.clean`, `store.json_text`)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from store import json_text
from store.catalog.ids import short_ids
from store.catalog.importing import Progress
from store.facts import facts
from store.models import Record
from tui.text import clean, markers, plural, safe


def say(text: str, stream: TextIO | None = None) -> None:
    """One line for the user (stderr by default): file names and values in it are data, so
    escape sequences and control characters never reach the terminal, and a newline in a
    file name cannot split the line."""
    stream = stream or sys.stderr
    stream.write(clean(text) + "\n")
    stream.flush()


def count_line(shown: int, matched: int, total: int) -> str:
    """`212 papers`, `18 of 212 papers matched`, `4 of 18 matched`: what a list shows of what."""
    if shown < matched:
        return f"{shown} of {matched} matched"
    if matched < total:
        return f"{matched} of {plural(total, 'paper')} matched"
    return plural(total, "paper")


def print_table(
    records: list[Record],
    total: int,
    out: TextIO,
    *,
    queue: bool = False,
    matched: int | None = None,
    all_ids: Callable[[], Iterable[str]] | None = None,
) -> None:
    """A table on a terminal (ids shortened to 8 characters where unambiguous among
    `all_ids()`, the whole library: asked only for a terminal's table), ending with the count
    (`matched`: how many papers the query found, of which `records` may be the first few);
    tab-separated lines with whole ids in a pipe."""
    if not out.isatty():
        for record in records:
            paper = record.paper
            cells = [
                paper.id,
                paper.published or "",
                "" if paper.upvotes is None else str(paper.upvotes),
                clean(paper.title),
                ",".join(clean(t) for t in record.state.tags),
                record.state.status,
            ]
            out.write("\t".join(cells) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    shorts = short_ids(all_ids() if all_ids is not None else (r.id for r in records))
    console = Console(file=out, highlight=False)
    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    if queue:
        table.add_column("#", justify="right")
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("▲", justify="right")
    table.add_column("title", ratio=1, overflow="fold")
    table.add_column("tags", style="green", max_width=24)
    table.add_column("QNCS", no_wrap=True)
    for record in records:
        paper = record.paper
        row = [
            safe(shorts.get(paper.id, paper.id)),
            safe(paper.published or "—"),
            safe("" if paper.upvotes is None else paper.upvotes),
            safe(paper.title),
            safe(" ".join(record.state.tags)),
            safe(markers(record, blank="·")),
        ]
        if queue:
            row.insert(0, safe(record.queue_position or ""))
        table.add_row(*row)
    console.print(table)
    shown = count_line(len(records), len(records) if matched is None else matched, total)
    console.print(safe(shown, "dim"))


def print_record(record: Record, out: TextIO) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, highlight=False, soft_wrap=not out.isatty())
    paper, state = record.paper, record.state
    console.print(safe(paper.title, "bold"))
    for name, value in facts(record):
        console.print(Text.assemble((f"{name:>12}  ", "dim"), safe(value)))
    for link in paper.links:
        console.print(Text.assemble(("        link  ", "dim"), safe(link)))
    console.print()
    console.print(safe(paper.abstract, multiline=True))
    if state.has_note:
        console.print()
        console.print(Text("Note", style="bold"))
        console.print(safe(state.note, multiline=True))


@contextlib.contextmanager
def progress_bar(stream: TextIO, label: str) -> Iterator[Progress | None]:
    """A progress callback drawing a bar on `stream` when it is a terminal, else None."""
    if not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn(label, markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        # File names are data: `[link=...]` in one must not become a live hyperlink.
        TextColumn("{task.description}", markup=False),
        console=Console(file=stream),
        transient=True,
    )
    task = bar.add_task("", total=None)

    def update(done: int, total: int, what: str) -> None:
        bar.update(task, completed=done, total=total, description=clean(what))

    with bar:
        yield update


def print_json(value: object, out: TextIO | None = None) -> None:
    """JSON with every control character escaped (C1 controls such as U+009B included)."""
    out = out or sys.stdout
    out.write(json_text.dumps(value))
    out.write("\n")
