"""The store at its edges (issue 17): full or read-only folders, symlinked files, locks held by a
stopped process.  Real files, real processes and signals; a real tmpfs where the sandbox allows
mounting one (tests run as root, so file modes alone would not stop a write)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from store.files.storage import StoreFile, StoreLocked, StoreWriteError, write_atomic_bytes
from tests.conftest import ROOT

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))
SEEDS = ROOT / "seeds"


def paperdeck(
    *args: str, db: Path, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PAPERDECK, "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def first_id(db: Path) -> str:
    result = paperdeck("list", "--limit", "1", db=db)
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\t", 1)[0]


def assert_one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs of its own: 20 MB and 40 inodes, so filling it is quick."""
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m,nr_inodes=40", "tmpfs", str(mount)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill_inodes(folder: Path) -> int:
    made = 0
    while True:
        try:
            (folder / f"filler-{made}").touch()
        except OSError:
            return made
        made += 1


# -- 11: write failures are one line, never a traceback ------------------------------------------


def test_out_of_inodes_is_one_clear_line_and_keeps_the_data(tmpfs: Path) -> None:
    db = tmpfs / "data"
    assert paperdeck("import", str(SEEDS), db=db).returncode == 0
    pid = first_id(db)
    assert paperdeck("tag", pid, "kept", db=db).returncode == 0
    before = (db / "state.json").read_bytes()
    assert fill_inodes(tmpfs) > 0
    result = paperdeck("tag", pid, "lost", db=db)
    assert_one_clear_line(result, "state.json", "could not save", "No space left")
    assert (db / "state.json").read_bytes() == before
    assert not [p for p in db.iterdir() if p.name.endswith(".tmp")]


def test_a_read_only_folder_is_one_clear_line(tmpfs: Path) -> None:
    db = tmpfs / "data"
    assert paperdeck("import", str(SEEDS), db=db).returncode == 0
    pid = first_id(db)
    assert paperdeck("note", pid, "--text", "first", db=db).returncode == 0
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    for args in (("tag", pid, "x"), ("note", pid, "--text", "second"), ("mark", pid, "read")):
        assert_one_clear_line(paperdeck(*args, db=db), "Read-only file system")
    assert paperdeck("list", "--limit", "1", db=db).returncode == 0


