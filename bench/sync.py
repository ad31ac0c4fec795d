"""Sync and journal costs (issue 15 targets): what the journal adds to one change, syncing
10,000 new entries from another device, and the journal's size after 100k changes."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from store.library import Library
from store.paths import bundled_seeds
from store.sync.journal import Entry
from store.sync.local import Change, LocalJournal

TARGETS = {
    "journal_cost_per_change_ms": 2.0,
    "sync_10k_entries_s": 1.0,
    "journal_100k_changes_mb": 20.0,
}


class NoJournal(LocalJournal):
    """The store as it was before the journal: changes are not recorded."""

    def exists(self) -> bool:
        return True

    def record(self, changes: Any) -> list[Entry]:
        return []

    def needs_compaction(self) -> bool:
        return False


def _library(path: Path) -> Library:
    shutil.rmtree(path, ignore_errors=True)
    library = Library.open(path)
    library.import_files(bundled_seeds())
    return library


def _change_ms(library: Library, rounds: int) -> float:
    ids = sorted(library.papers())
    times = []
    for n in range(rounds):
        pid = ids[n % len(ids)]
        start = time.perf_counter()
        library.add_tags([pid], [f"t{n}"])
        library.set_note(pid, f"note {n}")
        times.append((time.perf_counter() - start) * 1000 / 2)
    return statistics.median(times)


def journal_cost(work: Path, rounds: int = 150) -> float:
    """Median ms a change costs with the journal minus without, alternating to share noise."""
    with_journal = _library(work / "with")
    without = _library(work / "without")
    without.journal = without.user_states.journal = NoJournal(without.root)
    costs = []
    for _ in range(3):
        costs.append(_change_ms(with_journal, rounds // 3) - _change_ms(without, rounds // 3))
    return statistics.median(costs)


def _many_changes(library: Library, count: int, batch: int = 200) -> None:
    """`count` changes of every kind, recorded in batches (one fsync each)."""
    ids = sorted(library.papers())
    last_note: dict[str, str] = {}
    pending: list[Change] = []
    # Each paper gets every kind of change in turn; a batch touches a paper's note once, and
    # each edit replaces the version before it, as an edit on one device does.
    for n in range(count):
        pid = ids[(n // 4) % len(ids)]
        kind = n % 4
        if kind == 0:
            pending.append((pid, "tag", {"tag": f"tag-{n % 97}", "on": n % 3 != 0}))
        elif kind == 1:
            text = f"Note {n}: " + "a thought about this paper. " * 6
            base = [last_note[pid]] if pid in last_note else []
            pending.append((pid, "note", {"text": text, "base": base}))
        elif kind == 2:
            status = ("unread", "reading", "read", "dismissed")[n % 4]
            pending.append((pid, "set", {"field": "status", "value": status}))
        else:
            pending.append((pid, "queue", {"on": n % 2 == 0, "rank": f"{n % 1000:04d}i"}))
        if len(pending) >= batch:
            for entry in library.journal.record(pending):
                if entry.op == "note":
                    last_note[entry.paper] = entry.id
            pending = []
    library.journal.record(pending)


def sync_10k(work: Path) -> float:
    laptop = _library(work / "laptop")
    desktop = _library(work / "desktop")
    folder = work / "folder"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    ids = sorted(laptop.papers())
    changes: list[Change] = [
        (ids[n % len(ids)], "tag", {"tag": f"t{n // len(ids)}", "on": True}) for n in range(10_000)
    ]
    laptop.set_status([ids[0]], "reading")  # the laptop's state file exists, as in use
    with laptop.state_file.locked():  # 10,000 changes made on the laptop, recorded at once
        laptop.journal.record(changes)
    laptop.sync(folder)
    desktop.ensure_journal()
    start = time.perf_counter()
    report = desktop.sync(folder)
    elapsed = time.perf_counter() - start
    assert report.received == 10_001, report.received
    return elapsed


def journal_100k(work: Path) -> tuple[float, float]:
    """MB of the journal after 100k changes: before and after compaction."""
    library = _library(work / "big")
    library.ensure_journal()
    _many_changes(library, 100_000)
    before = library.journal.size() / 1e6
    library.journal.compact()
    return before, library.journal.size() / 1e6


def run(work: Path) -> dict[str, float]:
    work.mkdir(parents=True, exist_ok=True)
    result = {
        "journal_cost_per_change_ms": journal_cost(work),
        "sync_10k_entries_s": sync_10k(work),
    }
    raw, compacted = journal_100k(work)
    result["journal_100k_raw_mb"] = raw
    result["journal_100k_changes_mb"] = compacted
    return result


def report(result: dict[str, float]) -> str:
    lines = ["| sync measure | value | target |", "|---|---|---|"]
    for name, value in result.items():
        target = TARGETS.get(name)
        verdict = (
            "" if target is None else f"<= {target:g} ({'ok' if value <= target else 'MISSED'})"
        )
        lines.append(f"| {name} | {value:.3f} | {verdict} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run(Path(__file__).resolve().parent / "work" / "sync")))
