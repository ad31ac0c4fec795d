"""The real app in a real pseudo-terminal: closing the terminal, hang-ups and no terminal at all.

Each test runs `paperdeck` as a user would, on a pty, types into the note editor and then takes
the terminal away; the process must leave within seconds with the typed text saved.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from store.library import Library
from tests.conftest import ROOT
from tests.tui.pty_terminal import Terminal, one_paper_store, open_editor_and_type
from tui.terminal import TerminalLost


@pytest.fixture
def terminal_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.mark.parametrize("session_leader", [False, True], ids=["no-sighup", "sighup"])
def test_closing_the_terminal_saves_the_note_and_exits(
    tmp_path: Path, terminal_env: dict[str, str], session_leader: bool
) -> None:
    db, pid = one_paper_store(tmp_path)
    terminal = Terminal(["--db", str(db)], session_leader=session_leader, env=terminal_env)
    try:
        open_editor_and_type(terminal, "typed just before the window closed")
        terminal.close()
        code = terminal.process.wait(timeout=10)  # spun at ~95% CPU forever before
    finally:
        terminal.finish()
    assert code == 129
    library = Library(db)
    note = library.states()[pid].note if pid in library.states() else library.draft(pid)
    assert note == "typed just before the window closed"


def test_sighup_with_the_terminal_still_there_saves_and_restores_it(
    tmp_path: Path, terminal_env: dict[str, str]
) -> None:
    db, pid = one_paper_store(tmp_path)
    terminal = Terminal(["--db", str(db)], session_leader=False, env=terminal_env)
    try:
        open_editor_and_type(terminal, "saved on hang-up")
        mark = len(terminal.output)
        terminal.process.send_signal(signal.SIGHUP)
        code = terminal.process.wait(timeout=10)
        time.sleep(0.2)  # the reader takes the last bytes
        tail = bytes(terminal.output[mark:])
    finally:
        terminal.finish()
    assert code == 129
    assert Library(db).states()[pid].note == "saved on hang-up"
    assert b"\x1b[?1049l" in tail  # left the alternate screen
    assert b"\x1b[?1000l" in tail  # mouse tracking off


def test_sigterm_saves_the_note_too(tmp_path: Path, terminal_env: dict[str, str]) -> None:
    db, pid = one_paper_store(tmp_path)
    terminal = Terminal(["--db", str(db)], session_leader=False, env=terminal_env)
    try:
        open_editor_and_type(terminal, "saved on SIGTERM")
        terminal.process.send_signal(signal.SIGTERM)
        code = terminal.process.wait(timeout=10)
    finally:
        terminal.finish()
    assert code == 143
    assert Library(db).states()[pid].note == "saved on SIGTERM"


@pytest.mark.parametrize("redirect", ["stdin", "stdout"])
def test_the_app_refuses_to_start_without_a_terminal(
    tmp_path: Path, terminal_env: dict[str, str], redirect: str
) -> None:
    db, _ = one_paper_store(tmp_path)
    master, slave = os.openpty()
    streams = {"stdin": slave, "stdout": slave}
    streams[redirect] = subprocess.DEVNULL if redirect == "stdin" else subprocess.PIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli.main", "--db", str(db)],
            stdin=streams["stdin"],
            stdout=streams["stdout"],
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=terminal_env,
            timeout=30,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 2
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "needs a terminal" in lines[0], lines
    assert f"standard {'input' if redirect == 'stdin' else 'output'}" in lines[0]


async def test_changes_still_waiting_when_the_app_stops_are_made(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.tui.pilot import app_for, settle, stored, table

    held = threading.Event()
    entered = threading.Event()
    real = Library.edit_tags

    finished = threading.Event()

    def slow_edit_tags(self: Library, *args: object, **kwargs: object) -> object:
        entered.set()
        held.wait(10)
        try:
            return real(self, *args, **kwargs)  # type: ignore[arg-type]
        finally:
            finished.set()

    monkeypatch.setattr(Library, "edit_tags", slow_edit_tags)
    app = app_for(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        pid = table(app).records[0].id
        await pilot.press("t", *"kept", "enter")  # held, as by a slow disk
        assert entered.wait(5)
        await pilot.press("a")  # waits for its turn behind the tag
        app.post_message(TerminalLost("test"))
        await pilot.pause(0.2)
        held.set()
    assert app.return_code == 129
    assert app.desk.finish_writes() == []
    # The write under way when the app stopped finishes in its thread (Python joins executor
    # threads before the process exits); here the test waits for it.
    assert finished.wait(10)
    assert stored(library).states()[pid].tags == ("kept",)
    assert stored(library).queue_ids() == [pid]
