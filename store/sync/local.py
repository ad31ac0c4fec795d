"""This device's journal in the data directory: the durable history behind `state.json`.

    journal/device          this device's id (made once, kept with the data)
    journal/snapshot.json   the replica folded up to the last compaction
    journal/changes.jsonl   every entry since: this device's changes and those synced in

The caller holds the state file's lock around every call that writes, so one process at a time
appends, compacts or reads for a restore.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.sync.clock import HybridClock, wall_ms

if TYPE_CHECKING:  # the journal's entries and the replica: loaded by a write or a sync, not a start
    from store.sync.journal import Entry
    from store.sync.merge import Replica

JOURNAL_DIR = "journal"
COMPACT_BYTES = 4_000_000
"""Fold the changes into the snapshot once they take this much room."""

Change = tuple[str, str, dict[str, Any]]
"""(paper, op, args): one operation before it gets its id, device and clock."""


def make_device_id() -> str:
    """Readable in a sync folder and in a note's separator, unique by its random tail."""
    import socket  # once per device (with its address types: 7 ms of every start)

    host = re.sub(r"[^a-z0-9-]+", "-", socket.gethostname().lower()).strip("-")[:24] or "device"
    return f"{host}-{os.urandom(3).hex()}"


def valid_device_id(text: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", text))


class LocalJournal:
    def __init__(self, data_dir: Path, now_ms: Callable[[], int] = wall_ms) -> None:
        self.directory = data_dir / JOURNAL_DIR
        self.now_ms = now_ms
        self._device: str | None = None

    @property
    def changes_path(self) -> Path:
        return self.directory / "changes.jsonl"

    @property
    def snapshot_path(self) -> Path:
        return self.directory / "snapshot.json"

    @property
    def clock_path(self) -> Path:
        return self.directory / "clock"

    def exists(self) -> bool:
        return self.changes_path.exists() or self.snapshot_path.exists()

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = self._read_or_make_device()
        return self._device

    def _read_or_make_device(self) -> str:
        from store.sync.journal import JournalError, write_lines_atomic

        path = self.directory / "device"
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            text = ""
        except OSError as error:
            raise JournalError(f"{path}: cannot read ({error.strerror or error})") from None
        if valid_device_id(text):
            return text
        self.directory.mkdir(parents=True, exist_ok=True)
        text = make_device_id()
        write_lines_atomic(path, [f"{text}\n".encode()])
        return text

    # -- the clock ------------------------------------------------------------------------

    def last_stamp(self) -> int:
        """The latest stamp this device issued or saw: the clock never goes back past it."""
        last = 0
        try:
            last = int(self.clock_path.read_text(encoding="ascii").strip() or 0)
        except (OSError, ValueError):
            pass
        tail = self._last_line()
        if tail is not None:
            last = max(last, tail)
        return last

    def _last_line(self) -> int | None:
        last = self._last_entry()
        return last.get("hlc") if last is not None else None

    def _last_entry(self) -> dict[str, Any] | None:
        try:
            with self.changes_path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - 8192))
                block = handle.read()
        except OSError:
            return None
        complete = block[: block.rfind(b"\n") + 1]  # a torn last line was never acknowledged
        for line in reversed(complete.split(b"\n")):
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if isinstance(data, dict) and isinstance(data.get("hlc"), int):
                return data
        return None

    def last_entry_id(self) -> str | None:
        """The id of the newest complete entry in the changes file (None when it is empty):
        `state.json` records it, so a step cut off between the two is noticed."""
        last = self._last_entry()
        ident = last.get("id") if last is not None else None
        return ident if isinstance(ident, str) else None

    def save_clock(self, stamp: int) -> None:
        from store.sync.journal import write_lines_atomic

        self.directory.mkdir(parents=True, exist_ok=True)
        write_lines_atomic(self.clock_path, [f"{stamp}\n".encode()])

    # -- writing ----------------------------------------------------------------------------

    def record(self, changes: Sequence[Change]) -> list[Entry]:
        """Stamp and append this device's changes; durable when this returns."""
        from store.sync.journal import Entry, new_entry_id

        if not changes:
            return []
        clock = HybridClock(self.last_stamp(), self.now_ms)
        device = self.device
        entries = [
            Entry(new_entry_id(), device, clock.tick(), paper, op, args)
            for paper, op, args in changes
        ]
        self.append(entries)
        return entries

    def touch(self) -> None:
        """Start an empty journal: from now on it holds every change."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.changes_path.touch()

    def size_of_changes(self) -> int:
        try:
            return self.changes_path.stat().st_size
        except OSError:
            return 0

    def cut_changes(self, size: int) -> None:
        """Drop what was appended after `size` bytes: the change it recorded was not saved."""
        try:
            if self.changes_path.stat().st_size > size:
                os.truncate(self.changes_path, size)
        except OSError:
            pass

    def append(self, entries: Sequence[Entry]) -> None:
        from store.sync.journal import append_entries

        if entries:
            self.directory.mkdir(parents=True, exist_ok=True)
            append_entries(self.changes_path, entries)

    # -- reading ----------------------------------------------------------------------------

    def replica(self) -> Replica:
        """The snapshot with every change since folded in."""
        from store.sync.journal import read_entries

        replica = self._snapshot()
        for entry in read_entries(self.changes_path).entries:
            replica.apply(entry)
        return replica

    def _snapshot(self) -> Replica:
        from store.sync.journal import JournalError
        from store.sync.merge import Replica

        try:
            data = self.snapshot_path.read_bytes()
        except FileNotFoundError:
            return Replica()
        except OSError as error:
            raise JournalError(
                f"{self.snapshot_path}: cannot read ({error.strerror or error})"
            ) from None
        try:
            return Replica.from_json(json.loads(data))
        except ValueError as error:
            raise JournalError(
                f"{self.snapshot_path}: damaged journal snapshot ({str(error)[:80]}); "
                "the changes after it are still in changes.jsonl"
            ) from None

    def size(self) -> int:
        total = 0
        for path in (self.changes_path, self.snapshot_path):
            try:
                total += path.stat().st_size
            except OSError:
                pass
        return total

    def needs_compaction(self) -> bool:
        try:
            return self.changes_path.stat().st_size > COMPACT_BYTES
        except OSError:
            return False

    def compact(self, replica: Replica | None = None) -> Replica:
        """Fold every change into the snapshot.  The snapshot is written first: a crash in
        between leaves changes that are already in it, and applying them again changes nothing."""
        from store.sync.journal import write_lines_atomic

        replica = replica if replica is not None else self.replica()
        self.directory.mkdir(parents=True, exist_ok=True)
        data = json.dumps(replica.to_json(), ensure_ascii=False, separators=(",", ":"))
        write_lines_atomic(self.snapshot_path, [data.encode("utf-8")])
        self.save_clock(max(replica.max_hlc, self.last_stamp()))
        write_lines_atomic(self.changes_path, [])
        return replica
