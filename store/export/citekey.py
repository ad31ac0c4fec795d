"""Citation keys: a small formula language (Better BibTeX's, in part) and unique keys.

A key is made once, the first time a paper needs one, and stored (`store.citekeys`); nothing
here is called again for that paper unless the user asks for `paperdeck rekey`.

A formula is terms joined by `+`; each term is a field with optional arguments and modifiers:

    auth.lower + year + shorttitle(3, 3)

Fields: `auth` (first author's family name; `anon` when no author is known), `authors(n)`
(the first n family names, default 2), `year`, `shorttitle(n, m)` (the first n words of the
title that are not function words, the first m of them capitalised; default 3, 3), `title`
(every such word, capitalised), `veryshorttitle` (= `shorttitle(1, 0)`), `arxiv` (the arXiv
id, `.` and `/` as `_`), `id` (paperdeck's id), and `"literal"` text.
Modifiers: `.lower`, `.upper`, `.capitalize`, `.len(n)` (cut to n characters).

Only ASCII letters, digits, `_`, `-`, `:` and `.` survive: keys must work in LaTeX, biber,
pandoc and Obsidian alike, so accents are folded (`Cândido` -> `Candido`) and other characters
dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from store.errors import UsageError
from store.export.formats import DEFAULT_PATTERN
from store.models import Record

MAX_KEY = 64
"""Longer keys are cut: `\\cite{}` is typed by hand."""

_FUNCTION_WORDS = frozenset(
    """a an the and or but nor for so yet of in on at to by from with without into onto
    upon via as is are be been being its it this that these those we our toward towards
    versus vs about over under between through""".split()
)
_PARTICLES = frozenset("van von der den de del della di da du le la des dos st".split())
# Latin letters that NFKD does not split into a base letter and an accent.
_NO_DECOMPOSITION = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "Th",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
    }
)
_KEY_CHARS = re.compile(r"[^A-Za-z0-9_:.-]+")
_TERM = re.compile(
    r"""\s*(?:
        "(?P<literal>[^"]*)"
      | (?P<field>[a-z]+)(?:\((?P<args>[^)]*)\))?(?P<mods>(?:\.[a-z]+(?:\(\d+\))?)*)
    )\s*(?:\+|$)""",
    re.VERBOSE,
)
_MODIFIER = re.compile(r"\.([a-z]+)(?:\((\d+)\))?")
_FIELDS = ("auth", "authors", "year", "shorttitle", "title", "veryshorttitle", "arxiv", "id")
_MODIFIERS = ("lower", "upper", "capitalize", "len")


class PatternError(UsageError):
    """A citation key pattern that cannot be used; the message names the part at fault."""


@dataclass(frozen=True, slots=True)
class Term:
    field: str
    """A field name, or "" for a literal."""
    args: tuple[int, ...] = ()
    modifiers: tuple[tuple[str, int | None], ...] = ()
    literal: str = ""


def parse_pattern(pattern: str) -> tuple[Term, ...]:
    """The terms of a formula; PatternError naming the first part that is not understood."""
    terms: list[Term] = []
    position = 0
    text = pattern.strip()
    if not text:
        raise PatternError("citation key pattern is empty; e.g. " + DEFAULT_PATTERN)
    while position < len(text):
        match = _TERM.match(text, position)
        if match is None or match.end() == position:
            raise PatternError(
                f"citation key pattern: cannot read {text[position:][:30]!r}; "
                f"write terms joined by +, e.g. {DEFAULT_PATTERN}"
            )
        position = match.end()
        if match["literal"] is not None:
            terms.append(Term("", literal=match["literal"]))
            continue
        name = match["field"]
        if name not in _FIELDS:
            raise PatternError(
                f"citation key pattern: unknown field {name!r}; use {', '.join(_FIELDS)}"
            )
        try:
            args = tuple(int(a) for a in (match["args"] or "").split(",") if a.strip())
        except ValueError:
            raise PatternError(
                f"citation key pattern: {name}({match['args']}) takes whole numbers"
            ) from None
        modifiers: list[tuple[str, int | None]] = []
        for mod in _MODIFIER.finditer(match["mods"] or ""):
            if mod[1] not in _MODIFIERS:
                raise PatternError(
                    f"citation key pattern: unknown modifier .{mod[1]}; "
                    f"use {', '.join('.' + m for m in _MODIFIERS)}"
                )
            modifiers.append((mod[1], int(mod[2]) if mod[2] else None))
        terms.append(Term(name, args, tuple(modifiers)))
    return tuple(terms)


def ascii_fold(text: str) -> str:
    """`Cândido` -> `Candido`, `ß` -> `ss`; characters without an ASCII form are dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def split_name(author: str) -> tuple[str, str, str]:
    """(given, family, suffix): `Ada Lovelace` -> (`Ada`, `Lovelace`, ``); `Lovelace, Ada`
    likewise; `Ludwig van Beethoven` -> (`Ludwig`, `van Beethoven`, ``); `Martin Luther
    King Jr.` -> (`Martin Luther`, `King`, `Jr.`); a single word is a family name."""
    author = " ".join(author.split())
    if "," in author:
        family, _, rest = author.partition(",")
        given, _, suffix = rest.strip().partition(",")
        return given.strip(), family.strip(), suffix.strip()
    words = author.split(" ")
    last = len(words) - 1
    suffix = ""
    if last > 0 and words[last].rstrip(".").lower() in {"jr", "sr", "ii", "iii", "iv"}:
        suffix = words[last]
        last -= 1
    start = last
    while start > 0 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start : last + 1]), suffix


