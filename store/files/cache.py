"""A store file's documents decoded once and kept while the file is unchanged.

The catalog and abstracts are large and rewritten only by imports, enrichment only by fetches:
re-reading them on every call would cost seconds at 100k papers, and a cache that did not
notice another process's write would show stale data (TinyDB's own query cache does that).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from store.files.documents import PAPERS_TABLE, table_docs
from store.files.storage import StoreFile, signature
from store.memory import paused_gc

T = TypeVar("T")


class CachedDocs(Generic[T]):
    """`get()`: the file's papers table decoded by `decode`, re-read when the file's signature
    (inode, mtime, size) changes."""

    def __init__(
        self, store_file: StoreFile, decode: Callable[[Iterable[dict[str, Any]]], dict[str, T]]
    ) -> None:
        self.file = store_file
        self.decode = decode
        self._cached: tuple[object, dict[str, T]] = (None, {})

    def current(self) -> dict[str, T] | None:
        """The decoded table if it was read already and the file is unchanged since; never
        reads the file."""
        sig = signature(self.file.path)
        if sig is not None and sig == self._cached[0]:
            return self._cached[1]
        return None

    def get(self) -> dict[str, T]:
        return self.get_signed()[1]

    def get_signed(self) -> tuple[tuple[int, int, int] | None, dict[str, T]]:
        """The decoded table and the file signature taken before it was read (None: no file)."""
        sig = signature(self.file.path)
        if sig is None or sig != self._cached[0]:
            content = self.file.load()
            with paused_gc():
                self._cached = (sig, self.decode(table_docs(content, PAPERS_TABLE)))
        return sig, self._cached[1]
