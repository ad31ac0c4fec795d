"""The C heap, held to what a process does.

The app, under a large model: glibc's malloc raises its mmap threshold each time a large block
is freed (up to 32 MB), after which blocks that size and smaller are carved from the heap and
its per-thread arenas, where memory freed between them is seldom given back.  The interest
model's arrays and its trainings' scores (hundreds of kilobytes, made again after every
decision) then pile up on top of what the load freed: the triage path at 100k papers measured
395-450 MB, 366 MB with the threshold held fixed (bench/tui_probe.py): `fix_mmap_threshold`.

An import, the other way round (`keep_freed_memory`): it ends once its work is done, and
blocks of the same few sizes come and go all along it.  Each 8 MB listing file is read into
a new block and decoded into a new 16 MB string, which glibc maps afresh (its threshold only
rises above a freed block's size, never to it) and the kernel zeroes page by page: 80k of an
import's 415k page faults at 100k papers.
"""

from __future__ import annotations

import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
"""mallopt's parameters (malloc.h): setting the latter also turns off the threshold's raising."""
MMAP_THRESHOLD = 256 * 1024
"""Blocks this size and larger get their own mapping, returned to the system when freed."""
KEPT_MMAP_THRESHOLD = 64 << 20
KEPT_TRIM_THRESHOLD = 1 << 30

_fixed: list[bool] = []


def fix_mmap_threshold() -> bool:
    """Hold glibc's mmap threshold at `MMAP_THRESHOLD` for the rest of the process (once; later
    calls repeat the first answer). False where there is no glibc malloc to ask (macOS, musl,
    Windows): nothing changes there."""
    if not _fixed:
        _fixed.append(_mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    return _fixed[0]


def keep_freed_memory() -> bool:
    """For the rest of a process that ends after one large piece of work: blocks below 64 MB
    come from the heap, and what is freed stays there (up to 1 GB) for the next blocks, not
    mapped and zeroed again.  False where there is no glibc malloc to ask."""
    return _mallopt(M_MMAP_THRESHOLD, KEPT_MMAP_THRESHOLD) and _mallopt(
        M_TRIM_THRESHOLD, KEPT_TRIM_THRESHOLD
    )


def _mallopt(parameter: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here, not at import: 2-3 ms of every start that asks nothing of malloc

    try:
        libc = ctypes.CDLL(None)  # this process's own symbols (find_library forks ldconfig)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(parameter, value))
