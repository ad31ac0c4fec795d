"""Related papers, near-duplicate titles and the library overview, on the seeds."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

import store.search.related as related_module
from store.library import Library
from store.models import Paper, Record, UserState
from store.search.related import RelatedIndex, near_duplicates, terms
from store.stats import overview
from store.typing_gate import Stopped
from store.view import LibraryView


def test_related_papers_share_topic_words_exclude_themselves_and_are_stable(
    library: Library,
) -> None:
    records = library.all_records()
    by_id = {r.id: r for r in records}
    sae = next(r for r in records if r.title.startswith("Training Superior Sparse Autoencoders"))
    related = RelatedIndex(records).related(sae.id)
    assert 0 < len(related) <= 5 and sae.id not in {r.paper for r in related}
    topic = set(terms(sae.title))
    for item in related:
        other = by_id[item.paper]
        assert item.shared, "related for a reason"
        assert set(item.shared) & set(terms(other.title + " " + other.paper.abstract))
    assert sum(1 for item in related if topic & set(terms(by_id[item.paper].title))) >= 3
    assert RelatedIndex(list(reversed(records))).related(sae.id) == related


def test_near_duplicate_titles_are_flagged_oldest_kept() -> None:
    def rec(pid: str, title: str, added: str) -> Record:
        return Record(Paper(id=pid, title=title, added=added))

    records = [
        rec("new", "Scaling Sparse Autoencoders to Milions of Features", "2026-02-01"),
        rec("old", "Scaling Sparse Autoencoders to Millions of Features", "2026-01-01"),
        rec("other", "A Completely Different Paper About Diffusion", "2026-01-01"),
    ]
    (pair,) = near_duplicates(records)
    assert (pair.keep, pair.drop) == ("old", "new") and pair.score >= 92


def test_no_seed_paper_is_its_own_duplicate(library: Library) -> None:
    assert all(d.keep != d.drop for d in near_duplicates(library.all_records()))


def test_overview_counts(library: Library) -> None:
    records = library.all_records(with_abstracts=False)
    first, second = records[:2]
    records[0] = replace(
        first, state=UserState(tags=("llm",), status="read", updated="2026-10-28T10:00:00+00:00")
    )
    records[1] = replace(second, state=UserState(note="n"), queue_position=1)
    data = overview(records, today=date(2026, 11, 1))
    assert data.papers == 212 and data.queued == 1 and data.notes == 1
    assert data.by_status == {"unread": 211, "reading": 0, "read": 1, "dismissed": 0}
    assert data.by_tag == [("llm", 1)]
    assert data.read_per_week[-1] == 1 and sum(data.read_per_week) == 1
    assert sum(n for _, n in data.by_year) == 212 and data.by_year[-1][0] == "unknown"


def test_the_view_builds_one_related_index_however_many_papers_ask_at_once(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening papers quickly starts a worker per paper: they share one build."""
    builds: list[int] = []

    class Counted(RelatedIndex):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            builds.append(1)
            time.sleep(0.2)  # a large library: the others arrive while this one builds
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(related_module, "RelatedIndex", Counted)  # the view imports it on use
    view = LibraryView(library)
    view.load()
    assert not view.related_ready
    ids = list(view.by_id)[:4]
    answers: dict[str, list[str]] = {}

    def ask(pid: str) -> None:
        answers[pid] = [r.paper for r in view.related(pid)]

    threads = [threading.Thread(target=ask, args=(pid,)) for pid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [1] and view.related_ready
    assert all(answers[pid] and pid not in answers[pid] for pid in ids)


def test_a_build_stops_when_its_process_closes(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100k papers the build reads every abstract for tens of seconds: a closing app stops
    it between slices of papers instead of waiting for it, and no half-built index is kept."""
    monkeypatch.setattr(related_module, "STOP_CHECK", 10)
    asked: list[int] = []

    def stopped() -> bool:
        asked.append(1)
        return len(asked) > 3

    view = LibraryView(library)
    view.load()
    records = list(view.by_id.values())
    with pytest.raises(Stopped):
        RelatedIndex(records, stopped=stopped)
    assert len(asked) == 4  # stopped at the fourth slice of the first pass
    view.close()
    with pytest.raises(Stopped):
        view.related(records[0].id)
    assert not view.related_ready
