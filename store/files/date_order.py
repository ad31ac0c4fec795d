"""The order lists start in (`date`), computed once when the catalog's columns are written
(`store.files.columns`) and stored with them."""

from __future__ import annotations

from typing import Any


def date_order(values: dict[str, list[Any]]) -> list[int]:
    """Row numbers in `date` sort order, exactly as `store.search.language.SORT_KEYS` orders
    them: (newest first, unknown dates last; most upvoted; title; id), done as stable sorts
    from the last part to the first, each keyed by a list (a key function called per row took
    half a second of a 100k import).  The id decides only between equal titles, which are rare:
    that sort is skipped without them; the date and the votes are sorted on as one integer."""
    ids, titles = values["id"], values["title"]
    order = list(range(len(ids)))
    folded = list(map(str.casefold, titles))
    if len(set(folded)) < len(folded):
        order.sort(key=ids.__getitem__)
    order.sort(key=folded.__getitem__)
    # Newest first, unknown dates (None, "") after every known one; then most upvoted. A
    # library has a few thousand distinct dates: each is ranked once, not parsed per row, and
    # the rank and the votes make one small integer, which the sort compares in C (integers
    # past 2**30, or tuples, take the slow comparison).
    published = values["published"]
    numbers = {p: int(p.replace("-", "")) for p in set(published) if p}  # as SORT_KEYS reads it
    newest = sorted(set(numbers.values()), reverse=True)
    ranked = dict(zip(newest, range(len(newest)), strict=True))
    rank = {p: ranked[number] for p, number in numbers.items()}
    votes = [-(u or -1) for u in values["upvotes"]]
    if votes:
        low = min(votes)
        span = max(votes) - low + 1  # each date's votes fit between it and the next date's
        unknown = len(newest)
        keys = [
            rank.get(p, unknown) * span + vote - low
            for p, vote in zip(published, votes, strict=True)
        ]
        order.sort(key=keys.__getitem__)
    return order
