"""The order lists start in (`date`), computed once when the catalog's columns are written
(`store.files.columns`) and stored with them."""

from __future__ import annotations

from typing import Any


def date_order(values: dict[str, list[Any]]) -> list[int]:
    """Row numbers in `date` sort order, exactly as `store.search.language.SORT_KEYS` orders
    them: (newest first, unknown dates last; most upvoted; title; id), done as one stable sort
    per part from the last to the first, each keyed by a list (a key function called per row
    took half a second of a 100k import)."""
    ids, titles = values["id"], values["title"]
    order = sorted(range(len(ids)), key=ids.__getitem__)
    folded = list(map(str.casefold, titles))
    order.sort(key=folded.__getitem__)
    votes = [-(u or -1) for u in values["upvotes"]]
    order.sort(key=votes.__getitem__)
    unknown = float("inf")
    newest = [-int(p.replace("-", "")) if p else unknown for p in values["published"]]
    order.sort(key=newest.__getitem__)
    return order
