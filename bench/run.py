"""`make bench`: import, list, first paint, keystroke filtering, writes and memory (the peak of
the app and its children on three paths: an early word query, the Related panel, triage) at 1k,
10k and 100k synthetic papers, then first paint and keystroke-to-screen in a real terminal next to
the floors; prints the tables and writes bench/results/bench-<date>.json."""

from __future__ import annotations

import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from bench import sync as sync_bench
from bench.synth import write_listings
from store.library import Library
from store.search.language import parse_query
from store.view import LibraryView

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work"
RESULTS = ROOT / "results"
SIZES = tuple(
    int(s) for s in os.environ.get("PAPERDECK_BENCH_SIZES", "1000,10000,100000").split(",")
)
IMPORTS = 5
"""Imports timed at each size (each into a new data directory): the median of five, as one
run in three on this shared machine took a third longer than the others."""

QUERIES = (
    "sparse attention transformer",
    "diffusion model distillation",
    "tag:x is:unread",
    "(kv OR rl) cache model",  # short words match abstracts; OR runs one search per clause
)
BIN = Path(sys.executable).parent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed_process(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def indexers_of(db: Path) -> list[int]:
    """Pids of `python -m store.indexer DB` processes running for `db`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue  # ended meanwhile, or not ours to read
            if b"store.indexer" in argv and os.fsencode(db) in argv:
                found.append(int(entry.name))
    return found


def settle(db: Path) -> None:
    """Wait until no index build for `db` runs. The import's own detached build can start
    after a waiting indexer took the lock, and then loads the saved index to check it: it ran
    into the next timed import."""
    timed_process([sys.executable, "-m", "store.indexer", str(db)])
    while indexers_of(db):
        time.sleep(0.1)


def first_paint(args: list[str]) -> tuple[float, dict[str, float]]:
    """Seconds from process start until the first rows are painted, and the probe's peak RSS
    figures in MB (bench/tui_probe.py: the app's own, its children's, their sum)."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.tui_probe", *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT.parent,
    )
    assert child.stdout is not None
    painted = None
    rss: dict[str, float] = {}
    for line in child.stdout:
        if line.strip() == "painted":
            painted = time.perf_counter() - start
        elif line.startswith("{"):
            rss = json.loads(line)
    child.wait()
    assert painted is not None, "the probe never painted"
    return painted, rss


