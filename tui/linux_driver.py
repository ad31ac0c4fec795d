"""PaperdeckDriver: Textual's Linux/macOS driver, told what to do when its input ends
(see `tui.terminal`)."""

from __future__ import annotations

import errno
import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Callable
from typing import Any

from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver

from tui.terminal import TerminalLost, TerminalOutput

MOUSE_REPORT = b"\x1b[<"
"""How the terminal's reports of the mouse begin (SGR mode, the one Textual asks for)."""


class PaperdeckDriver(LinuxDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._output = TerminalOutput(self._file)  # type: ignore[arg-type]
        self._file = self._output  # type: ignore[assignment]
        self._input_arrived: Callable[[], None] = getattr(self._app, "input_arrived", lambda: None)
        """The app's `TerminalApp.input_arrived`, called on this thread as keys come in."""

    def run_input_thread(self) -> None:
        """Read keys until the app stops, or until the input ends (then say so, once)."""
        selector = selectors.DefaultSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")(errors="replace").decode
        try:
            while not self.exit_event.is_set():
                if selector.select(0.1):
                    try:
                        data = os.read(self.fileno, 4096)
                    except (InterruptedError, BlockingIOError):
                        continue  # passing: a signal, or no byte after all
                    except OSError as error:  # EIO: the pty's other side closed
                        self._lost(os.strerror(error.errno or errno.EIO))
                        return
                    if not data:
                        self._lost("end of input")
                        return
                    if not data.startswith(MOUSE_REPORT):
                        self._input_arrived()
                    for event in parser.feed(decode(data)):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()

    def _lost(self, why: str) -> None:
        self._output.lost = True
        self._app.post_message(TerminalLost(f"the terminal went away ({why})"))
