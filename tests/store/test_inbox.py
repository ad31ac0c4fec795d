"""Inboxes: saved searches, what counts as new, and the count cache."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store.errors import UsageError
from store.inbox import COUNTS, CountCache, Inbox, Inboxes, count, dependencies
from store.library import Library
from store.search.language import parse_query
from tests.fakes.api import PULL_DATA


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 10, 25, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: int = 1) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.fixture
def wall() -> Clock:
    return Clock()


@pytest.fixture
def lib(tmp_path: Path, wall: Clock) -> Library:
    library = Library.open(tmp_path / "db", now=wall)
    library.import_files([PULL_DATA / "hf_new_shape.json"])
    return library


@pytest.fixture
def boxes(lib: Library, wall: Clock) -> Inboxes:
    return lib.inboxes()


def counts(lib: Library, boxes: Inboxes) -> dict[str, tuple[int, int]]:
    return {c.inbox.name: (c.total, c.new) for c in CountCache(lib).counts(boxes.all())}


def test_new_means_arrived_after_the_inbox_was_last_opened(
    lib: Library, boxes: Inboxes, wall: Clock
) -> None:
    boxes.add("agents", "agents")
    boxes.add("all", "")
    wall.tick()
    assert counts(lib, boxes) == {"agents": (1, 0), "all": (3, 0)}
    lib.import_files([PULL_DATA / "hf_2024-10-25.json"])  # three papers arrive
    assert counts(lib, boxes) == {"agents": (1, 0), "all": (6, 3)}
    wall.tick()
    boxes.mark_opened("ALL")  # names are matched without regard to case
    assert counts(lib, boxes) == {"agents": (1, 0), "all": (6, 0)}


def test_inboxes_are_kept_in_their_own_file_and_survive_a_new_reader(
    lib: Library, boxes: Inboxes, wall: Clock
) -> None:
    boxes.add("code", "has:code")
    assert (lib.root / "inboxes.json").exists()
    again = Library(lib.root, now=wall).inboxes()
    assert [i.name for i in again.all()] == ["code"]
    again.remove("code")
    assert boxes.all() == []


@pytest.mark.parametrize(
    ("name", "query", "says"),
    [
        ("", "x", "inbox name"),
        ("a/b", "x", "inbox name"),
        ("x" * 41, "x", "inbox name"),
        ("ok", "tag:", "needs a value"),
        ("ok", "is:nonsense", "is: takes"),
    ],
)
def test_bad_names_and_queries_are_refused(
    boxes: Inboxes, name: str, query: str, says: str
) -> None:
    with pytest.raises(UsageError, match=says):
        boxes.add(name, query)
    assert boxes.all() == []


def test_duplicates_and_unknown_names_are_refused(boxes: Inboxes) -> None:
    boxes.add("llm", "language")
    with pytest.raises(UsageError, match="exists"):
        boxes.add("LLM", "other")
    with pytest.raises(UsageError, match="no inbox named 'nope'; your inboxes: llm"):
        boxes.get("nope")


def test_the_cache_answers_without_searching_while_nothing_changed(
    lib: Library, boxes: Inboxes, monkeypatch: pytest.MonkeyPatch
) -> None:
    boxes.add("words", "benchmark")
    boxes.add("tagged", "tag:x")
    first = counts(lib, boxes)
    assert (lib.root / COUNTS).exists()

    def no_search(*_: object, **__: object) -> None:
        raise AssertionError("searched although the cache was current")

    monkeypatch.setattr(Library, "all_records", no_search)
    assert counts(lib, boxes) == first
    # A tag changes only the state file: the word query's count still stands.
    pid = next(iter(lib.papers()))
    lib.add_tags([pid], ["x"])
    with pytest.raises(AssertionError, match="searched"):
        counts(lib, boxes)
    monkeypatch.undo()
    assert counts(lib, boxes)["tagged"] == (1, 0)
    monkeypatch.setattr(Library, "all_records", no_search)
    assert counts(lib, boxes)["words"] == first["words"]


def test_a_paper_merged_away_by_the_user_leaves_every_count(lib: Library, boxes: Inboxes) -> None:
    boxes.add("all", "")
    assert counts(lib, boxes)["all"] == (3, 0)
    keep, drop, _ = lib.papers()
    lib.merge_user_state(keep, drop)
    assert counts(lib, boxes)["all"] == (2, 0)


@pytest.mark.parametrize(
    ("query", "needs"),
    [
        ("", ()),
        ("year:2024 upvotes:>5 org:microsoft has:code source:hf", ()),
        ("tag:x", ("state",)),
        ("-is:read", ("state",)),
        ("has:note", ("state",)),
        ("has:arxiv authors:>3", ("enrichment",)),
        ('sparse "key value"', ("abstracts",)),
        ("-noise", ("abstracts",)),
    ],
)
def test_a_count_depends_only_on_the_files_its_query_reads(
    query: str, needs: tuple[str, ...]
) -> None:
    assert dependencies(parse_query(query)) == needs


def test_count_marks_new_by_arrival_time(lib: Library) -> None:
    records = lib.all_records()
    opened = records[0].paper.added
    search: Callable[..., list] = lambda q: records  # noqa: E731
    (result,) = count([Inbox("x", "", opened)], search)
    assert (result.total, result.new) == (3, 0)
    (earlier,) = count([Inbox("x", "", "")], search)
    assert earlier.new == 3
