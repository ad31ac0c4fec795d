"""The app's life in its terminal: a driver that notices the terminal closing, SIGHUP and
SIGTERM taken the same way, and keys typed ahead of a screen change (see tui.terminal)."""

from __future__ import annotations

import asyncio
import contextlib

from textual import events
from textual.app import App
from textual.driver import Driver

from tui.terminal import HANGUP_EXIT, TERMINATED_EXIT, TerminalLost


class TerminalApp(App[None]):
    """A base of `PaperdeckApp`: its driver notices a closed terminal, SIGHUP and SIGTERM leave
    the same way, and keys typed ahead of a screen change reach the screen they were meant for."""

    lost_terminal: str | None = None
    """Why the app stopped on its own (terminal closed, SIGHUP, SIGTERM), if it did."""

    def get_driver_class(self) -> type[Driver]:
        import os
        import sys

        if sys.platform == "win32" or os.environ.get("TEXTUAL_DRIVER"):
            return super().get_driver_class()
        from tui.linux_driver import PaperdeckDriver

        return PaperdeckDriver

    def input_arrived(self) -> None:
        """Called on the driver's input thread as soon as bytes are read, before they are
        parsed into keys and handed to the UI thread: nothing here (see `UpkeepApp`)."""

    def catch_signals(self) -> None:
        """A hang-up or a polite kill leaves as a closed terminal does: typing saved, and the
        screen put back where the terminal is still there."""
        import signal
        import sys

        if sys.platform == "win32":
            return
        loop = asyncio.get_running_loop()
        for signum, message in (
            (signal.SIGHUP, TerminalLost("hang-up (SIGHUP)", HANGUP_EXIT)),
            (signal.SIGTERM, TerminalLost("asked to stop (SIGTERM)", TERMINATED_EXIT)),
        ):
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                loop.add_signal_handler(signum, self.post_message, message)

    def on_key(self, event: events.Key) -> None:
        """A key meant for a screen that another screen has covered since (typed right after
        `n`: a fast typist, a paste, a burst from tmux) goes to the screen on top, in order;
        Textual would look its binding up there and mostly drop it."""
        meant_for = getattr(event, "desk_screen", None)
        if meant_for is None or meant_for is self.screen or meant_for not in self.screen_stack:
            return
        event.stop()
        event.prevent_default()  # App._on_key (the bindings of the screen on top) is skipped
        (self.focused or self.screen).post_message(events.Key(event.key, event.character))

    def on_terminal_lost(self, message: TerminalLost) -> None:
        if self.lost_terminal is None:
            self.lost_terminal = message.reason
            # Screens unmount on the way out: the note editor saves, or keeps a draft, there.
            self.exit(return_code=message.exit_code)
