"""An import's files parsed on two cores give what one core gives, and any failure of the
forked child falls back to parsing here."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import sys
import threading
import time
from collections.abc import Collection
from pathlib import Path

import pytest

from store.catalog import frames, parallel
from store.catalog.importing import read_listing_file
from store.catalog.listing import Listing
from store.errors import ListingError
from store.files.storage import signature
from store.library import Library, forked_write
from tests.conftest import DATA, FIXED_NOW

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


@pytest.fixture
def files(tmp_path: Path, seeds: list[Path]) -> list[Path]:
    """The seeds and the edge-case listings (CRLF, no year, tabs, links), as real files."""
    folder = tmp_path / "listings"
    folder.mkdir()
    for path in [*seeds, *sorted((DATA / "listings").glob("*.txt"))]:
        shutil.copy(path, folder / path.name)
    return sorted(folder.iterdir())


@pytest.fixture
def always_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(forked_write, "FORK_FROM_DOCUMENTS", 0)


def parse_recording(pids: Path, child_parses: Collection[str] = ()) -> parallel.ParseFile:
    """`read_listing_file`, noting which process parsed each file (and how it takes ctrl+c).
    `child_parses`: this process holds its first file until the child has parsed these (the
    files go to whichever process is free: so the child gets them, whatever the machine)."""
    here = os.getpid()

    def parse(path: Path) -> list[Listing]:
        sigint = "ignored" if signal.getsignal(signal.SIGINT) == signal.SIG_IGN else "default"
        deadline = time.monotonic() + 30
        while os.getpid() == here and child_parses and time.monotonic() < deadline:
            done = recorded(pids) if pids.exists() else {}
            if all(name in done and done[name][0] != here for name in child_parses):
                break
            time.sleep(0.01)
        with pids.open("a") as out:
            out.write(f"{os.getpid()} {path.name} {sigint}\n")
        return read_listing_file(path, 2024)

    return parse


def plain(files: list[Path]) -> list[Listing]:
    return [item for path in files for item in read_listing_file(path, 2024)]


def recorded(pids: Path) -> dict[str, tuple[int, str]]:
    rows = [line.split() for line in pids.read_text().splitlines()]
    return {name: (int(pid), sigint) for pid, name, sigint in rows}


@pytest.mark.usefixtures("always_fork")
def test_two_processes_parse_and_the_listings_are_the_plain_ones(
    files: list[Path], tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    seen: list[tuple[int, int, str]] = []
    later = {path.name for path in files[-3:]}
    listings = parallel.parse_in_parallel(
        files,
        parse_recording(pids, later),
        lambda done, total, name: seen.append((done, total, name)),
    )
    assert listings == plain(files)
    rows = [line.split() for line in pids.read_text().splitlines()]
    assert sorted(name for _, name, _ in rows) == sorted(path.name for path in files)  # once
    by_file = recorded(pids)
    child = {by_file[name] for name in later}  # each process took the files as it was free
    assert len(child) == 1 and next(iter(child))[0] != os.getpid()
    assert next(iter(child))[1] == "ignored"  # ctrl+c is this process's to handle
    # Progress names every file once, counting up, below the total until saving says done.
    assert sorted(name for *_, name in seen) == sorted(path.name for path in files)
    assert [done for done, *_ in seen] == sorted(done for done, *_ in seen)
    assert all(total == len(files) and done < total for done, total, _ in seen)


def test_small_imports_and_other_threads_parse_here(files: list[Path], tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    assert parallel.parse_in_parallel(files, parse_recording(pids)) == plain(files)
    assert {pid for pid, _ in recorded(pids).values()} == {os.getpid()}  # below the threshold

    pids.unlink()
    parallel.PARALLEL_FROM_BYTES, saved = 0, parallel.PARALLEL_FROM_BYTES
    try:
        result: list[list[Listing]] = []
        thread = threading.Thread(
            target=lambda: result.append(parallel.parse_in_parallel(files, parse_recording(pids)))
        )
        thread.start()
        thread.join()
    finally:
        parallel.PARALLEL_FROM_BYTES = saved
    assert result == [plain(files)]
    assert {pid for pid, _ in recorded(pids).values()} == {os.getpid()}


@pytest.mark.usefixtures("always_fork")
def test_a_bad_file_in_the_childs_half_is_reported_as_without_the_child(
    files: list[Path],
) -> None:
    bad = files[-1].with_name("zz-bad.txt")
    bad.write_bytes(b"\xff\xfe not utf-8 \x80")
    files.append(bad)
    with pytest.raises(ListingError) as plain_error:
        plain(files)
    with pytest.raises(ListingError) as error:
        parallel.parse_in_parallel(files, lambda path: read_listing_file(path, 2024))
    assert str(error.value) == str(plain_error.value) and "zz-bad.txt" in str(error.value)


@pytest.mark.usefixtures("always_fork")
def test_of_two_bad_files_the_first_is_reported_whichever_process_met_it(
    files: list[Path], tmp_path: Path
) -> None:
    first, second = files[1], files[-1]
    for bad in (first, second):
        bad.write_bytes(b"\xff\xfe not utf-8 \x80")
    with pytest.raises(ListingError) as plain_error:
        plain(files)
    assert first.name in str(plain_error.value)
    # This process meets the later bad file while the child is still at the earlier one.
    pids = tmp_path / "pids"
    record = parse_recording(pids)
    here = os.getpid()

    def parse(path: Path) -> list[Listing]:
        if os.getpid() != here and path == first:
            time.sleep(0.5)
        return record(path)

    with pytest.raises(ListingError) as error:
        parallel.parse_in_parallel(files, parse)
    assert str(error.value) == str(plain_error.value)


@pytest.mark.usefixtures("always_fork")
@pytest.mark.parametrize("shared", [True, False], ids=["shared file", "pipe only"])
def test_the_childs_listings_come_through_the_shared_file_or_the_pipe(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared: bool
) -> None:
    if not shared:
        monkeypatch.setattr(frames, "shared_file", lambda: None)
    parts: list[str] = []
    real = parallel._Child._listings

    def spy(child: parallel._Child, where: tuple[int, int] | bytes) -> list[Listing]:
        parts.append("shared" if isinstance(where, tuple) else "pipe")
        return real(child, where)

    monkeypatch.setattr(parallel._Child, "_listings", spy)
    pids = tmp_path / "pids"
    later = {path.name for path in files[-3:]}
    assert parallel.parse_in_parallel(files, parse_recording(pids, later)) == plain(files)
    childs = [name for name, (pid, _) in recorded(pids).items() if pid != os.getpid()]
    assert later <= set(childs)
    assert parts == ["shared" if shared else "pipe"] * len(childs)  # one a file


def parsed_and_consumed(
    files: list[Path], pids: Path, child_parses: Collection[str] = ()
) -> list[list[Listing]]:
    """`parse_in_parallel` with `consume`: checks it gives the plain listings and hands over
    each file's once, in file order; what it handed over."""
    consumed: list[list[Listing]] = []
    parse = parse_recording(pids, child_parses)
    got = parallel.parse_in_parallel(files, parse, consume=consumed.append)
    assert got == plain(files)
    assert consumed == [read_listing_file(path, 2024) for path in files]
    return consumed


