"""One export as both front ends run it: which papers go in, where they are written, and the
line that says what was written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from store.export.write import DirExportReport, export_dir, export_file
from store.models import Record

NOTES_ONLY = ("md", "dir")
"""Formats that hold papers with a note unless every paper is asked for."""


def papers_word(count: int) -> str:
    return f"{count} paper" if count == 1 else f"{count} papers"


def chosen(fmt: str, records: Sequence[Record], *, include_all: bool) -> list[Record]:
    """The papers an export of `fmt` writes."""
    if fmt in NOTES_ONLY and not include_all:
        return [r for r in records if r.state.has_note]
    return list(records)


@dataclass(frozen=True)
class ExportDone:
    destination: Path
    papers: int
    """Papers written into the file, or considered for the folder."""
    folder: DirExportReport | None = None

    def summary(self) -> str:
        folder = self.folder
        if folder is None:
            return f"Exported {papers_word(self.papers)} to {self.destination}"
        line = (
            f"Exported to {self.destination}: {len(folder.written)} written, "
            f"{len(folder.updated)} updated, {len(folder.unchanged)} unchanged"
        )
        if folder.skipped:
            line += f", {len(folder.skipped)} skipped"
        return line


def export_to(
    fmt: str,
    records: Sequence[Record],
    destination: Path,
    *,
    now: datetime,
    include_all: bool,
    force: bool,
) -> ExportDone:
    """Write `records` as `fmt` (`dir`: one Markdown file per paper in a folder)."""
    papers = chosen(fmt, records, include_all=include_all)
    if fmt == "dir":
        report = export_dir(papers, destination, now=now, force=force)
        return ExportDone(destination, len(papers), report)
    path = export_file(fmt, papers, destination, now=now, include_all=True, force=force)
    return ExportDone(path, len(papers))
