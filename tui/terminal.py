"""The terminal going away: the app notices, saves what is typed, and leaves.

Textual 8's input thread reads on after its input ended: `os.read` returns nothing, the loop
selects again at once, and the app spins at ~95% CPU forever (Textual PR #6690).  That is what a
closed terminal looks like to a process that is not the session leader (under `make run`, a
wrapper script, some ssh setups), which gets no SIGHUP.  `PaperdeckDriver` (tui.linux_driver)
reads the terminal itself and posts `TerminalLost` at end of input or on a read error; the app
takes SIGHUP and SIGTERM the same way.  Output to a terminal that is gone is dropped instead of
killing the writer thread (whose full queue would then block the app's exit).
"""

from __future__ import annotations

from typing import IO, Any

from textual.message import Message

HANGUP_EXIT = 129
"""Exit status after the terminal went away (128 + SIGHUP, as a shell reports a hang-up)."""
TERMINATED_EXIT = 143
"""Exit status after SIGTERM (128 + 15)."""


class TerminalLost(Message):
    """The terminal closed or hung up, or the process was asked to stop."""

    def __init__(self, reason: str, exit_code: int = HANGUP_EXIT) -> None:
        super().__init__()
        self.reason = reason
        self.exit_code = exit_code


class TerminalOutput:
    """The driver's output file; writes to a terminal that is gone are dropped."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.lost = False

    def write(self, text: str) -> int:
        if self.lost:
            return len(text)
        try:
            return self._file.write(text)
        except (OSError, ValueError):
            self.lost = True
            return len(text)

    def flush(self) -> None:
        if self.lost:
            return
        try:
            self._file.flush()
        except (OSError, ValueError):
            self.lost = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)
