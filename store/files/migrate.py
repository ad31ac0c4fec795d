"""Ids of earlier versions (8 characters, the longer ones depending on import order) become the
16-character ids every device computes alike, in all four files, under their locks.

The catalog is rewritten last and marks the migration done (`"ids": 16` in its schema record),
so a crash part-way leaves files that the next open migrates again: its mapping also maps new
ids to themselves.  A backup of every file is kept first.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from store.catalog.importing import ID_LENGTH, unique_id
from store.files.documents import PAPERS_TABLE, QUEUE_TABLE
from store.files.storage import META_TABLE, StoreFile
from store.text import title_key

MARK = f'"ids":{ID_LENGTH}'.encode()


def ids_current(catalog: Path) -> bool:
    """True when the catalog is absent or already has this version's ids (a cheap look at the
    file's first bytes, where its schema record is)."""
    try:
        with catalog.open("rb") as handle:
            head = handle.read(512)
    except FileNotFoundError:
        return True
    except OSError:
        return True  # the reading code reports it
    return MARK in head


def mark(content: dict[str, Any]) -> None:
    content.setdefault(META_TABLE, {}).setdefault("1", {})["ids"] = ID_LENGTH


def id_mapping(catalog_content: dict[str, Any]) -> dict[str, str]:
    docs = [
        d
        for d in catalog_content.get(PAPERS_TABLE, {}).values()
        if isinstance(d, dict) and isinstance(d.get("id"), str) and isinstance(d.get("title"), str)
    ]
    taken: dict[str, str] = {}
    mapping: dict[str, str] = {}
    # Sorted by title, so even an 80-bit collision resolves the same way on every device.
    for doc in sorted(docs, key=lambda d: (title_key(d["title"]), d["id"])):
        key = title_key(doc["title"])
        new = unique_id(key, taken)
        taken[new] = key
        mapping[doc["id"]] = new
    for new in list(mapping.values()):
        mapping.setdefault(new, new)
    return mapping


def _rename_docs(content: dict[str, Any], mapping: dict[str, str]) -> bool:
    changed = False
    for doc in content.get(PAPERS_TABLE, {}).values():
        if not isinstance(doc, dict):
            continue
        for name in ("id", "duplicate_of"):
            value = doc.get(name)
            if isinstance(value, str) and mapping.get(value, value) != value:
                doc[name] = mapping[value]
                changed = True
    for doc in content.get(QUEUE_TABLE, {}).values():
        ids = doc.get("ids") if isinstance(doc, dict) else None
        if isinstance(ids, list):
            new = [mapping.get(i, i) if isinstance(i, str) else i for i in ids]
            if new != ids:
                doc["ids"] = new
                changed = True
    return changed


def migrate_ids(catalog: StoreFile, others: tuple[StoreFile, ...], drafts: Path) -> dict[str, str]:
    """Give every paper its new id everywhere; returns {old id: new id} of the ids that changed."""
    with contextlib.ExitStack() as stack:
        for store_file in (catalog, *others):
            stack.enter_context(store_file.locked())
        content = catalog.read()
        if ids_current(catalog.path):
            return {}  # another process did it while we waited for the locks
        mapping = id_mapping(content)
        changed = {old: new for old, new in mapping.items() if old != new}
        for store_file in others:
            if not store_file.path.exists():
                continue
            other = store_file.read()
            if _rename_docs(other, mapping):
                store_file.write(other, backup=True)
        if drafts.is_dir():
            for old, new in changed.items():
                with contextlib.suppress(OSError):
                    draft = drafts / f"{old}.md"
                    if draft.exists() and not (drafts / f"{new}.md").exists():
                        draft.rename(drafts / f"{new}.md")
        _rename_docs(content, mapping)
        mark(content)
        catalog.write(content, backup=True)
        return changed
