"""Placeholder; the app lands with the TUI issue."""

from __future__ import annotations

from pathlib import Path

from store.library import Library


def run_app(library: Library, *, seeds: list[Path]) -> int:
    if library.is_empty():
        library.import_files(seeds)
    print(f"{len(library.papers())} papers in {library.root}")
    return 0
