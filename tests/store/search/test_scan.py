"""`list --query` on a large library scans abstracts in a second process: same answers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store.errors import DamagedStore
from store.library import Library
from store.paths import bundled_seeds
from store.search.language import parse_query
from store.search.scan import PARALLEL_FROM_BYTES, AbstractScan, KnownMatches

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))
PAPERS = 6000

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the scan forks only on Linux"
)

QUERIES = (
    "sparse autoencoder",
    "diffusion",
    "transformer attention",
    "ar",  # short: whole abstract words only
    "kv cache OR rl",
    "(diffusion OR autoencoder) -image",
    '"language models"',
    "diffusion -image",
    "autoencoder is:unread",
    "transfromer",  # a typo: titles' fuzzy match
    "zzzzqqq",
)


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """6,000 papers with the seeds' abstracts, enough for the scan to be used."""
    seeds = Library.open(tmp_path_factory.mktemp("seeds") / "data")
    seeds.import_files(bundled_seeds())
    abstracts = [r.paper.abstract for r in seeds.all_records()]
    listing = tmp_path_factory.mktemp("listing") / "large.txt"
    lines = ["Daily Papers", "", "Nov 10", ""]
    for n in range(PAPERS):
        abstract = abstracts[n % len(abstracts)]
        lines += [f"Paper {n} on {abstract.split()[n % 7]}", "", f"{abstract} Variant {n}.", ""]
    listing.write_text("\n".join(lines))
    library = Library.open(tmp_path_factory.mktemp("large") / "data")
    library.import_files([listing])
    assert library.abstracts_file.path.stat().st_size >= PARALLEL_FROM_BYTES
    return library


def plain(library: Library, query: str) -> list[str]:
    return [r.id for r in Library(library.root).records(query, with_abstracts=False)]


def test_the_scan_runs_and_agrees_with_the_plain_search(large: Library) -> None:
    for query in QUERIES:
        scan = large.scan_abstracts(query)
        found = [r.id for r in Library(large.root).records(query, with_abstracts=False, scan=scan)]
        assert found == plain(large, query), query
    assert isinstance(large.scan_abstracts("sparse autoencoder"), AbstractScan)
    assert isinstance(large.scan_abstracts("kv OR rl"), AbstractScan)  # every clause's words
    assert large.scan_abstracts("is:unread") is None  # no words: nothing to look for


def test_small_libraries_and_bad_queries_start_no_scan(library: Library) -> None:
    assert library.scan_abstracts("sparse autoencoder") is None  # 212 papers: not worth a fork
    assert library.scan_abstracts("year:>>2") is None  # `records` reports the bad term


def test_a_failed_scan_falls_back_to_reading_the_abstracts(large: Library) -> None:
    scan = large.scan_abstracts("sparse autoencoder")
    assert scan is not None
    scan._process.kill()  # the child dies before answering
    found = [r.id for r in large.records("sparse autoencoder", with_abstracts=False, scan=scan)]
    assert found == plain(large, "sparse autoencoder") and found


def test_ctrl_c_is_the_commands_not_the_scans(large: Library) -> None:
    """The child ignores SIGINT (no traceback of its own); the command stops it on exit."""
    before = signal.getsignal(signal.SIGINT)
    scan = large.scan_abstracts("the and with")  # an answer too big for the pipe: the child
    assert scan is not None  # waits in send() until we read, so the signal finds it alive
    time.sleep(1.0)
    assert scan._process.is_alive()
    os.kill(scan._process.pid, signal.SIGINT)
    answer = scan.result()
    assert answer is not None and len(answer["the"]) == PAPERS
    assert signal.getsignal(signal.SIGINT) is before  # ours is restored


def test_a_damaged_abstracts_file_is_reported_as_without_the_scan(
    large: Library, tmp_path: Path
) -> None:
    damaged = Library.open(tmp_path / "data")
    for source in (large.catalog_file, large.abstracts_file):
        (tmp_path / "data" / source.path.name).write_bytes(source.path.read_bytes())
    abstracts = damaged.abstracts_file.path
    abstracts.write_bytes(abstracts.read_bytes()[:-5000] + b"}")  # cut, yet ends like JSON
    scan = damaged.scan_abstracts("sparse autoencoder")
    assert scan is not None
    with pytest.raises(DamagedStore, match="abstracts.json"):
        damaged.records("sparse autoencoder", with_abstracts=False, scan=scan)


def test_the_cli_table_lists_what_json_lists(large: Library) -> None:
    """The table (scan on the second core) and --json (no scan) name the same papers."""
    for query in ("sparse autoencoder", "diffusion -image"):
        args = [PAPERDECK, "--db", str(large.root), "list", "--query", query, "--limit", "300"]
        table = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        as_json = subprocess.run([*args, "--json"], capture_output=True, text=True, check=True)
        ids = [line.split("\t", 1)[0] for line in table.splitlines() if line]
        assert ids and ids == [r["id"] for r in json.loads(as_json.stdout)], query


def copy_of(library: Library, to: Path) -> Library:
    Library.open(to)
    for source in (library.catalog_file, library.abstracts_file):
        (to / source.path.name).write_bytes(source.path.read_bytes())
    return Library(to)


def test_a_saved_abstract_index_answers_instead_and_the_same(
    large: Library, tmp_path: Path
) -> None:
    """Once `store.indexer` saved the index, no scan runs: the index knows, and agrees."""
    indexed = copy_of(large, tmp_path / "data")
    built = subprocess.run(
        [sys.executable, "-m", "store.indexer", str(indexed.root)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    for query in QUERIES:
        scan = indexed.scan_abstracts(query)
        if parse_query(query).all_words:
            assert isinstance(scan, KnownMatches), query
        found = [
            r.id for r in Library(indexed.root).records(query, with_abstracts=False, scan=scan)
        ]
        assert found == plain(large, query), query
    for query in ("sparse autoencoder", "kv cache OR rl", "diffusion -image"):
        args = ["list", "--query", query, "--limit", "300"]
        with_index = subprocess.run(
            [PAPERDECK, "--db", str(indexed.root), *args], capture_output=True, text=True
        )
        without = subprocess.run(
            [PAPERDECK, "--db", str(large.root), *args], capture_output=True, text=True
        )
        assert with_index.returncode == 0 and with_index.stdout
        assert with_index.stdout == without.stdout, query
    # Abstracts changed by hand: the index is stale, the scan is back.
    path = indexed.abstracts_file.path
    path.write_bytes(path.read_bytes().replace(b"autoencoder", b"autoencodex", 1))
    assert isinstance(indexed.scan_abstracts("sparse autoencoder"), AbstractScan)


@pytest.mark.parametrize("failure", ["gone", "raises"])
def test_an_index_that_cannot_be_read_meanwhile_leaves_the_abstracts_read(
    large: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """The saved index is read on another thread once its header says it is current: damaged
    or gone by then, the search reads the abstracts itself and answers the same."""
    indexed = copy_of(large, tmp_path / "data")
    built = subprocess.run(
        [sys.executable, "-m", "store.indexer", str(indexed.root)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr

    def unreadable(self: Library) -> None:
        if failure == "raises":
            raise MemoryError("no room for the index")

    monkeypatch.setattr(Library, "saved_abstract_index", unreadable)
    for query in ("sparse autoencoder", "kv cache OR rl"):
        scan = indexed.scan_abstracts(query)
        assert isinstance(scan, KnownMatches) and scan.postings is None
        found = Library(indexed.root).records(query, with_abstracts=False, scan=scan)
        assert [r.id for r in found] == plain(large, query), query
