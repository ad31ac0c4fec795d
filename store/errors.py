"""Every error the store raises for a user to read; each message is one line fit to show as is.

The CLI prints `str(err)` and exits with `exit_code`; the TUI shows it as a notification.
"""

from __future__ import annotations

from pathlib import Path


class PaperdeckError(Exception):
    """Base of every expected failure: the CLI prints `str(err)` on one line and exits non-zero."""

    exit_code = 1


class UsageError(PaperdeckError):
    """Bad input from the user (a file, a value, a query)."""

    exit_code = 2


class UnknownPaper(UsageError):
    """An id or id prefix that names no paper (or more than one)."""


class ListingError(UsageError):
    """A listing file that cannot be read as a Daily Papers dump."""


class QueryError(UsageError):
    """A search query that does not parse."""


class BadTag(UsageError):
    """A tag that cannot be stored as given."""


class ExportError(UsageError):
    """An export that cannot be written where or as asked."""


class InvalidToken(PaperdeckError):
    """A GitHub token that is not one."""

    exit_code = 2


class KeyringUnavailable(PaperdeckError):
    """No secure keyring to keep the token in; the message points to GITHUB_TOKEN."""


class StoreError(PaperdeckError):
    """A store file that cannot be used as it is."""


class DamagedStore(StoreError):
    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(
            f"{path}: damaged store file ({reason}); it was left untouched. "
            "Run `paperdeck doctor --restore` to bring back the newest good backup"
        )


class InvalidDocument(DamagedStore):
    """A file that parses but holds a value of the wrong type (a hand edit, another tool)."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        StoreError.__init__(
            self,
            f"{path}: {problem}; the file was left untouched. Fix that value, or run "
            "`paperdeck doctor --restore` to bring back the newest good backup",
        )


class NewerSchema(StoreError):
    def __init__(self, path: Path, version: object, readable: int) -> None:
        self.path = path
        super().__init__(
            f"{path}: written by a newer paperdeck (schema {version}, this one reads "
            f"{readable}); upgrade paperdeck. The file was not changed"
        )


class StoreLocked(StoreError):
    def __init__(self, lock_path: Path, timeout: float) -> None:
        super().__init__(
            f"{lock_path}: another paperdeck process held the store lock for {timeout:g} s; "
            "try again, or close the other paperdeck"
        )


class StoreWriteError(StoreError):
    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(
            f"{path}: could not save ({error.strerror or error}); nothing was changed. "
            "Free disk space or fix permissions, then retry"
        )
