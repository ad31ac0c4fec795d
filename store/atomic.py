"""Durable file replacement: the one OS-level write primitive every store file and export uses.

Temp file in the same directory, fsync, `os.replace`, fsync the directory: a crash at any instant
leaves the old file or the new one, never a mix (see STACK-FACTS: in-place writes lost files).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from store.errors import StoreWriteError

TEMP_SUFFIX = ".tmp"


def is_temp_of(name: str, target: Path) -> bool:
    """Whether the file `name` beside `target` is one of its temps (`.NAME.*.tmp`, as
    `_make_temp` names them): what the store's cleanup removes."""
    prefix = f".{target.name}."
    return (
        name.startswith(prefix)
        and name.endswith(TEMP_SUFFIX)
        and len(name) >= len(prefix) + len(TEMP_SUFFIX)
    )


def fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform lets a directory be opened
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(
    path: Path,
    data: bytes,
    *,
    before_replace: Callable[[Path], None] | None = None,
    mode: int | None = None,
    durable: bool = True,
) -> None:
    """Replace `path` with `data` so that a crash at any instant leaves the old or the new file.

    `before_replace(path)` runs once the new data is safely on disk, while `path` still holds
    the old content (the store keeps a backup there).  A symlinked `path` is written through to
    its final target, in the target's folder, so the link survives.  Every OSError (no space,
    no inodes, a read-only folder, too many open files) becomes one StoreWriteError naming
    `path`, and no temp file is left.  The file is private (0600, as mkstemp makes it) unless
    `mode` says otherwise (exports: see `store.export.write`).

    Without `durable` nothing is synced: a crash may leave the old file, the new one, or a new
    one cut short or empty. Only for files derived from the store, which their readers check
    whole and rebuild (the catalog's columns: its sync was 65-90 ms of a 100k import).
    """
    StagedWrite(path, data, before_replace=before_replace, mode=mode, durable=durable).commit()


class StagedWrite:
    """`write_atomic` in two steps: made, the new content is in its temp file beside `path`
    and synced (the slow part, errors as `write_atomic`'s); `commit()` puts it in place, or
    `discard()` removes it.  An import writes the catalog this way while the abstracts that
    must be on disk before it are still being written; a temp left by a process killed
    between the two is removed by the store's cleanup, under the file's lock.

    With `sync_meanwhile` the content is written now and synced on a thread of its own, which
    `commit()` waits for (and reports the failure of): the import goes on with the catalog's
    ids and columns while the disk takes its 42 MB (0.12-0.14 s at 100k papers)."""

    def __init__(
        self,
        path: Path,
        data: bytes,
        *,
        before_replace: Callable[[Path], None] | None = None,
        mode: int | None = None,
        durable: bool = True,
        sync_meanwhile: bool = False,
    ) -> None:
        self.shown = path
        self.path = write_target(path)
        self.before_replace = before_replace
        self.durable = durable
        self.temp: str | None = None
        self._syncing: threading.Thread | None = None
        self._sync_error: OSError | None = None
        with self._discarded_on_error():
            held = _hold_interrupts()
            try:
                fd, self.temp = _make_temp(self.path)
            finally:
                # Only now, with the name known to the cleanup below, may an interrupt land.
                _release_interrupts(held)
            try:
                with os.fdopen(fd, "wb", closefd=not sync_meanwhile) as handle:
                    if mode is not None and hasattr(os, "fchmod"):
                        os.fchmod(handle.fileno(), mode)
                    handle.write(data)
                    handle.flush()
                    if durable and not sync_meanwhile:
                        os.fsync(handle.fileno())
            except BaseException:
                if sync_meanwhile:  # kept open for the sync that will not come
                    os.close(fd)
                raise
            if sync_meanwhile:
                self._syncing = threading.Thread(
                    target=self._sync, args=(fd,), name="paperdeck-sync", daemon=True
                )
                self._syncing.start()

    def _sync(self, fd: int) -> None:
        try:
            if self.durable:
                os.fsync(fd)
        except OSError as error:
            self._sync_error = error
        finally:
            os.close(fd)

    def _synced(self) -> None:
        """Wait for the sync under way, if any; its failure raised here."""
        syncing, self._syncing = self._syncing, None
        if syncing is not None:
            syncing.join()
        if self._sync_error is not None:
            error, self._sync_error = self._sync_error, None
            raise error

    def stat(self) -> os.stat_result:
        """The new file's: its inode, time and size stay the same once it is in place."""
        assert self.temp is not None, "already committed or discarded"
        return os.stat(self.temp)

    def commit(self) -> None:
        temp = self.temp
        assert temp is not None, "already committed or discarded"
        with self._discarded_on_error():
            self._synced()
            if self.before_replace is not None and self.path.exists():
                self.before_replace(self.path)
            os.replace(temp, self.path)
            self.temp = None
        if self.durable:
            fsync_directory(self.path.parent)

    @contextlib.contextmanager
    def _discarded_on_error(self) -> Iterator[None]:
        """On any error the temp file goes; an OSError becomes one StoreWriteError naming the
        file written."""
        try:
            yield
        except OSError as error:
            self.discard()
            raise StoreWriteError(self.shown, error) from None
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove the temp file, if it is still there; idempotent."""
        with contextlib.suppress(OSError):
            self._synced()  # never unlinked under a sync still writing it
        temp, self.temp = self.temp, None
        _discard(temp)


_TEMP_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789_"


def _make_temp(path: Path) -> tuple[int, str]:
    """A new private file `.NAME.XXXXXXXX.tmp` beside `path`, open for writing, as
    `tempfile.mkstemp` makes it, without importing `tempfile` (with `shutil`, `random` and the
    compressors they bring: 7 ms of every start)."""
    for _ in range(100):
        tail = "".join(_TEMP_LETTERS[byte % len(_TEMP_LETTERS)] for byte in os.urandom(8))
        temp = os.path.join(path.parent, f".{path.name}.{tail}{TEMP_SUFFIX}")
        try:
            return os.open(
                temp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600
            ), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(path))


def write_target(path: Path) -> Path:
    """Where writing `path` must land: a symlink's final target (so the link survives and its
    target gets the update, as with a state file kept in a synced folder); else `path`."""
    if path.is_symlink():
        return Path(os.path.realpath(path))
    return path


_INTERRUPTS = frozenset({signal.SIGINT, signal.SIGTERM})


def _hold_interrupts() -> set[int | signal.Signals] | None:
    """Hold back SIGINT and SIGTERM while a temp file is created and named, so an interrupt can
    never strand a temp file the cleanup does not know of (main thread only: Python runs
    signal handlers there)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _INTERRUPTS)


def _release_interrupts(held: set[int | signal.Signals] | None) -> None:
    if held is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _discard(temp: str | None) -> None:
    if temp is not None:
        with contextlib.suppress(OSError):
            os.unlink(temp)
