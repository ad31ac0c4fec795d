"""Library overview numbers: papers by year and tag, queue, notes, reading progress by week."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from store.models import STATUSES, Record


@dataclass(frozen=True)
class Overview:
    papers: int
    by_year: list[tuple[str, int]]
    """Oldest first; `unknown` last."""
    by_tag: list[tuple[str, int]]
    """Most used first."""
    by_status: dict[str, int]
    queued: int
    notes: int
    triaged: int
    read_per_week: list[int]
    """Papers marked read in each of the last `weeks` weeks, oldest first."""


def overview(records: Sequence[Record], *, today: date, weeks: int = 12) -> Overview:
    years = Counter(r.paper.published[:4] if r.paper.published else "unknown" for r in records)
    by_year = sorted((y, n) for y, n in years.items() if y != "unknown")
    if years.get("unknown"):
        by_year.append(("unknown", years["unknown"]))
    tags = Counter(t for r in records for t in r.state.tags)
    statuses = Counter(r.state.status for r in records)
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    per_week = [0] * weeks
    for record in records:
        if record.state.status != "read" or not record.state.updated:
            continue
        try:
            day = datetime.fromisoformat(record.state.updated).date()
        except ValueError:
            continue
        index = (day - start).days // 7
        if 0 <= index < weeks:
            per_week[index] += 1
    return Overview(
        papers=len(records),
        by_year=by_year,
        by_tag=sorted(tags.items(), key=lambda kv: (-kv[1], kv[0])),
        by_status={s: statuses.get(s, 0) for s in STATUSES},
        queued=sum(1 for r in records if r.queued),
        notes=sum(1 for r in records if r.state.has_note),
        triaged=sum(1 for r in records if r.state.triaged),
        read_per_week=per_week,
    )
