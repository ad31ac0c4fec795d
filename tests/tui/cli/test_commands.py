"""The installed `paperdeck` command, run as a user runs it: a subprocess on a temp store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))
SEEDS = ROOT / "seeds"
KEYS = {
    "id",
    "citekey",
    "citekey_aliases",
    "doi",
    "journal_ref",
    "primary_category",
    "title",
    "abstract",
    "authors_count",
    "organization",
    "published",
    "upvotes",
    "links",
    "github",
    "sources",
    "tags",
    "status",
    "queue_position",
    "note",
    "arxiv_id",
    "authors",
    "arxiv_categories",
    "categories",
    "version",
    "github_stars",
    "pdf_url",
    "repos",
}


def run(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PAPERDECK, "--db", str(db), *args], capture_output=True, text=True, input=stdin
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "data"
    result = run("import", str(SEEDS), db=path)
    assert result.returncode == 0, result.stderr
    assert "288 listings" in result.stdout and "212 new, 0 merged, 0 unchanged" in result.stdout
    return path


def papers(db: Path, query: str = "") -> list[dict[str, object]]:
    result = run("list", "--json", "--query", query, db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_list_json_is_the_contract(db: Path) -> None:
    records = papers(db)
    assert len(records) == 212
    assert all(set(r) == KEYS | {"interest", "interest_terms"} for r in records)
    assert all(r["status"] == "unread" and r["queue_position"] is None for r in records)
    # No decisions yet: no opinion about any paper.
    assert all(r["interest"] == 0.5 and r["interest_terms"] == [] for r in records)


def test_list_in_a_pipe_is_tab_separated(db: Path) -> None:
    result = run("list", "--limit", "3", db=db)
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(len(line.split("\t")) == 6 for line in lines)


def test_tag_note_queue_mark_and_show(db: Path) -> None:
    a, b = (str(r["id"]) for r in papers(db)[:2])
    assert run("tag", a, "LLM", "to-read", db=db).returncode == 0
    assert run("tag", a, "to-read", "--remove", db=db).returncode == 0
    assert run("note", a, "--text", "# my note", db=db).returncode == 0
    assert run("note", b, db=db, stdin="from stdin\n").returncode == 0
    assert run("queue", "add", b, a, db=db).returncode == 0
    assert run("mark", a, "reading", db=db).returncode == 0
    shown = json.loads(run("show", a[:5], "--json", db=db).stdout)
    assert (shown["tags"], shown["note"], shown["status"]) == (["llm"], "# my note", "reading")
    assert shown["queue_position"] == 2
    queue = json.loads(run("queue", "list", "--json", db=db).stdout)
    assert [r["id"] for r in queue] == [b, a]
    assert json.loads(run("show", b, "--json", db=db).stdout)["note"] == "from stdin\n"
    assert run("queue", "remove", b, db=db).returncode == 0
    assert [r["id"] for r in papers(db, "is:queued")] == [a]
    assert [r["id"] for r in papers(db, "tag:llm")] == [a]
    assert "my note" in run("show", a, db=db).stdout


def test_db_option_after_the_command_and_home_from_the_environment(
    db: Path, isolated_home: Path
) -> None:
    after = subprocess.run(
        [PAPERDECK, "list", "--limit", "1", "--db", str(db)], capture_output=True, text=True
    )
    assert after.returncode == 0 and after.stdout.count("\n") == 1
    empty = subprocess.run([PAPERDECK, "list"], capture_output=True, text=True)
    assert empty.returncode == 0 and empty.stdout == ""
    assert isolated_home.is_dir()  # PAPERDECK_HOME was used, not the user's data dir


def test_export_formats(db: Path, tmp_path: Path) -> None:
    a = str(papers(db)[0]["id"])
    run("note", a, "--text", "exported note", db=db)
    markdown = run("export", db=db)
    assert markdown.returncode == 0 and "exported note" in markdown.stdout
    exported = json.loads(run("export", "--format", "json", db=db).stdout)
    assert {r["id"] for r in exported} == {r["id"] for r in papers(db)}
    assert "@misc{" in run("export", "--format", "bib", "--query", "year:2025", db=db).stdout
    target = tmp_path / "notes.md"
    assert run("export", "-o", str(target), db=db).returncode == 0
    again = run("export", "-o", str(target), db=db)
    assert again.returncode == 2 and "--force" in again.stderr
    assert run("export", "-o", str(target), "--force", db=db).returncode == 0
    folder = tmp_path / "vault"
    assert run("export", "--dir", str(folder), db=db).returncode == 0
    assert len(list(folder.glob("*.md"))) == len(papers(db, "has:note"))


def test_related_duplicates_and_merge(db: Path) -> None:
    sae = papers(db, '"sparse autoencoders"')[0]
    related = json.loads(run("related", str(sae["id"]), "--json", db=db).stdout)
    assert 0 < len(related) <= 5 and sae["id"] not in {r["id"] for r in related}
    assert run("duplicates", db=db).returncode == 0
    a, b = (str(r["id"]) for r in papers(db, "year:2015..2019")[:2])
    assert run("merge", a, b, db=db).returncode == 0
    assert b not in {r["id"] for r in papers(db)}


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("show", "zzzzzzzz"), "no paper with id"),
        (("list", "--query", "year:>>2"), "bad query term 'year:>>2'"),
        (("import", "/does/not/exist.txt"), "/does/not/exist.txt: no such file"),
        (("tag", "PLACEHOLDER", "two words"), "bad tag"),
        (("mark", "PLACEHOLDER", "maybe"), "invalid choice"),
    ],
)
def test_bad_input_is_one_line_exit_2_no_traceback(
    db: Path, args: tuple[str, ...], needle: str
) -> None:
    pid = str(papers(db)[0]["id"])
    result = run(*(pid if a == "PLACEHOLDER" else a for a in args), db=db)
    assert result.returncode == 2
    assert result.stderr.startswith("paperdeck: error:") and needle in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "empty"), (b"\x00\x01binary", "binary"), (b"\xff\xfe\xfa", "not UTF-8")],
)
def test_bad_listing_files_leave_the_store_as_it_was(
    db: Path, tmp_path: Path, content: bytes, needle: str
) -> None:
    before = {p.name: p.read_bytes() for p in db.iterdir() if p.is_file()}
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = run("import", str(bad), db=db)
    assert result.returncode == 2 and needle in result.stderr and str(bad) in result.stderr
    assert {p.name: p.read_bytes() for p in db.iterdir() if p.is_file()} == before
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    result = run("import", str(empty_dir), db=db)
    assert result.returncode == 2 and "no listing files" in result.stderr


def test_list_does_not_import_textual(db: Path) -> None:
    probe = (
        "import sys; from tui.cli.main import main; "
        f"main(['--db', {str(db)!r}, 'list', '--limit', '1']); "
        "assert 'textual' not in sys.modules, 'textual imported'"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_store_is_headless() -> None:
    """The UI never leaks down (rich as a direct import is caught by import-linter; httpx
    itself may load rich for its own command line)."""
    probe = (
        "import sys, store.library, store.search.language, store.search.index, "
        "store.export.render, store.search.related, store.view, store.stats, store.enrich.run; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')]; "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_wheel_ships_the_seeds_and_the_stylesheet(tmp_path: Path) -> None:
    root = ROOT
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(root),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    import zipfile

    (wheel,) = tmp_path.glob("paperdeck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"store/seeds/{p.name}" for p in (root / "seeds").glob("*.txt")} <= names
    assert len([n for n in names if n.startswith("store/seeds/") and n.endswith(".txt")]) == 5
    assert "tui/app.tcss" in names


@pytest.mark.parametrize(
    ("argv", "app_only"),
    [
        ([], True),
        (["--db", "/tmp/x"], True),
        (["--db=/tmp/x"], True),
        (["--db="], True),
        (["--db", "--help"], False),
        (["--help"], False),
        (["list"], False),
        (["--db", "/tmp/x", "list"], False),
        (["--db"], False),
        (["--version"], False),
    ],
)
def test_only_the_app_skips_the_parser(argv: list[str], app_only: bool) -> None:
    from tui.cli.main import app_arguments, build_parser, names_no_command

    assert names_no_command(argv) is app_only
    if app_only:  # what the app's start reads without argparse is what the parser would
        assert vars(app_arguments(argv)) == vars(build_parser().parse_args(argv))


def test_the_app_starts_without_argparse() -> None:
    """`paperdeck` and `paperdeck --db DIR` never load argparse (nor the gettext it loads)."""
    code = (
        "import sys; from tui.cli import main; "
        "args = main.app_arguments(['--db', 'x']); "
        "print(sorted(m for m in ('argparse', 'gettext', 'tui.cli.parser') if m in sys.modules))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert shown.stdout.strip() == "[]", shown.stderr


def test_a_command_line_builds_its_commands_parsers_only() -> None:
    """Each command is found in the module `MODULE_OF` names (all but `completion`, whose
    script lists every command), and that module's parsers read its command lines as the
    whole parser does."""
    import importlib

    from tui.cli.main import COMMAND_MODULES, MODULE_OF, build_parser, command_module
    from tui.cli.parser import ArgumentParser

    found = {}
    for module in COMMAND_MODULES:
        sub = ArgumentParser().add_subparsers(dest="command")
        importlib.import_module(f"tui.cli.{module}").add_commands(
            sub, ArgumentParser(add_help=False)
        )
        found.update(dict.fromkeys(sub.choices, module))
    assert {**MODULE_OF, "completion": "config"} == found
    for argv in (
        ["list", "--query", "tag:x", "--limit", "3"],
        ["--db", "/tmp/x", "tag", "2501.00001", "llm"],
        ["--db=/tmp/x", "queue", "add", "abc"],
        ["inbox", "add", "moe", "mixture of experts"],
        ["export", "--format", "bib"],
        ["doctor"],
    ):
        only = command_module(argv)
        assert only == MODULE_OF[next(a for a in argv if not a.startswith("-") and a != "/tmp/x")]
        light = vars(build_parser(only=only).parse_args(argv))
        whole = vars(build_parser().parse_args(argv))
        assert light == whole, argv
    for argv in (["--help"], ["completion", "bash"], ["lsit"], ["--version"], ["--db", "x"]):
        assert command_module(argv) is None, argv


def test_help_still_lists_every_command(db: Path) -> None:
    result = run("--help", db=db)
    assert result.returncode == 0
    for command in ("list", "import", "tag", "export", "pull", "sync", "doctor", "completion"):
        assert f"    {command}" in result.stdout