def bench_size(size: int) -> dict[str, float]:
    listings = WORK / f"listings-{size}"
    if not listings.exists():
        write_listings(listings, size)
    db = WORK / f"db-{size}"
    result: dict[str, float] = {"papers": size}

    # As a user runs it: `paperdeck import` in its own process (in this one, the objects the
    # smaller sizes left behind would slow the garbage collector and the import with it),
    # into a new data directory each time; the median of three (one run varied by 10%).
    paperdeck = str(BIN / "paperdeck")
    imports = []
    for n in range(IMPORTS):
        if n:  # the last import's background index build done first (it reads that directory)
            settle(db)
        shutil.rmtree(db, ignore_errors=True)
        imports.append(timed_process([paperdeck, "--db", str(db), "import", str(listings)]))
    result["import_s"] = statistics.median(imports)
    result["import_papers_per_s"] = size / result["import_s"]
    # A large library's import starts building the abstract word index in the background;
    # the indexer waits for it (or builds it, for a small one): until word search is whole.
    result["index_abstracts_s"] = timed_process([sys.executable, "-m", "store.indexer", str(db)])
    while indexers_of(db):  # the import's own build, if it started after this one
        time.sleep(0.1)
    result["cli_list_s"] = statistics.median(
        timed_process([paperdeck, "--db", str(db), "list", "--query", QUERIES[0], "--limit", "20"])
        for _ in range(3)
    )

    paints = [first_paint([str(db)]) for _ in range(3)]
    result["first_paint_s"] = statistics.median(p for p, _ in paints)
    # Peak memory of the app (its own plus the largest child it started) on each way through
    # it, each in a fresh process: the first paints above took the Related panel's.
    peaks = {"related": max((r for _, r in paints), key=lambda r: r["peak_rss_mb"])}
    peaks["query"] = first_paint([str(db), "query"])[1]
    # Triage decides 24 papers in this db (as the writes below tag 20): a copy would not do,
    # its new files would no longer match the abstract index saved beside them.
    peaks["triage"] = first_paint([str(db), "triage"])[1]
    for path, rss in peaks.items():
        result[f"peak_{path}_mb"] = rss["peak_rss_mb"]
        result[f"peak_{path}_own_mb"] = rss["own_peak_rss_mb"]
        result[f"peak_{path}_children_mb"] = rss["children_peak_rss_mb"]

    # The app's first second: each key typed before the load ends is searched in one shot
    # over the rows' titles and authors (the first key also folds the titles).
    early = LibraryView(Library(db))
    early.open_rows()
    keys = []
    for end in range(1, len(QUERIES[0]) + 1):
        start = time.perf_counter()
        early.search_listed(QUERIES[0][:end])
        keys.append((time.perf_counter() - start) * 1000)
    result["early_first_key_ms"], result["early_keys_max_ms"] = keys[0], max(keys[1:])
    del early

    view = LibraryView(Library(db))
    view.load()
    view.search("")  # what the app does first: the whole list, by date
    start = time.perf_counter()
    view.index_abstracts()  # the app does this in a worker right after the first paint
    result["index_load_s"] = time.perf_counter() - start
    latencies = []
    for query in QUERIES:
        for end in range(1, len(query) + 1):
            text = query[:end]
            start = time.perf_counter()
            try:
                view.search(parse_query(text))
            except Exception:  # a half-typed filter (`tag:`) is an error the bar shows
                pass
            latencies.append((time.perf_counter() - start) * 1000)
    result["filter_p50_ms"] = percentile(latencies, 0.5)
    result["filter_p95_ms"] = percentile(latencies, 0.95)

    ids = list(view.by_id)[:20]
    writes = []
    for n, pid in enumerate(ids):
        start = time.perf_counter()
        view.library.add_tags([pid], [f"bench-{n}"])
        view.library.set_note(pid, f"note {n}")
        writes.append((time.perf_counter() - start) * 1000 / 2)
    result["write_in_process_ms"] = statistics.median(writes)
    # The same CLI write on the 212 seed papers, alternating with this size's so a noisy
    # machine slows both alike: resolving an id must not cost more in a larger library.
    seeds_db = WORK / f"db-seeds-writes-{size}"
    shutil.rmtree(seeds_db, ignore_errors=True)
    from store.paths import bundled_seeds

    seeds_library = Library.open(seeds_db)
    seeds_library.import_files(bundled_seeds())
    seed_id = next(iter(seeds_library.papers()))
    pairs = [
        (
            timed_process([paperdeck, "--db", str(db), "tag", ids[0], f"cli-{n}"]),
            timed_process([paperdeck, "--db", str(seeds_db), "tag", seed_id, f"cli-{n}"]),
        )
        for n in range(5)
    ]
    shutil.rmtree(seeds_db, ignore_errors=True)
    result["write_cli_s"] = statistics.median(w for w, _ in pairs)
    result["write_cli_seeds_s"] = statistics.median(s for _, s in pairs)
    result["write_cli_vs_seeds"] = result["write_cli_s"] / result["write_cli_seeds_s"]
    # BibTeX of every paper: the first export also gives every paper its citation key.
    bib = WORK / f"papers-{size}.bib"
    export = [paperdeck, "--db", str(db), "export", "-f", "bib", "--all", "--force", "-o", str(bib)]
    result["export_bib_first_s"] = timed_process(export)
    result["export_bib_again_s"] = timed_process(export)
    del view
    # The daily pull (issue 13): pages into the library, and inbox counts.
    from bench.pull import bench_inbox, bench_pull

    result.update(bench_pull(db))
    result.update(bench_inbox(paperdeck, db))
    return result