@pytest.mark.usefixtures("always_fork")
def test_each_files_listings_are_consumed_in_file_order_as_they_come(
    files: list[Path], tmp_path: Path
) -> None:
    """With `consume`, every file's listings are handed over once, in file order, whichever
    process parsed them and in whatever order they were done."""
    pids = tmp_path / "pids"
    consumed = parsed_and_consumed(files, pids, {files[2].name, files[-1].name})
    by_file = recorded(pids)
    assert by_file[files[-1].name][0] != os.getpid()
    assert len({pid for pid, _ in by_file.values()}) <= 2
    # Without the child (a small import): the same, file by file.
    parallel.PARALLEL_FROM_BYTES, saved = 10**12, parallel.PARALLEL_FROM_BYTES
    try:
        again: list[list[Listing]] = []
        assert parallel.parse_in_parallel(files, parse_recording(pids), consume=again.append)
    finally:
        parallel.PARALLEL_FROM_BYTES = saved
    assert again == consumed


def send_part(fd: int, shared: int, index: int, path: Path, written: bytes, size: int) -> None:
    """What the child sends for a file: `written` put in the shared file, and the frame saying
    that the file's pickle is the first `size` bytes there."""
    os.write(shared, written)
    frames.send(fd, frames.SHARED, frames.PART.pack(index, 0, size) + os.fsencode(path.name))


