"""The merged user state of every device: a replica that any set of journal entries, applied
in any order, any number of times, turns into the same state.

Rules (each register keeps the entry that sorts last by `(hlc, device, id)`):
- a field (`status`, `triaged`, `duplicate_of`, any field added later): last writer wins;
- a tag: add and remove per tag, last writer wins, so a removal made after seeing an add
  stands while concurrent adds of different tags both stay;
- the queue: membership and position per paper, last writer wins;
- a note: each edit names the versions it replaced (`base`).  Versions nobody replaced are the
  note's heads; one head is the note, two or more (edits made on devices that had not seen each
  other's) are all kept: the latest first, each other one below a separator naming its device
  and time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from store.sync.clock import millis_of
from store.sync.journal import Entry

Key = tuple[int, str, str]
SNAPSHOT_VERSION = 1


@dataclass
class NoteRegister:
    heads: dict[str, tuple[Key, str, list[str]]] = field(default_factory=dict)
    """Versions nobody replaced: id -> (key, text, the ids that version replaced)."""
    replaced: set[str] = field(default_factory=set)


@dataclass
class PaperState:
    """One paper's registers."""

    fields: dict[str, tuple[Key, Any]] = field(default_factory=dict)
    tags: dict[str, tuple[Key, bool]] = field(default_factory=dict)
    note: NoteRegister = field(default_factory=NoteRegister)
    queue: tuple[Key, bool, str] | None = None


