"""store.search.heap: glibc's mmap threshold held fixed, asked once per process."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

from store.search import heap


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_mallopt_accepts_the_threshold_on_linux() -> None:
    assert heap._mallopt(heap.M_MMAP_THRESHOLD, heap.MMAP_THRESHOLD) is True


def test_fixed_once_then_the_first_answer_is_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(heap, "_fixed", [])

    def mallopt(parameter: int, value: int) -> bool:
        calls.append((parameter, value))
        return True

    monkeypatch.setattr(heap, "_mallopt", mallopt)
    assert heap.fix_mmap_threshold() is True
    assert heap.fix_mmap_threshold() is True
    assert calls == [(heap.M_MMAP_THRESHOLD, heap.MMAP_THRESHOLD)]


def test_large_blocks_still_work_after_the_threshold_is_fixed() -> None:
    heap.fix_mmap_threshold()
    block = ctypes.create_string_buffer(4 * heap.MMAP_THRESHOLD)
    block[len(block) - 1] = b"x"
    assert block.raw[-1:] == b"x"


_REUSE = """
import resource, sys
from store.search import heap
if sys.argv[1] == "keep":
    assert heap.keep_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
block = bytearray(16 << 20)  # zeroed: every page touched
del block
before = faults()
block = bytearray(16 << 20)
print(faults() - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_a_block_freed_is_used_again_once_freed_memory_is_kept() -> None:
    """An import decodes file after file into strings of about the same size: glibc maps each
    afresh (and the kernel zeroes its 4,000 pages again) unless freed memory is kept."""

    def faults(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", _REUSE, mode], capture_output=True, text=True, check=True
        )
        return int(done.stdout)

    pages = (16 << 20) // 4096
    assert faults("plain") > pages // 2  # mapped and faulted in again
    assert faults("keep") < pages // 10  # the same pages, from the heap
