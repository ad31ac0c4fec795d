"""The abstract word index built in a process of its own and saved beside the store: current
only while the abstracts are as it saw them, damage refused, one builder at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.errors import PaperdeckError
from store.files.storage import file_lock, signature
from store.files.word_index import INDEX_FILE, LOCK_FILE, is_current, save_index
from store.indexer import IndexBuild, index_in_background
from store.library import Library
from store.search.postings import build
from store.search.words import text_test
from store.text import fold

DATA = Path(__file__).resolve().parents[1] / "data"


def run_indexer(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "store.indexer", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_indexer_saves_an_index_that_answers_as_the_abstracts_do(library: Library) -> None:
    done = run_indexer(library.root)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert (library.root / INDEX_FILE).exists()
    index = Library(library.root).saved_abstract_index()
    assert index is not None and len(index) == 212
    abstracts = library.abstracts()
    for word in ("diffusion", "sparse", "benchmark", "tokens", "ar", "3d", "zzzz"):
        test = text_test(word)
        assert index.ids_with(word) == {pid for pid, text in abstracts.items() if test(fold(text))}
    assert index.ids_with("diffusion")  # the seeds do have it


def test_following_a_build_tells_its_progress(library: Library) -> None:
    told: list[tuple[int, int]] = []
    build_job = IndexBuild(library.root)
    try:
        assert build_job.follow(lambda done, total: told.append((done, total)))
    finally:
        build_job.stop()
    assert told and told[-1][1] == 212
    assert [done for done, _ in told] == sorted(done for done, _ in told)
    assert is_current(library.abstracts_file.path)


def test_new_abstracts_make_the_saved_index_stale(library: Library) -> None:
    assert run_indexer(library.root).returncode == 0
    assert Library(library.root).saved_abstract_index() is not None
    library.import_files([DATA / "listings" / "crlf.txt"])
    assert not is_current(library.abstracts_file.path)
    assert Library(library.root).saved_abstract_index() is None
    assert run_indexer(library.root).returncode == 0  # and built anew
    assert Library(library.root).saved_abstract_index() is not None


def test_a_damaged_index_is_ignored_and_built_again(library: Library) -> None:
    assert run_indexer(library.root).returncode == 0
    path = library.root / INDEX_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path)
    assert Library(library.root).saved_abstract_index() is None
    assert run_indexer(library.root).returncode == 0
    assert Library(library.root).saved_abstract_index() is not None


def test_an_index_of_abstracts_that_changed_meanwhile_is_not_kept(library: Library) -> None:
    texts, sig = library.abstracts_as_read()
    assert sig is not None
    library.import_files([DATA / "listings" / "crlf.txt"])  # while it was being built
    assert not save_index(library.abstracts_file.path, build(texts.items()), sig)
    assert not (library.root / INDEX_FILE).exists()


def test_a_second_builder_waits_for_the_first_and_builds_nothing(library: Library) -> None:
    with file_lock(library.root / LOCK_FILE, 5):
        waiting = subprocess.Popen(
            [sys.executable, "-m", "store.indexer", str(library.root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(1.0)
        assert waiting.poll() is None  # held back by the lock
        # Meanwhile "the first builder" saves the index.
        texts, sig = library.abstracts_as_read()
        assert sig is not None and save_index(
            library.abstracts_file.path, build(texts.items()), sig
        )
        saved = signature(library.root / INDEX_FILE)
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert out == ""  # it found the index current: no abstract read, no progress
    assert signature(library.root / INDEX_FILE) == saved


def test_a_damaged_abstracts_file_is_one_line_from_the_builder(library: Library) -> None:
    library.abstracts_file.path.write_text('{"papers": {"1": ')
    done = run_indexer(library.root)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "abstracts.json" in done.stderr and "Traceback" not in done.stderr
    build_job = IndexBuild(library.root)
    try:
        with pytest.raises(PaperdeckError, match="abstracts.json"):
            build_job.follow(lambda done, total: None)
    finally:
        build_job.stop()
    assert not (library.root / INDEX_FILE).exists()


def test_small_libraries_get_no_background_build(library: Library) -> None:
    assert not index_in_background(library)  # 212 papers: the app indexes them in a moment


def test_a_large_librarys_import_starts_the_build_in_the_background(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("store.indexer.DEFER_FROM_BYTES", 0)  # the seeds count as large
    assert index_in_background(library)
    for _ in range(600):
        if is_current(library.abstracts_file.path):
            break
        time.sleep(0.1)
    assert Library(library.root).saved_abstract_index() is not None
    assert not index_in_background(library)  # current: nothing to do


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux scheduling classes")
def test_the_indexer_runs_in_the_idle_class_behind_the_app(library: Library) -> None:
    """The build gives way at once to any process that wakes (the app reading a key)."""
    probe = (
        "import os, sys; from store import indexer; code = indexer.main([sys.argv[1]]); "
        "print(code, os.sched_getscheduler(0) == os.SCHED_IDLE, os.nice(0))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(library.root)], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1].split() == ["0", "True", "19"]


QUERIES = ("diffusion model", "sparse attention", "video", "language model tokens")


def plain_search(library: Library, query: str) -> list[str]:
    """What `list --query` prints, the abstracts read and no saved index used."""
    for name in (INDEX_FILE, "title-words.idx"):
        (library.root / name).unlink(missing_ok=True)
    found, _ = Library(library.root).search(query, limit=20, with_abstracts=False)
    return [r.id for r in found]


def indexed_search(library: Library, query: str) -> tuple[list[str], bool]:
    """`list --query` over the saved indexes; and whether it decoded every id to use them."""
    fresh = Library(library.root)
    scan = fresh.scan_abstracts(query)
    rows = fresh.record_rows()
    found, _ = fresh.search(query, limit=20, with_abstracts=False, scan=scan)
    return [r.id for r in found], "id" in rows.columns._values  # type: ignore[attr-defined]


def test_a_search_on_the_saved_indexes_knows_their_rows_without_decoding_the_ids(
    library: Library,
) -> None:
    """The indexes and the catalog's columns each carry a check of their ids: rows numbered
    alike are known so without decoding 100k ids (12-17 ms) for each index."""
    expected = {query: plain_search(library, query) for query in QUERIES}
    assert all(expected.values())
    assert run_indexer(library.root).returncode == 0
    for query in QUERIES:
        found, decoded_ids = indexed_search(library, query)
        assert found == expected[query], query
        assert not decoded_ids, query


def test_an_abstract_index_in_another_order_is_read_through_its_ids(library: Library) -> None:
    """Abstracts indexed in another order than the catalog's (a check that differs): their
    rows are mapped through the ids, and the answers stay the catalog's."""
    expected = {query: plain_search(library, query) for query in QUERIES}
    abstracts = library.abstracts()
    sig = signature(library.abstracts_file.path)
    assert sig is not None
    assert save_index(library.abstracts_file.path, build(reversed(abstracts.items())), sig)
    for query in QUERIES:
        found, _ = indexed_search(library, query)
        assert found == expected[query], query
