"""BibTeX as arXiv writes it: `@misc` with `eprint`, `archivePrefix`, `primaryClass`; `@article`
with `journal` when the authors gave arXiv a journal reference.

Text is escaped for TeX except `$...$` maths, which is passed through (arXiv's own export keeps
`$\\omega$` as maths); month names are the standard macros (`month = sep`); words with inner
capitals (`LiDAR`, `GPT-4o`) are braced so styles do not lowercase them.  Authors are the
paper's authors only, never the organisation that posted it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from store.export.citekey import (
    DEFAULT_PATTERN,
    KeyAllocator,
    format_key,
    parse_pattern,
    split_name,
)
from store.export.clean import one_line, year_month_day
from store.models import Record

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
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
_MATH = re.compile(r"(?<!\\)\$(?:[^$\\]|\\.)+?\$")
_UNESCAPED_IN_MATH = re.compile(r"(?<!\\)([&%#])")
_INNER_CAPITAL = re.compile(r"\w[A-Z]")


# BibTeX counts every brace, escaped or not: `\}` alone ends a field early (and lets the rest
# of a title write fields of its own).  Text whose braces do not pair up gets these instead.
_LONE_BRACES = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def latex_escape(text: str) -> str:
    return tex_text(text)


def _escape(text: str, braces: dict[str, str] | None = None) -> str:
    table = {**_LATEX, **braces} if braces else _LATEX
    return "".join(table.get(c, c) for c in text)


def _balanced(text: str) -> bool:
    depth = 0
    for match in re.finditer(r"[{}]", text):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def _protect_case(escaped: str) -> str:
    return " ".join(
        "{" + word + "}" if _INNER_CAPITAL.search(word) else word for word in escaped.split(" ")
    )


def tex_text(text: str, *, protect_case: bool = False) -> str:
    """`text` for a BibTeX field: specials escaped, `$...$` maths kept when its braces balance
    (`&`, `%`, `#` escaped inside it too: they would end an entry or a line); the result's
    braces always pair up."""
    text = one_line(text)
    result = _tex_text(text, protect_case, None)
    if not _balanced(result):
        result = _tex_text(text, protect_case, _LONE_BRACES)
    return result


def _tex_text(text: str, protect_case: bool, braces: dict[str, str] | None) -> str:
    out: list[str] = []
    position = 0
    for match in _MATH.finditer(text):
        if not _balanced(match.group()):
            continue
        before = _escape(text[position : match.start()], braces)
        out.append(_protect_case(before) if protect_case else before)
        out.append(_UNESCAPED_IN_MATH.sub(r"\\\1", match.group()))
        position = match.end()
    rest = _escape(text[position:], braces)
    out.append(_protect_case(rest) if protect_case else rest)
    return "".join(out)


def _name(author: str) -> str:
    """A name as BibTeX splits it: `Given Family`, or `Family, Suffix, Given` when there is a
    suffix or the source put the family name first."""
    given, family, suffix = split_name(one_line(author))
    if suffix:
        author = f"{family}, {suffix}, {given}"
    elif "," in author:
        author = f"{family}, {given}" if given else family
    escaped = tex_text(author)
    # `and` inside one name would split it into two authors.
    if re.search(r"(?i)(^|\s)and(\s|$)", escaped):
        return "{" + escaped + "}"
    return escaped


def _url(url: str) -> str:
    return one_line(url).replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def entry_fields(record: Record) -> list[tuple[str, str]]:
    """(field, value) pairs; values are already BibTeX (braced, or a bare month macro)."""
    fields: list[tuple[str, str]] = [
        ("title", "{" + tex_text(record.title, protect_case=True) + "}")
    ]
    authors = [a for a in record.authors if one_line(a)]
    if authors:
        fields.append(("author", "{" + " and ".join(_name(a) for a in authors) + "}"))
    if record.journal_ref:
        fields.append(("journal", "{" + tex_text(record.journal_ref) + "}"))
    date = year_month_day(record.paper.published)
    if date:
        fields.append(("year", "{" + str(date[0]) + "}"))
    if len(date) > 1:
        fields.append(("month", MONTHS[date[1] - 1]))
    if record.doi:
        fields.append(("doi", "{" + _url(record.doi) + "}"))
    if record.arxiv_id:
        fields.append(("eprint", "{" + latex_escape(record.arxiv_id) + "}"))
        fields.append(("archivePrefix", "{arXiv}"))
        if record.primary_category:
            fields.append(("primaryClass", "{" + latex_escape(record.primary_category) + "}"))
    url = record.best_link()
    if url:
        fields.append(("url", "{" + _url(url) + "}"))
    tags = [t for t in (one_line(tag) for tag in record.state.tags) if t]
    if tags:
        fields.append(("keywords", "{" + tex_text(", ".join(tags)) + "}"))
    if record.citekey_aliases:
        # biblatex's `ids`: old keys still resolve to this entry.
        fields.append(("ids", "{" + ", ".join(record.citekey_aliases) + "}"))
    return fields


def render_bibtex(records: Sequence[Record]) -> str:
    terms = parse_pattern(DEFAULT_PATTERN)
    keys = KeyAllocator(r.citekey for r in records if r.citekey)
    entries = []
    for record in records:
        # Exports from the CLI and the app always carry stored keys; a record without one
        # (a library API caller) gets a formula key, unique within this file.
        key = record.citekey or keys.allocate(format_key(terms, record))
        kind = "article" if record.journal_ref else "misc"
        body = ",\n".join(f"  {name} = {value}" for name, value in entry_fields(record))
        entries.append(f"@{kind}{{{key},\n{body}\n}}")
    return "\n\n".join(entries) + ("\n" if entries else "")