def test_a_failing_temp_file_creation_is_a_store_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EMFILE cannot be provoked in a tmpfs: the real errno is raised where the temp is made."""
    target = tmp_path / "state.json"
    target.write_bytes(b"old")

    def too_many_open_files(*_: object, **__: object) -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr("store.atomic._make_temp", too_many_open_files)
    with pytest.raises(StoreWriteError, match="Too many open files"):
        write_atomic_bytes(target, b"new")
    assert target.read_bytes() == b"old"


def test_temp_files_are_private_new_and_named_as_the_cleanup_expects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store import atomic
    from store.export.write import _TEMP_RE

    target = tmp_path / "notes.md"
    made = [atomic._make_temp(target) for _ in range(50)]
    for fd, name in made:
        os.close(fd)
        path = Path(name)
        assert path.parent == tmp_path
        assert (path.stat().st_mode & 0o777) == 0o600
        match = _TEMP_RE.match(path.name)
        assert match is not None and match["name"] == "notes.md"
    assert len({name for _, name in made}) == 50
    # A name already taken is never opened again: the next one is tried.
    taken = made[0][1]
    before = Path(taken).read_bytes()
    tails = iter([Path(taken).name[-12:-4].encode(), b"free0000"])
    letters = atomic._TEMP_LETTERS
    monkeypatch.setattr(
        atomic.os, "urandom", lambda n: bytes(letters.index(c) for c in next(tails).decode())
    )
    fd, name = atomic._make_temp(target)
    os.close(fd)
    assert name != taken and name.endswith(".free0000.tmp")
    assert Path(taken).read_bytes() == before


# -- 13: a symlinked store file stays a link, and its target gets every update -----------------


def test_a_symlinked_state_file_is_written_through_to_its_target(tmp_path: Path) -> None:
    db = tmp_path / "data"
    assert paperdeck("import", str(SEEDS), db=db).returncode == 0
    pid = first_id(db)
    synced = tmp_path / "synced"
    synced.mkdir()
    assert paperdeck("tag", pid, "before", db=db).returncode == 0
    (db / "state.json").rename(synced / "state.json")
    (db / "state.json").symlink_to(synced / "state.json")

    for tag in ("one", "two"):
        result = paperdeck("tag", pid, tag, db=db)
        assert result.returncode == 0, result.stderr

    link = db / "state.json"
    assert link.is_symlink() and link.resolve() == (synced / "state.json").resolve()
    assert '"one"' in (synced / "state.json").read_text()
    assert '"two"' in (synced / "state.json").read_text()
    for folder in (db, synced):
        assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_a_link_chain_is_followed_to_the_final_target(tmp_path: Path) -> None:
    final = tmp_path / "real" / "file.json"
    final.parent.mkdir()
    final.write_bytes(b"old")
    hop = tmp_path / "hop.json"
    hop.symlink_to(final)
    link = tmp_path / "link.json"
    link.symlink_to(hop)
    write_atomic_bytes(link, b"new")
    assert link.is_symlink() and hop.is_symlink()
    assert final.read_bytes() == b"new"


# -- 10: a lock held by a stopped process: no silent hang ---------------------------------------

HOLDER = textwrap.dedent(
    """
    import fcntl, os, sys, time
    fds = []
    for path in sys.argv[1:]:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        fds.append(fd)
    print("held", flush=True)
    time.sleep(600)
    """
)


@pytest.fixture
def stopped_holder() -> Iterator[object]:
    """Start a process that takes the given lock files, then SIGSTOP it, as a red team did."""
    holders: list[subprocess.Popen[str]] = []

    def hold(*locks: Path) -> subprocess.Popen[str]:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, *map(str, locks)], stdout=subprocess.PIPE, text=True
        )
        holders.append(holder)
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        os.kill(holder.pid, signal.SIGSTOP)
        return holder

    yield hold
    for holder in holders:
        os.kill(holder.pid, signal.SIGKILL)
        os.kill(holder.pid, signal.SIGCONT)
        holder.wait()


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("locks") / "data"
    assert paperdeck("import", str(SEEDS), db=db).returncode == 0
    return db


def test_reading_commands_never_wait_for_the_import_locks(
    seeded_db: Path, stopped_holder: object
) -> None:
    db = seeded_db
    stopped_holder(db / ".catalog.json.lock", db / ".abstracts.json.lock")  # type: ignore[operator]
    # Before: every command started by cleaning temp files under each lock, 10 s apiece.
    started = time.monotonic()
    for args in (("list", "--limit", "1"), ("doctor",)):
        result = paperdeck(*args, db=db, timeout=30)
        assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 8, "a reading command waited for the import lock"


def test_a_write_waiting_for_a_stopped_holder_says_so_then_gives_up(
    seeded_db: Path, stopped_holder: object
) -> None:
    db = seeded_db
    pid = first_id(db)
    stopped_holder(db / ".state.json.lock")  # type: ignore[operator]
    command = subprocess.Popen(
        [PAPERDECK, "--db", str(db), "tag", pid, "blocked"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PAPERDECK_LOCK_TIMEOUT": "3"},
    )
    assert command.stderr is not None
    started = time.monotonic()
    first = command.stderr.readline()
    said_after = time.monotonic() - started
    assert "waiting for state.json" in first and "giving up after 3 s" in first, first
    rest = command.stderr.read()
    assert command.wait(timeout=30) == 1
    assert "held the store lock for 3 s" in rest and "Traceback" not in rest
    # Reported while still waiting (well before giving up), not at the end.
    assert said_after < 2.5, said_after
    state = db / "state.json"
    assert not state.exists() or "blocked" not in state.read_text()


def test_the_wait_is_reported_once_to_the_store_files_listener(
    tmp_path: Path, stopped_holder: object
) -> None:
    store_file = StoreFile(tmp_path / "state.json", "state", lock_timeout=1.5)
    heard: list[tuple[float, str]] = []
    started = time.monotonic()
    store_file.on_wait = lambda text: heard.append((time.monotonic() - started, text))
    stopped_holder(store_file.lock_path)  # type: ignore[operator]
    started = time.monotonic()
    with pytest.raises(StoreLocked), store_file.transaction():
        pass
    assert len(heard) == 1
    assert heard[0][0] < 1.0 and "waiting for state.json" in heard[0][1]


def test_doctor_restore_on_a_read_only_folder_is_one_clear_line(tmpfs: Path) -> None:
    db = tmpfs / "data"
    assert paperdeck("import", str(SEEDS), db=db).returncode == 0
    pid = first_id(db)
    assert paperdeck("tag", pid, "kept", db=db).returncode == 0
    assert paperdeck("tag", pid, "again", db=db).returncode == 0  # a backup exists now
    (db / "state.json").write_bytes(b"{ torn")
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    result = paperdeck("doctor", "--restore", db=db)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Read-only file system" in result.stderr
    assert (db / "state.json").read_bytes() == b"{ torn"


def temps_beside(target: Path) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}.*.tmp"))


def test_a_staged_write_changes_nothing_until_it_is_committed(tmp_path: Path) -> None:
    """The new content waits, synced, in a temp the cleanup knows; the commit is a rename, so
    the file in place has the signature the staged one was given."""
    from store.atomic import StagedWrite
    from store.files.storage import signature, staged_signature

    target = tmp_path / "catalog.json"
    target.write_bytes(b"old")
    staged = StagedWrite(target, b"new")
    assert target.read_bytes() == b"old"
    [temp] = temps_beside(target)
    assert temp.read_bytes() == b"new"
    expected = staged_signature(staged)
    staged.commit()
    assert target.read_bytes() == b"new"
    assert signature(target) == expected
    assert temps_beside(target) == []


def test_a_discarded_staged_write_leaves_the_file_and_no_temp(tmp_path: Path) -> None:
    from store.atomic import StagedWrite

    target = tmp_path / "catalog.json"
    target.write_bytes(b"old")
    staged = StagedWrite(target, b"new")
    staged.discard()
    staged.discard()  # twice: nothing more
    assert target.read_bytes() == b"old"
    assert temps_beside(target) == []


def test_a_commit_that_fails_is_a_store_write_error_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.atomic import StagedWrite

    target = tmp_path / "catalog.json"
    target.write_bytes(b"old")
    staged = StagedWrite(target, b"new")

    def no_space(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(StoreWriteError, match="No space left on device"):
        staged.commit()
    assert target.read_bytes() == b"old"
    assert temps_beside(target) == []


def test_a_write_synced_meanwhile_is_synced_before_it_is_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import's catalog: written at once, synced on a thread while the import takes its
    columns; the commit waits for that sync, and puts the file in place only after it."""
    import threading

    from store.atomic import StagedWrite

    target = tmp_path / "catalog.json"
    target.write_bytes(b"old")
    events: list[str] = []
    release = threading.Event()
    fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        release.wait(5)
        events.append("synced")
        fsync(fd)

    replace = os.replace

    def replaced(*args: Any) -> None:
        events.append("replaced")
        replace(*args)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    monkeypatch.setattr(os, "replace", replaced)
    staged = StagedWrite(target, b"new", sync_meanwhile=True)
    [temp] = temps_beside(target)
    assert temp.read_bytes() == b"new" and events == []  # written, its sync still waiting
    release.set()
    staged.commit()
    assert events[:2] == ["synced", "replaced"]
    assert target.read_bytes() == b"new" and temps_beside(target) == []