def pickled(path: Path) -> bytes:
    return pickle.dumps(frames.to_rows(read_listing_file(path, 2024)))


@pytest.mark.usefixtures("always_fork")
@pytest.mark.parametrize(
    "failure",
    ["killed", "garbled answer", "short answer", "shared file cut", "garbled shared file"],
)
def test_a_failing_child_falls_back_to_parsing_here(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    def broken_child(
        files: list[Path],
        parse: parallel.ParseFile,
        fd: int,
        shared: int | None,
        claim: parallel.Claim,
    ) -> None:
        assert shared is not None
        index = claim()
        assert index is not None
        name = os.fsencode(files[index].name)
        if failure == "garbled answer":
            payload = frames.SIZE.pack(index) + frames.SIZE.pack(len(name)) + name
            frames.send(fd, frames.RESULT, payload + b"not a pickle")
        elif failure == "short answer":
            os.write(fd, frames.HEADER.pack(frames.RESULT, 1000) + b"cut")
        elif failure == "shared file cut":  # a part past the file's end
            result = pickled(files[index])
            send_part(fd, shared, index, files[index], result[:100], len(result))
        elif failure == "garbled shared file":
            send_part(fd, shared, index, files[index], b"not a pickle", 12)
        else:
            os.kill(os.getpid(), signal.SIGKILL)
        os._exit(0)

    monkeypatch.setattr(parallel, "_child_main", broken_child)
    pids = tmp_path / "pids"
    assert parallel.parse_in_parallel(files, parse_recording(pids)) == plain(files)
    assert {pid for pid, _ in recorded(pids).values()} == {os.getpid()}  # all parsed here


@pytest.mark.usefixtures("always_fork")
def test_a_child_dying_midway_leaves_only_the_files_it_did_not_send(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = parallel._child_main

    def one_then_dead(
        files: list[Path],
        parse: parallel.ParseFile,
        fd: int,
        shared: int | None,
        claim: parallel.Claim,
    ) -> None:
        taken = [claim()]  # one file, then it sends its end and exits
        real(files, parse, fd, shared, lambda: taken.pop() if taken else None)

    def dying_after_one(
        files: list[Path],
        parse: parallel.ParseFile,
        fd: int,
        shared: int | None,
        claim: parallel.Claim,
    ) -> None:
        assert shared is not None
        index = claim()
        assert index is not None
        result = pickle.dumps(frames.to_rows(parse(files[index])))
        send_part(fd, shared, index, files[index], result, len(result))
        claim()  # a file claimed and never sent
        os.kill(os.getpid(), signal.SIGKILL)

    for child in (dying_after_one, one_then_dead):
        monkeypatch.setattr(parallel, "_child_main", child)
        pids = tmp_path / f"pids-{child.__name__}"
        parsed_and_consumed(files, pids)
        by_child = [name for name, (pid, _) in recorded(pids).items() if pid != os.getpid()]
        assert len(by_child) == 1  # the child's one file is its own, every other parsed here
        assert len(recorded(pids)) == len(files)


@pytest.mark.usefixtures("always_fork")
def test_an_interrupt_stops_the_child(files: list[Path], tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    record = parse_recording(pids)
    parent = os.getpid()

    def parse(path: Path) -> list[Listing]:
        if os.getpid() == parent:
            time.sleep(0.2)  # the child is at work meanwhile
            raise KeyboardInterrupt
        return record(path)

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        parallel.parse_in_parallel(files, parse)
    assert signal.getsignal(signal.SIGINT) == before  # ctrl+c is this process's again
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was killed and reaped: no zombie left


def import_into(db: Path, files: list[Path]) -> dict[str, object]:
    Library.open(db, now=lambda: FIXED_NOW).import_files(files)
    found = {}
    for name in ("catalog.json", "abstracts.json", "ids.json"):
        data = json.loads((db / name).read_bytes())
        if name == "ids.json":
            del data["catalog"]  # the catalog file's inode and mtime
        found[name] = data
    header, *lines = (db / "catalog-columns.jsonl").read_bytes().splitlines()
    found["columns"] = {key: value for key, value in json.loads(header).items() if key != "catalog"}
    found["column lines"] = lines
    assert Library.open(db).catalog_columns._load(signature(db / "catalog.json")) is not None
    return found


def test_an_import_on_two_cores_stores_what_one_core_stores(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = import_into(tmp_path / "one", files)
    monkeypatch.setattr(parallel, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(forked_write, "FORK_FROM_DOCUMENTS", 0)
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or real_fork())
    two = import_into(tmp_path / "two", files)
    assert len(forks) == 2  # the parser and the abstracts' writer
    assert two == one
    # And again on top: everything merges as unchanged, through the same paths.
    assert import_into(tmp_path / "two", files) == one


def test_a_failing_abstracts_writer_falls_back_to_writing_here(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = import_into(tmp_path / "one", files)
    monkeypatch.setattr(forked_write, "FORK_FROM_DOCUMENTS", 0)

    def dying_child(*_: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(forked_write, "_child", dying_child)
    assert import_into(tmp_path / "two", files) == one


@pytest.mark.usefixtures("always_fork")
def test_a_saved_hugging_face_page_in_the_childs_half_comes_back_whole(
    files: list[Path], tmp_path: Path
) -> None:
    """Such a page's listings carry arXiv ids, authors and live figures: all of them return."""
    page = tmp_path / "listings" / "zz-daily.txt"
    shutil.copy(DATA / "pull" / "hf_2024-10-25.json", page)
    files.append(page)
    pids = tmp_path / "pids"
    listings = parallel.parse_in_parallel(files, parse_recording(pids, {page.name}))
    assert listings == plain(files)
    assert recorded(pids)[page.name][0] != os.getpid()
    assert any(item.arxiv_id and item.authors and item.live for item in listings)


EXTRA = """Written Meanwhile By Another Process

An abstract of a paper another process imported while this import parsed its files.

  • 3 authors
·
Aug 11, 2024 2
"""


@pytest.mark.parametrize("forking", [True, False], ids=["two cores", "one core"])
def test_a_catalog_written_while_the_files_are_parsed_is_merged_into_again(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forking: bool
) -> None:
    """The merge begun on the catalog as read before parsing is done again on the catalog as
    it is under the lock when another process wrote it meanwhile: nothing of either is lost."""
    if forking:
        monkeypatch.setattr(parallel, "PARALLEL_FROM_BYTES", 0)
    extra = tmp_path / "extra.txt"
    extra.write_text(EXTRA)
    expected = tmp_path / "expected"
    Library.open(expected, now=lambda: FIXED_NOW).import_files([extra])
    Library.open(expected, now=lambda: FIXED_NOW).import_files(files)

    db = tmp_path / "db"
    written: list[int] = []

    def meanwhile(done: int, total: int, name: str) -> None:
        if not written:  # another process's import, once this one has read the catalog
            report = Library.open(db, now=lambda: FIXED_NOW).import_files([extra])
            written.append(report.new)

    report = Library.open(db, now=lambda: FIXED_NOW).import_files(files, progress=meanwhile)
    assert written == [1]
    assert report.new == len(Library.open(expected).paper_ids()) - 1
    found = Library.open(db)
    assert found.paper_ids() == Library.open(expected).paper_ids()
    assert found.abstracts() == Library.open(expected).abstracts()


def test_files_are_claimed_once_each_in_order_or_not_forked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = parallel._claims(5)
    try:
        taken = [os.read(tokens, parallel._TOKEN.size) for _ in range(6)]
    finally:
        os.close(tokens)
    assert [parallel._TOKEN.unpack(t)[0] for t in taken[:5]] == [0, 1, 2, 3, 4]
    assert taken[5] == b""  # then none: the pipe is empty and closed for writing
    # More numbers than a pipe holds: refused (the import then parses here), nothing left open.
    monkeypatch.setattr(parallel, "_F_SETPIPE_SZ", -1)  # the pipe cannot be made larger
    open_before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(OSError):
        parallel._claims(1_000_000)
    assert len(os.listdir("/proc/self/fd")) == open_before


def test_the_catalog_is_put_in_place_only_once_the_abstracts_are_written(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog is written while the forked child writes the abstracts, and put in place
    after them: an abstract without its paper is harmless, a paper without its abstract is
    not. Its ids and columns, written for it before, are current once it is in place."""
    from store.atomic import StagedWrite

    monkeypatch.setattr(parallel, "PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr(forked_write, "FORK_FROM_DOCUMENTS", 0)
    db = tmp_path / "db"
    abstracts_then: list[int] = []
    commit = StagedWrite.commit

    def committed(self: StagedWrite) -> None:
        if self.path.name == "catalog.json":
            papers = json.loads((db / "abstracts.json").read_bytes())["papers"]
            abstracts_then.append(len(papers))
        commit(self)

    monkeypatch.setattr(StagedWrite, "commit", committed)
    library = Library.open(db, now=lambda: FIXED_NOW)
    report = library.import_files(files)
    assert abstracts_then == [report.new]
    fresh = Library.open(db)
    assert fresh.id_index.is_current()
    assert fresh.catalog_columns.current() is None  # not read yet by this one
    assert fresh.catalog_columns.get().count == report.new
    assert fresh.paper_ids() == frozenset(report.new_ids)


def test_an_abstracts_write_that_fails_leaves_the_catalog_as_it_was(
    files: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalog written beside its file is dropped, and the ids and columns written for it
    are never taken for the catalog still in place."""
    from store.atomic import StagedWrite
    from store.errors import StoreWriteError

    db = tmp_path / "db"
    Library.open(db, now=lambda: FIXED_NOW).import_files(files[:1])
    before = (db / "catalog.json").read_bytes()
    ids_before = Library.open(db).paper_ids()
    init = StagedWrite.__init__

    def full_disk_for_abstracts(self: StagedWrite, path: Path, data: bytes, **kw: object) -> None:
        if path.name == "abstracts.json":
            raise StoreWriteError(path, OSError(28, "No space left on device"))
        init(self, path, data, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(StagedWrite, "__init__", full_disk_for_abstracts)
    with pytest.raises(StoreWriteError, match="No space left"):
        Library.open(db, now=lambda: FIXED_NOW).import_files(files)
    monkeypatch.undo()
    assert (db / "catalog.json").read_bytes() == before
    assert sorted(db.glob(".*.tmp")) == []
    assert Library.open(db).paper_ids() == ids_before
    assert Library.open(db).catalog_columns.get().count == len(ids_before)


def test_the_files_are_read_ahead_as_hints_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every listing file is handed to the system to read into its cache before the parse
    starts; a file that cannot be opened is left for its parse to report, as ever."""
    hinted: list[int] = []
    advise = os.posix_fadvise

    def recorded(fd: int, offset: int, length: int, advice: int) -> None:
        assert advice == os.POSIX_FADV_WILLNEED and (offset, length) == (0, 0)
        hinted.append(os.fstat(fd).st_ino)
        advise(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", recorded)
    files = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for path in files:
        path.write_text("Title\n\nAbstract.\n")
    parallel.read_ahead([*files, tmp_path / "gone.txt"])
    assert hinted == [path.stat().st_ino for path in files]
