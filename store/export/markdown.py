"""Markdown exports: one document with every noted paper, or one file per paper.

A note is the user's Markdown, kept as written except where it would leak out of its paper:
its headings are demoted below the paper's heading (a note's `# Idea` becomes `### Idea` under
`## Paper`), a `---` line becomes `* * *` (pandoc would read `---` + YAML as the document's
metadata, replacing its title and hiding the note) and a code fence left open is closed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime

from store.export.clean import one_line, plain
from store.export.frontmatter import front_matter
from store.models import Record

WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
_MATH = re.compile(r"(?<!\\)\$(?=\S)(?:[^$\\]|\\.)+?(?<=\S)\$")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|$])")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?=\s|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^ {0,3}(?:-\s*){3,}$")


def heading_text(title: str) -> str:
    """A title as Markdown heading text: characters Markdown would act on are escaped, except
    inside `$...$`, which stays maths for pandoc and Obsidian (as arXiv's own exports keep it)."""
    text = one_line(title)
    out: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        out.append(_MARKDOWN_SPECIAL.sub(r"\\\1", text[position : match.start()]))
        out.append(match.group())
        position = match.end()
    out.append(_MARKDOWN_SPECIAL.sub(r"\\\1", text[position:]))
    return "".join(out)


def nest_note(note: str, below: int) -> str:
    """The note with its headings at least `below + 1` deep, no `---` lines and no open code
    fence; code blocks are left exactly as they are."""
    lines = plain(note).strip("\n").split("\n")
    out: list[str] = []
    fence: str | None = None
    for line in lines:
        opening = _FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        heading = _ATX.match(line)
        if heading:
            level = min(6, len(heading.group(1)) + below)
            out.append("#" * level + line[heading.end() :])
            continue
        underline = _SETEXT.match(line)
        if underline and out and out[-1].strip() and not _ATX.match(out[-1]):
            level = min(6, (1 if underline.group(1)[0] == "=" else 2) + below)
            out[-1] = "#" * level + " " + out[-1].strip()
            continue
        if _RULE.match(line):
            out.append("* * *")
            continue
        out.append(line)
    if fence is not None:
        out.append(fence)
    return "\n".join(out)


def metadata_line(record: Record) -> str:
    """`2024-08-11 · Ada Lovelace, Alan Turing · arXiv 2408.07092 · <links> · #tag · status`."""
    paper = record.paper
    parts: list[str] = []
    if record.citekey:
        parts.append(f"`@{record.citekey}`")
    if paper.published:
        parts.append(paper.published)
    if record.authors:
        parts.append(heading_text(", ".join(one_line(a) for a in record.authors)))
    elif paper.authors_count is not None:
        parts.append(f"{paper.authors_count} author{'s' if paper.authors_count != 1 else ''}")
    if paper.organization:
        parts.append(heading_text(paper.organization_name or paper.organization))
    if record.arxiv_id:
        parts.append(f"arXiv [{record.arxiv_id}](https://arxiv.org/abs/{record.arxiv_id})")
    if record.doi:
        parts.append(f"DOI [{heading_text(record.doi)}](<https://doi.org/{record.doi}>)")
    for link in paper.links:
        shown = re.sub(r"^https?://", "", link)
        parts.append(f"[{heading_text(shown)}](<{one_line(link)}>)")
    if record.state.tags:
        parts.append(" ".join(f"#{heading_text(t)}" for t in record.state.tags))
    parts.append(f"status: {record.state.status}")
    return " · ".join(parts)


def render_markdown(
    records: Sequence[Record],
    *,
    title: str = "paperdeck notes",
    now: datetime,
    include_all: bool = False,
) -> str:
    """One document: a heading and date, then each paper with a note (every paper with
    `include_all`) as a `##` section, its metadata line and its note nested below it."""
    chosen = [r for r in records if include_all or r.state.note.strip()]
    count = f"{len(chosen)} paper" + ("" if len(chosen) == 1 else "s")
    lines = [f"# {title}", "", f"Exported {now.strftime('%Y-%m-%d %H:%M')} · {count}"]
    for record in chosen:
        lines += ["", f"## {heading_text(record.title)}", "", metadata_line(record)]
        if record.state.note.strip():
            lines += ["", nest_note(record.state.note, below=2)]
    return "\n".join(lines) + "\n"


def paper_document(record: Record) -> str:
    parts = [front_matter(record), f"# {heading_text(record.title)}", "", metadata_line(record)]
    abstract = plain(record.paper.abstract).strip()
    if abstract:
        parts += ["", "## Abstract", "", nest_note(abstract, below=2)]
    note = record.state.note
    parts += ["", "## Notes", "", nest_note(note, below=2) if note.strip() else "_No note yet._"]
    return "\n".join(parts) + "\n"


def slugify(title: str, *, max_len: int = 80) -> str:
    """A single safe file-name component: ASCII letters, digits and dashes, bounded, never
    empty, never a Windows reserved name, never `.` or `..`."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    slug = slug[:max_len].rstrip("-")
    if not slug:
        slug = "paper"
    if slug in WINDOWS_RESERVED:  # CON.md is still CON on Windows
        slug = f"{slug}-paper"
    return slug
