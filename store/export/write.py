"""Write exports whole or not at all (temp file, fsync, rename).

A directory export keeps a manifest of the files paperdeck wrote, so a re-export updates those in
place and never touches a file someone else wrote or edited.  The manifest names only plain file
names inside the folder (a shared or cloned vault's manifest is not trusted with paths), and it
records each file before the file lands, so an export killed halfway is finished, not doubled,
by the next one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from store import atomic
from store.atomic import TEMP_SUFFIX
from store.errors import ExportError, StoreWriteError
from store.export.markdown import paper_document, slugify
from store.export.render import render
from store.models import Record

MANIFEST = ".paperdeck-export.json"
BATCH = 64
"""Files written per manifest update: the manifest lists a batch before its files land."""
# The temp files `atomic.write_atomic` makes: `.NAME.` + mkstemp's 8 characters + `.tmp`.
_TEMP_RE = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + "$")


def current_umask() -> int:
    """The process umask, read without changing it where the system says (Linux); elsewhere
    set and restored at once (a thread creating a file in between is the only risk)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def export_mode(path: Path) -> int:
    """An existing file keeps its mode; a new one gets what any program would give it
    (0666 less the umask): exports are meant to be shared, unlike the store's own files."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def write_atomic(path: Path, text: str) -> None:
    try:
        atomic.write_atomic(path, text.encode("utf-8"), mode=export_mode(path))
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
    remove_stale_temps(path.parent, {path.name})
    write_atomic(path, render(fmt, records, now=now, include_all=include_all))
    return path


def remove_stale_temps(directory: Path, names: set[str] | None = None) -> None:
    """Temp files a killed export left beside `names` (every export file when None)."""
    with contextlib.suppress(OSError):
        for candidate in directory.iterdir():
            match = _TEMP_RE.match(candidate.name)
            if match is None:
                continue
            name = match.group("name")
            ours = name in names if names is not None else name.endswith(".md") or name == MANIFEST
            if ours and candidate.is_file() and not candidate.is_symlink():
                with contextlib.suppress(OSError):
                    candidate.unlink()


def plain_name(name: object) -> bool:
    """A file name paperdeck may write in an export folder: one component, no path, no link
    trickery possible through the name itself (`../x.md`, `/etc/x`, `a/b.md`, `C:x` refused)."""
    return (
        isinstance(name, str)
        and name.endswith(".md")
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and ":" not in name
        and "\x00" not in name
        and Path(name).name == name
        and not Path(name).is_absolute()
    )


@dataclass
class DirExportReport:
    written: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_manifest(directory: Path, report: DirExportReport) -> dict[str, dict[str, str]]:
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
    manifest: dict[str, dict[str, str]] = {}
    for name, entry in files.items():
        if not plain_name(name):
            report.skipped.append(
                (directory / MANIFEST, f"ignored {name!r}: not a plain file name in this folder")
            )
        elif isinstance(entry, dict) and isinstance(entry.get("id"), str):
            manifest[name] = entry
    return manifest


def _write_manifest(directory: Path, now: datetime, manifest: dict[str, dict[str, str]]) -> None:
    write_atomic(
        directory / MANIFEST,
        json.dumps({"exported": now.isoformat(), "files": manifest}, indent=2) + "\n",
    )


def export_dir(
    records: Sequence[Record], directory: Path, *, now: datetime, force: bool = False
) -> DirExportReport:
    """One Markdown file per paper in `directory` (created if missing)."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"export: cannot create {directory} ({error.strerror})") from None
    report = DirExportReport()
    remove_stale_temps(directory)
    manifest = _read_manifest(directory, report)
    by_paper = {entry.get("id"): name for name, entry in manifest.items()}
    taken = set(manifest)
    pending: list[tuple[Path, str, bool]] = []  # (path, text, replaces an existing file)
    for record in records:
        name = by_paper.get(record.id)
        if name is None:
            name = f"{slugify(record.title)}.md"
            if name in taken or _occupied(directory / name):
                name = f"{slugify(record.title, max_len=71)}-{record.id}.md"
        taken.add(name)
        path = directory / name
        text = paper_document(record)
        entry = manifest.get(name)
        if path.is_symlink() or (_occupied(path) and not path.is_file()):
            report.skipped.append((path, "not a regular file; paperdeck writes only its own files"))
            continue
        if path.exists():
            if entry is None or entry.get("id") != record.id:
                report.skipped.append((path, "a file paperdeck did not write"))
                continue
            current = path.read_text(encoding="utf-8", errors="replace")
            digest = _digest(current)
            # `previous`: the manifest listed a new version that a killed export never wrote.
            if digest not in (entry.get("sha256"), entry.get("previous")) and not force:
                report.skipped.append((path, "edited since the last export; --force overwrites"))
                continue
            if current == text:
                report.unchanged.append(path)
                manifest[name] = {"id": record.id, "sha256": digest}
                continue
            manifest[name] = {"id": record.id, "sha256": _digest(text), "previous": digest}
            pending.append((path, text, True))
        else:
            manifest[name] = {"id": record.id, "sha256": _digest(text)}
            pending.append((path, text, False))
    for start in range(0, len(pending), BATCH):
        # The manifest lists this batch before any of its files lands.
        _write_manifest(directory, now, manifest)
        for path, text, existed in pending[start : start + BATCH]:
            write_atomic(path, text)
            (report.updated if existed else report.written).append(path)
    for entry in manifest.values():
        entry.pop("previous", None)
    _write_manifest(directory, now, manifest)
    return report


def _occupied(path: Path) -> bool:
    return path.exists() or path.is_symlink()
