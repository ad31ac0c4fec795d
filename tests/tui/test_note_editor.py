"""The note editor never loses typed text: every way of leaving it saves, a crash leaves a draft
that comes back, and so do failing stores, slow saves, bursts of keys and huge notes.

A full disk is real where a tmpfs can be mounted (`test_a_real_full_disk_...`, root only); the
other failure tests make the store's atomic write raise ENOSPC (or the lock time out) in-process
for the store's folder only, so the cache directory still takes drafts, as on a machine whose
data disk is full.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Markdown, TextArea

import store.atomic
import store.drafts
import store.files.storage
from store.drafts import cache_drafts_directory
from store.files.storage import StoreLocked, StoreWriteError
from store.library import Library
from store.paths import bundled_seeds
from tests.tui.pilot import SIZE, app_for, settle, stored, table
from tui.app import PaperdeckApp
from tui.screens.note_editor import NOTE_EDITOR_LIMIT, NoteEditor

REAL_WRITE = store.atomic.write_atomic


def fail_writes_under(
    monkeypatch: pytest.MonkeyPatch, root: Path | None, error: int = errno.ENOSPC
) -> None:
    """Every atomic write under `root` (everywhere when None) fails as on a full disk."""

    def write(path: Path, data: bytes, **kwargs: Any) -> None:
        if root is None or path.resolve().is_relative_to(root.resolve()):
            raise StoreWriteError(path, OSError(error, os.strerror(error)))
        REAL_WRITE(path, data, **kwargs)

    # The one write primitive, as the store's files and the drafts call it.
    for module in (store.atomic, store.files.storage, store.drafts):
        monkeypatch.setattr(module, "write_atomic", write)


def spy_notifications(app: PaperdeckApp) -> list[str]:
    said: list[str] = []
    real = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        said.append(message)
        real(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return said


def status(app: PaperdeckApp) -> str:
    return str(app.screen.query_one("#note-status").render())


def cached_draft(library: Library, pid: str) -> str | None:
    path = cache_drafts_directory(library.root) / f"{pid}.md"
    return path.read_text(encoding="utf-8") if path.exists() else None


def burst(app: PaperdeckApp, keys: list[str]) -> None:
    """Keys as a terminal delivers a paste or fast typing: all queued before any is handled."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        char = key if len(key) == 1 else None
        name = {" ": "space"}.get(key, key)
        event = events.Key(name, char)
        event.set_sender(app)
        driver.send_message(event)


