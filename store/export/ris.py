"""RIS (`TY  - ...` ... `ER  - `): the tagged format EndNote, Zotero and Mendeley import.

`JOUR` when there is a journal reference, else `UNPB` (an unpublished work: a preprint).
Every value is one line; authors are `Family, Given`, one `AU` line each.
"""

from __future__ import annotations

from collections.abc import Sequence

from store.export.citekey import (
    DEFAULT_PATTERN,
    KeyAllocator,
    format_key,
    parse_pattern,
    split_name,
)
from store.export.clean import one_line, year_month_day
from store.models import Record


def _author(author: str) -> str:
    given, family, suffix = split_name(one_line(author))
    return ", ".join(part for part in (family, given, suffix) if part)


def ris_entry(record: Record, key: str) -> list[tuple[str, str]]:
    lines = [("TY", "JOUR" if record.journal_ref else "UNPB"), ("ID", key)]
    lines.append(("TI", one_line(record.title)))
    lines += [("AU", _author(a)) for a in record.authors if one_line(a)]
    date = year_month_day(record.paper.published)
    if date:
        lines.append(("PY", f"{date[0]:04d}"))
        lines.append(
            ("DA", "/".join(f"{p:02d}" if i else f"{p:04d}" for i, p in enumerate(date)) + "/")
        )
    if record.journal_ref:
        lines.append(("JO", one_line(record.journal_ref)))
    elif record.arxiv_id:
        lines.append(("PB", "arXiv"))
    if record.arxiv_id:
        lines.append(("AN", f"arXiv:{record.arxiv_id}"))
    if record.doi:
        lines.append(("DO", record.doi))
    url = record.best_link()
    if url:
        lines.append(("UR", one_line(url)))
    if record.enrichment.pdf_url:
        lines.append(("L1", one_line(record.enrichment.pdf_url)))
    abstract = one_line(record.paper.abstract)
    if abstract:
        lines.append(("AB", abstract))
    lines += [("KW", one_line(tag)) for tag in record.state.tags if one_line(tag)]
    lines.append(("ER", ""))
    return lines


def render_ris(records: Sequence[Record]) -> str:
    terms = parse_pattern(DEFAULT_PATTERN)
    keys = KeyAllocator(r.citekey for r in records if r.citekey)
    out: list[str] = []
    for record in records:
        key = record.citekey or keys.allocate(format_key(terms, record))
        out += [
            f"{tag}  - {value}".rstrip() + (" " if tag == "ER" else "")
            for tag, value in ris_entry(record, key)
        ]
        out.append("")
    return "\n".join(out)
