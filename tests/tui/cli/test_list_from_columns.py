"""`paperdeck list` as a user runs it reads the catalog's columns, and prints exactly what it
prints without them (deleted, or damaged)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from store.files.columns_file import COLUMNS_FILE
from tests.conftest import ROOT

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PAPERDECK, "--db", str(db), *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("columns") / "data"
    assert run("import", str(ROOT / "seeds"), db=path).returncode == 0
    assert (path / COLUMNS_FILE).exists()
    return path


COMMANDS = (
    ("list", "--query", "language model", "--limit", "5"),
    ("list", "--query", "diffusion OR vision", "--sort", "upvotes", "--limit", "3"),
    ("list", "--limit", "4"),
    ("list", "--query", "year:2024", "--json", "--limit", "2"),
)


def test_the_same_lists_with_damaged_or_missing_columns(db: Path) -> None:
    with_columns = [run(*command, db=db) for command in COMMANDS]
    assert all(r.returncode == 0 and r.stdout for r in with_columns)
    assert len(with_columns[0].stdout.splitlines()) == 5
    path = db / COLUMNS_FILE
    written = path.read_bytes()
    path.write_bytes(written[: len(written) // 3])  # torn
    assert [run(*command, db=db).stdout for command in COMMANDS] == [r.stdout for r in with_columns]
    assert path.read_bytes() == written  # rebuilt as the import wrote it
    path.unlink()
    assert [run(*command, db=db).stdout for command in COMMANDS] == [r.stdout for r in with_columns]


def test_version_is_looked_up_when_asked(db: Path) -> None:
    from tui.cli.parser import paperdeck_version

    result = run("--version", db=db)
    assert result.returncode == 0
    assert result.stdout == f"paperdeck {paperdeck_version()}\n"
