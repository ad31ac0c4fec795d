"""The query language shared by `paperdeck list --query` and the app's filter bar.

    sparse attention "key-value cache" tag:llm -is:read has:code year:>=2024 upvotes:>=5

Free words must all match a paper, each in its title (best), or its abstract (weighted lower):
a word matches a title word exactly (100), as its prefix (90), inside one (80), or, when no title
has it at all, a title word within a small typo (rapidfuzz ratio >= 80, scored lower); in the
abstract a word of three or more letters counts as a substring (50).  "Quoted phrases" match
exactly (case-insensitive) in title or abstract.  A leading `-` excludes: `-tag:x`, `-word`.

How papers are scored and found fast is `store.search.index`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from store.errors import QueryError
from store.models import STATUSES, Record
from store.text import WORD_BREAKS, normalise

SORTS = ("relevance", "date", "upvotes", "title", "added", "interest")
FILTERS = ("tag", "is", "has", "year", "upvotes", "authors", "org", "source")
IS_VALUES = (*STATUSES, "queued", "triaged")
HAS_VALUES = ("code", "note", "arxiv", "tags")
_NUMBER = re.compile(r"^(>=|<=|>|<|=)?(\d{1,9})$")
_RANGE = re.compile(r"^(\d{1,9})\.\.(\d{1,9})$")

# What each sort orders by (relevance is the engine's score).
SortKey = Callable[[Record], Any]


def _sort_keys() -> dict[str, SortKey]:
    def newest(r: Record) -> tuple[int, int]:
        published = r.paper.published  # YYYY-MM-DD: newest first, unknown dates last
        return (0, -int(published.replace("-", ""))) if published else (1, 0)

    return {
        "date": lambda r: (newest(r), -(r.paper.upvotes or -1), r.title.casefold(), r.id),
        "upvotes": lambda r: (r.paper.upvotes is None, -(r.paper.upvotes or 0), newest(r), r.id),
        "title": lambda r: (r.title.casefold(), r.id),
        "added": lambda r: (
            not r.paper.added,
            "".join(chr(0x10FFFF - ord(c)) for c in r.paper.added),
            r.id,
        ),
    }


SORT_KEYS = _sort_keys()


INSIDE_FROM = 3
"""Shorter words match only whole or leading title words: not inside words, not abstracts."""


def word_start_test(word: str) -> Callable[[str], bool]:
    """Whether a lower-cased text has a word beginning with `word`, words split where
    `normalise` splits them: what the abstract word index finds, tested on the raw text."""

    def starts(text: str) -> bool:
        at = text.find(word)
        while at != -1:  # almost always once: the first occurrence starts a word
            if at == 0 or (before := text[at - 1]).isspace() or before in WORD_BREAKS:
                return True
            at = text.find(word, at + 1)
        return False

    return starts


# -- parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    key: str
    value: str
    negated: bool
    test: Callable[[Record], bool] = field(compare=False, repr=False)
    state_only: bool = False
    """Depends only on the user's state and queue: every untouched paper answers alike."""

    def matches(self, record: Record) -> bool:
        return self.test(record) != self.negated


@dataclass(frozen=True)
class Query:
    text: str
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    """Negated words and phrases, normalised: papers containing any are left out."""
    filters: tuple[Filter, ...] = ()
    sort_hint: str | None = None
    """`is:queued` orders by queue position unless a sort is asked for."""

    @property
    def has_words(self) -> bool:
        return bool(self.words or self.phrases)

    def matches(self, record: Record) -> bool:
        """Filters, phrases and exclusions (free words are scored by `SearchIndex`)."""
        if not all(f.matches(record) for f in self.filters):
            return False
        if self.phrases or self.excluded:
            title = normalise(record.paper.title)
            abstract = normalise(record.paper.abstract)
            if any(p not in title and p not in abstract for p in self.phrases):
                return False
            if any(x in title or x in abstract for x in self.excluded):
                return False
        return True


def _tokens(text: str) -> list[str]:
    """Split on whitespace, keeping "quoted parts" (also `key:"a b"`) together."""
    tokens: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
            current.append(char)
        elif char.isspace() and not quoted:
            if current:
                tokens.append("".join(current))
                current = []
        else:
            current.append(char)
    if quoted:
        start = "".join(current)
        raise QueryError(f'bad query term {start!r}: unterminated quote; close it with "')
    if current:
        tokens.append("".join(current))
    return tokens


