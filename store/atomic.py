"""Durable file replacement: the one OS-level write primitive every store file and export uses.

Temp file in the same directory, fsync, `os.replace`, fsync the directory: a crash at any instant
leaves the old file or the new one, never a mix (see STACK-FACTS: in-place writes lost files).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from store.errors import StoreWriteError

TEMP_SUFFIX = ".tmp"


def fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform lets a directory be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(
    path: Path, data: bytes, *, before_replace: Callable[[Path], None] | None = None
) -> None:
    """Replace `path` with `data` so that a crash at any instant leaves the old or the new file.

    `before_replace(path)` runs once the new data is safely on disk, while `path` still holds
    the old content (the store keeps a backup there).
    """
    directory = path.parent
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=directory)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if before_replace is not None and path.exists():
            before_replace(path)
        os.replace(temp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise StoreWriteError(path, error) from None
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_directory(directory)
