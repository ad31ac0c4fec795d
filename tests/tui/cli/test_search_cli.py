"""`paperdeck list` with issue 18's search: counts of matches, OR, acronyms, accents."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

import pytest

from tests.tui.cli.test_commands import PAPERDECK, run
from tui.cli.output import count_line


def on_a_terminal(*args: str, db: Path) -> str:
    """What `paperdeck` prints when its output is a terminal (the table and its count)."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [PAPERDECK, "--db", str(db), *args],
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "120"},
    )
    os.close(follower)
    chunks = []
    try:
        while True:  # read as it writes: a full terminal buffer would stop the command
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the command closed its end: everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert child.stderr is not None
    error = child.stderr.read().decode()
    assert child.wait(timeout=60) == 0, error
    return b"".join(chunks).decode()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.tui.cli.test_commands import SEEDS

    path = tmp_path_factory.mktemp("search") / "data"
    assert run("import", str(SEEDS), db=path).returncode == 0
    return path


def matches(db: Path, query: str) -> list[str]:
    result = run("list", "--json", "--query", query, db=db)
    assert result.returncode == 0, result.stderr
    return [paper["id"] for paper in json.loads(result.stdout)]


def test_limit_shows_how_many_matched_not_the_library_size(db: Path) -> None:
    query = "has:code year:>=2024"
    matched = len(matches(db, query))
    assert matched > 4
    shown = on_a_terminal("list", "--limit", "4", "--query", query, db=db)
    assert f"4 of {matched} matched" in shown
    assert f"{matched} of 212 papers matched" in on_a_terminal("list", "--query", query, db=db)
    assert "212 papers" in on_a_terminal("list", db=db)


@pytest.mark.parametrize(
    ("shown", "matched", "total", "line"),
    [
        (212, 212, 212, "212 papers"),
        (1, 1, 1, "1 paper"),
        (18, 18, 212, "18 of 212 papers matched"),
        (4, 18, 212, "4 of 18 matched"),
        (0, 0, 212, "0 of 212 papers matched"),
    ],
)
def test_count_lines(shown: int, matched: int, total: int, line: str) -> None:
    assert count_line(shown, matched, total) == line


def test_or_acronyms_and_bad_queries_on_the_command_line(db: Path) -> None:
    kv = matches(db, "KV cache")
    titles = [
        paper["title"]
        for paper in json.loads(run("list", "--json", "--query", "KV cache", db=db).stdout)
    ]
    assert any("Double Sparsity" in title for title in titles)
    vq, three_d = set(matches(db, "vq")), set(matches(db, "3d"))
    assert vq and three_d and kv
    assert set(matches(db, "vq OR 3d")) == vq | three_d
    assert set(matches(db, "(vq OR 3d) -vq")) == three_d - vq
    bad = run("list", "--query", "(vq OR 3d", db=db)
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "unclosed `(`" in bad.stderr
    assert "Traceback" not in bad.stderr
