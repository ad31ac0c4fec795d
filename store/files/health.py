"""Is each store file sound, and bringing back a good backup when one is not (`paperdeck doctor`).

A damaged file is never replaced silently: `restore` keeps it beside the restored one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

from store.atomic import is_temp_of, write_target
from store.errors import DamagedStore, StoreError, StoreWriteError
from store.files.storage import (
    StoreFile,
    backups_of,
    keep_backup,
    lock_if_free,
    write_atomic_bytes,
)


def check(files: Iterable[StoreFile]) -> list[tuple[StoreFile, str | None]]:
    """Each store file with None when it is sound, else what is wrong with it."""
    results: list[tuple[StoreFile, str | None]] = []
    for store_file in files:
        try:
            store_file.load()
        except StoreError as error:
            results.append((store_file, str(error)))
        else:
            results.append((store_file, None))
    return results


def check_ends(path: Path) -> None:
    """A cheap check of a large JSON file: does it start and end like one (DamagedStore if not)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64).lstrip()
            handle.seek(max(0, path.stat().st_size - 64))
            tail = handle.read().rstrip()
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"{path}: cannot read ({error.strerror or error})") from None
    if not head.startswith(b"{") or not tail.endswith(b"}"):
        raise DamagedStore(path, "truncated or not JSON")


def remove_stale_temps(files: Iterable[StoreFile]) -> None:
    """Each file's leftovers, where its lock is free now: never waits (see StoreFile). Each
    folder is listed once, and only a file with a temp beside it takes its lock (every start
    and command runs this, and almost always there is none: six locks and globs took 2-3 ms)."""
    listed: dict[Path, list[str] | None] = {}
    for store_file in files:
        target = write_target(store_file.path)
        if target.parent not in listed:
            try:
                listed[target.parent] = os.listdir(target.parent)
            except OSError:
                listed[target.parent] = None  # the file's own cleanup says what is wrong, or not
        names = listed[target.parent]
        if names is None or any(is_temp_of(name, target) for name in names):
            store_file.remove_stale_temps()


def take_backups(files: Iterable[StoreFile]) -> None:
    """Keep a version of each file that has backups (never a damaged one over good backups).

    Never waits: a file whose lock another process holds now is skipped (the app's start must
    not hang behind a stopped process; the next write's ten-minute backup covers it)."""
    for store_file in files:
        if store_file.path.exists() and store_file.backup_dir is not None:
            with lock_if_free(store_file.lock_path) as free:
                if not free:
                    continue
                store_file.read()
                keep_backup(store_file.path, store_file.backup_dir, kept=store_file.backups_kept)


def good_backup(store_file: StoreFile) -> Path | None:
    """The newest backup of `store_file` that reads as sound, if any."""
    if store_file.backup_dir is None:
        return None
    for candidate in backups_of(store_file.path, store_file.backup_dir):
        try:
            probe = StoreFile(candidate, store_file.kind)
            probe.read()
        except StoreError:
            continue
        return candidate
    return None


def restore(store_file: StoreFile, backup: Path) -> Path:
    """Put `backup` in place of the (damaged) file, which is kept aside; the aside path."""
    import shutil  # only here: with its compressors, 5 ms of every start

    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = store_file.path.with_name(f"{store_file.path.name}.damaged-{stamp}")
    with store_file.locked():
        try:
            data = backup.read_bytes()
            # A copy, then an atomic replace: a restore killed at any instant leaves a file in
            # place (renaming it aside first left none in 39 of 40 kills).
            if store_file.path.exists():
                shutil.copyfile(store_file.path, aside)
        except OSError as error:  # a read-only or full folder: one line, nothing changed
            raise StoreWriteError(store_file.path, error) from None
        write_atomic_bytes(store_file.path, data)
    return aside
