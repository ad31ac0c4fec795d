"""CSL-JSON: what pandoc (`--bibliography x.json`), Zotero and citeproc read.

A paper with a journal reference is an `article-journal` in that container; an arXiv preprint
is an `article` published by arXiv with its id as `number` (as Zotero writes preprints).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from store import json_text
from store.export.citekey import (
    DEFAULT_PATTERN,
    KeyAllocator,
    format_key,
    parse_pattern,
    split_name,
)
from store.export.clean import one_line, plain, year_month_day
from store.models import Record


def csl_name(author: str) -> dict[str, str]:
    given, family, suffix = split_name(one_line(author))
    if not given:
        return {"literal": family} if family else {"literal": one_line(author)}
    name = {"family": family, "given": given}
    if suffix:
        name["suffix"] = suffix
    return name


def csl_item(record: Record, key: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": key,
        "type": "article-journal" if record.journal_ref else "article",
        "title": one_line(record.title),
    }
    authors = [csl_name(a) for a in record.authors if one_line(a)]
    if authors:
        item["author"] = authors
    date = year_month_day(record.paper.published)
    if date:
        item["issued"] = {"date-parts": [list(date)]}
    if record.journal_ref:
        item["container-title"] = one_line(record.journal_ref)
    elif record.arxiv_id:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{record.arxiv_id}"
    if record.doi:
        item["DOI"] = record.doi
    url = record.best_link()
    if url:
        item["URL"] = one_line(url)
    abstract = plain(record.paper.abstract).strip()
    if abstract:
        item["abstract"] = abstract
    if record.state.tags:
        item["keyword"] = ", ".join(one_line(t) for t in record.state.tags)
    if record.arxiv_id and record.journal_ref:
        item["note"] = f"arXiv:{record.arxiv_id}"
    return item


def render_csl(records: Sequence[Record]) -> str:
    terms = parse_pattern(DEFAULT_PATTERN)
    keys = KeyAllocator(r.citekey for r in records if r.citekey)
    items = []
    for record in records:
        key = record.citekey or keys.allocate(format_key(terms, record))
        items.append(csl_item(record, key))
    return json_text.dumps(items) + "\n"
