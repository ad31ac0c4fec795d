"""Hostile input: arbitrary bytes, huge lines and files, Unicode edge cases, terminal escapes."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from store.catalog.listing import MAX_ABSTRACT_CHARS, decode, parse_listing
from store.errors import ListingError
from store.library import Library
from tui.text import clean, safe

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))
HOSTILE_TITLE = "Evil \x1b]0;pwned\x07 [bold]Title[/] \x1b[31mred\x1b[0m \u202eesrever\u202c \x9b2J"


def listing(title: str, abstract: str = "An abstract.") -> str:
    return f"{title}\n\n{abstract}\n\n  • 2 authors\n·\nMar 3, 2024 4\n"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_give_records_or_a_listing_error(data: bytes) -> None:
    try:
        records = parse_listing(decode(data, "fuzz.txt"), "fuzz.txt")
    except ListingError as error:
        assert "fuzz.txt" in str(error)
        assert "\n" not in str(error)
    else:
        assert records


def test_a_ten_megabyte_abstract_line_parses_capped_with_a_warning() -> None:
    abstract = "see https://github.com/a/b. " + ("word " * 2_000_000).strip()
    start = time.perf_counter()
    (record,) = parse_listing(listing("Huge", abstract), "huge.txt")
    assert len(record.abstract) <= MAX_ABSTRACT_CHARS + 4 and record.abstract.endswith(" […]")
    assert record.github == ("a/b",)
    (warning,) = record.warnings
    assert "huge.txt line 1" in warning and "10,000,027 characters" in warning
    assert time.perf_counter() - start < 30  # generous: a regression would take minutes


def test_a_hundred_thousand_line_file_parses() -> None:
    records = "".join(listing(f"Paper number {n}") + "\n" for n in range(12_500))
    parsed = parse_listing(records, "big.txt")
    assert len(parsed) == 12_500
    assert records.count("\n") >= 100_000


def test_unicode_edge_cases_survive_import(tmp_path: Path) -> None:
    titles = [
        "نموذج لغوي كبير للترجمة",  # right-to-left
        "Zero\u200bwidth\u200dtitle",
        "Cafe\u0301 combining accents",
        "Emoji 🚀🧠 in a title 👩‍🔬",
    ]
    path = tmp_path / "unicode.txt"
    path.write_text("\n".join(listing(t) for t in titles), encoding="utf-8")
    library = Library.open(tmp_path / "data")
    report = library.import_files([path])
    assert report.new == 4
    assert {p.title for p in library.papers().values()} == set(titles)


def test_a_listing_title_with_escapes_is_stored_without_their_remnants(tmp_path: Path) -> None:
    """The listing cleaner once dropped only the ESC byte and stored `[31m`."""
    path = tmp_path / "evil.txt"
    title = "A \x1b[31mred\x1b[0m title \x1b]0;pwned\x07here \u202eok\u202c"
    path.write_text(listing(title, "An \x1b[1mabstract\x1b[0m."), encoding="utf-8")
    library = Library.open(tmp_path / "data")
    library.import_files([path])
    (paper,) = library.papers().values()
    assert paper.title == "A red title here ok"
    assert library.abstract(paper.id) == "An abstract."


def test_clean_removes_escape_sequences_and_controls() -> None:
    cleaned = clean(HOSTILE_TITLE)
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\x9b" not in cleaned
    assert "\u202e" not in cleaned
    assert "[bold]Title[/]" in cleaned
    assert clean("a\nb", multiline=True) == "a\nb"
    assert clean("a\nb") == "a b"


def test_markup_in_data_is_never_interpreted() -> None:
    text = safe("[bold]x[/] [link=http://evil]y[/link] [MASK]")
    assert text.plain == "[bold]x[/] [link=http://evil]y[/link] [MASK]"
    assert not text.spans


def _run_in_terminal(argv: list[str], env: dict[str, str]) -> bytes:
    """Run a command with a pseudo-terminal as stdout, as a user's shell would."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(argv, stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    output = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 10)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(controller)
    return output


def test_cli_never_sends_data_escapes_to_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "evil.txt"
    path.write_text(listing(HOSTILE_TITLE, "Abstract with \x1b]8;;http://evil\x07link\x1b]8;;\x07"))
    db = tmp_path / "data"
    env = {**os.environ, "COLUMNS": "200", "TERM": "xterm-256color"}
    subprocess.run([PAPERDECK, "--db", str(db), "import", str(path)], check=True, env=env)
    pid = next(iter(Library(db).papers()))
    for argv in (["list"], ["show", pid]):
        output = _run_in_terminal([PAPERDECK, "--db", str(db), *argv], env)
        assert b"[bold]Title[/]" in output  # the text shows verbatim...
        assert b"\x1b]0;pwned" not in output  # ...and its escapes never reach the terminal
        assert b"\x1b]8;;http://evil" not in output
        assert b"\x1b[31mred" not in output
        assert "\u202e".encode() not in output
    piped = subprocess.run(
        [PAPERDECK, "--db", str(db), "list"], capture_output=True, check=True, env=env
    ).stdout
    assert b"\x1b" not in piped and b"[bold]Title[/]" in piped
