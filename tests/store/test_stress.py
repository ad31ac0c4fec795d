"""Crash and concurrency stress: writers killed with SIGKILL at random moments lose nothing
acknowledged and never leave a store that does not open; parallel writers lose no update.

`make stress` runs 250 rounds (PAPERDECK_STRESS_ROUNDS); `make test` runs a smaller version.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from store.devices import state_content
from store.errors import StoreLocked
from store.files.documents import PAPERS_TABLE, queue_from, state_from, table_docs
from store.library import Library
from store.models import UserState
from store.paths import bundled_seeds
from tests.conftest import ROOT

ROUNDS = int(os.environ.get("PAPERDECK_STRESS_ROUNDS", "30"))

# A writer that runs the real CLI entry point in a loop and acknowledges each write that
# returned 0, flushing before the next: whatever it printed must survive a kill.
WRITER = textwrap.dedent(
    """
    import sys
    from tui.cli.main import main
    db, ids, prefix = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
    n = 0
    while True:
        pid = ids[n % len(ids)]
        kind = n % 3
        if kind == 0:
            argv = ["--db", db, "tag", pid, f"{prefix}-{n}"]
        elif kind == 1:
            argv = ["--db", db, "note", pid, "--text", f"{prefix} note {n}"]
        else:
            argv = ["--db", db, "queue", "add", pid]
        import io, contextlib
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(argv)
        if code == 0:
            print(f"ok {kind} {pid} {n}", flush=True)
        n += 1
    """
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("stress") / "data"
    library = Library.open(root)
    library.import_files(bundled_seeds())
    ids = sorted(library.papers())[:6]
    return root, ids


def _check(root: Path, acknowledged: list[str]) -> None:
    library = Library(root)
    library.check_usable()  # the store opens: no torn file
    _check_state(library.states(), set(library.queue_ids()), acknowledged)
    # What doctor --restore would rebuild from the journal holds every acknowledged change too.
    # (A writer killed between its journal entry and state.json: the next change notices and
    # brings state.json level with the journal first; see UserStates.catch_up.)
    rebuilt = state_content(library.journal.replica(), None)
    _check_state(
        {doc["id"]: state_from(doc) for doc in table_docs(rebuilt, PAPERS_TABLE)},
        set(queue_from(rebuilt)),
        acknowledged,
    )


def _check_state(states: dict[str, UserState], queue: set[str], acknowledged: list[str]) -> None:
    notes: dict[str, int] = {}
    for line in acknowledged:
        _, kind, pid, n = line.split()
        if kind == "0":
            assert any(t.endswith(f"-{n}") for t in states[pid].tags), line
        elif kind == "1":
            notes[pid] = max(notes.get(pid, -1), int(n))
        else:
            assert pid in queue, line
    for pid, n in notes.items():
        # Notes overwrite: the newest acknowledged note (or a later one) is there.
        note = states[pid].note
        assert int(note.rsplit(" ", 1)[1]) >= n, (pid, note, n)


def test_sigkill_during_writes_loses_nothing_acknowledged(
    seeded: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, ids = seeded
    rng = random.Random(1234)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    acknowledged_total = 0
    for round_number in range(ROUNDS):
        out = tmp_path / f"acks-{round_number}.txt"
        with out.open("w") as sink:
            writer = subprocess.Popen(
                [sys.executable, str(script), str(root), ",".join(ids), f"r{round_number}"],
                stdout=sink,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=ROOT,
            )
            # Let it start (about 0.3 s on an idle machine, longer on a busy one: wait for its
            # first acknowledged write), then kill it at a random point of its writes.
            deadline = time.monotonic() + 20
            while not out.read_text() and time.monotonic() < deadline and writer.poll() is None:
                time.sleep(0.01)
            time.sleep(rng.random() * 0.25)
            writer.send_signal(signal.SIGKILL)
            writer.wait()
        acknowledged = [line for line in out.read_text().splitlines() if line.startswith("ok ")]
        acknowledged_total += len(acknowledged)
        print(f"round {round_number}: {len(acknowledged)} writes acknowledged before the kill")
        _check(root, acknowledged)
    assert acknowledged_total > ROUNDS, "the writers never got to write: the test proves nothing"
    Library.open(root)  # opening clears temp files a killed writer left behind
    assert [p.name for p in root.iterdir() if p.name.endswith(".tmp")] == []


def test_parallel_writers_lose_no_update(seeded: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, ids = seeded
    target = ids[0]
    writers = 3
    per_writer = 15
    script = tmp_path / "tagger.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, io, contextlib
            from tui.cli.main import main
            db, pid, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
            for n in range(count):
                with contextlib.redirect_stdout(io.StringIO()):
                    assert main(["--db", db, "tag", pid, f"{prefix}-{n}"]) == 0
            """
        )
    )
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), str(root), target, f"w{w}", str(per_writer)],
            cwd=ROOT,
        )
        for w in range(writers)
    ]
    assert [p.wait(timeout=120) for p in processes] == [0] * writers
    tags = set(Library(root).states()[target].tags)
    expected = {f"w{w}-{n}" for w in range(writers) for n in range(per_writer)}
    assert expected <= tags


def test_a_writer_waiting_too_long_for_the_lock_fails_clearly(
    seeded: tuple[Path, list[str]],
) -> None:
    root, ids = seeded
    holder = Library(root)
    waiting = Library(root, lock_timeout=0.3)
    with holder.state_file.locked():
        with pytest.raises(StoreLocked) as raised:
            waiting.add_tags([ids[0]], ["blocked"])
    assert "held the store lock" in str(raised.value)
    assert "blocked" not in Library(root).states().get(ids[0], UserState()).tags
