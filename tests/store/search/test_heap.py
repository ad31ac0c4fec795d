"""store.search.heap: glibc's mmap threshold held fixed, asked once per process."""

from __future__ import annotations

import ctypes
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