def test_a_sync_that_fails_meanwhile_fails_the_commit_and_leaves_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.atomic import StagedWrite

    target = tmp_path / "catalog.json"
    target.write_bytes(b"old")

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing)
    staged = StagedWrite(target, b"new", sync_meanwhile=True)
    with pytest.raises(StoreWriteError, match="Input/output error"):
        staged.commit()
    assert target.read_bytes() == b"old" and temps_beside(target) == []
    discarded = StagedWrite(target, b"newer", sync_meanwhile=True)
    discarded.discard()  # waits for its sync, whatever came of it, then removes the temp
    assert target.read_bytes() == b"old" and temps_beside(target) == []


def test_a_derived_file_is_written_without_a_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files checked whole when read and rebuilt otherwise (the catalog's columns) skip the
    sync; the store's own files never do."""
    from store.atomic import write_atomic

    synced: list[int] = []
    fsync = os.fsync

    def counted(fd: int) -> None:
        synced.append(fd)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", counted)
    write_atomic(tmp_path / "catalog-columns.jsonl", b"derived", durable=False)
    assert synced == [] and (tmp_path / "catalog-columns.jsonl").read_bytes() == b"derived"
    write_atomic(tmp_path / "state.json", b"{}")
    assert len(synced) == 2  # the file, then its folder


def test_a_write_to_be_synced_meanwhile_that_fails_leaves_no_temp_and_no_open_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file a sync would have used is closed when the write itself fails."""
    from store.atomic import StagedWrite

    target = tmp_path / "catalog.json"
    target.write_bytes(b"old")

    def no_space(fd: int, mode: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fchmod", no_space)
    before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(StoreWriteError, match="No space left on device"):
        StagedWrite(target, b"new", mode=0o644, sync_meanwhile=True)
    assert len(os.listdir("/proc/self/fd")) == before
    assert target.read_bytes() == b"old" and temps_beside(target) == []


def test_opening_removes_a_killed_writers_temps_but_not_a_live_ones(
    tmp_path: Path, stopped_holder: object
) -> None:
    """A start cleans each store file's leftover temps under that file's lock; a file whose
    lock another process holds keeps its temp (it may be that writer's), and the store files
    without a temp are not locked at all."""
    from store.library import Library

    db = tmp_path / "data"
    Library.open(db).import_files([SEEDS])
    dead = db / ".catalog.json.k3j9x_2a.tmp"
    live = db / ".state.json.q7w2e_9b.tmp"
    other = db / ".notes.md.k3j9x_2a.tmp"  # not a store file's: left alone
    for temp in (dead, live, other):
        temp.write_bytes(b"half")
    stopped_holder(db / ".state.json.lock")  # type: ignore[operator]
    for lock in db.glob(".*.lock"):
        if lock.name != ".state.json.lock":  # the held one stays
            lock.unlink()
    Library.open(db)
    assert not dead.exists()
    assert live.read_bytes() == b"half" and other.read_bytes() == b"half"
    # Only the catalog's lock was taken (its lock file made again), none of the others.
    assert sorted(p.name for p in db.glob(".*.lock")) == [".catalog.json.lock", ".state.json.lock"]
