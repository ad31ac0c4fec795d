"""What pulls remember between runs: validators per feed and the last day pulled.

Kept in `pulls.json`, a store file of its own: it can be lost without losing any of the user's
work (the next pull fetches in full), so it has no backups, and it is written only after the
catalog has taken a page in, never when a pull fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store.errors import DamagedStore, StoreError
from store.files.storage import StoreFile

PULLS = "pulls.json"
FEEDS_TABLE = "feeds"


@dataclass(frozen=True, slots=True)
class FeedState:
    key: str
    """`hf:2024-10-25` for a Hugging Face day, `arxiv:cs.LG+cs.CL` for an RSS request."""
    etag: str | None = None
    last_modified: str | None = None
    pulled: str | None = None
    """When it was last pulled successfully (ISO-8601 UTC)."""


class PullState:
    def __init__(self, root: Path, lock_timeout: float = 10.0) -> None:
        self.file = StoreFile(root / PULLS, "pulls", lock_timeout)

    def _feeds(self, content: dict[str, Any]) -> dict[str, Any]:
        return content.get(FEEDS_TABLE, {})

    def _read(self) -> dict[str, Any]:
        try:
            return self.file.read()
        except DamagedStore:
            # Nothing of the user's is in it, so no backup is kept: say how to start afresh.
            raise StoreError(
                f"{self.file.path}: damaged; it only remembers what was pulled when, so delete "
                "it and pull again (the next pull fetches every page in full)"
            ) from None

    def feed(self, key: str) -> FeedState:
        if not self.file.path.exists():
            return FeedState(key)
        for doc in self._feeds(self._read()).values():
            if isinstance(doc, dict) and doc.get("key") == key:
                return FeedState(
                    key,
                    _str(doc.get("etag")),
                    _str(doc.get("last_modified")),
                    _str(doc.get("pulled")),
                )
        return FeedState(key)

    def last_hf_day(self) -> str | None:
        """The latest Hugging Face day pulled successfully, `YYYY-MM-DD`."""
        if not self.file.path.exists():
            return None
        days = [
            doc["key"][3:]
            for doc in self._feeds(self._read()).values()
            if isinstance(doc, dict) and str(doc.get("key", "")).startswith("hf:")
        ]
        return max(days, default=None)

    def save(self, state: FeedState) -> None:
        with self.file.locked():
            content = self._read()
            feeds: dict[str, Any] = content.setdefault(FEEDS_TABLE, {})
            slot = next(
                (
                    k
                    for k, doc in feeds.items()
                    if isinstance(doc, dict) and doc.get("key") == state.key
                ),
                str(max((int(k) for k in feeds if k.isdigit()), default=0) + 1),
            )
            feeds[slot] = {
                "key": state.key,
                "etag": state.etag,
                "last_modified": state.last_modified,
                "pulled": state.pulled,
            }
            self.file.write(content)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
