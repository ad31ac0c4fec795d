"""Note drafts: what an editor holds but the store does not have yet.

A draft goes to the data directory's `drafts/` folder; when that cannot be written (a full disk,
a read-only or unmounted store) it goes to a folder of its own in the user's cache directory, so
text typed into a failing store is still kept somewhere.  Reading takes the newest of the two.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from store.atomic import write_atomic
from store.errors import PaperdeckError

DRAFTS = "drafts"


class DraftNotSaved(PaperdeckError):
    """Neither the store nor the cache directory took the draft."""


def cache_drafts_directory(root: Path) -> Path:
    """This data directory's drafts folder in the user's cache dir (one per data directory)."""
    import hashlib  # only when the store itself could not take a draft, or to read one

    from store.paths import user_directory

    key = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    return user_directory("cache") / DRAFTS / key[:16]


class NoteDrafts:
    def __init__(self, root: Path, fallback: Path | None = None) -> None:
        self.primary = root / DRAFTS
        self._root = root
        self._fallback = fallback

    @property
    def fallback(self) -> Path:
        if self._fallback is None:
            self._fallback = cache_drafts_directory(self._root)
        return self._fallback

    def paths(self, pid: str) -> tuple[Path, Path]:
        return self.primary / f"{pid}.md", self.fallback / f"{pid}.md"

    def save(self, pid: str, text: str) -> Path:
        """Write the draft durably; returns where it went.  DraftNotSaved says why it went
        nowhere (both reasons)."""
        data = text.encode("utf-8", "surrogatepass")
        reasons = []
        for index, path in enumerate(self.paths(pid)):
            try:
                path.parent.mkdir(parents=index > 0, exist_ok=True)
                write_atomic(path, data)
            except OSError as error:
                reasons.append(f"{path.parent}: {error.strerror or error}")
                continue
            except PaperdeckError as error:
                reasons.append(str(error))
                continue
            if index == 0:
                # The store has it now: an older copy in the cache must not win later.
                with contextlib.suppress(OSError):
                    self.paths(pid)[1].unlink(missing_ok=True)
            return path
        raise DraftNotSaved("the draft could not be saved (" + "; ".join(reasons) + ")")

    def get(self, pid: str) -> str | None:
        """The newest draft of `pid`'s note, if any."""
        found: list[tuple[int, str]] = []
        for path in self.paths(pid):
            try:
                found.append((path.stat().st_mtime_ns, path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError):
                continue
        return max(found)[1] if found else None

    def where(self, pid: str) -> Path | None:
        """The file `get` reads, if any."""
        found = []
        for path in self.paths(pid):
            with contextlib.suppress(OSError):
                found.append((path.stat().st_mtime_ns, str(path)))
        return Path(max(found)[1]) if found else None

    def drop(self, pid: str) -> None:
        for path in self.paths(pid):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
