"""Store files that parse but hold wrong types (issue 17, item 12): found on read, reported by
`doctor`, one line naming the file from every command, and named by the app."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from store.files.documents import document_problem
from store.library import Library
from tests.conftest import ROOT

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))
SEEDS = ROOT / "seeds"

Edit = Callable[[dict[str, Any]], None]


def paperdeck(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PAPERDECK, "--db", str(db), *args], capture_output=True, text=True, timeout=120
    )


def first_doc(content: dict[str, Any], table: str = "papers") -> dict[str, Any]:
    return next(iter(content[table].values()))  # type: ignore[no-any-return]


def hand_edit(path: Path, edit: Edit) -> None:
    content = json.loads(path.read_text())
    edit(content)
    path.write_text(json.dumps(content))


CASES: list[tuple[str, Edit, str]] = [
    ("state.json", lambda c: first_doc(c).update(tags=5), "'tags' should be a list of strings"),
    ("state.json", lambda c: first_doc(c).update(note=["a"]), "'note' should be text"),
    ("state.json", lambda c: first_doc(c, "queue").update(ids="abc"), "'ids' should be a list"),
    ("catalog.json", lambda c: first_doc(c).update(title=42), "'title' should be text"),
    ("catalog.json", lambda c: first_doc(c).update(upvotes="many"), "'upvotes' should be"),
    ("catalog.json", lambda c: first_doc(c).update(links=[1]), "found a whole number in it"),
    ("catalog.json", lambda c: first_doc(c).pop("title"), "has no 'title'"),
    ("enrichment.json", lambda c: first_doc(c).update(authors="Ada"), "'authors' should be"),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    assert paperdeck("import", str(SEEDS), db=path).returncode == 0
    pid = paperdeck("list", "--limit", "1", db=path).stdout.split("\t", 1)[0]
    assert paperdeck("tag", pid, "x", db=path).returncode == 0
    assert paperdeck("queue", "add", pid, db=path).returncode == 0
    library = Library(path)
    from store.models import Enrichment

    library.save_enrichment(pid, Enrichment(arxiv_id="2401.00001", authors=("A. B.",)))
    return path


@pytest.mark.parametrize(("name", "edit", "words"), CASES, ids=[c[2][:30] for c in CASES])
def test_wrong_types_stop_commands_with_one_line_and_doctor_reports_them(
    db: Path, name: str, edit: Edit, words: str
) -> None:
    hand_edit(db / name, edit)
    edited = (db / name).read_bytes()
    pid = json.loads((db / "catalog.json").read_text())["papers"]["2"]["id"]
    for args in (("list",), ("list", "--json"), ("show", pid), ("tag", pid, "y"), ("export",)):
        result = paperdeck(*args, db=db)
        assert result.returncode == 1, (args, result.stdout[:200])
        assert "Traceback" not in result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert name in line and words in line, line
    doctor = paperdeck("doctor", db=db)
    assert doctor.returncode == 1
    assert f"{name}: DAMAGED" in doctor.stdout and words in doctor.stdout
    assert (db / name).read_bytes() == edited  # reported, never rewritten


def test_valid_files_have_no_problem(db: Path) -> None:
    for kind in ("catalog", "abstracts", "state", "enrichment"):
        content = json.loads((db / f"{kind}.json").read_text())
        assert document_problem(kind, content) is None
    assert paperdeck("doctor", db=db).returncode == 0
