"""paperdeck's store: everything below the UI, usable from a plain REPL or script.

    from store import Library
    library = Library.open(Path("~/papers").expanduser())
    library.add_tags([library.resolve("k3v")], ["llm"])

`Library` is the way in; the dataclasses it returns and the errors it raises are named here too.
Every error a user may see derives from `PaperdeckError` and reads as one line.
"""

from store.errors import (
    BadTag,
    DamagedStore,
    ExportError,
    InvalidToken,
    KeyringUnavailable,
    ListingError,
    NewerSchema,
    PaperdeckError,
    QueryError,
    StoreError,
    StoreLocked,
    StoreWriteError,
    UnknownPaper,
    UsageError,
)
from store.library import Library
from store.models import STATUSES, Change, Enrichment, ImportReport, Paper, Record, Repo, UserState

__all__ = [
    "STATUSES",
    "BadTag",
    "Change",
    "DamagedStore",
    "Enrichment",
    "ExportError",
    "ImportReport",
    "InvalidToken",
    "KeyringUnavailable",
    "Library",
    "ListingError",
    "NewerSchema",
    "Paper",
    "PaperdeckError",
    "QueryError",
    "Record",
    "Repo",
    "StoreError",
    "StoreLocked",
    "StoreWriteError",
    "UnknownPaper",
    "UsageError",
    "UserState",
]
