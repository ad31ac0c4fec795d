"""Three devices make thousands of random changes and copy each other's journals in random
orders, sometimes only in part (a half-copied last line); all end in the same state, and each
register holds what the merge rules promise."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.sync.clock import HybridClock
from store.sync.journal import Entry, new_entry_id, parse_lines
from store.sync.merge import Replica
from store.sync.ops import queue_ops, state_ops

PAPERS = [f"p{n}" for n in range(6)]
TAGS = ["ml", "nlp", "cv", "to-read"]
DEFAULT = {"tags": [], "note": "", "status": "unread", "triaged": False}


class Device:
    def __init__(self, name: str, skew: int) -> None:
        self.name = name
        self.wall = 1_700_000_000_000 + skew
        self.clock = HybridClock(now=lambda: self.wall)
        self.replica = Replica()
        self.log = b""
        """Everything this device knows, as journal lines (its own file plus what it copied)."""
        self.own = b""

    def record(self, pid: str, ops: list[tuple[str, dict[str, Any]]]) -> None:
        for op, args in ops:
            entry = Entry(new_entry_id(), self.name, self.clock.tick(), pid, op, args)
            self.replica.apply(entry)
            self.own += entry.line()
            self.log += entry.line()

    def change(self, rng: random.Random) -> None:
        self.wall += rng.randint(0, 3)
        pid = rng.choice(PAPERS)
        before = self.replica.fields_of(pid)
        after = dict(before)
        kind = rng.randrange(5)
        if kind == 0:
            tags = list(before.get("tags", []))
            tag = rng.choice(TAGS)
            after["tags"] = [t for t in tags if t != tag] if tag in tags else [*tags, tag]
        elif kind == 1:
            after["note"] = rng.choice(["", f"{self.name} says {rng.randint(0, 99)}"])
        elif kind == 2:
            after["status"] = rng.choice(["unread", "reading", "read", "dismissed"])
        elif kind == 3:
            after["triaged"] = not before.get("triaged", False)
        else:
            order = [p for p, _ in self.replica.queue()]
            ranks = dict(self.replica.queue())
            new = list(order)
            if pid in new and rng.random() < 0.5:
                new.remove(pid)
            else:
                if pid in new:
                    new.remove(pid)
                new.insert(rng.randint(0, len(new)), pid)
            for qid, args in queue_ops(order, new, ranks)[0]:
                self.record(qid, [("queue", args)])
            assert [p for p, _ in self.replica.queue()] == new
            return
        self.record(pid, state_ops(before, after, DEFAULT))
        assert _visible(self.replica.fields_of(pid)) == _visible(after)

    def receive(self, data: bytes) -> None:
        result = parse_lines(data, Path("other.jsonl"))
        for entry in result.entries:
            self.clock.observe(entry.hlc)
            self.replica.apply(entry)
        self.log += data[: result.end]

    def view(self) -> tuple[dict[str, Any], list[str]]:
        return self.replica.documents(), [p for p, _ in self.replica.queue()]


def _visible(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in {**DEFAULT, **doc}.items() if k != "note_base"}


def _expected(entries: list[Entry]) -> tuple[dict[tuple[str, str], Any], set[str]]:
    """Last writer per (paper, register), and the note versions no edit replaced."""
    winners: dict[tuple[str, str], Entry] = {}
    replaced: set[str] = set()
    for entry in sorted(entries, key=lambda e: e.key):
        if entry.op == "set":
            winners[(entry.paper, "f:" + entry.args["field"])] = entry
        elif entry.op == "tag":
            winners[(entry.paper, "t:" + entry.args["tag"])] = entry
        elif entry.op == "queue":
            winners[(entry.paper, "q")] = entry
        else:
            replaced.update(entry.args["base"])
    heads = {e.id for e in entries if e.op == "note" and e.id not in replaced}
    return {k: e.args for k, e in winners.items()}, heads


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_three_devices_converge(seed: int) -> None:
    rng = random.Random(seed)
    devices = [Device(f"dev{n}", skew=rng.randint(-60_000, 60_000)) for n in range(3)]
    for _ in range(1500):
        device = rng.choice(devices)
        if rng.random() < 0.8:
            device.change(rng)
            continue
        # Copy another device's own file, sometimes only in part (a sync tool mid-copy).
        other = rng.choice([d for d in devices if d is not device])
        data = other.own
        if rng.random() < 0.3:
            data = data[: rng.randint(0, len(data))]
        device.receive(data)
    for device in devices:  # everything copied at last, some of it twice
        for other in devices:
            if other is not device:
                device.receive(other.own)
    views = [d.view() for d in devices]
    assert views[0] == views[1] == views[2]

    all_entries = parse_lines(b"".join(d.own for d in devices), Path("all")).entries
    winners, heads = _expected(all_entries)
    documents, queue = views[0]
    for (pid, register), args in winners.items():
        doc = _visible(documents.get(pid, {}))
        if register == "q":
            assert (pid in queue) == args["on"]
        elif register.startswith("t:"):
            assert (args["tag"] in doc["tags"]) == args["on"]
        else:
            assert doc[args["field"]] == args["value"]
    notes = {e.id: e for e in all_entries if e.op == "note"}
    for ident in heads:
        text = notes[ident].args["text"]
        assert text.strip() in documents[notes[ident].paper]["note"]
    for pid in PAPERS:
        edits = sorted((e for e in notes.values() if e.paper == pid), key=lambda e: e.key)
        if edits and edits[-1].args["text"]:
            assert documents[pid]["note"].startswith(edits[-1].args["text"].rstrip())


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_snapshot_and_entries_stand_for_the_replica(seed: int) -> None:
    """What compaction keeps (a snapshot, or only the entries that still count) rebuilds the
    same state, also when merged with older entries again."""
    rng = random.Random(seed)
    devices = [Device(f"dev{n}", skew=0) for n in range(2)]
    for _ in range(300):
        device = rng.choice(devices)
        device.change(rng)
        if rng.random() < 0.1:
            device.receive(rng.choice(devices).own)
    device = devices[0]
    device.receive(devices[1].own)
    view = device.view()
    assert Replica.from_json(device.replica.to_json()).documents() == view[0]
    compacted = Replica()
    compacted.apply_all(device.replica.entries())
    assert compacted.documents() == view[0]
    # A device that had some old entries and then only gets the compacted ones.
    late = Replica()
    old = parse_lines(devices[1].own, Path("x")).entries
    late.apply_all(old[: len(old) // 2])
    late.apply_all(device.replica.entries())
    assert late.documents() == view[0]
