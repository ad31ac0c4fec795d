"""Loading many long-lived objects without paying for the garbage collector meanwhile, and
letting go of many at once without paying to free them in a process about to end."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused_gc(*, freeze: bool = True) -> Iterator[None]:
    """Building many long-lived objects: collecting in between only costs time, and freezing
    them afterwards keeps later full collections from walking them all again. `freeze=False`
    for objects that go soon after (an import's listings and documents: the app, which
    imports in a worker, keeps its own objects collectable)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
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


_kept: list[object] | None = None


def keep_until_exit() -> None:
    """This process ends right after its work without freeing its objects (a command, which
    leaves through `tui.cli.leave`): from now on `let_go` keeps what it is given to the end."""
    global _kept
    if _kept is None:
        _kept = []


def let_go(*objects: object) -> None:
    """Large structures the caller is done with (it drops its own references next): freed
    then, as usual. In a process that ends without freeing (`keep_until_exit`) they are kept
    instead, frozen out of the collector's passes, as is everything else by then: after an
    import of 100k papers, freeing its listings and documents one by one took 0.2 s, and the
    collector's first pass over them, before they were freed, 0.3 s more."""
    if _kept is not None:
        _kept.extend(objects)
        gc.freeze()