def _comparison(term: str, name: str, value: str) -> Callable[[int | None], bool]:
    match = _NUMBER.match(value)
    if match:
        op, number = match.group(1) or "=", int(match.group(2))
        ops: dict[str, Callable[[int, int], bool]] = {
            "=": lambda a, b: a == b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
        }
        compare = ops[op]
        return lambda actual: actual is not None and compare(actual, number)
    span = _RANGE.match(value)
    if span:
        low, high = int(span.group(1)), int(span.group(2))
        return lambda actual: actual is not None and low <= actual <= high
    example = {"year": "year:2024, year:>=2023 or year:2020..2023"}.get(
        name, f"{name}:5, {name}:>=5 or {name}:1..10"
    )
    raise QueryError(f"bad query term {term!r}: expected a number such as {example}")


def _year(record: Record) -> int | None:
    published = record.paper.published
    return int(published[:4]) if published else None


def _has(record: Record, what: str) -> bool:
    if what == "code":
        return bool(record.paper.github)
    if what == "note":
        return record.state.has_note
    if what == "tags":
        return bool(record.state.tags)
    return bool(record.arxiv_id) or any("arxiv.org/" in u for u in record.paper.links)


def _filter(term: str, key: str, raw: str, negated: bool) -> Filter:
    value = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
    if not value:
        raise QueryError(f"bad query term {term!r}: {key}: needs a value, such as {key}:x")
    folded = value.casefold()
    test: Callable[[Record], bool]
    if key == "tag":
        tag = folded.removeprefix("#")
        test = lambda r: tag in r.state.tags  # noqa: E731
    elif key == "is":
        if folded not in IS_VALUES:
            raise QueryError(f"bad query term {term!r}: is: takes {', '.join(IS_VALUES)}")
        if folded == "queued":
            test = lambda r: r.queue_position is not None  # noqa: E731
        elif folded == "triaged":
            test = lambda r: r.state.triaged  # noqa: E731
        else:
            test = lambda r: r.state.status == folded  # noqa: E731
    elif key == "has":
        if folded not in HAS_VALUES:
            raise QueryError(f"bad query term {term!r}: has: takes {', '.join(HAS_VALUES)}")
        test = lambda r: _has(r, folded)  # noqa: E731
    elif key == "year":
        year_ok = _comparison(term, key, folded)
        test = lambda r: year_ok(_year(r))  # noqa: E731
    elif key == "upvotes":
        votes_ok = _comparison(term, key, folded)
        test = lambda r: votes_ok(r.paper.upvotes)  # noqa: E731
    elif key == "authors":
        count_ok = _comparison(term, key, folded)
        test = lambda r: count_ok(  # noqa: E731
            len(r.authors) if r.authors else r.paper.authors_count
        )
    elif key == "org":
        test = lambda r: (  # noqa: E731
            (r.paper.organization or "").casefold() == folded
            or folded in (r.paper.organization_name or "").casefold()
        )
    else:  # source
        test = lambda r: any(s.casefold().startswith(folded) for s in r.paper.sources)  # noqa: E731
    state_only = key in ("tag", "is") or (key == "has" and folded in ("note", "tags"))
    return Filter(key, folded, negated, test, state_only)


def parse_query(text: str) -> Query:
    """Parse a query; QueryError names the first bad term and what would be right."""
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    filters: list[Filter] = []
    sort_hint = None
    for term in _tokens(text):
        negated = term.startswith("-") and len(term) > 1
        body = term[1:] if negated else term
        if body.startswith('"'):
            phrase = normalise(body.strip('"'))
            if phrase:
                (excluded if negated else phrases).append(phrase)
            continue
        key, colon, raw = body.partition(":")
        if colon and key and re.fullmatch(r"[A-Za-z]+", key):
            key = key.casefold()
            if key not in FILTERS:
                raise QueryError(
                    f"bad query term {term!r}: unknown filter {key!r} "
                    f"(filters: {', '.join(FILTERS)}); quote it to search for the text"
                )
            made = _filter(term, key, raw, negated)
            if key == "is" and made.value == "queued" and not negated:
                sort_hint = "queue"
            filters.append(made)
            continue
        word = normalise(body)
        if not word:
            continue
        if negated:
            excluded.append(word)
        elif " " in word:
            phrases.append(word)  # gpt-4 -> "gpt 4": its parts in this order
        else:
            words.append(word)
    return Query(
        text, tuple(words), tuple(phrases), tuple(excluded), tuple(filters), sort_hint=sort_hint
    )
