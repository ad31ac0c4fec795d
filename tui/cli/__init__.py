"""The `paperdeck` command line: parse, dispatch, print; textual only to start the app."""

from __future__ import annotations

import gc


def run() -> int:
    """The `paperdeck` entry point: `tui.cli.main.main` with the collector paused while the
    process starts, from before its first import (`store.memory.pause_for_startup`: a command
    resumes it before its work, the app once its first load has ended)."""
    gc.disable()
    from store.memory import pause_for_startup

    pause_for_startup()
    from tui.cli.main import main

    return main()
