"""Undo after another process touched the same papers (issue 17, item 15): the store reports
exactly what it put back and what it left, and never claims an undo that did nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from store.library import Library
from store.state import undo_message

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))


def elsewhere(library: Library, *args: str) -> None:
    """Another process (the CLI) writes to the same store."""
    result = subprocess.run(
        [PAPERDECK, "--db", str(library.root), *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def two(library: Library) -> tuple[str, str]:
    a, b = sorted(library.papers())[:2]
    return a, b


def test_an_undisturbed_undo_restores_and_says_so(library: Library, two: tuple[str, str]) -> None:
    a, _ = two
    change = library.add_tags([a], ["mine"])
    undone = library.undo(change)
    assert undone.restored == (a,) and undone.kept == ()
    assert undo_message(undone) == "Undid tag mine."
    assert "mine" not in library.states()[a].tags


def test_a_paper_changed_elsewhere_is_left_and_reported(
    library: Library, two: tuple[str, str]
) -> None:
    a, _ = two
    change = library.add_tags([a], ["mine"])
    elsewhere(library, "tag", a, "theirs")
    undone = library.undo(change)
    assert undone.restored == () and undone.kept == (a,)
    message = undo_message(undone)
    assert message.startswith("Could not undo tag mine") and "Undid" not in message
    assert set(library.states()[a].tags) == {"mine", "theirs"}  # nothing of theirs lost


def test_an_undo_already_done_elsewhere_is_not_claimed(
    library: Library, two: tuple[str, str]
) -> None:
    a, _ = two
    change = library.add_tags([a], ["mine"])
    elsewhere(library, "tag", a, "mine", "--remove")
    undone = library.undo(change)
    assert undone.restored == () and undone.kept == ()
    assert undo_message(undone) == "Nothing to undo: tag mine was already reverted."


def test_a_partial_undo_says_what_it_restored_and_what_it_left(
    library: Library, two: tuple[str, str]
) -> None:
    a, b = two
    change = library.set_status([a, b], "reading")
    elsewhere(library, "note", b, "--text", "written meanwhile")
    undone = library.undo(change)
    assert undone.restored == (a,) and undone.kept == (b,)
    assert undo_message(undone) == (
        "Undid mark reading; left 1 paper changed elsewhere since as they are."
    )
    states = library.states()
    assert states[a].status == "unread"
    assert states[b].status == "reading" and states[b].note == "written meanwhile"


def test_a_queue_moved_elsewhere_is_undone_only_in_its_own_part(
    library: Library, two: tuple[str, str]
) -> None:
    a, b = two
    change = library.queue_add([a])
    elsewhere(library, "queue", "add", b)
    undone = library.undo(change)
    assert undone.queue_kept
    assert library.queue_ids() == [b]
    assert undo_message(undone).startswith("Undid queue; the queue changed elsewhere since")
