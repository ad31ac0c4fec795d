"""The `paperdeck` command line: parse, dispatch, print; textual only to start the app."""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading


def run() -> int:
    """The `paperdeck` entry point: `start`, then `leave` with its exit code."""
    return leave(start(leaving=True))


def start(*, leaving: bool = False) -> int:
    """`tui.cli.main.main` with the collector paused while the process starts, from before its
    first import (`store.memory.pause_for_startup`: a command resumes it before its work, the
    app once its first load has ended). `leaving`: the process then ends through `leave`."""
    gc.disable()
    from store.memory import pause_for_startup

    pause_for_startup()
    from tui.cli.main import main

    return main(leaving=leaving)


def leave(code: int) -> int:
    """End the process with `code` once its work is done, without the interpreter freeing
    every object one by one (0.25 s after an import of 100k papers, spent after the last line
    was printed): exit handlers run and output is flushed, as on a normal exit. Returns (for
    the normal exit) while a thread that a normal exit would wait for still runs, or when
    the output cannot be flushed (a normal exit reports that)."""
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return code
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return code
    os._exit(code)
