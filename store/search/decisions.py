"""What the reader decided about papers, as the interest model learns it, and the order of the
triage pile that follows from it.  The one place that knows where a record keeps the fields the
model reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from store.models import Record
from store.search.interest import MIN_DECISIONS, Document, Interest


def document_of(record: Record, abstract: str | None = None) -> Document:
    """What the model reads of a record: its merged authors and categories (arXiv's after
    `fetch`, else those a pull listed)."""
    paper = record.paper
    return Document(
        id=paper.id,
        title=paper.title,
        abstract=paper.abstract if abstract is None else abstract,
        authors=record.authors,
        organization=paper.organization_name or paper.organization,
        categories=record.categories,
    )


def decision_of(record: Record, since: str | None = None) -> bool | None:
    """What the reader decided about a paper: True (queued, tagged, noted, reading, read),
    False (dismissed) or None (nothing yet, or only before `since`, a reset of the model)."""
    state = record.state
    if since is not None and state.updated < since:
        return None
    if state.status == "dismissed":
        return False
    if record.queued or state.tags or state.note.strip() or state.status in ("reading", "read"):
        return True
    return None


def decisions_of(records: Iterable[Record], since: str | None = None) -> dict[str, bool]:
    found = {}
    for record in records:
        decided = decision_of(record, since)
        if decided is not None:
            found[record.id] = decided
    return found


def pile_order(
    records: Sequence[Record], interest: Interest | None, order: str
) -> tuple[list[str], str]:
    """The triage pile in `order` and, for the screen to say, why it is in that order.

    `interest` needs `MIN_DECISIONS` decisions and `uncertain` both a wanted and a dismissed
    paper; until then the pile is by upvotes, and the reason says so."""
    from store.search.language import SORT_KEYS

    if order == "date":
        return [r.id for r in sorted(records, key=SORT_KEYS["date"])], "newest first"
    by_upvotes = [r.id for r in sorted(records, key=SORT_KEYS["upvotes"])]
    if order == "upvotes":
        return by_upvotes, "most upvoted first"
    if interest is None:
        return by_upvotes, "by upvotes while your interest is being learned…"
    decided = interest.decisions
    if order == "uncertain":
        if interest.trained:
            return interest.uncertain_order(by_upvotes), (
                f"least certain first: each decision teaches the most ({decided} so far)"
            )
        return by_upvotes, (
            "by upvotes: the uncertain order needs a wanted and a dismissed paper first"
        )
    if interest.confident:
        return interest.order(by_upvotes), f"by your interest, learned from {decided} decisions"
    return by_upvotes, (
        f"by upvotes: your interest orders the pile after {MIN_DECISIONS} decisions "
        f"({decided} so far)"
    )
