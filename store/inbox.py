"""Inboxes: saved searches that say what is new.

An inbox is a name, a query and when the user last opened it.  Its papers are those matching
the query; the new ones are those that arrived (their `added` time) after it was last opened.
The definitions are the user's work: `inboxes.json`, a store file of its own with backups.

Counting an inbox means searching the whole library, which on 100k papers takes a second or
more, so `inbox list` keeps the counts in `inbox-counts.json`, each with the signatures of the
files it was computed from; a count whose files have not changed since is used as is.  Only the
files a query reads count: the state file for `tag:`/`is:`/`has:note` queries, the abstracts
for free words, the enrichment for `has:arxiv`/`authors:`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from store.errors import UsageError
from store.files.storage import StoreFile, signature, write_atomic_bytes

if TYPE_CHECKING:
    from store.models import Record, UserState
    from store.search.language import Query

COUNTS = "inbox-counts.json"
TABLE = "inboxes"
NAME_RE = re.compile(r"^\w[\w .:+-]{0,39}$")
STATE_KEYS = frozenset({"tag", "is"})
ENRICHMENT_KEYS = frozenset({"authors"})


class UnknownInbox(UsageError):
    pass


@dataclass(frozen=True, slots=True)
class Inbox:
    name: str
    query: str
    opened: str
    """When the user last opened it (ISO-8601 UTC); papers added later are new."""


@dataclass(frozen=True, slots=True)
class InboxCount:
    inbox: Inbox
    total: int
    new: int

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.inbox.name,
            "query": self.inbox.query,
            "total": self.total,
            "new": self.new,
            "opened": self.inbox.opened,
        }


def is_new(record: Record, inbox: Inbox) -> bool:
    return record.paper.added > inbox.opened


class Inboxes:
    """The inbox definitions of one data directory (`Library.inboxes_file`)."""

    def __init__(self, file: StoreFile, *, now: Callable[[], datetime]) -> None:
        self.now = now
        self.file = file

    def all(self) -> list[Inbox]:
        if not self.file.path.exists():
            return []
        return [_inbox(doc) for doc in self.file.read().get(TABLE, {}).values() if _valid(doc)]

    def get(self, name: str) -> Inbox:
        key = name.strip().casefold()
        for inbox in self.all():
            if inbox.name.casefold() == key:
                return inbox
        names = ", ".join(i.name for i in self.all())
        hint = f"your inboxes: {names}" if names else "`paperdeck inbox add NAME QUERY` makes one"
        raise UnknownInbox(f"no inbox named {name!r}; {hint}")

    def add(self, name: str, query: str) -> Inbox:
        from store.search.language import parse_query

        name = " ".join(name.split())
        if not NAME_RE.match(name):
            raise UsageError(
                f"inbox name {name[:50]!r}: use up to 40 letters, digits, spaces or . : + - _"
            )
        parse_query(query)  # a bad query is refused now, not each time the inbox is counted
        inbox = Inbox(name, query.strip(), self._stamp())

        def change(table: dict[str, Any]) -> None:
            if any(_valid(d) and d["name"].casefold() == name.casefold() for d in table.values()):
                raise UsageError(f"an inbox named {name!r} exists; remove it first or pick a name")
            table[str(max((int(k) for k in table if k.isdigit()), default=0) + 1)] = _doc(inbox)

        self._write(change)
        return inbox

    def remove(self, name: str) -> Inbox:
        inbox = self.get(name)

        def change(table: dict[str, Any]) -> None:
            for key in [k for k, d in table.items() if _valid(d) and d["name"] == inbox.name]:
                del table[key]

        self._write(change)
        return inbox

    def mark_opened(self, name: str) -> Inbox:
        """Opening an inbox: what it holds now is no longer new."""
        inbox = self.get(name)
        opened = Inbox(inbox.name, inbox.query, self._stamp())

        def change(table: dict[str, Any]) -> None:
            for key, doc in table.items():
                if _valid(doc) and doc["name"] == inbox.name:
                    table[key] = _doc(opened)

        self._write(change)
        return opened

    def _stamp(self) -> str:
        return self.now().isoformat(timespec="seconds")

    def _write(self, change: Callable[[dict[str, Any]], None]) -> None:
        with self.file.locked():
            content = self.file.read()
            change(content.setdefault(TABLE, {}))
            self.file.write(content)


def _valid(doc: object) -> bool:
    return (
        isinstance(doc, dict)
        and isinstance(doc.get("name"), str)
        and isinstance(doc.get("query"), str)
    )


def _inbox(doc: dict[str, Any]) -> Inbox:
    opened = doc.get("opened")
    return Inbox(doc["name"], doc["query"], opened if isinstance(opened, str) else "")


def _doc(inbox: Inbox) -> dict[str, Any]:
    return {"name": inbox.name, "query": inbox.query, "opened": inbox.opened}


# -- counting ------------------------------------------------------------------------------------


def count(inboxes: Sequence[Inbox], search: Callable[[Query], list[Record]]) -> list[InboxCount]:
    """Each inbox's total and new papers, `search` answering a parsed query."""
    from store.search.language import parse_query

    counts = []
    for inbox in inboxes:
        records = search(parse_query(inbox.query))
        counts.append(InboxCount(inbox, len(records), sum(1 for r in records if is_new(r, inbox))))
    return counts


