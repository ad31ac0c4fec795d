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
