"""Loading many long-lived objects without paying for the garbage collector meanwhile."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Building many long-lived objects: collecting in between only costs time, and freezing
    them afterwards keeps later full collections from walking them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


_startup_paused = False


def pause_for_startup() -> None:
    """At a process's start (the `paperdeck` command, whose entry point disables the collector
    before its first import): nothing made until the first screen or the command's work is
    garbage, yet the collector walked all of it, again and again (13 collections, 23 ms before
    the first frame on 212 papers; a full one of 25 ms at 100k). `end_startup_pause` resumes
    it."""
    global _startup_paused
    gc.disable()
    _startup_paused = True


def end_startup_pause() -> None:
    """Collect as usual from now on, what startup made frozen out of later full collections
    (only after `pause_for_startup`; calling it again does nothing)."""
    global _startup_paused
    if _startup_paused:
        _startup_paused = False
        gc.freeze()
        gc.enable()
