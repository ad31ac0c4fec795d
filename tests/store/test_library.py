"""The store: real TinyDB files in temp dirs, a second writer, damage, backups and doctor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.errors import (
    BadTag,
    DamagedStore,
    ListingError,
    NewerSchema,
    StoreLocked,
    StoreWriteError,
    UnknownPaper,
    UsageError,
)
from store.library import Library
from store.tags import normalise_tag
from store.view import LibraryView
from tests.conftest import FIXED_NOW

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


def ids(library: Library) -> list[str]:
    return sorted(library.papers())


def test_import_counts_and_reimport_changes_nothing(library: Library, seeds: list[Path]) -> None:
    assert len(library.papers()) == 212
    library.add_tags([ids(library)[0]], ["kept"])
    state_before = (library.root / "state.json").read_bytes()
    report = library.import_files(seeds)
    assert (report.listings, report.new, report.merged, report.unchanged) == (288, 0, 0, 212)
    assert (library.root / "state.json").read_bytes() == state_before


def test_ids_are_short_stable_and_the_same_everywhere(tmp_path: Path, seeds: list[Path]) -> None:
    first = Library.open(tmp_path / "one")
    second = Library.open(tmp_path / "two")
    first.import_files(seeds)
    second.import_files(list(reversed(seeds)))
    assert set(first.papers()) == set(second.papers())
    by_title = {p.title: p.id for p in first.papers().values()}
    # Pinned: ids must never change between versions, or users' scripts break; the 8-character
    # ids of earlier versions are their prefixes, so they still name the same papers.
    assert by_title["Post-Training Sparse Attention with Double Sparsity"] == "cvq4opvmh62uwi4l"
    assert by_title["Disentanglement via Latent Quantization"] == "hchkeju5e67gjlbo"
    assert first.resolve("cvq4opvm") == "cvq4opvmh62uwi4l"
    assert all(len(pid) == 16 for pid in first.papers())


def test_duplicates_across_files_merge_sources_and_metadata(library: Library) -> None:
    multi = [p for p in library.papers().values() if len(p.sources) > 1]
    assert multi, "the seeds list some papers in several files"
    assert sum(len(p.sources) for p in library.papers().values()) == 288


def test_a_tag_write_never_rewrites_the_catalog(library: Library) -> None:
    catalog = library.root / "catalog.json"
    before = catalog.stat()
    library.add_tags(ids(library)[:3], ["llm"])
    library.set_note(ids(library)[0], "note")
    after = catalog.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_import_is_all_or_nothing(tmp_path: Path, seeds: list[Path]) -> None:
    library = Library.open(tmp_path / "data")
    library.import_files(seeds[:1])
    before = snapshot(library.root)
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "a_good.txt").write_bytes(seeds[1].read_bytes())
    (mixed / "b_bad.txt").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ListingError, match="b_bad.txt"):
        library.import_files([mixed])
    assert snapshot(library.root) == before


def test_state_round_trip_and_queue_rules(library: Library) -> None:
    a, b, c = ids(library)[:3]
    library.add_tags([a, b], ["LLM", "#to-read"])
    library.remove_tags([b], ["llm"])
    library.set_note(a, "# Heading\n\n[bold] text")
    library.set_status([c], "reading")
    library.queue_add([a, b, c])
    library.queue_move(c, -2)
    fresh = Library(library.root)
    states = fresh.states()
    assert states[a].tags == ("llm", "to-read") and states[b].tags == ("to-read",)
    assert states[a].note == "# Heading\n\n[bold] text"
    assert states[c].status == "reading"
    assert fresh.queue_ids() == [c, a, b]
    library.set_status([a], "read")  # reading to the end takes it off the queue
    assert Library(library.root).queue_ids() == [c, b]
    library.queue_toggle([c, b])
    assert Library(library.root).queue_ids() == []


def test_undo_restores_and_spares_what_others_changed_since(library: Library) -> None:
    a, b = ids(library)[:2]
    change = library.add_tags([a, b], ["x"])
    other = Library(library.root)  # another process
    other.add_tags([b], ["y"])
    library.undo(change)
    states = Library(library.root).states()
    assert states[a].tags == ()
    assert states[b].tags == ("x", "y")  # changed since: left alone


def test_a_second_writer_between_two_writes_is_not_lost(library: Library) -> None:
    a = ids(library)[0]
    library.add_tags([a], ["first"])
    subprocess.run(
        [PAPERDECK, "--db", str(library.root), "tag", a, "from-cli"],
        check=True,
        capture_output=True,
    )
    library.add_tags([a], ["second"])  # this Library read the file before: it must re-read
    assert Library(library.root).states()[a].tags == ("first", "from-cli", "second")


def test_note_edited_elsewhere_meanwhile_is_kept(library: Library) -> None:
    a = ids(library)[0]
    library.set_note(a, "original")
    Library(library.root).set_note(a, "changed by the CLI")
    library.set_note(a, "typed in the app", base="original")
    note = Library(library.root).states()[a].note
    assert "typed in the app" in note and "changed by the CLI" in note


def test_merge_keeps_every_tag_and_both_notes_and_hides_the_duplicate(library: Library) -> None:
    keep, drop = ids(library)[:2]
    library.add_tags([keep], ["a"])
    library.add_tags([drop], ["b"])
    library.set_note(keep, "note one")
    library.set_note(drop, "note two")
    library.queue_add([drop])
    change = library.merge_user_state(keep, drop)
    state = Library(library.root).states()[keep]
    assert state.tags == ("a", "b")
    assert "note one" in state.note and "note two" in state.note
    assert Library(library.root).queue_ids() == [keep]
    assert drop not in {r.id for r in library.all_records(with_abstracts=False)}
    library.undo(change)
    assert drop in {r.id for r in library.all_records(with_abstracts=False)}
    assert Library(library.root).states()[drop].note == "note two"


def test_rename_tag_merges_into_an_existing_tag(library: Library) -> None:
    a, b = ids(library)[:2]
    library.add_tags([a], ["old", "new"])
    library.add_tags([b], ["old"])
    library.rename_tag("old", "new")
    states = Library(library.root).states()
    assert states[a].tags == ("new",) and states[b].tags == ("new",)


def test_unknown_and_ambiguous_ids(library: Library) -> None:
    with pytest.raises(UnknownPaper, match="no paper with id 'zzzzzzzz'"):
        library.resolve("zzzzzzzz")
    pid = ids(library)[0]
    assert library.resolve(pid[:5]) == pid


@pytest.mark.parametrize(
    ("raw", "expected"), [("LLM", "llm"), ("#to-read", "to-read"), (" x_y ", "x_y")]
)
def test_tags_are_normalised(raw: str, expected: str) -> None:
    assert normalise_tag(raw) == expected


@pytest.mark.parametrize("raw", ["two words", "a\tb", "x\x1b[31m", "-lead", "[x]", "", "a" * 65])
def test_bad_tags_are_refused_by_name(raw: str) -> None:
    with pytest.raises(BadTag) as raised:
        normalise_tag(raw)
    assert isinstance(raised.value, UsageError)


def test_lock_held_too_long_fails_clearly(library: Library) -> None:
    waiting = Library(library.root, lock_timeout=0.2)
    with library.state_file.locked():
        with pytest.raises(StoreLocked, match="held the store lock for 0.2 s"):
            waiting.add_tags([ids(library)[0]], ["x"])


def test_a_failed_write_leaves_the_old_file_and_no_temp(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = ids(library)[0]
    library.add_tags([a], ["before"])
    state = library.root / "state.json"
    before = state.read_bytes()

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(StoreWriteError, match="No space left on device"):
        library.add_tags([a], ["after"])
    assert state.read_bytes() == before
    assert not [p for p in library.root.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("damage", "error", "words"),
    [
        (lambda data: data[: len(data) // 2], DamagedStore, "not valid JSON"),
        (lambda data: b"\x00garbage\xff", DamagedStore, "not valid JSON"),
        (lambda data: b"[1, 2, 3]", DamagedStore, "not a paperdeck store"),
        (
            lambda data: json.dumps({"_meta": {"1": {"kind": "catalog", "schema": 1}}}).encode(),
            DamagedStore,
            "expected a state file",
        ),
        (
            lambda data: json.dumps({"_meta": {"1": {"kind": "state", "schema": 99}}}).encode(),
            NewerSchema,
            "newer paperdeck",
        ),
    ],
)
def test_damaged_store_is_reported_and_left_untouched(
    library: Library, damage: object, error: type[Exception], words: str
) -> None:
    a = ids(library)[0]
    library.add_tags([a], ["x"])
    state = library.root / "state.json"
    damaged = damage(state.read_bytes())  # type: ignore[operator]
    state.write_bytes(damaged)
    with pytest.raises(error) as raised:
        Library(library.root).add_tags([a], ["y"])
    assert str(state) in str(raised.value) and words in str(raised.value)
    if error is DamagedStore:
        assert "paperdeck doctor --restore" in str(raised.value)
    assert state.read_bytes() == damaged


def test_doctor_restores_the_newest_good_backup(library: Library) -> None:
    a = ids(library)[0]
    library.add_tags([a], ["precious"])
    library.take_backups()
    state = library.root / "state.json"
    state.write_bytes(b'{"_meta": {"1": {"kind": "st')  # truncated
    checked = subprocess.run(
        [PAPERDECK, "--db", str(library.root), "doctor"], capture_output=True, text=True
    )
    assert checked.returncode == 1 and "state.json: DAMAGED" in checked.stdout
    listed = subprocess.run(
        [PAPERDECK, "--db", str(library.root), "list"], capture_output=True, text=True
    )
    assert listed.returncode == 1 and "doctor --restore" in listed.stderr
    assert "Traceback" not in listed.stderr and listed.stderr.count("\n") == 1
    restored = subprocess.run(
        [PAPERDECK, "--db", str(library.root), "doctor", "--restore"],
        capture_output=True,
        text=True,
    )
    assert restored.returncode == 0, restored.stdout
    assert Library(library.root).states()[a].tags == ("precious",)
    assert list(library.root.glob("state.json.damaged-*"))


def test_fixed_clock_stamps_imports(library: Library) -> None:
    assert {p.added for p in library.papers().values()} == {FIXED_NOW.isoformat()}


def test_the_view_versions_every_load_and_change(library: Library) -> None:
    """The TUI serves a list prepared at load only while the view's version is unchanged."""
    view = LibraryView(library)
    view.load()
    loaded = view.version
    first = view.search("")[0].id
    assert view.apply(library.add_tags([first], ["versioned"]))
    assert view.version == loaded + 1
    assert not view.apply(library.add_tags([first], ["versioned"]))  # nothing new to show
    assert view.version == loaded + 1
    Library(library.root).set_status([first], "reading")  # another process
    assert view.refresh_state()
    assert view.version == loaded + 2
    view.load()
    assert view.version == loaded + 3
