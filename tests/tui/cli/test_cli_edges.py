"""The CLI at the edges a red team found (issue 17): nothing typed is lost, nothing hostile gets
through.  The installed command in subprocesses, on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store.catalog.listing import MAX_ABSTRACT_CHARS
from tests.conftest import ROOT
from tests.store.test_hostile import _run_in_terminal, listing

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))
SEEDS = ROOT / "seeds"


def run(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PAPERDECK, "--db", str(db), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def show(db: Path, pid: str) -> dict[str, object]:
    result = run("show", pid, "--json", db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("edges") / "data"
    assert run("import", str(SEEDS), db=path).returncode == 0
    return path


@pytest.fixture(scope="module")
def ids(db: Path) -> list[str]:
    lines = run("list", db=db).stdout.splitlines()
    return [line.split("\t", 1)[0] for line in lines]


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    return line


# -- 4: empty standard input never erases a note ---------------------------------------------


def test_empty_stdin_is_refused_and_clearing_is_explicit(db: Path, ids: list[str]) -> None:
    pid = ids[0]
    assert run("note", pid, "--text", "keep me", db=db).returncode == 0
    for stdin in ("", "\n  \n"):
        result = run("note", pid, db=db, stdin=stdin)
        assert result.returncode == 2
        assert "--clear" in one_line(result) and '--text ""' in one_line(result)
        assert show(db, pid)["note"] == "keep me"
    cleared = run("note", pid, "--clear", db=db)
    assert cleared.returncode == 0 and "cleared" in cleared.stdout
    assert show(db, pid)["note"] == ""
    assert run("note", pid, "--text", "again", db=db).returncode == 0
    assert run("note", pid, "--text", "", db=db).returncode == 0
    assert show(db, pid)["note"] == ""
    assert run("note", pid, db=db, stdin="from a pipe\n").returncode == 0
    assert show(db, pid)["note"] == "from a pipe\n"


# -- 6: writes to a merged-away paper follow the merge, and say so ---------------------------


def test_writes_to_a_merged_away_paper_land_on_the_kept_paper(db: Path, ids: list[str]) -> None:
    keep, drop, other = ids[1], ids[2], ids[3]
    assert run("merge", keep, drop, db=db).returncode == 0
    followed = f"{drop} was merged into {keep}"

    result = run("tag", drop, "later", db=db)
    assert result.returncode == 0 and followed in result.stdout, result.stdout
    assert "later" in show(db, keep)["tags"]  # type: ignore[operator]

    result = run("mark", drop, "reading", db=db)
    assert result.returncode == 0 and followed in result.stdout
    assert show(db, keep)["status"] == "reading"

    result = run("queue", "add", drop, db=db)
    assert result.returncode == 0 and followed in result.stdout
    assert show(db, keep)["queue_position"] is not None

    result = run("note", drop, "--text", "written on the duplicate", db=db)
    assert result.returncode == 0 and followed in result.stdout
    assert show(db, keep)["note"] == "written on the duplicate"

    result = run("tag", drop, "later", "--remove", db=db)
    assert result.returncode == 0 and followed in result.stdout
    assert "later" not in show(db, keep)["tags"]  # type: ignore[operator]

    # Merging the hidden duplicate again is refused rather than guessed at.
    result = run("merge", other, drop, db=db)
    assert result.returncode == 2 and followed in one_line(result)
    # Reading it says where it went.
    result = run("show", drop, "--json", db=db)
    assert json.loads(result.stdout)["id"] == keep and followed in result.stderr


# -- 7: a huge abstract is capped at import, with a warning ----------------------------------


def test_a_huge_abstract_is_cut_at_import_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_text(listing("Huge Abstract Paper", "word " * 200_000))
    db = tmp_path / "data"
    result = run("import", str(path), db=db)
    assert result.returncode == 0, result.stderr
    assert "huge.txt line 1" in result.stderr
    assert f"kept the first {MAX_ABSTRACT_CHARS:,}" in result.stderr
    (paper,) = json.loads(run("list", "--json", db=db).stdout)
    assert len(paper["abstract"]) <= MAX_ABSTRACT_CHARS + 4


# -- 9: file names and notes never drive the terminal -----------------------------------------


def test_import_errors_print_file_names_without_their_escapes(tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b]0;pwned\x07\x1b[2J.txt"
    path.write_text("only a title\n")
    result = run("import", str(path), db=tmp_path / "data")
    assert result.returncode == 2
    line = one_line(result)
    assert "\x1b" not in line and "\x07" not in line
    assert "evil" in line and ".txt line 1" in line


def test_the_import_progress_bar_shows_markup_in_file_names_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "listings"
    folder.mkdir()
    for n in range(4):
        # Files big enough that the bar is drawn while each is read; no "/" in a file name,
        # so the link is left open.
        name = f"[link=mailto:evil.example]{n:02d} [bold]x.txt"
        body = "".join(listing(f"Paper {n} number {k}") + "\n" for k in range(6_000))
        (folder / name).write_text(body)
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm-256color"}
    argv = [PAPERDECK, "--db", str(tmp_path / "data"), "import", str(folder)]
    output = _run_in_terminal(argv, env)
    assert b"Imported 24000 listings" in output
    assert b"\x1b]8;" not in output  # no hyperlink escape
    assert b"[link=mailto:evil.example]" in output  # the name showed, as text


def test_json_escapes_c1_controls_from_notes(db: Path, ids: list[str]) -> None:
    pid = ids[4]
    note = "csi \x9b2J del \x7f bidi \u202e end"
    assert run("note", pid, "--text", note, db=db).returncode == 0
    assert run("queue", "add", pid, db=db).returncode == 0
    for args in (
        ("show", pid, "--json"),
        ("list", "--json", "--query", "is:queued"),
        ("queue", "list", "--json"),
        ("export", "-f", "json"),
    ):
        result = run(*args, db=db)
        assert result.returncode == 0, (args, result.stderr)
        for raw in ("\x9b", "\x7f", "\u202e"):
            assert raw not in result.stdout, (args, raw)
        assert "\\u009b2J" in result.stdout
        parsed = json.loads(result.stdout)
        records = parsed if isinstance(parsed, list) else [parsed]
        assert any(r["note"] == note for r in records), args


@pytest.mark.parametrize(("given", "expected"), [(None, "240"), ("30", "30")])
def test_the_app_draws_at_up_to_240_frames_a_second_unless_told(
    given: str | None, expected: str
) -> None:
    """A frame asked for between two of Textual's ticks waits for the next: at 60 a second,
    up to 17 ms after the key. The app starts textual at 240; `TEXTUAL_FPS` set by the user
    wins."""
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    if given is not None:
        env["TEXTUAL_FPS"] = given
    code = (
        "import tui.cli.app as a; a._start_app(); "
        "import textual.screen as s; print(round(1 / s.UPDATE_PERIOD))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == expected
