"""Write exports whole or not at all (temp file, fsync, rename).

A directory export keeps a manifest of the files paperdeck wrote, so a re-export updates those in
place and never touches a file someone else wrote or edited.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from store import atomic
from store.errors import ExportError, StoreWriteError
from store.export.render import paper_document, render, slugify
from store.models import Record

MANIFEST = ".paperdeck-export.json"


def write_atomic(path: Path, text: str) -> None:
    try:
        atomic.write_atomic(path, text.encode("utf-8"))
    except StoreWriteError as error:
        raise ExportError(str(error).replace("could not save", "could not export")) from None


def export_file(
    fmt: str,
    records: Sequence[Record],
    path: Path,
    *,
    now: datetime,
    include_all: bool,
    force: bool = False,
) -> Path:
    """Write one export file; an existing file is kept unless `force`."""
    if path.is_dir():
        raise ExportError(f"export: {path} is a directory; name a file, or use --dir")
    if path.exists() and not force:
        raise ExportError(f"export: {path} exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise ExportError(f"export: folder {path.parent} does not exist; create it first")
    write_atomic(path, render(fmt, records, now=now, include_all=include_all))
    return path


@dataclass
class DirExportReport:
    written: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_manifest(directory: Path) -> dict[str, dict[str, str]]:
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        raise ExportError(
            f"export: {path} is unreadable; move it away to export into {directory} again"
        ) from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(v, dict)}


def export_dir(
    records: Sequence[Record], directory: Path, *, now: datetime, force: bool = False
) -> DirExportReport:
    """One Markdown file per paper in `directory` (created if missing)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"export: cannot create {directory} ({error.strerror})") from None
    manifest = _read_manifest(directory)
    by_paper = {entry.get("id"): name for name, entry in manifest.items()}
    report = DirExportReport()
    taken = set(manifest)
    for record in records:
        name = by_paper.get(record.id)
        if name is None:
            name = f"{slugify(record.title)}.md"
            if name in taken or (directory / name).exists():
                name = f"{slugify(record.title, max_len=71)}-{record.id}.md"
        taken.add(name)
        path = directory / name
        text = paper_document(record)
        entry = manifest.get(name)
        if path.exists():
            if entry is None or entry.get("id") != record.id:
                report.skipped.append((path, "a file paperdeck did not write"))
                continue
            current = path.read_text(encoding="utf-8", errors="replace")
            if _digest(current) != entry.get("sha256") and not force:
                report.skipped.append((path, "edited since the last export; --force overwrites"))
                continue
            if current == text:
                report.unchanged.append(path)
                continue
            write_atomic(path, text)
            report.updated.append(path)
        else:
            write_atomic(path, text)
            report.written.append(path)
        manifest[name] = {"id": record.id, "sha256": _digest(text)}
    write_atomic(
        directory / MANIFEST,
        json.dumps({"exported": now.isoformat(), "files": manifest}, indent=2) + "\n",
    )
    return report
