"""Every export read back by the parsers users' tools are built on, on hostile data.

bibtexparser 2 and pybtex (BibTeX), json (CSL-JSON), rispy (RIS), PyYAML (front matter),
markdown-it (CommonMark, the Markdown export's structure), and pandoc when it is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import bibtexparser
import pybtex.database
import pytest
import rispy
import yaml
from markdown_it import MarkdownIt

from store.export.clean import one_line
from store.export.frontmatter import obsidian_tag
from store.export.markdown import paper_document
from store.export.render import render
from store.export.write import export_dir, export_file
from store.models import Enrichment, Paper, Record, UserState

NOW = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)

TITLES = [
    "$\\omega$Test: Braces {unbalanced and } } { in a title",
    "100% & #1 under_score ~tilde^ caret \\backslash",
    "Über Ça: \"double\" and 'single' quotes — a colon: title",
    "学习 深度 模型 🚀 emoji 🧠",
    "Control \x1b]0;evil\x07 bell \x00 nul \x9b csi \ufffe nonchar",
    "title}, author = {Evil}, note = {injected",
    "$unbalanced {$ maths and $x^2$ good maths with 50% $a & b$",
    "@misc{inject, title={x}}\n% a comment line\nnew line",
]
AUTHORS = (
    "Ada Lovelace",
    "Zoë Ørsted",
    "李 小龙",
    "Smith and Sons",
    "O'Brien, Pat, Jr.",
    "Émile \x1b[31mZola",
    "José {Braces} 100%",
)
TAGS = ("c++", "2024", "q&a", "machine learning", "a/b", "\ufffe", "emoji🚀", "#hash", "---")
NOTE = (
    "---\ntitle: hijacked\nauthor: evil\n---\n\n# Idea\n\nText with $x$.\n\n"
    "Setext heading\n==============\n\n## Sub\n\n---\n\n```python\n# not a heading\n---\n"
)


def hostile(n: int, title: str) -> Record:
    return Record(
        Paper(
            id=f"p{n:07d}",
            title=title,
            abstract="Abstract with {braces}, 100% & \\emph{TeX}\n\nand a second paragraph.",
            organization="evilcorp",
            organization_name="Evil Corp",
            published=f"2024-{(n % 12) + 1:02d}-0{(n % 9) + 1}",
            links=("https://example.org/a%20b?x={y}",),
        ),
        UserState(tags=TAGS, note=NOTE, status="reading"),
        enrichment=Enrichment(
            arxiv_id=f"2401.{n:05d}",
            authors=AUTHORS if n % 2 == 0 else (),
            arxiv_categories=("cs.LG", "stat.ML"),
            primary_category="cs.LG",
            doi="10.1000/x.y{z}%" if n % 3 == 0 else None,
            journal_ref="J. Fun & Games 12, 100% (2024)" if n % 3 == 0 else None,
        ),
        citekey=f"key{n}",
        citekey_aliases=(f"old{n}",),
    )


RECORDS = [hostile(n, title) for n, title in enumerate(TITLES)]


def rendered(fmt: str) -> str:
    return render(fmt, RECORDS, now=NOW, include_all=True)


def test_bibtexparser_reads_every_entry_whole() -> None:
    library = bibtexparser.parse_string(rendered("bib"))
    assert library.failed_blocks == []
    assert [e.key for e in library.entries] == [r.citekey for r in RECORDS]
    for entry, record in zip(library.entries, RECORDS, strict=True):
        assert entry.entry_type == ("article" if record.journal_ref else "misc")
        assert entry["eprint"] == record.arxiv_id
        assert entry["archivePrefix"] == "arXiv"
        assert entry["primaryClass"] == "cs.LG"
        assert "month" in entry.fields_dict and "Evil" not in entry.fields_dict.get("note", "")
        assert set(entry.fields_dict) <= {
            "title", "author", "journal", "year", "month", "doi", "eprint", "archivePrefix",
            "primaryClass", "url", "keywords", "ids",
        }  # fmt: skip


def test_pybtex_reads_titles_authors_and_months() -> None:
    data = pybtex.database.parse_string(rendered("bib"), "bibtex")
    assert list(data.entries) == [r.citekey for r in RECORDS]
    for record in RECORDS:
        entry = data.entries[record.citekey]
        assert len(entry.persons.get("author", [])) == len(record.authors)
        assert "Evil Corp" not in str(entry.persons)  # never the organisation
        assert entry.fields["month"] in {"January", "February", "March", "April", "May", "June",
                                         "July", "August", "September", "October", "November",
                                         "December"}  # fmt: skip
        assert entry.fields["ids"] == record.citekey_aliases[0]
        assert "Evil" not in entry.fields.get("author", "") and "note" not in entry.fields
    zola = data.entries["key0"].persons["author"][5]
    assert zola.last_names == ["Zola"] and "\x1b" not in str(zola)
    # arXiv's own export keeps maths as maths.
    assert data.entries["key0"].fields["title"].startswith("$\\omega$")
    assert "$x^2$" in data.entries["key6"].fields["title"]


def test_csl_json_is_what_citeproc_reads() -> None:
    items = json.loads(rendered("csl"))
    assert [i["id"] for i in items] == [r.citekey for r in RECORDS]
    for item, record in zip(items, RECORDS, strict=True):
        assert item["title"] == one_line(record.title)
        assert "\x1b" not in item["title"] and "\ufffe" not in item["title"]
        assert item["type"] == ("article-journal" if record.journal_ref else "article")
        assert len(item.get("author", [])) == len(record.authors)
        assert item["issued"]["date-parts"][0][0] == 2024
    assert items[0]["author"][0] == {"family": "Lovelace", "given": "Ada"}
    assert items[0]["author"][2] == {"family": "小龙", "given": "李"}
    assert items[0]["author"][4] == {"family": "O'Brien", "given": "Pat", "suffix": "Jr."}
    assert items[0]["DOI"] == "10.1000/x.y{z}%" and items[0]["container-title"].startswith("J. Fun")
    assert items[1]["publisher"] == "arXiv" and items[1]["number"] == "arXiv:2401.00001"


def test_rispy_reads_every_record() -> None:
    entries = rispy.loads(rendered("ris"))
    assert len(entries) == len(RECORDS)
    for entry, record in zip(entries, RECORDS, strict=True):
        assert entry["id"] == record.citekey
        assert entry["title"] == one_line(record.title)
        assert len(entry.get("authors", [])) == len(record.authors)
        assert entry["type_of_reference"] == ("JOUR" if record.journal_ref else "UNPB")
        assert entry["keywords"] == [one_line(t) for t in TAGS if one_line(t)]


OBSIDIAN_TAG = r"^(?!\d+$)[\w/-]+$"


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ("c++", "cplusplus"),
        ("q&a", "qanda"),
        ("c#", "csharp"),
        ("2024", "_2024"),
        ("machine learning", "machine-learning"),
        ("a/b", "a/b"),
        ("/a//b/", "a/b"),
        ("v1.2", "v1-2"),
        ("émigré", "émigré"),
        ("学习", "学习"),
        ("emoji🚀", "emoji"),
        ("---", None),
        ("\ufffe", None),
    ],
)
def test_obsidian_tags(tag: str, shown: str | None) -> None:
    assert obsidian_tag(tag) == shown


def test_front_matter_reads_back_with_pyyaml_whatever_the_data() -> None:
    for record in RECORDS:
        document = paper_document(record)
        head, _, _ = document[4:].partition("\n---\n")
        values = yaml.safe_load(head)
        assert values["citekey"] == record.citekey
        assert values["title"] == one_line(record.title)
        assert values["authors"] == [one_line(a) for a in record.authors]
        assert values["year"] == 2024
        assert values["arxiv"] == record.arxiv_id
        assert values["doi"] == record.doi
        assert values["aliases"] == [record.citekey, *record.citekey_aliases]
        assert values["tags"] and all(
            __import__("re").match(OBSIDIAN_TAG, t) for t in values["tags"]
        )
        assert "c++" in record.state.tags  # the user's spelling is untouched


def headings(markdown: str) -> list[tuple[int, str]]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [
        (int(t.tag[1]), tokens[i + 1].content)
        for i, t in enumerate(tokens)
        if t.type == "heading_open"
    ]


def test_one_document_nests_notes_under_their_paper() -> None:
    text = rendered("md")
    assert "\n## $\\omega$Test: Braces" in text  # maths kept for pandoc and Obsidian
    assert "\n## 100% & \\#1 under\\_score" in text  # Markdown's own characters escaped
    found = headings(text)
    assert [level for level, _ in found if level <= 2] == [1] + [2] * len(RECORDS)
    assert ("### Idea" in text) and (3, "Idea") in found and (4, "Sub") in found
    assert (3, "Setext heading") in found
    tokens = MarkdownIt("commonmark").parse(text)
    fences = [t for t in tokens if t.type == "fence"]
    assert all("# not a heading\n---\n" in t.content for t in fences)  # code kept as it was
    outside = text
    for fence in fences:
        outside = outside.replace(fence.content, "")
    assert "\n---\n" not in outside  # no line can open or close a YAML metadata block
    assert len(fences) == len(RECORDS)  # each open fence closed inside its own note


@pytest.fixture
def pandoc() -> Iterator[str]:
    path = shutil.which("pandoc")
    if path is None:
        pytest.skip("pandoc is not installed")
    yield path


def test_pandoc_keeps_the_documents_title_and_every_note(pandoc: str, tmp_path: Path) -> None:
    source = tmp_path / "notes.md"
    source.write_text(rendered("md"), encoding="utf-8")
    out = subprocess.run(
        [pandoc, "--from", "markdown", "--to", "json", str(source)],
        capture_output=True,
        check=True,
        text=True,
    )
    document = json.loads(out.stdout)
    assert document["meta"] == {}  # no note became the document's metadata
    assert '"InlineMath"},"\\\\omega"' in out.stdout  # a title's maths stays maths
    assert out.stdout.count('"hijacked"') == len(RECORDS)


def test_pandoc_reads_bibtex_and_csl(pandoc: str, tmp_path: Path) -> None:
    for fmt, reader in (("bib", "bibtex"), ("csl", "csljson")):
        source = tmp_path / f"refs.{fmt}"
        source.write_text(rendered(fmt), encoding="utf-8")
        out = subprocess.run(
            [pandoc, "--from", reader, "--to", "csljson", str(source)],
            capture_output=True,
            check=True,
            text=True,
        )
        assert [i["id"] for i in json.loads(out.stdout)] == [r.citekey for r in RECORDS]


# -- file modes --------------------------------------------------------------------------------


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.usefixtures("umask")
def test_exports_respect_the_umask_and_keep_an_existing_mode(tmp_path: Path) -> None:
    os.umask(0o002)
    new = export_file("bib", RECORDS, tmp_path / "a.bib", now=NOW, include_all=True)
    assert stat.S_IMODE(new.stat().st_mode) == 0o664
    os.umask(0o022)
    other = export_file("ris", RECORDS, tmp_path / "b.ris", now=NOW, include_all=True)
    assert stat.S_IMODE(other.stat().st_mode) == 0o644
    new.chmod(0o660)
    os.umask(0o077)
    export_file("bib", RECORDS, new, now=NOW, include_all=True, force=True)
    assert stat.S_IMODE(new.stat().st_mode) == 0o660
    os.umask(0o022)
    report = export_dir(RECORDS[:2], tmp_path / "vault", now=NOW)
    assert {stat.S_IMODE(p.stat().st_mode) for p in report.written} == {0o644}
