"""Render papers and notes as text: one Markdown document, a file per paper, BibTeX, JSON.

Renderers return strings; `store.export.write` puts them on disk.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime

from store import json_text
from store.errors import ExportError
from store.facts import authors
from store.models import Record
from store.text import clean, one_line

FORMATS = ("md", "bib", "json")
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
# -- Markdown ----------------------------------------------------------------------------------


def heading_text(title: str) -> str:
    """A title as Markdown heading text: characters Markdown would act on are escaped."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", one_line(title))


def metadata_line(record: Record) -> str:
    """`2024-08-11 · 5 authors · arXiv 2408.07092 · <links> · #tag · status: read`."""
    paper = record.paper
    parts: list[str] = []
    if paper.published:
        parts.append(paper.published)
    if names := authors(record):
        parts.append(one_line(names))
    if paper.organization:
        parts.append(one_line(paper.organization_name or paper.organization))
    if record.arxiv_id:
        parts.append(f"arXiv [{record.arxiv_id}](https://arxiv.org/abs/{record.arxiv_id})")
    for link in paper.links:
        shown = re.sub(r"^https?://", "", link)
        parts.append(f"[{heading_text(shown)}](<{link}>)")
    if record.state.tags:
        parts.append(" ".join(f"#{t}" for t in record.state.tags))
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
    `include_all`), its metadata line and the note verbatim."""
    chosen = [r for r in records if include_all or r.state.has_note]
    lines = [f"# {title}", "", f"Exported {now.strftime('%Y-%m-%d %H:%M')} · {len(chosen)} papers"]
    for record in chosen:
        lines += ["", f"## {heading_text(record.title)}", "", metadata_line(record)]
        note = clean(record.state.note, multiline=True).strip("\n")
        if note.strip():
            lines += ["", note]
    return "\n".join(lines) + "\n"


# -- per-paper files with front matter ---------------------------------------------------------


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar: safe for `:`, `#`, `---`, quotes, brackets, newlines."""
    escaped = (
        clean(value, multiline=True)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def front_matter(record: Record) -> str:
    fields: list[tuple[str, str | list[str] | None]] = [
        ("title", record.title),
        ("id", record.id),
        ("tags", list(record.state.tags)),
        ("arxiv", record.arxiv_id),
        ("url", record.best_link()),
        ("published", record.paper.published),
        ("status", record.state.status),
    ]
    lines = ["---"]
    for key, value in fields:
        if value is None:
            lines.append(f"{key}: null")
        elif isinstance(value, list):
            lines.append(f"{key}: [{', '.join(_yaml_string(v) for v in value)}]")
        else:
            lines.append(f"{key}: {_yaml_string(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


_SCALAR = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unquote(quoted: str) -> str:
    table = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: table.get(m.group(1), m.group(1)), quoted)


def parse_front_matter(text: str) -> tuple[dict[str, str | list[str] | None], str]:
    """Read back the front matter `front_matter` writes (and the body after it)."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ValueError("front matter is not closed")
    values: dict[str, str | list[str] | None] = {}
    for line in text[4:end].split("\n"):
        key, _, raw = line.partition(": ")
        raw = raw.strip()
        if raw == "null":
            values[key] = None
        elif raw.startswith("["):
            values[key] = [_unquote(m) for m in _SCALAR.findall(raw)]
        else:
            match = _SCALAR.fullmatch(raw)
            values[key] = _unquote(match.group(1)) if match else raw
    return values, text[end + 5 :]


def paper_document(record: Record) -> str:
    parts = [front_matter(record), f"# {heading_text(record.title)}", "", metadata_line(record)]
    abstract = clean(record.paper.abstract, multiline=True).strip()
    if abstract:
        parts += ["", "## Abstract", "", abstract]
    note = clean(record.state.note, multiline=True).strip("\n")
    parts += ["", "## Notes", "", note if note.strip() else "_No note yet._"]
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


# -- BibTeX ------------------------------------------------------------------------------------

_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX.get(c, c) for c in one_line(text))


def bibtex_key(record: Record) -> str:
    """`surname2024word-id4`: readable, ASCII, stable (the id suffix keeps keys unique)."""
    who = "anon"
    if record.authors and record.authors[0].split():
        who = record.authors[0].split()[-1]
    elif record.paper.organization:
        who = record.paper.organization
    year = (record.paper.published or "")[:4]
    words = [w for w in re.findall(r"[A-Za-z0-9]+", _ascii(record.title)) if len(w) > 3]
    word = words[0] if words else "paper"
    raw = f"{_ascii(who)}{year}{word}".lower()
    return re.sub(r"[^a-z0-9]", "", raw) + "-" + record.id[:4]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def render_bibtex(records: Sequence[Record]) -> str:
    entries = []
    for record in records:
        paper = record.paper
        fields: list[tuple[str, str]] = [("title", "{" + latex_escape(paper.title) + "}")]
        if record.authors:
            fields.append(("author", " and ".join(latex_escape(a) for a in record.authors)))
        elif paper.organization:
            fields.append(("author", "{" + latex_escape(paper.organization_name or "") + "}"))
        if paper.published:
            fields.append(("year", paper.published[:4]))
            fields.append(("month", str(int(paper.published[5:7]))))
        if record.arxiv_id:
            fields.append(("eprint", record.arxiv_id))
            fields.append(("archivePrefix", "arXiv"))
            if record.categories:
                fields.append(("primaryClass", latex_escape(record.categories[0])))
        if paper.doi:
            fields.append(("doi", latex_escape(paper.doi)))
        url = record.best_link()
        if url:
            fields.append(("url", url.replace("}", "%7D").replace("{", "%7B")))
        if record.state.tags:
            fields.append(("keywords", latex_escape(", ".join(record.state.tags))))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@misc{{{bibtex_key(record)},\n{body}\n}}")
    return "\n\n".join(entries) + ("\n" if entries else "")


def render_json(records: Sequence[Record]) -> str:
    return json_text.dumps([r.to_json() for r in records]) + "\n"


def render(fmt: str, records: Sequence[Record], *, now: datetime, include_all: bool) -> str:
    if fmt == "md":
        return render_markdown(records, now=now, include_all=include_all)
    if fmt == "bib":
        return render_bibtex(records)
    if fmt == "json":
        return render_json(records)
    raise ExportError(f"unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}")
