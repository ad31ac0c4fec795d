"""Derived files read mapped (`store.files.mapped`): the bytes on disk, an empty file as b"",
and the version that was opened even once the store has replaced the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.atomic import write_atomic
from store.files.mapped import read_mapped


def test_a_mapped_file_reads_as_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "index"
    path.write_bytes(b"header\n" + bytes(range(256)) * 100)
    data = read_mapped(path)
    assert data[:] == path.read_bytes()
    assert data.find(b"\n") == 6
    assert len(data) == 7 + 25_600
    assert bytes(memoryview(data)[7:9]) == b"\x00\x01"


def test_an_empty_file_is_no_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert read_mapped(path) == b""


def test_a_missing_file_raises_as_reading_it_would(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_mapped(tmp_path / "gone")


def test_the_version_opened_stays_readable_once_replaced(tmp_path: Path) -> None:
    """The store writes a new file and renames it into place: a reader's mapping keeps the
    old one whole (a search under way while an import rewrites the index)."""
    path = tmp_path / "index"
    write_atomic(path, b"old " * 5000)
    data = read_mapped(path)
    view = memoryview(data)[:8]
    write_atomic(path, b"new " * 10)
    assert bytes(view) == b"old old "
    assert data[-4:] == b"old " and len(data) == 20_000
    assert read_mapped(path)[:] == b"new " * 10