def separator(device: str, hlc: int) -> str:
    when = datetime.fromtimestamp(millis_of(hlc) / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"\n\n--- paperdeck: also edited on {device} at {when}; that version follows ---\n\n"


class Replica:
    """Registers per paper; `apply` is commutative, associative and idempotent."""

    def __init__(self) -> None:
        self.papers: dict[str, PaperState] = {}
        self.max_hlc = 0

    def apply(self, entry: Entry) -> bool:
        """Fold in one entry; True when it changed a register (False: known or overridden)."""
        if entry.hlc > self.max_hlc:
            self.max_hlc = entry.hlc
        paper = self.papers.get(entry.paper)
        if paper is None:
            paper = self.papers[entry.paper] = PaperState()
        key = entry.key
        args = entry.args
        if entry.op == "set":
            name = args.get("field")
            if isinstance(name, str) and name not in ("id", "tags", "note"):
                old = paper.fields.get(name)
                if old is None or old[0] < key:
                    paper.fields[name] = (key, args.get("value"))
                    return True
        elif entry.op == "tag":
            tag = args.get("tag")
            if isinstance(tag, str):
                old_tag = paper.tags.get(tag)
                if old_tag is None or old_tag[0] < key:
                    paper.tags[tag] = (key, bool(args.get("on")))
                    return True
        elif entry.op == "queue":
            rank = args.get("rank")
            if paper.queue is None or paper.queue[0] < key:
                paper.queue = (key, bool(args.get("on")), rank if isinstance(rank, str) else "")
                return True
        elif entry.op == "note":
            return self._apply_note(paper.note, entry)
        return False

    def apply_all(self, entries: list[Entry]) -> None:
        for entry in entries:
            self.apply(entry)

    @staticmethod
    def _apply_note(note: NoteRegister, entry: Entry) -> bool:
        text = entry.args.get("text")
        base = entry.args.get("base")
        changed = False
        # The versions an edit replaced are replaced even when the edit itself has been
        # replaced already: otherwise the order of arrival would decide what stays.
        for ident in base if isinstance(base, list) else ():
            if isinstance(ident, str) and ident not in note.replaced:
                note.replaced.add(ident)
                note.heads.pop(ident, None)
                changed = True
        if entry.id in note.replaced or entry.id in note.heads:
            return changed
        replaced = [i for i in base if isinstance(i, str)] if isinstance(base, list) else []
        note.heads[entry.id] = (entry.key, text if isinstance(text, str) else "", replaced)
        return True

    # -- the materialised view ------------------------------------------------------------

    def note_of(self, paper: str) -> tuple[str, list[str]]:
        """The note's text and the ids of the versions it shows (an edit's `base`)."""
        state = self.papers.get(paper)
        if state is None or not state.note.heads:
            return "", []
        heads = sorted(state.note.heads.items(), key=lambda item: item[1][0], reverse=True)
        texts: list[str] = []
        seen: set[str] = set()
        for _, (key, text, _base) in heads:
            body = text.strip()
            if not body or body in seen:
                continue
            seen.add(body)
            texts.append(text.rstrip() if not texts else separator(key[1], key[0]) + text)
        return "".join(texts), sorted(ident for ident, _ in heads)

    def fields_of(self, paper: str) -> dict[str, Any]:
        """The paper's user state as a document: every field set, `tags`, `note`, `note_base`."""
        state = self.papers.get(paper)
        if state is None:
            return {}
        doc: dict[str, Any] = {name: value for name, (_, value) in state.fields.items()}
        on = sorted((key, tag) for tag, (key, present) in state.tags.items() if present)
        doc["tags"] = [tag for _, tag in on]
        note, base = self.note_of(paper)
        doc["note"] = note
        doc["note_base"] = base
        return doc

    def queue(self) -> list[tuple[str, str]]:
        """(paper, rank) of every queued paper, in queue order."""
        members = [
            (state.queue[2], pid)
            for pid, state in self.papers.items()
            if state.queue is not None and state.queue[1]
        ]
        members.sort()
        return [(pid, rank) for rank, pid in members]

    def entries(self, device: str | None = None, after: int = -1) -> list[Entry]:
        """The entries that make this replica's state (of `device` only, stamped after `after`),
        in clock order: what a device hands on instead of its whole history.  Entries another one
        overrode are left out; they change nothing anywhere."""
        found: list[Entry] = []

        def keep(key: Key) -> bool:
            return key[0] > after and (device is None or key[1] == device)

        for pid, state in self.papers.items():
            for name, (key, value) in state.fields.items():
                if keep(key):
                    found.append(
                        Entry(key[2], key[1], key[0], pid, "set", {"field": name, "value": value})
                    )
            for tag, (key, on) in state.tags.items():
                if keep(key):
                    found.append(Entry(key[2], key[1], key[0], pid, "tag", {"tag": tag, "on": on}))
            # A version stands for every one its paper's versions replaced: a device that only
            # ever sees this one must still drop the older ones it may get from elsewhere.
            replaced = sorted(state.note.replaced)
            for key, text, _base in state.note.heads.values():
                if keep(key):
                    args = {"text": text, "base": replaced}
                    found.append(Entry(key[2], key[1], key[0], pid, "note", args))
            if state.queue is not None and keep(state.queue[0]):
                key, on, rank = state.queue
                found.append(Entry(key[2], key[1], key[0], pid, "queue", {"on": on, "rank": rank}))
        found.sort(key=lambda e: e.key)
        return found

    def documents(self) -> dict[str, dict[str, Any]]:
        return {pid: self.fields_of(pid) for pid in sorted(self.papers)}

    # -- snapshots ------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        papers: dict[str, Any] = {}
        for pid, state in self.papers.items():
            item: dict[str, Any] = {}
            if state.fields:
                item["f"] = {n: [*k, v] for n, (k, v) in state.fields.items()}
            if state.tags:
                item["t"] = {t: [*k, on] for t, (k, on) in state.tags.items()}
            if state.note.heads or state.note.replaced:
                item["n"] = {
                    "h": {i: [*k, t, b] for i, (k, t, b) in state.note.heads.items()},
                    "r": sorted(state.note.replaced),
                }
            if state.queue is not None:
                key, on, rank = state.queue
                item["q"] = [*key, on, rank]
            papers[pid] = item
        return {"version": SNAPSHOT_VERSION, "max_hlc": self.max_hlc, "papers": papers}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Replica:
        """The replica a snapshot describes; ValueError when it is not one."""
        if not isinstance(data, dict) or not isinstance(data.get("papers"), dict):
            raise ValueError("not a journal snapshot")
        version = data.get("version")
        if not isinstance(version, int) or version > SNAPSHOT_VERSION:
            raise ValueError(f"snapshot version {str(version)[:10]} is not one this reads")
        replica = cls()
        replica.max_hlc = int(data.get("max_hlc") or 0)
        try:
            for pid, item in data["papers"].items():
                state = PaperState()
                for name, (hlc, dev, ident, value) in item.get("f", {}).items():
                    state.fields[name] = ((hlc, dev, ident), value)
                for tag, (hlc, dev, ident, on) in item.get("t", {}).items():
                    state.tags[tag] = ((hlc, dev, ident), bool(on))
                note = item.get("n")
                if note:
                    for ident, (hlc, dev, eid, text, base) in note["h"].items():
                        state.note.heads[ident] = ((hlc, dev, eid), text, list(base))
                    state.note.replaced = set(note["r"])
                if "q" in item:
                    hlc, dev, ident, on, rank = item["q"]
                    state.queue = ((hlc, dev, ident), bool(on), rank)
                replica.papers[pid] = state
        except (TypeError, ValueError, KeyError, AttributeError) as error:
            raise ValueError(f"damaged snapshot ({error})") from None
        return replica
