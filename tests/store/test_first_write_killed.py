"""A process killed during the very first write of a fresh store (the journal written, state.json
not yet): the store is not reported as having lost its state file, and nothing acknowledged or
journalled is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from store.library import Library
from store.paths import bundled_seeds

CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    import store.files.storage as storage
    from store.library import Library

    real = storage.write_atomic_bytes
    def dies_after_the_journal(path, data, **kwargs):
        # The first state.json write that carries the note: the journal already holds it.
        if path.name == "state.json" and b"killed mid-write" in data:
            os._exit(9)  # as SIGKILL: no cleanup, no rollback
        return real(path, data, **kwargs)
    storage.write_atomic_bytes = dies_after_the_journal
    library = Library(Path(sys.argv[1]))
    library.set_note(sys.argv[2], "killed mid-write")
    """
)


def test_a_kill_between_journal_and_state_on_a_fresh_store(tmp_path: Path) -> None:
    library = Library.open(tmp_path / "data")
    library.import_files(bundled_seeds()[:1])
    pid = next(iter(library.papers()))
    assert not library.state_file.path.exists()  # nothing written by the user yet
    killed = subprocess.run(
        [sys.executable, "-c", CHILD, str(library.root), pid], capture_output=True, text=True
    )
    assert killed.returncode == 9, killed.stderr
    after = Library(library.root)
    after.check_usable()  # not "state.json missing": it never held anything to lose
    assert after.journal.size() > 0
    other = next(p for p in after.papers() if p != pid)
    after.set_note(other, "next write")  # catches state.json up with the journal
    states = Library(library.root).states()
    assert states[other].note == "next write"
    assert states[pid].note == "killed mid-write"  # journalled, so kept
