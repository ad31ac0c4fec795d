"""Export: golden files for every format, front matter round trips, safe slugs, safe rewrites."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import ExportError
from store.export.frontmatter import front_matter
from store.export.markdown import slugify
from store.export.render import render
from store.export.write import export_dir, export_file
from store.library import Library
from store.models import Enrichment, Paper, Record, UserState
from tests.conftest import DATA

GOLDEN = DATA / "export"
NOW = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
HOSTILE_NOTE = (
    "# Heading\n\n---\n\n*bold* [link](x) `code` \\ back\nkey: value # not yaml\n🚀 \x1b]0;x\x07"
)


@pytest.fixture
def noted(library: Library) -> list[Record]:
    records = library.records("", "title")[:6]
    a, b, c = (r.id for r in records[:3])
    library.add_tags([a, b], ["llm", "to-read"])
    library.set_note(a, HOSTILE_NOTE)
    library.set_note(b, "A plain note.")
    library.set_status([c], "read")
    library.queue_add([b])
    return library.records("", "title")[:6]


@pytest.mark.parametrize("fmt", ["md", "bib", "csl", "ris", "json"])
def test_golden_files(library: Library, noted: list[Record], fmt: str) -> None:
    noted = library.with_citekeys(noted)
    text = render(fmt, noted, now=NOW, include_all=fmt != "md")
    golden = GOLDEN / f"seeds.{fmt}"
    if os.environ.get("PAPERDECK_UPDATE_GOLDENS"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_golden_directory(library: Library, noted: list[Record], tmp_path: Path) -> None:
    report = export_dir(library.with_citekeys(noted[:2]), tmp_path / "vault", now=NOW)
    assert len(report.written) == 2
    for path in report.written:
        golden = GOLDEN / "dir" / path.name
        if os.environ.get("PAPERDECK_UPDATE_GOLDENS"):
            golden.parent.mkdir(exist_ok=True)
            golden.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        assert path.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")


def test_markdown_nests_the_note_under_its_paper(noted: list[Record]) -> None:
    text = render("md", noted, now=NOW, include_all=False)
    # The note's `# Heading` sits below the paper's `##`; its `---` cannot open YAML metadata.
    assert "### Heading\n\n* * *\n\n*bold* [link](x) `code` \\ back" in text
    assert "\x1b" not in text
    assert text.count("\n## ") == 2  # only papers with notes
    assert "#llm #to-read" in text


def record(title: str, tags: tuple[str, ...] = (), note: str = "") -> Record:
    return Record(
        Paper(id="abcd1234", title=title, published="2024-01-02", links=("https://x.org/a",)),
        UserState(tags=tags, note=note),
        enrichment=Enrichment(arxiv_id="2401.00001"),
    )


# Text as the store keeps it: no control characters, no bidi overrides (store.text drops both).
STORED = st.characters(
    blacklist_categories=("Cs", "Cc"),
    blacklist_characters="\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)


@settings(max_examples=200, deadline=None)
@given(
    st.text(STORED, min_size=1, max_size=80),
    st.lists(st.text(STORED, max_size=10), max_size=3),
)
def test_front_matter_is_yaml_any_reader_gets_back(title: str, tags: list[str]) -> None:
    text = front_matter(record(title, tuple(tags)))
    assert text.startswith("---\n") and text.endswith("\n---\n")
    values = yaml.safe_load(text[4:-4])
    # The noncharacters U+FFFE/U+FFFF are dropped on the way out (YAML readers refuse them).
    assert values["title"] == " ".join(title.replace("\ufffe", "").replace("\uffff", "").split())
    assert values["arxiv"] == "2401.00001"
    assert values["published"] == "2024-01-02"
    assert values["year"] == 2024
    for tag in values["tags"]:
        assert isinstance(tag, str) and tag and not tag.replace("/", "").isdigit()


@pytest.mark.parametrize(
    "title",
    [
        "../../etc/passwd",
        "CON",
        "nul",
        'a/b\\c:d*e?f"g<h>i|j',
        "x" * 500,
        "🚀🧠",
        "!!!",
        "",
        ".",
        "..",
        "trailing dots... ",
        "Ünïcödé Tïtle",
    ],
)
def test_slugs_are_one_safe_component(title: str) -> None:
    slug = slugify(title)
    assert slug and len(slug) <= 80
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug)
    assert slug not in {"con", "prn", "aux", "nul", ".", ".."}
    assert not slug.startswith("-") and not slug.endswith("-")


def test_reexport_updates_in_place_and_spares_foreign_and_edited_files(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    foreign = vault / "my-paper.md"
    foreign.write_text("mine, not paperdeck's")
    first = record("My Paper", note="v1")
    report = export_dir([first], vault, now=NOW)
    (written,) = report.written
    assert written != foreign and foreign.read_text() == "mine, not paperdeck's"
    assert export_dir([first], vault, now=NOW).unchanged == [written]
    second = record("My Paper", note="v2")
    assert export_dir([second], vault, now=NOW).updated == [written]
    written.write_text("edited by hand")
    report = export_dir([record("My Paper", note="v3")], vault, now=NOW)
    assert report.skipped and written.read_text() == "edited by hand"
    export_dir([record("My Paper", note="v3")], vault, now=NOW, force=True)
    assert "v3" in written.read_text()


def test_export_file_refuses_to_overwrite_and_leaves_nothing_half_written(tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    target.write_text("keep me")
    with pytest.raises(ExportError, match="--force"):
        export_file("md", [record("T", note="n")], target, now=NOW, include_all=False)
    assert target.read_text() == "keep me"
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ExportError, match=str(blocker)):
        export_file("md", [], blocker / "x.md", now=NOW, include_all=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "notes.md"]


def test_bibtex_escapes_and_keys_are_unique() -> None:
    records = [
        Record(Paper(id=f"id{n}xxxx", title="Sparse & 100% $fast$ #1 under_score {x} ~^\\"))
        for n in range(3)
    ]
    text = render("bib", records, now=NOW, include_all=True)
    # `$fast$` is maths, passed through as arXiv's own BibTeX does.
    assert r"Sparse \& 100\% $fast$ \#1 under\_score \{x\}" in text
    keys = [line.split("{", 1)[1].rstrip(",") for line in text.splitlines() if line.startswith("@")]
    assert len(set(keys)) == 3
