"""Decoded tables are kept while their file is unchanged and re-read the moment it changes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from store.files.cache import CachedDocs
from store.files.documents import PAPERS_TABLE
from store.files.storage import StoreFile


def test_a_cached_table_follows_every_write(tmp_path: Path) -> None:
    store_file = StoreFile(tmp_path / "t.json", "test")
    decoded: list[int] = []

    def decode(docs: Iterable[dict[str, Any]]) -> dict[str, str]:
        decoded.append(1)
        return {doc["id"]: doc["v"] for doc in docs}

    cache = CachedDocs(store_file, decode)
    assert cache.get() == {} and decoded == [1]  # no file yet: nothing, nothing kept
    content = store_file.read()
    content[PAPERS_TABLE] = {"1": {"id": "a", "v": "one"}}
    store_file.write(content)
    first = cache.get()
    assert first == {"a": "one"}
    assert cache.get() is first and len(decoded) == 2  # unchanged file: not decoded again
    other = StoreFile(store_file.path, "test")  # another writer, as another process would be
    content = other.read()
    content[PAPERS_TABLE]["1"]["v"] = "two"
    other.write(content)
    assert cache.get() == {"a": "two"} and len(decoded) == 3
