"""YAML front matter for one-file-per-paper exports (Obsidian, pandoc, static sites).

Written by PyYAML, so any title, name or tag comes out as a string any YAML reader gets back.
Tags are made valid Obsidian tags on the way out (`obsidian_tag`); paperdeck keeps the user's
own spelling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from store.export.clean import one_line, year_month_day
from store.models import Record

# Obsidian tags: letters (any script), digits, `_`, `-`, `/` for nesting; not only digits.
_WORDS_FOR = (("++", "plusplus"), ("+", "plus"), ("&", "and"), ("#", "sharp"), ("@", "at"))
_NOT_TAG = re.compile(r"[^\w/-]+")


def obsidian_tag(tag: str) -> str | None:
    """`c++` -> `cplusplus`, `q&a` -> `qanda`, `c#` -> `csharp`, `machine learning` ->
    `machine-learning`, `2024` -> `_2024`, `a/b` stays nested; other punctuation becomes `-`.
    None when nothing is left."""
    text = one_line(tag)
    for symbol, word in _WORDS_FOR:
        text = text.replace(symbol, word)
    text = _NOT_TAG.sub("-", text.replace(" ", "-"))
    text = re.sub(r"-{2,}", "-", text)
    parts = [part.strip("-") for part in text.split("/")]
    text = "/".join(part for part in parts if part)
    if not text:
        return None
    if text.replace("/", "").replace("_", "").replace("-", "").isdigit():
        text = "_" + text
    return text


def obsidian_tags(tags: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t for tag in tags if (t := obsidian_tag(tag))))


def front_matter_fields(record: Record) -> dict[str, Any]:
    date = year_month_day(record.paper.published)
    keys = [k for k in (record.citekey, *record.citekey_aliases) if k]
    return {
        "citekey": record.citekey,
        "title": one_line(record.title),
        "authors": [one_line(a) for a in record.authors if one_line(a)],
        "year": date[0] if date else None,
        "doi": record.doi,
        "arxiv": record.arxiv_id,
        "tags": obsidian_tags(record.state.tags),
        "aliases": keys,
        "url": record.best_link(),
        "published": record.paper.published,
        "status": record.state.status,
        "id": record.id,
    }


def front_matter(record: Record) -> str:
    body = yaml.safe_dump(
        front_matter_fields(record),
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=10_000,
    )
    return f"---\n{body}---\n"