async def test_note_editor_saves_on_ctrl_s_escape_and_quit(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pid = table(app).records[0].id
        await pilot.press("n")
        assert isinstance(app.focused, TextArea)
        await pilot.press(*"hello [bold]")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert stored(library).states()[pid].note == "hello [bold]"
        await pilot.press(*" more", "escape")
        await settle(app, pilot)
        assert stored(library).states()[pid].note == "hello [bold] more"
        assert type(app.screen).__name__ == "PapersScreen"
        await pilot.press("n", *" at quit")
        app.exit()
    assert stored(library).states()[pid].note == "hello [bold] more at quit"


async def test_a_draft_left_by_a_crash_comes_back(library: Library) -> None:
    pid = sorted(library.papers())[0]
    library.save_draft(pid, "typed before the crash")
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table(app).move_to(pid)
        await pilot.press("n")
        assert app.screen.query_one(TextArea).text == "typed before the crash"
        await pilot.press("escape")
        await settle(app, pilot)
    assert stored(library).states()[pid].note == "typed before the crash"
    assert library.draft(pid) is None


async def test_a_full_store_keeps_the_editor_open_and_the_text_in_a_cache_draft(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    said = spy_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pid = table(app).records[0].id
        await pilot.press("n")
        fail_writes_under(monkeypatch, library.root)
        await pilot.press(*"precious words")
        await pilot.pause(0.8)  # the draft timer fires on a full store
        assert app.is_running and isinstance(app.screen, NoteEditor)
        assert cached_draft(library, pid) == "precious words"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteEditor)
        assert "No space left on device" in status(app)
        assert "Note saved." not in said
        await pilot.press("escape")  # retries, fails again: still open, the text kept
        await settle(app, pilot)
        assert isinstance(app.screen, NoteEditor)
        assert "esc again closes" in status(app)
        assert stored(library).states().get(pid) is None or not stored(library).states()[pid].note
        monkeypatch.undo()  # space freed
        await pilot.press(*" more", "ctrl+s")
        await settle(app, pilot)
        assert stored(library).states()[pid].note == "precious words more"
        assert "Note saved." in said
        assert library.draft(pid) is None and cached_draft(library, pid) is None
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PapersScreen"


async def test_escape_again_after_a_failed_close_keeps_the_draft_and_it_comes_back(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pid = table(app).records[0].id
        fail_writes_under(monkeypatch, library.root, errno.EROFS)
        await pilot.press("n", *"kept", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteEditor)
        assert "Read-only file system" in status(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PapersScreen"
        assert cached_draft(library, pid) == "kept"
        monkeypatch.undo()
        await pilot.press("n")
        assert app.screen.query_one("#note-text").text == "kept"  # type: ignore[attr-defined]
        await pilot.press("escape")
        await settle(app, pilot)
    assert stored(library).states()[pid].note == "kept"
    assert library.draft(pid) is None


async def test_nothing_writable_anywhere_never_closes_the_editor(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        fail_writes_under(monkeypatch, None)
        await pilot.press("n", *"nowhere", "escape")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.query_one("#note-text").text == "nowhere"  # type: ignore[attr-defined]
        assert "Not saved" in status(app)


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
            capture_output=True,
        )
    except OSError:
        pytest.skip("no mount command here")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(directory: Path) -> Path:
    filler = directory / "filler"
    with filler.open("wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()
    return filler


async def test_a_real_full_disk_keeps_the_text(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "3m") as disk:
        library = Library.open(disk / "data")
        library.import_files(bundled_seeds())
        filler = fill(disk)
        app = app_for(library)
        said = spy_notifications(app)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            pid = table(app).records[0].id
            await pilot.press("n", *"typed on a full disk")
            await pilot.pause(0.8)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, NoteEditor) and "Note saved." not in said
            assert "No space left on device" in status(app)
            assert cached_draft(library, pid) == "typed on a full disk"
            filler.unlink()
            await pilot.press("escape")
            await settle(app, pilot)
            assert type(app.screen).__name__ == "PapersScreen"
        assert stored(library).states()[pid].note == "typed on a full disk"


class Gate:
    """Holds `Library.set_note` until opened, as a store lock held by another process does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, library_type: type[Library]) -> None:
        self.open = threading.Event()
        self.entered = threading.Event()
        self.fail: Callable[[], Exception] | None = None
        real = library_type.set_note

        def set_note(library: Library, *args: Any, **kwargs: Any) -> Any:
            self.entered.set()
            self.open.wait(10)
            if self.fail is not None:
                raise self.fail()
            return real(library, *args, **kwargs)

        monkeypatch.setattr(library_type, "set_note", set_note)


async def test_saved_is_shown_only_after_the_write_returned(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch, Library)
    app = app_for(library)
    said = spy_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pid = table(app).records[0].id
        await pilot.press("n", *"slow disk", "ctrl+s")
        await pilot.pause(0.2)
        assert gate.entered.is_set() and "Note saved." not in said
        assert "Saving" in status(app)
        gate.open.set()
        await settle(app, pilot)
        assert "Note saved." in said
        assert stored(library).states()[pid].note == "slow disk"


async def test_a_lock_timeout_then_escape_retries_and_text_typed_just_before_has_a_draft(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(monkeypatch, Library)
    gate.fail = lambda: StoreLocked(library.state_file.lock_path, 10)
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pid = table(app).records[0].id
        await pilot.press("n", *"first", "ctrl+s")
        gate.open.set()
        await settle(app, pilot)
        assert "held the store lock" in status(app) and isinstance(app.screen, NoteEditor)
        gate.open.clear()
        gate.entered.clear()
        burst(app, [*" and last", "escape"])  # escape well within 0.5 s of the typing
        await pilot.pause(0.1)
        assert gate.entered.wait(5)  # escape retried the save
        assert library.draft(pid) == "first and last"  # durable before the save returns
        gate.fail = None
        gate.open.set()
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PapersScreen"
    assert stored(library).states()[pid].note == "first and last"
    assert library.draft(pid) is None


async def test_keys_arriving_in_one_burst_are_all_saved_in_order(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        ids = [r.id for r in table(app).records[:4]]
        for n, pid in enumerate(ids):
            table(app).move_to(pid)
            # `n` and the note in one burst, as a paste or tmux delivers them: the keys after
            # `n` reach the list before the editor opens, and `home`/`ctrl+k` are bindings.
            text = f"burst {n}: the quick brown fox"
            burst(app, ["n", *text, "home", *"> ", "end", "ctrl+s", *" and", "escape"])
            await settle(app, pilot)
            assert type(app.screen).__name__ == "PapersScreen"
            assert stored(library).states()[pid].note == f"> {text} and"
            assert stored(library).states()[pid].tags == ()  # no key acted on the list


async def test_a_conflicting_edit_gives_one_banner_once(library: Library) -> None:
    app = app_for(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        pid = table(app).records[0].id
        await pilot.press("n", *"mine")
        Library(library.root).set_note(pid, "theirs")  # another process, meanwhile
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        note = stored(library).states()[pid].note
        assert note.startswith("mine") and note.endswith("theirs")
        assert "changed elsewhere" in status(app)
        shown = app.screen.query_one("#note-text").text  # type: ignore[attr-defined]
        assert shown == note  # the other version is in the editor now
        await pilot.press(*" and more", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("ctrl+s", "escape")
        await settle(app, pilot)
    note = stored(library).states()[pid].note
    assert note.count("changed elsewhere") == 1, note
    assert note.endswith("theirs and more")


async def test_a_huge_note_is_refused_by_the_editor_and_shortened_in_the_view(
    library: Library,
) -> None:
    pid = sorted(library.papers())[0]
    library.set_note(pid, "# big\n\n" + "word " * (NOTE_EDITOR_LIMIT // 5 + 10))
    app = app_for(library)
    said = spy_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table(app).move_to(pid)
        await pilot.press("n")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PapersScreen"
        assert any(f"paperdeck note {pid} --edit" in message for message in said)
        await pilot.press("enter")
        await settle(app, pilot)
        shown = app.screen.query_one("#abstract-note", Markdown).source
        assert len(shown) < 100_000 and "paperdeck note" in shown
