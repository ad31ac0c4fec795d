"""TinyDB over a store file's content read under its lock (`StoreFile.transaction`), written
once at the end. Loaded with the first transaction: tinydb's modules took 4 ms of every start,
and most starts write nothing through TinyDB."""

from __future__ import annotations

from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage


class BufferedStorage(Storage):
    """TinyDB storage over a dict already read under the lock; `dirty` once TinyDB wrote."""

    def __init__(self, content: dict[str, Any]) -> None:
        self.content = content
        self.dirty = False

    def read(self) -> dict[str, Any]:
        return self.content

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.content = data
        self.dirty = True


def buffered_db(content: dict[str, Any]) -> tuple[TinyDB, BufferedStorage]:
    """A TinyDB over `content`, and its storage (what it wrote, and whether it did)."""
    db = TinyDB(storage=BufferedStorage, content=content)
    storage: BufferedStorage = db.storage  # type: ignore[assignment]
    return db, storage