def dependencies(query: Query) -> tuple[str, ...]:
    """The store files besides the catalog whose content can change what `query` matches."""
    needs = []
    if any(f.key in STATE_KEYS or f.value in ("note", "tags") for f in query.filters):
        needs.append("state")
    if any(f.key in ENRICHMENT_KEYS or f.value == "arxiv" for f in query.filters):
        needs.append("enrichment")
    if query.words or query.phrases or query.excluded:
        needs.append("abstracts")
    return tuple(needs)


class CountedLibrary(Protocol):
    """What counting needs of a Library (a protocol: the Library imports this module)."""

    root: Path
    catalog_file: StoreFile
    state_file: StoreFile
    enrichment_file: StoreFile
    abstracts_file: StoreFile

    def states(self) -> dict[str, UserState]: ...

    def all_records(self, *, with_abstracts: bool = True) -> list[Record]: ...

    def abstracts(self) -> dict[str, str]: ...


class CountCache:
    """Counts computed earlier, trusted while the files they came from are unchanged."""

    def __init__(self, library: CountedLibrary) -> None:
        self.library = library
        self.path = library.root / COUNTS

    def _files(self) -> dict[str, Path]:
        lib = self.library
        return {
            "catalog": lib.catalog_file.path,
            "state": lib.state_file.path,
            "enrichment": lib.enrichment_file.path,
            "abstracts": lib.abstracts_file.path,
        }

    def _fingerprint(self, needs: Sequence[str], hidden: str) -> str:
        files = self._files()
        parts = [repr(signature(files["catalog"])), hidden]
        parts += [f"{name}={signature(files[name])!r}" for name in needs]
        return "|".join(parts)

    def _hidden(self) -> str:
        """Papers the user merged into others are left out of every count: a digest of which."""
        hidden = sorted(pid for pid, s in self.library.states().items() if s.duplicate_of)
        return hashlib.sha256("\n".join(hidden).encode()).hexdigest()[:16]

    def _load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def counts(self, inboxes: Sequence[Inbox]) -> list[InboxCount]:
        """Counts for `inboxes`, searching the library only for those not cached."""
        from store.search.language import parse_query

        hidden = self._hidden()
        cached = self._load().get("entries") or {}
        result: dict[int, InboxCount] = {}
        missing: list[int] = []
        keys: dict[int, tuple[str, str]] = {}
        for n, inbox in enumerate(inboxes):
            key = f"{inbox.name}\x00{inbox.query}\x00{inbox.opened}"
            fingerprint = self._fingerprint(dependencies(parse_query(inbox.query)), hidden)
            keys[n] = (key, fingerprint)
            entry = cached.get(key)
            if isinstance(entry, dict) and entry.get("fingerprint") == fingerprint:
                result[n] = InboxCount(inbox, int(entry["total"]), int(entry["new"]))
            else:
                missing.append(n)
        if missing:
            from store.search.index import SearchIndex

            records = self.library.all_records(with_abstracts=False)
            # No abstract index: each word query scans the abstracts once, faster than indexing.
            index = SearchIndex(records, abstracts=self.library.abstracts, indexed=False)
            fresh = count([inboxes[n] for n in missing], lambda q: index.search(q))
            result.update(zip(missing, fresh, strict=True))
            self.store({keys[n][0]: (keys[n][1], result[n]) for n in range(len(inboxes))})
        return [result[n] for n in range(len(inboxes))]

    def store(self, entries: dict[str, tuple[str, InboxCount]]) -> None:
        data = {
            "entries": {
                key: {"fingerprint": fp, "total": c.total, "new": c.new}
                for key, (fp, c) in entries.items()
            }
        }
        # A cache: losing it costs one recount, so a failed write is no error.
        try:
            write_atomic_bytes(self.path, json.dumps(data).encode("utf-8"))
        except Exception:  # noqa: BLE001 - StoreWriteError or OSError: the counts stand anyway
            pass

    def opened(self, before: InboxCount, after: Inbox) -> None:
        """Record that `after` (just opened) has nothing new, if `before` was current."""
        from store.search.language import parse_query

        fingerprint = self._fingerprint(dependencies(parse_query(after.query)), self._hidden())
        cached = self._load()
        entries: dict[str, tuple[str, InboxCount]] = {}
        for key, entry in (cached.get("entries") or {}).items():
            if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str):
                name, query, opened = (key.split("\x00") + ["", "", ""])[:3]
                entries[key] = (
                    entry["fingerprint"],
                    InboxCount(Inbox(name, query, opened), int(entry["total"]), int(entry["new"])),
                )
        entries[f"{after.name}\x00{after.query}\x00{after.opened}"] = (
            fingerprint,
            InboxCount(after, before.total, 0),
        )
        self.store(entries)
