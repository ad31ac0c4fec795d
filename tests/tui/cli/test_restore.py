"""`doctor --restore` after a damaged or missing state.json: every change a command
acknowledged comes back, whatever the backups' clock said."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.library import Library
from tests.conftest import ROOT

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PAPERDECK_SYNC_DIR"}
    return subprocess.run(
        [PAPERDECK, "--db", str(db), *args], capture_output=True, text=True, env=env
    )


@pytest.fixture
def noted(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """30 quick notes, each acknowledged by the CLI, on a library imported from the seeds."""
    db = tmp_path / "data"
    assert run(db, "import", str(ROOT / "seeds")).returncode == 0
    ids = sorted(Library.open(db).papers())[:10]
    notes: dict[str, str] = {}
    for n in range(30):
        pid = ids[n % 10]
        text = f"note {n}"
        done = run(db, "note", pid[:8], "--text", text)
        assert done.returncode == 0, done.stderr
        notes[pid] = text
    assert run(db, "tag", ids[0][:8], "kept").returncode == 0
    assert run(db, "queue", "add", ids[3][:8], ids[1][:8]).returncode == 0
    return db, notes


def _check(db: Path, notes: dict[str, str]) -> None:
    library = Library(db)
    states = library.states()
    assert {pid: states[pid].note for pid in notes} == notes
    first = sorted(notes)[0]
    assert states[first].tags == ("kept",)
    assert library.queue_ids() == [sorted(notes)[3], sorted(notes)[1]]


def test_a_damaged_state_file_is_rebuilt_with_every_change(
    noted: tuple[Path, dict[str, str]],
) -> None:
    db, notes = noted
    state = db / "state.json"
    state.write_bytes(state.read_bytes()[:200])  # torn
    checked = run(db, "doctor")
    assert checked.returncode == 1 and "state.json: DAMAGED" in checked.stdout
    restored = run(db, "doctor", "--restore")
    assert restored.returncode == 0, restored.stdout
    assert "rebuilt from the journal" in restored.stdout
    assert list(db.glob("state.json.damaged-*"))
    _check(db, notes)
    assert run(db, "doctor").returncode == 0


def test_a_missing_state_file_is_not_an_empty_library(
    noted: tuple[Path, dict[str, str]],
) -> None:
    db, notes = noted
    (db / "state.json").unlink()  # a sync tool deleted it, or a restore was killed
    checked = run(db, "doctor")
    assert checked.returncode == 1
    assert "state.json: MISSING" in checked.stdout
    listed = run(db, "list")
    assert listed.returncode == 1 and "doctor --restore" in listed.stderr
    assert "Traceback" not in listed.stderr and listed.stderr.count("\n") == 1
    tagged = run(db, "tag", sorted(notes)[5][:8], "lost?")
    assert tagged.returncode == 1  # refused: a write would have started an empty state
    assert run(db, "doctor", "--restore").returncode == 0
    _check(db, notes)


def test_a_clock_a_year_ahead_does_not_pick_a_stale_state(
    tmp_path: Path, seeds: list[Path]
) -> None:
    library = Library.open(tmp_path / "data")
    library.import_files(seeds)
    pid = sorted(library.papers())[0]
    real = library.journal.now_ms
    library.journal.now_ms = lambda: real() + 365 * 86_400_000
    library.set_note(pid, "written while the clock was wrong")
    library.journal.now_ms = real
    library.set_note(pid, "written after the clock was fixed")
    (library.root / "state.json").write_text("{}")
    library.restore_state()
    assert Library(library.root).states()[pid].note == "written after the clock was fixed"


def test_a_library_from_before_the_journal_keeps_its_state_in_it(
    tmp_path: Path, seeds: list[Path]
) -> None:
    library = Library.open(tmp_path / "data")
    library.import_files(seeds)
    pid, other = sorted(library.papers())[:2]
    library.add_tags([pid], ["old"])
    library.queue_add([other])
    # As an earlier version left it: no journal, no queue ranks.
    for path in (library.root / "journal").iterdir():
        path.unlink()
    state = library.root / "state.json"
    content = json.loads(state.read_text())
    for doc in content["queue"].values():
        doc.pop("ranks")
    state.write_text(json.dumps(content))
    library = Library.open(library.root)
    library.set_note(pid, "new")
    state.unlink()
    library.restore_state()
    restored = Library(library.root)
    assert restored.states()[pid].tags == ("old",)
    assert restored.states()[pid].note == "new"
    assert restored.queue_ids() == [other]


def test_a_step_cut_off_between_journal_and_state_file_is_caught_up(
    tmp_path: Path, seeds: list[Path]
) -> None:
    """As if killed after the journal entry, before state.json: the next change notices and
    brings state.json level first, so the next note edit replaces that version, not joins it."""
    library = Library.open(tmp_path / "data")
    library.import_files(seeds)
    pid = sorted(library.papers())[0]
    library.set_note(pid, "first")
    state = library.root / "state.json"
    before = state.read_bytes()
    library.set_note(pid, "typed, then the process was killed")
    state.write_bytes(before)  # state.json never got the second step
    library.set_note(pid, "third")
    assert Library(library.root).states()[pid].note == "third"
    library.restore_state()
    assert Library(library.root).states()[pid].note == "third"  # no second version below


def test_a_damaged_key_file_without_a_backup_says_how_to_go_on(tmp_path: Path) -> None:
    """Keys assigned once are never rewritten, so there may be no backup: doctor says what
    to do, and doing it gives every paper a key again."""
    db = tmp_path / "data"
    assert run(db, "import", str(ROOT / "seeds")).returncode == 0
    assert run(db, "export", "--all", "--format", "bib", "--stdout").returncode == 0
    keys = db / "citekeys.json"
    keys.write_bytes(keys.read_bytes()[:-50])  # torn
    assert run(db, "list").returncode == 1
    restored = run(db, "doctor", "--restore")
    assert restored.returncode == 1
    assert f"citekeys.json: no good backup found; move {keys} aside" in restored.stdout
    keys.rename(db / "citekeys.json.damaged")
    again = run(db, "export", "--all", "--format", "bib", "--stdout")
    assert again.returncode == 0 and again.stdout.count("@") == 212
    assert run(db, "doctor").returncode == 0
