"""A load's remaining work and the abstract index wait while the reader types: the searches
would otherwise share the one interpreter with them and take twice as long."""

from __future__ import annotations

import threading
import time

import pytest

import store.typing_gate as gate_module
from store.library import Library
from store.rows import OrderedRows
from store.search.index import SearchIndex
from store.view import LibraryView


def test_background_work_waits_for_a_pause_in_typing(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gate_module, "TYPING_PAUSE", 30.0)
    monkeypatch.setattr(gate_module, "TYPING_WAIT", 0.3)
    view = LibraryView(library)
    started = time.monotonic()
    view.wait_while_typing()  # nobody typed: no wait
    assert time.monotonic() - started < 0.25
    rows = view.open_rows()
    view.prepare_search(rows)  # the first frame comes: the reader may type at once
    found = view.search_listed("diffusion")
    assert isinstance(found, OrderedRows) and len(found) > 0
    started = time.monotonic()
    view.wait_while_typing()
    assert time.monotonic() - started >= 0.3  # waited as long as it may
    monkeypatch.setattr(gate_module, "TYPING_PAUSE", 0.05)
    started = time.monotonic()
    view.wait_while_typing()  # the pause came
    assert time.monotonic() - started < 0.25


def test_a_search_during_the_load_answers_from_the_prepared_index(library: Library) -> None:
    """The load reuses what `prepare_search` built and ends with the same answers."""
    view = LibraryView(library)
    rows = view.open_rows()
    view.prepare_search(rows)
    prepared = view._early
    before = [r.id for r in view.search_listed("diffusion")]
    done = threading.Event()
    loader = threading.Thread(target=lambda: (view.load(rows, warm=True), done.set()))
    loader.start()
    loader.join(30)
    assert done.is_set() and view.index is prepared
    assert [r.id for r in view.search_listed("diffusion")] == before
    assert [r.id for r in view.search("diffusion")] == before


def test_a_key_pressed_anywhere_counts_as_typing(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/` moves the focus and searches nothing: the app tells the view of every key, and the
    background work waits as for a search."""
    monkeypatch.setattr(gate_module, "TYPING_PAUSE", 30.0)
    monkeypatch.setattr(gate_module, "TYPING_WAIT", 0.3)
    view = LibraryView(library)
    started = time.monotonic()
    view.wait_while_typing()
    assert time.monotonic() - started < 0.25
    view.note_activity()
    started = time.monotonic()
    view.wait_while_typing()
    assert time.monotonic() - started >= 0.3


def test_a_load_prepares_the_scan_before_waiting_for_the_reader(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large library's keys are answered by a scan until its word indexes exist: the load
    makes the scan's tables first, so the first key typed does not make them."""
    view = LibraryView(library)
    rows = view.open_rows()
    seen: list[tuple[object, bool, bool, list[str]]] = []
    waiting = view.wait_while_typing

    def first_wait() -> None:
        early = view._early
        if not seen and early is not None:  # a key typed at the load's first wait
            prepared = early._title_lines_made and "date" in early._ranks
            found = [r.id for r in view.search_listed("diffusion")]
            seen.append((early, early.indexed, prepared, found))
        waiting()

    monkeypatch.setattr(view, "wait_while_typing", first_wait)
    view.load(rows, warm=True)
    assert len(seen) == 1
    early, indexed, prepared, found = seen[0]
    assert not indexed and prepared
    assert early is not view.index  # the scan's tables go with the load's end
    # What a key found then: the titles and authors, as a scan of its own would have found.
    scan = SearchIndex(library.record_rows(), indexed=False, defer_abstracts=True)
    assert found and found == [r.id for r in scan.search("diffusion")]


def test_a_short_pause_is_enough_for_work_the_next_keys_need(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan's tables wait only for a key to be drawn (`KEY_DRAWN`), not for a pause in
    typing: the keys after `/` need them."""
    monkeypatch.setattr(gate_module, "TYPING_PAUSE", 30.0)
    monkeypatch.setattr(gate_module, "TYPING_WAIT", 5.0)
    view = LibraryView(library)
    view.note_activity()  # `/`
    started = time.monotonic()
    view.typing.wait(0.05)
    assert 0.04 <= time.monotonic() - started < 2.0
    started = time.monotonic()
    view.typing.wait(0.05)  # no key since: at once
    assert time.monotonic() - started < 0.04


def test_date_ranks_are_made_once_by_two_threads(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load's thread and a key's both ask for the date ranks of the scan: one makes them,
    the other waits (two at once took twice as long each)."""
    rows = library.record_rows()
    made: list[int] = []
    date_ranks = type(rows).date_ranks

    def slow_ranks(self: object) -> list[int]:
        made.append(1)
        time.sleep(0.2)
        return date_ranks(self)  # type: ignore[arg-type]

    monkeypatch.setattr(type(rows), "date_ranks", slow_ranks)
    index = SearchIndex(rows, indexed=False, defer_abstracts=True)
    answers: list[list[int]] = []
    threads = [threading.Thread(target=lambda: answers.append(index.rank("date"))) for _ in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert made == [1] and len(answers) == 2 and answers[0] is answers[1]
