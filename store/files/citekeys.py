"""Citation keys as stored in `citekeys.json` (table `citekeys`), apart from `UserState`.

Apart, so that nothing that edits, merges or undoes a paper's tags and notes can change or drop
a key, and so that a library of 100k keyed papers does not make every tag write rewrite them:
a key is written when first assigned, and then only by `rekey` or a merge (which adds aliases).
Every change re-reads the file under its lock, so two processes never hand out the same key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from store.files.documents import PAPERS_TABLE, table_docs
from store.files.storage import StoreFile
from store.models import Record

if TYPE_CHECKING:
    from store.export.citekey import KeyAllocator

CITEKEYS_TABLE = PAPERS_TABLE
"""One document per paper, like every other store file (so `CachedDocs` reads it)."""


class CiteKey(NamedTuple):
    key: str
    aliases: tuple[str, ...] = ()


def read_citekeys(content: dict[str, Any]) -> dict[str, CiteKey]:
    """Keys by paper id from the file's content."""
    return citekeys_from(table_docs(content, CITEKEYS_TABLE))


def citekeys_from(docs: Iterable[dict[str, Any]]) -> dict[str, CiteKey]:
    """Keys by paper id (documents that do not make sense skipped)."""
    found: dict[str, CiteKey] = {}
    for doc in docs:
        pid, key, aliases = doc.get("id"), doc.get("key"), doc.get("aliases")
        if isinstance(pid, str) and isinstance(key, str) and key:
            kept = tuple(a for a in aliases or () if isinstance(a, str) and a and a != key)
            found[pid] = CiteKey(key, kept)
    return found


def visible_aliases(
    keys: Mapping[str, CiteKey], pid: str, visible: Iterable[str]
) -> tuple[str, ...]:
    """A paper's aliases, less any that is another shown paper's own key (an undone merge
    gives the paper its key back)."""
    entry = keys.get(pid)
    if entry is None or not entry.aliases:
        return ()
    owned = {keys[other].key for other in visible if other != pid and other in keys}
    return tuple(a for a in entry.aliases if a not in owned)


def _write(content: dict[str, Any], keys: Mapping[str, CiteKey]) -> None:
    content[CITEKEYS_TABLE] = {
        str(n): {"id": pid, "key": entry.key, "aliases": list(entry.aliases)}
        for n, (pid, entry) in enumerate(keys.items(), start=1)
    }


def _allocator(keys: Mapping[str, CiteKey]) -> KeyAllocator:
    """Keys and aliases taken: an alias still names its paper, so it is never given to another."""
    from store.export.citekey import KeyAllocator  # with the formulas: only to give keys

    return KeyAllocator(k for entry in keys.values() for k in (entry.key, *entry.aliases))


def _disambiguated(key: str, base: str) -> bool:
    """`smith2020Fooa` is `smith2020Foo` made unique: still what the formula gives."""
    return key.startswith(base) and re.fullmatch(r"[a-z]{1,2}|-\d+", key[len(base) :]) is not None


Written = Callable[[Mapping[str, CiteKey]], None]
"""Told every stored key right after the keys file was written, still under its lock."""


def assign_citekeys(
    keys_file: StoreFile,
    records: Sequence[Record],
    pattern: str,
    *,
    rekey: bool = False,
    written: Written | None = None,
) -> dict[str, CiteKey]:
    """Give every paper in `records` that has no key one (all of them with `rekey`, the old
    key kept as an alias); returns every stored key.  Written once, under the lock; when every
    paper has its key already, only read."""
    from store.export.citekey import format_key, parse_pattern  # only to give keys

    terms = parse_pattern(pattern)
    if not rekey and all(r.citekey for r in records):
        known = read_citekeys(keys_file.load())
        if all(r.id in known for r in records):
            return known
    with keys_file.locked():
        content = keys_file.read()
        keys = read_citekeys(content)
        taken = _allocator(keys)
        changed = False
        for record in records:
            old = keys.get(record.id)
            if old is not None and not rekey:
                continue
            base = format_key(terms, record)
            if old is not None and (old.key == base or _disambiguated(old.key, base)):
                continue  # the formula gives the same key: nothing to do
            key = taken.allocate(base)
            if old is None:
                keys[record.id] = CiteKey(key)
            else:
                aliases = tuple(dict.fromkeys((*old.aliases, old.key)))
                keys[record.id] = CiteKey(key, tuple(a for a in aliases if a != key))
            changed = True
        if changed:
            _write(content, keys)
            keys_file.write(content)
            if written is not None:
                written(keys)
        return keys


def merge_citekeys(
    keys_file: StoreFile, keep: Record, drop: str, pattern: str, written: Written | None = None
) -> dict[str, CiteKey]:
    """After `drop` was merged into `keep`: `keep` keeps its key (one is assigned if it had
    none) and lists `drop`'s key and aliases as its own aliases, so old `\\cite{}`s resolve."""
    from store.export.citekey import format_key, parse_pattern  # only to give keys

    terms = parse_pattern(pattern)
    with keys_file.locked():
        content = keys_file.read()
        keys = read_citekeys(content)
        dropped = keys.get(drop)
        if dropped is None:
            return keys  # a key never assigned was never cited
        kept = keys.get(keep.id)
        if kept is None:
            kept = CiteKey(_allocator(keys).allocate(format_key(terms, keep)))
        aliases = tuple(dict.fromkeys((*kept.aliases, dropped.key, *dropped.aliases)))
        keys[keep.id] = CiteKey(kept.key, tuple(a for a in aliases if a != kept.key))
        _write(content, keys)
        keys_file.write(content)
        if written is not None:
            written(keys)
        return keys
