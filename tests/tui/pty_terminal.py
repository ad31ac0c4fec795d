"""The real `paperdeck` on a pseudo-terminal, for tests that close the terminal or kill the app."""

from __future__ import annotations

import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from store.library import Library
from tests.conftest import ROOT

LISTING = (
    "Daily Papers\n\nNov 10\n\nTerminal Loss Test Paper\n\n"
    "An abstract about terminals.\n\n  • 1 author\n·\nNov 9 7\n"
)


def one_paper_store(tmp_path: Path) -> tuple[Path, str]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    listing = tmp_path / "one.txt"
    listing.write_text(LISTING)
    db = tmp_path / "db"
    library = Library.open(db)
    library.import_files([listing])
    return db, next(iter(library.papers()))


class Terminal:
    """`paperdeck` on a pty; `session_leader` makes the pty its controlling terminal (then a
    closed terminal sends it SIGHUP), else it runs as under `make run`: no SIGHUP ever comes."""

    def __init__(self, argv: list[str], *, session_leader: bool, env: dict[str, str]) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

        def controlling_terminal() -> None:
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli.main", *argv],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env={**env, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"},
            start_new_session=True,
            preexec_fn=controlling_terminal if session_leader else None,
        )
        os.close(slave)
        self.master: int | None = master
        self.output = bytearray()
        self._reading = True
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        # Drain the pty, or the app blocks writing to a full one.
        while self._reading and self.master is not None:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output.extend(data)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            assert self.process.poll() is None, bytes(self.output[-2000:])
            assert time.monotonic() < deadline, f"{text!r} never showed"
            time.sleep(0.05)

    def type(self, text: str) -> None:
        assert self.master is not None
        os.write(self.master, text.encode())

    def close(self) -> None:
        """The terminal window closes."""
        self._reading = False
        self._reader.join()
        if self.master is not None:
            os.close(self.master)
            self.master = None

    def finish(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.master is not None:
            self.close()


def open_editor_and_type(terminal: Terminal, text: str) -> None:
    terminal.wait_for("Terminal Loss Test Paper")
    terminal.type("n")
    terminal.wait_for("Note:")
    terminal.type(text)
    time.sleep(0.2)  # well within the 0.5 s before a draft is written
