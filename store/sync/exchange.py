"""`paperdeck sync DIR`: hand this device's changes to a shared folder and take the others'.

In DIR every device owns its files and is their only writer:

    <device>.journal.jsonl   a header line, then that device's entries
    <device>.papers.jsonl    a header line, then the catalog records of the papers they touch

so Syncthing, Dropbox or git never see two writers of one file and never make a conflict.
A device reads the others' files from where it stopped last time (a file rewritten by its
owner carries a new `generation` in its header and is read again from the start).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import UsageError
from store.sync.journal import (
    Entry,
    JournalError,
    JournalTooNew,
    header_line,
    read_entries,
    read_header,
    write_lines_atomic,
)
from store.sync.local import LocalJournal, valid_device_id
from store.sync.merge import Replica

JOURNAL_SUFFIX = ".journal.jsonl"
PAPERS_SUFFIX = ".papers.jsonl"
STATE_FILE = "sync.json"
REWRITE_SLACK = 1000
"""Rewrite this device's file in the folder once it holds this many more lines than needed."""


class SyncFolderMissing(UsageError):
    """The folder named for sync does not exist (a typo, an unmounted drive)."""


@dataclass
class ExchangeReport:
    folder: Path
    sent: int = 0
    """This device's entries written to the folder."""
    received: int = 0
    """Other devices' entries that changed something here."""
    papers_sent: int = 0
    papers_received: list[dict[str, Any]] = field(default_factory=list)
    """Catalog records read from the other devices' files."""
    papers_added: int = 0
    """Of those, papers this library did not have."""
    devices: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Files that were refused (written by a newer paperdeck) or could not be read."""

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "sent": self.sent,
            "received": self.received,
            "papers_sent": self.papers_sent,
            "papers_added": self.papers_added,
            "devices": self.devices,
            "problems": self.problems,
        }


def _load_state(journal: LocalJournal) -> dict[str, Any]:
    try:
        data = json.loads((journal.directory / STATE_FILE).read_bytes())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_state(journal: LocalJournal, state: dict[str, Any]) -> None:
    journal.directory.mkdir(parents=True, exist_ok=True)
    data = json.dumps(state, separators=(",", ":")).encode("utf-8")
    write_lines_atomic(journal.directory / STATE_FILE, [data])


def _append(path: Path, lines: Iterable[bytes]) -> None:
    data = b"".join(lines)
    if not data:
        return
    try:
        with path.open("ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        raise JournalError(f"{path}: cannot write ({error.strerror or error})") from None


def _cut_torn(path: Path) -> None:
    """Our own file may end in a line torn by a crash: cut it before appending."""
    with contextlib.suppress(OSError):
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):
            with path.open("r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)


def exchange(
    folder: Path,
    journal: LocalJournal,
    replica: Replica,
    paper_records: Callable[[set[str]], list[dict[str, Any]]],
    keep_received: Callable[[list[Entry], list[dict[str, Any]]], None],
) -> ExchangeReport:
    """Write this device's new entries (and the records of their papers) to `folder`, read the
    other devices' new ones and fold them into `replica`.  `keep_received` gets the entries that
    changed the replica and the papers read, to make them durable here before the read
    positions move on: a crash in between reads them again, never skips them."""
    if not folder.is_dir():
        raise SyncFolderMissing(
            f"{folder}: no such directory; create it (or point it at the folder your sync "
            "tool shares) and run `paperdeck sync` again"
        )
    report = ExchangeReport(folder)
    device = journal.device
    state = _load_state(journal)
    folders = state.setdefault("folders", {})
    key = str(folder.resolve())
    mine = folders.setdefault(key, {})

    received = _read_others(folder, device, mine, replica, report)
    keep_received(received, report.papers_received)
    _write_mine(folder, device, mine, replica, paper_records, report)
    state["folders"][key] = mine
    _save_state(journal, state)
    return report


def _write_mine(
    folder: Path,
    device: str,
    mine: dict[str, Any],
    replica: Replica,
    paper_records: Callable[[set[str]], list[dict[str, Any]]],
    report: ExchangeReport,
) -> None:
    path = folder / f"{device}{JOURNAL_SUFFIX}"
    header = read_header(path) if path.exists() else None
    generation = mine.get("generation")
    live = replica.entries(device=device)
    lines = int(mine.get("lines") or 0)
    if (
        header is None
        or header.get("generation") != generation
        or lines > 2 * len(live) + (REWRITE_SLACK)
    ):
        # New folder, a file lost or replaced, or too long: write it whole.
        generation = secrets.token_hex(8)
        write_lines_atomic(
            path, [header_line("journal", device, generation), *(e.line() for e in live)]
        )
        mine["generation"] = generation
        mine["lines"] = len(live)
        new = live
    else:
        after = int(mine.get("sent_hlc") or -1)
        new = [e for e in live if e.hlc > after]
        _cut_torn(path)
        _append(path, (e.line() for e in new))
        mine["lines"] = lines + len(new)
    if live:
        mine["sent_hlc"] = max(e.hlc for e in live)
    report.sent = len(new)

    papers_path = folder / f"{device}{PAPERS_SUFFIX}"
    sent: set[str] = set(mine.get("papers") or [])
    wanted = {e.paper for e in new}
    header = read_header(papers_path) if papers_path.exists() else None
    if header is None or header.get("generation") != mine.get("papers_generation"):
        # New, lost or replaced: every paper this device has changed goes in again.
        sent = set()
        wanted = {e.paper for e in live}
        mine["papers_generation"] = secrets.token_hex(8)
        write_lines_atomic(papers_path, [header_line("papers", device, mine["papers_generation"])])
    wanted -= sent
    records = paper_records(wanted) if wanted else []
    _cut_torn(papers_path)
    _append(
        papers_path,
        (
            (json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            for r in records
        ),
    )
    sent.update(r["id"] for r in records if isinstance(r.get("id"), str))
    mine["papers"] = sorted(sent)
    report.papers_sent = len(records)


def _read_others(
    folder: Path,
    device: str,
    mine: dict[str, Any],
    replica: Replica,
    report: ExchangeReport,
) -> list[Entry]:
    cursors: dict[str, Any] = mine.setdefault("read", {})
    changed: list[Entry] = []
    for path in sorted(folder.glob(f"*{JOURNAL_SUFFIX}")):
        other = path.name[: -len(JOURNAL_SUFFIX)]
        if other == device or not valid_device_id(other):
            continue
        report.devices.append(other)
        found: dict[str, Any] = {}
        try:
            entries = _read_new(path, cursors, found)
            records = _read_new_records(folder / f"{other}{PAPERS_SUFFIX}", cursors, found)
        except (JournalTooNew, JournalError) as error:
            report.problems.append(str(error))
            continue
        except OSError as error:
            report.problems.append(f"{path}: cannot read ({error.strerror or error})")
            continue
        cursors.update(found)  # only once both files were read: nothing is skipped
        report.papers_received.extend(records)
        for entry in entries:
            if replica.apply(entry):
                changed.append(entry)
    report.received = len(changed)
    return changed


def _cursor(path: Path, cursors: dict[str, Any]) -> tuple[int, str | None]:
    header = read_header(path)
    generation = header.get("generation") if header else None
    cursor = cursors.get(path.name) or {}
    offset = int(cursor.get("offset") or 0)
    if cursor.get("generation") != generation or offset > path.stat().st_size:
        offset = 0  # rewritten by its owner: read it all again (merging twice is harmless)
    return offset, generation if isinstance(generation, str) else None


def _read_new(path: Path, cursors: dict[str, Any], found: dict[str, Any]) -> list[Entry]:
    offset, generation = _cursor(path, cursors)
    result = read_entries(path, offset)
    found[path.name] = {"generation": generation, "offset": result.end}
    return result.entries


def _read_new_records(
    path: Path, cursors: dict[str, Any], found: dict[str, Any]
) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    offset, generation = _cursor(path, cursors)
    with path.open("rb") as handle:
        handle.seek(offset)
        data = handle.read()
    complete = data.rfind(b"\n") + 1
    records: list[dict[str, Any]] = []
    for raw in data[:complete].split(b"\n"):
        try:
            record = json.loads(raw) if raw.strip() else None
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("id"), str):
            records.append(record)
    found[path.name] = {"generation": generation, "offset": offset + complete}
    return records