def family_name(author: str) -> str:
    """`Ada Lovelace` -> `Lovelace`; `Ludwig van Beethoven` -> `vanBeethoven`."""
    return split_name(author)[1].replace(" ", "")


def title_words(title: str) -> list[str]:
    """Words of a title that say something: TeX commands, maths and function words dropped."""
    text = re.sub(r"\$[^$]*\$", " ", title)  # maths: no readable word in `$\omega$`
    text = re.sub(r"\\[A-Za-z]+", " ", text)
    words = re.findall(r"[A-Za-z0-9]+", ascii_fold(text))
    return [w for w in words if w.lower() not in _FUNCTION_WORDS]


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:]


class _Facts:
    """What the fields of one paper's key are made of, each worked out once, when first used."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self._authors: list[str] | None = None
        self._words: list[str] | None = None

    @property
    def authors(self) -> list[str]:
        if self._authors is None:
            self._authors = [n for a in self.record.authors if (n := ascii_fold(family_name(a)))]
        return self._authors

    @property
    def words(self) -> list[str]:
        if self._words is None:
            self._words = title_words(self.record.title)
        return self._words


def _field(term: Term, facts: _Facts) -> str:
    record = facts.record
    if term.field == "auth":
        return facts.authors[0] if facts.authors else "anon"
    if term.field == "authors":
        count = term.args[0] if term.args else 2
        return "".join(facts.authors[:count]) if facts.authors else "anon"
    if term.field == "year":
        return (record.paper.published or "")[:4]
    if term.field in ("shorttitle", "veryshorttitle", "title"):
        words = facts.words
        if term.field == "title":
            n, m = len(words), len(words)
        elif term.field == "veryshorttitle":
            n, m = 1, 0
        else:
            n = term.args[0] if term.args else 3
            m = term.args[1] if len(term.args) > 1 else n
        return "".join(_capitalise(w) if i < m else w for i, w in enumerate(words[:n]))
    if term.field == "arxiv":
        return (record.arxiv_id or "").replace(".", "_").replace("/", "_")
    return record.id


_APPLY: dict[str, Callable[[str, int | None], str]] = {
    "lower": lambda text, _: text.lower(),
    "upper": lambda text, _: text.upper(),
    "capitalize": lambda text, _: _capitalise(text),
    "len": lambda text, n: text[: n if n is not None else len(text)],
}


def format_key(terms: tuple[Term, ...], record: Record) -> str:
    """The key the formula gives this paper, before it is made unique; never empty."""
    parts = []
    facts = _Facts(record)
    for term in terms:
        text = term.literal if not term.field else _field(term, facts)
        for name, arg in term.modifiers:
            text = _APPLY[name](text, arg)
        parts.append(text)
    key = _KEY_CHARS.sub("", "".join(parts))[:MAX_KEY]
    return key or f"paper{record.id}"


_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SUFFIXES = tuple(_LETTERS) + tuple(a + b for a in _LETTERS for b in _LETTERS)


class KeyAllocator:
    """Hands out keys unique in a library: `base`, else `base` + a, b ... z, aa ... zz, else
    `base-1`, `base-2` ... (as Better BibTeX disambiguates), in constant time per key even
    when thousands of papers share a base.

    Keys are compared case-insensitively: biber and Windows file names would confuse
    `Smith2020` with `smith2020`.
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = {k.casefold() for k in taken}
        self._next: dict[str, int] = {}
        """Per base (folded): where to continue looking, so a crowded base is not rescanned."""

    def take(self, key: str) -> None:
        self._taken.add(key.casefold())

    def release(self, key: str) -> None:
        self._taken.discard(key.casefold())

    def allocate(self, base: str) -> str:
        folded = base.casefold()
        if folded not in self._taken:
            self._taken.add(folded)
            return base
        n = self._next.get(folded, 0)
        while True:
            suffix = _SUFFIXES[n] if n < len(_SUFFIXES) else f"-{n - len(_SUFFIXES) + 1}"
            n += 1
            if (folded + suffix).casefold() not in self._taken:
                self._next[folded] = n
                self._taken.add((folded + suffix).casefold())
                return base + suffix


def unique_key(base: str, taken: Collection[str]) -> str:
    """`base` made unique against `taken` (see KeyAllocator)."""
    return KeyAllocator(taken).allocate(base)
