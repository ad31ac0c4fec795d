"""Queue positions that two devices can choose without asking each other: strings that sort in
queue order, with room between any two (fractional indexing over base-36 digits)."""

from __future__ import annotations

from collections.abc import Sequence

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
BASE = len(DIGITS)
_VALUE = {c: i for i, c in enumerate(DIGITS)}


def _to_int(text: str) -> int:
    value = 0
    for char in text:
        value = value * BASE + _VALUE[char]
    return value


def _to_text(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, digit = divmod(value, BASE)
        chars.append(DIGITS[digit])
    return "".join(reversed(chars))


def valid_rank(text: object) -> bool:
    return isinstance(text, str) and bool(text) and all(c in _VALUE for c in text)


def spread(lo: str, hi: str | None, count: int) -> list[str]:
    """`count` ranks in increasing order, all above `lo` ("" = the start) and below `hi`
    (None = the end).  No rank ends in '0', so there is always room below any of them."""
    if count <= 0:
        return []
    if hi is not None and hi <= lo:
        hi = None  # ranks out of order (a bad file): place after lo instead
    length = max(len(lo), len(hi or ""), 2)
    while True:
        lo_value = _to_int(lo.ljust(length, "0"))
        hi_value = _to_int(hi.ljust(length, "0")) if hi is not None else BASE**length
        gap = hi_value - lo_value
        if gap > count:
            # Appending at the end steps by one so a long queue stays short to write.
            step = 1 if hi is None else gap // (count + 1)
            ranks = []
            for n in range(1, count + 1):
                text = _to_text(lo_value + n * step, length)
                ranks.append(text + "i" if text.endswith("0") else text)
            return ranks
        length += 1


def _longest_increasing(keys: Sequence[str | None]) -> set[int]:
    """Indices of a longest strictly increasing run of known keys (patience sorting)."""
    tails: list[int] = []
    previous: dict[int, int] = {}
    for index, key in enumerate(keys):
        if key is None:
            continue
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            tail_key = keys[tails[mid]]
            assert tail_key is not None
            if tail_key < key:
                lo = mid + 1
            else:
                hi = mid
        if lo > 0:
            previous[index] = tails[lo - 1]
        if lo == len(tails):
            tails.append(index)
        else:
            tails[lo] = index
    kept: set[int] = set()
    index = tails[-1] if tails else -1
    while index >= 0:
        kept.add(index)
        index = previous.get(index, -1)
    return kept


def rerank(order: Sequence[str], ranks: dict[str, str]) -> dict[str, str]:
    """Ranks for `order` that keep as many of the old `ranks` as possible: only papers that
    moved or are new get a new rank (so only their change goes into the journal)."""
    # Strictly increasing ranks, not (rank, paper): two devices may have picked the same rank,
    # and a paper placed between those two needs room between the ranks themselves.
    keys = [ranks[p] if p in ranks and valid_rank(ranks[p]) else None for p in order]
    kept = _longest_increasing(keys)
    result: dict[str, str] = {}
    index = 0
    lo = ""
    while index < len(order):
        if index in kept:
            lo = ranks[order[index]]
            result[order[index]] = lo
            index += 1
            continue
        end = index
        while end < len(order) and end not in kept:
            end += 1
        hi = ranks[order[end]] if end < len(order) else None
        for pid, rank in zip(order[index:end], spread(lo, hi, end - index), strict=True):
            result[pid] = rank
        index = end
    return result
