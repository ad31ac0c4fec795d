"""Two libraries exchange their changes through one folder, as Syncthing or Dropbox keep it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from store.errors import DamagedStore
from store.library import Library
from store.paths import bundled_seeds
from store.sync.exchange import SyncFolderMissing


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Library, Library, Path]:
    seeds = bundled_seeds()
    laptop = Library.open(tmp_path / "laptop")
    desktop = Library.open(tmp_path / "desktop")
    laptop.import_files(seeds)
    desktop.import_files(seeds[:2])  # the desktop never imported the other listings
    folder = tmp_path / "Sync"
    folder.mkdir()
    return laptop, desktop, folder


def _visible(library: Library) -> tuple[dict[str, tuple[object, ...]], list[str]]:
    states = {
        pid: (s.tags, s.note, s.status, s.triaged, s.duplicate_of)
        for pid, s in library.states().items()
    }
    return states, library.queue_ids()


def _sync_all(*libraries: Library, folder: Path) -> None:
    for _ in range(2):
        for library in libraries:
            library.sync(folder)


def test_changes_on_two_devices_meet_and_nothing_is_lost(
    pair: tuple[Library, Library, Path],
) -> None:
    laptop, desktop, folder = pair
    only_on_laptop = sorted(set(laptop.papers()) - set(desktop.papers()))[0]
    shared = sorted(set(laptop.papers()) & set(desktop.papers()))
    a, b = shared[:2]
    laptop.add_tags([a, only_on_laptop], ["ml"])
    laptop.set_note(only_on_laptop, "read this on the train")
    laptop.queue_add([only_on_laptop, a])
    _sync_all(laptop, desktop, folder=folder)
    # The paper tagged on the laptop reached the desktop with its record and abstract.
    assert desktop.papers()[only_on_laptop].title == laptop.papers()[only_on_laptop].title
    assert desktop.abstract(only_on_laptop) == laptop.abstract(only_on_laptop)
    assert desktop.states()[only_on_laptop].note == "read this on the train"
    assert desktop.queue_ids() == [only_on_laptop, a]

    # Concurrent edits: different tags both stay; a removal after seeing the add stands;
    # the note edited on both keeps both texts; the later status wins.
    laptop.add_tags([b], ["laptop-tag"])
    desktop.add_tags([b], ["desktop-tag"])
    desktop.remove_tags([a], ["ml"])
    laptop.set_note(a, "laptop thoughts")
    time.sleep(0.02)  # later by the clock: two edits in one millisecond tie on device ids
    desktop.set_note(a, "desktop thoughts")
    laptop.set_status([b], "reading")
    desktop.set_status([b], "read")
    _sync_all(laptop, desktop, folder=folder)

    assert _visible(laptop) == _visible(desktop)
    states = desktop.states()
    assert set(states[b].tags) == {"laptop-tag", "desktop-tag"}
    assert "ml" not in states[a].tags
    note = states[a].note
    assert note.startswith("desktop thoughts")
    assert "laptop thoughts" in note and "also edited on" in note
    assert states[b].status == "read"

    # Editing the merged note on one device replaces both versions everywhere.
    laptop.set_note(a, "one note again")
    _sync_all(laptop, desktop, folder=folder)
    assert desktop.states()[a].note == "one note again"


def test_sync_is_idempotent_and_writes_only_its_own_files(
    pair: tuple[Library, Library, Path],
) -> None:
    laptop, desktop, folder = pair
    pid = sorted(desktop.papers())[0]
    laptop.add_tags([pid], ["x"])
    _sync_all(laptop, desktop, folder=folder)
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    state = (desktop.root / "state.json").read_bytes()
    report = desktop.sync(folder)
    assert (report.sent, report.received) == (0, 0)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == files
    assert (desktop.root / "state.json").read_bytes() == state
    owners = {name.split(".")[0] for name in files}
    assert owners == {laptop.journal.device, desktop.journal.device}


def test_a_half_copied_file_and_duplicated_lines_are_harmless(
    pair: tuple[Library, Library, Path],
) -> None:
    laptop, desktop, folder = pair
    ids = sorted(desktop.papers())[:3]
    laptop.add_tags(ids, ["one"])
    laptop.sync(folder)
    mine = folder / f"{laptop.journal.device}.journal.jsonl"
    whole = mine.read_bytes()
    lines = whole.splitlines(keepends=True)
    # The sync tool has copied the header, two lines and half of the third so far.
    mine.write_bytes(b"".join(lines[:3]) + lines[3][:20])
    desktop.sync(folder)
    assert sum("one" in s.tags for s in desktop.states().values()) == 2
    mine.write_bytes(whole + b"".join(lines[1:]))  # complete now, and every line twice
    desktop.sync(folder)
    assert sum("one" in s.tags for s in desktop.states().values()) == 3


def test_a_file_from_a_newer_paperdeck_is_refused_and_left_alone(
    pair: tuple[Library, Library, Path],
) -> None:
    laptop, desktop, folder = pair
    future = folder / "tablet-abc123.journal.jsonl"
    content = json.dumps({"header": "journal", "device": "tablet-abc123", "version": 9}) + "\n"
    future.write_text(content)
    pid = sorted(desktop.papers())[0]
    laptop.add_tags([pid], ["fine"])
    laptop.sync(folder)
    report = desktop.sync(folder)
    assert any("newer paperdeck" in p and "tablet-abc123" in p for p in report.problems)
    assert future.read_text() == content
    assert "fine" in desktop.states()[pid].tags  # the other devices' changes still arrive


def test_a_missing_folder_is_one_clear_error(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "lib")
    with pytest.raises(SyncFolderMissing, match="no such directory"):
        library.sync(tmp_path / "nowhere")


def test_lost_files_in_the_folder_are_written_again_whole(
    pair: tuple[Library, Library, Path],
) -> None:
    laptop, desktop, folder = pair
    only_on_laptop = sorted(set(laptop.papers()) - set(desktop.papers()))[0]
    laptop.add_tags([only_on_laptop], ["again"])
    laptop.sync(folder)
    for path in folder.iterdir():
        path.unlink()  # the sync tool lost them, or someone tidied the folder
    laptop.sync(folder)
    desktop.sync(folder)
    assert desktop.states()[only_on_laptop].tags == ("again",)
    assert desktop.papers()[only_on_laptop].title == laptop.papers()[only_on_laptop].title


def test_a_damaged_state_file_is_not_replaced_by_a_sync(
    pair: tuple[Library, Library, Path],
) -> None:
    laptop, desktop, folder = pair
    pid = sorted(desktop.papers())[0]
    laptop.add_tags([pid], ["x"])
    laptop.sync(folder)
    desktop.add_tags([pid], ["y"])
    state = desktop.root / "state.json"
    state.write_bytes(b'{"_meta": {"1"')
    with pytest.raises(DamagedStore):
        desktop.sync(folder)
    assert state.read_bytes() == b'{"_meta": {"1"'


def test_fields_this_version_does_not_know_travel_and_survive_local_changes(
    pair: tuple[Library, Library, Path],
) -> None:
    """A newer device's field (a citation key, a new status) syncs as a field-level set and is
    kept through this device's own changes: the journal is generic over state fields."""
    laptop, desktop, folder = pair
    pid = sorted(desktop.papers())[0]
    laptop.set_status([pid], "reading")
    # As a newer paperdeck would record it (under the state lock, like every change).
    with laptop.state_file.locked():
        laptop.journal.record([(pid, "set", {"field": "citekey", "value": "smith2024"})])
    laptop.sync(folder)
    desktop.sync(folder)
    desktop.add_tags([pid], ["mine"])  # a local change rewrites the paper's document
    content = json.loads((desktop.root / "state.json").read_text())
    (doc,) = [d for d in content["papers"].values() if d["id"] == pid]
    assert doc["citekey"] == "smith2024" and doc["tags"] == ["mine"]
    desktop.sync(folder)
    laptop.sync(folder)
    assert laptop.states()[pid].tags == ("mine",)
