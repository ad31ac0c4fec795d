"""The C heap under a large model: glibc's malloc raises its mmap threshold each time a large
block is freed (up to 32 MB), after which blocks that size and smaller are carved from the
heap and its per-thread arenas, where memory freed between them is seldom given back.  The
interest model's arrays and its trainings' scores (hundreds of kilobytes, made again after every
decision) then pile up on top of what the load freed: the triage path at 100k papers measured
395-450 MB, 366 MB with the threshold held fixed (bench/tui_probe.py).
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3
"""mallopt's parameter (malloc.h): setting it also turns off the threshold's raising."""
MMAP_THRESHOLD = 256 * 1024
"""Blocks this size and larger get their own mapping, returned to the system when freed."""

_fixed: list[bool] = []


def fix_mmap_threshold() -> bool:
    """Hold glibc's mmap threshold at `MMAP_THRESHOLD` for the rest of the process (once; later
    calls repeat the first answer). False where there is no glibc malloc to ask (macOS, musl,
    Windows): nothing changes there."""
    if not _fixed:
        _fixed.append(_mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    return _fixed[0]


def _mallopt(parameter: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)  # this process's own symbols (find_library forks ldconfig)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(parameter, value))
