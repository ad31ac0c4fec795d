"""Render papers and notes as text in each export format; `store.export.write` puts it on disk.

md: one Markdown document; bib: BibTeX; csl: CSL-JSON; ris: RIS; json: paperdeck's records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from store import json_text
from store.errors import ExportError
from store.export.bibtex import render_bibtex
from store.export.csl import render_csl
from store.export.formats import FORMATS, SUFFIXES
from store.export.markdown import render_markdown
from store.export.ris import render_ris
from store.models import Record

__all__ = ["FORMATS", "SUFFIXES", "ExportError", "render"]


def render_json(records: Sequence[Record]) -> str:
    return json_text.dumps([r.to_json() for r in records]) + "\n"


def render(fmt: str, records: Sequence[Record], *, now: datetime, include_all: bool) -> str:
    if fmt == "md":
        return render_markdown(records, now=now, include_all=include_all)
    if fmt == "bib":
        return render_bibtex(records)
    if fmt == "csl":
        return render_csl(records)
    if fmt == "ris":
        return render_ris(records)
    if fmt == "json":
        return render_json(records)
    raise ExportError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
