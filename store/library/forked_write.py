"""Write a large store file from a forked child while this process goes on with other work.

An import of 100k papers writes the abstracts (157 MB of JSON: their documents made, encoded,
written and synced, 0.8-1 s) and then the catalog: the child makes and writes the abstracts
while this process encodes and writes the catalog and takes its ids and columns; it is put in place
only once the abstracts are durable, the order the store keeps (an abstract without its paper is
harmless, the reverse is not). The child runs the very same write as this process would; if it
fails for any reason (cannot fork, a full disk, killed) this process writes the file itself, so
an error reads exactly as without the child. Linux only, from the main thread only (which owns
ctrl+c: the child ignores SIGINT and is killed with the import).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from store.files.storage import StoreFile, encode

Encoder = Callable[[dict[str, Any]], bytes]

FORK_FROM_DOCUMENTS = 20_000
"""Smaller files encode in less time than a fork of a large process takes."""


def worth_forking(documents: int) -> bool:
    return (
        documents >= FORK_FROM_DOCUMENTS
        and sys.platform.startswith("linux")
        and threading.current_thread() is threading.main_thread()
        and len(os.sched_getaffinity(0)) >= 2
    )


class ForkedWrite:
    """`file.write(content)`, in a forked child where that pays; `wait()` returns once the file
    is written (by the child, or else here) and raises what a write here raises. `encoder`:
    what makes the bytes of `encode(content)`."""

    def __init__(
        self,
        file: StoreFile,
        content: dict[str, Any],
        *,
        documents: int,
        encoder: Encoder = encode,
    ) -> None:
        self.file = file
        self.content = content
        self.encoder = encoder
        self.pid: int | None = None
        if worth_forking(documents):
            with contextlib.suppress(OSError):  # cannot fork (process limits): write in wait()
                self.pid = _fork_writer(self._write)

    def _write(self) -> None:
        self.file.write_encoded(self.encoder(self.content))

    def wait(self) -> None:
        if self.pid is not None:
            pid, self.pid = self.pid, None
            try:
                _, status = os.waitpid(pid, 0)
            except BaseException:
                _kill(pid)  # ctrl+c while waiting: the child goes with the import
                raise
            if os.waitstatus_to_exitcode(status) == 0:
                return
        self._write()  # no child, or it failed: here, errors and all

    def cancel(self) -> None:
        """Stop the child if it still runs (the import failed first); idempotent."""
        if self.pid is not None:
            pid, self.pid = self.pid, None
            _kill(pid)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _fork_writer(write: Callable[[], None]) -> int:
    # Forked with SIGINT ignored: ctrl+c is for the import, which kills the child, and a child
    # that took the KeyboardInterrupt would print a traceback of its own.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow forks)
            _child(write)
    finally:
        signal.signal(signal.SIGINT, previous)  # the parent only: the child never gets here
    return pid


def _child(write: Callable[[], None]) -> None:  # pragma: no cover - see above
    code = 1
    try:
        write()
        code = 0
    except BaseException:  # noqa: BLE001 - anything: the parent writes the file itself
        pass
    finally:
        os._exit(code)  # no atexit handlers, no stdio flush: those are the parent's