def real_terminal(dbs: list[Path]) -> list[dict[str, float]]:
    """First paint and keystroke-to-screen in a pseudo-terminal, against the floors measured in
    the same run (bench/terminal.py); prints its own table."""
    rows = []
    for db in dbs:
        print(f"real terminal: {db.name}…", file=sys.stderr, flush=True)
        measured = subprocess.run(
            [sys.executable, "-m", "bench.terminal", str(db), QUERIES[0]],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT.parent,
        )
        rows.append(json.loads(measured.stdout.strip().splitlines()[-1]))
    columns = (
        ("papers", "{:.0f}"),
        ("first_paint_s", "{:.2f}"),
        ("bare_first_paint_s", "{:.2f}"),
        ("first_paint_vs_bare", "{:.2f}"),
        ("keystroke_p50_ms", "{:.0f}"),
        ("keystroke_p95_ms", "{:.0f}"),
        ("echo_p95_ms", "{:.0f}"),
        ("keystroke_p95_vs_echo", "{:.2f}"),
        ("keystroke_indexing_p95_ms", "{:.0f}"),
        ("keystroke_indexing_p95_vs_echo", "{:.2f}"),
        ("focus_key_p50_ms", "{:.0f}"),
    )
    print("\nIn a real terminal (a pseudo-terminal, 160x45, read back through a VT emulator):")
    print("| " + " | ".join(name for name, _ in columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(fmt.format(row[name]) for name, fmt in columns) + " |")
    return rows


def main() -> None:
    WORK.mkdir(exist_ok=True)
    RESULTS.mkdir(exist_ok=True)
    # An installed package has its bytecode compiled; don't time compiling our own sources
    # (PYTHONDONTWRITEBYTECODE would otherwise make every started process compile them).
    compileall.compile_dir(ROOT.parent / "store", quiet=1)
    compileall.compile_dir(ROOT.parent / "tui", quiet=1)
    rows = []
    for size in SIZES:
        print(f"benchmarking {size} papers…", file=sys.stderr, flush=True)
        # Each size in a fresh process, as a user's session is: no objects left by another.
        measured = subprocess.run(
            [sys.executable, "-m", "bench.run", "--size", str(size)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT.parent,
        )
        rows.append(json.loads(measured.stdout.strip().splitlines()[-1]))
    # The seeds: first paint against the floor at 212 papers.
    seeds_db = WORK / "db-seeds"
    shutil.rmtree(seeds_db, ignore_errors=True)
    from store.paths import bundled_seeds

    Library.open(seeds_db).import_files(bundled_seeds())
    # Alternate the two apps so a noisy machine slows both alike.
    pairs = [(first_paint(["--bare"])[0], first_paint([str(seeds_db)])[0]) for _ in range(5)]
    bare = statistics.median(b for b, _ in pairs)
    seeds_paint = statistics.median(s for _, s in pairs)
    for row in rows:
        row["first_paint_vs_bare"] = row["first_paint_s"] / bare

    columns = (
        ("papers", "{:.0f}"),
        ("import_s", "{:.2f}"),
        ("import_papers_per_s", "{:.0f}"),
        ("cli_list_s", "{:.2f}"),
        ("first_paint_s", "{:.2f}"),
        ("first_paint_vs_bare", "{:.2f}"),
        ("index_abstracts_s", "{:.1f}"),
        ("index_load_s", "{:.2f}"),
        ("filter_p50_ms", "{:.1f}"),
        ("filter_p95_ms", "{:.1f}"),
        ("early_first_key_ms", "{:.0f}"),
        ("early_keys_max_ms", "{:.0f}"),
        ("write_in_process_ms", "{:.1f}"),
        ("write_cli_s", "{:.2f}"),
        ("write_cli_seeds_s", "{:.2f}"),
        ("write_cli_vs_seeds", "{:.2f}"),
        ("export_bib_first_s", "{:.2f}"),
        ("export_bib_again_s", "{:.2f}"),
        ("peak_query_mb", "{:.0f}"),
        ("peak_related_mb", "{:.0f}"),
        ("peak_triage_mb", "{:.0f}"),
        ("pull_rss_cpu_s", "{:.2f}"),
        ("repull_rss_cpu_s", "{:.2f}"),
        ("pull_hf_cpu_s", "{:.2f}"),
        ("inbox_list_first_s", "{:.2f}"),
        ("inbox_list_s", "{:.2f}"),
        ("inbox_list_cpu_s", "{:.2f}"),
    )
    print("| " + " | ".join(name for name, _ in columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(fmt.format(row[name]) for name, fmt in columns) + " |")
    print(
        f"\nbare Textual app first paint: {bare:.2f} s; paperdeck on the 212 seed papers: "
        f"{seeds_paint:.2f} s ({seeds_paint / bare:.2f}x)"
    )
    # Sync and the journal (issue 15), in a fresh process like each size.
    print("benchmarking sync and the journal…", file=sys.stderr, flush=True)
    synced = subprocess.run(
        [sys.executable, "-m", "bench.run", "--sync"],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT.parent,
    )
    sync_result = json.loads(synced.stdout.strip().splitlines()[-1])
    print("\n" + sync_bench.report(sync_result))
    terminal = real_terminal([seeds_db, *(WORK / f"db-{size}" for size in SIZES if size >= 10_000)])
    out = RESULTS / f"bench-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(
        json.dumps(
            {
                "bare_first_paint_s": bare,
                "seeds_first_paint_s": seeds_paint,
                "sizes": rows,
                "sync": sync_result,
                "real_terminal": terminal,
            },
            indent=2,
        )
    )
    print(f"written {out}", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--size"]:
        print(json.dumps(bench_size(int(sys.argv[2]))))
    elif sys.argv[1:2] == ["--sync"]:
        print(json.dumps(sync_bench.run(WORK / "sync")))
    else:
        main()
