"""The query language shared by `paperdeck list --query` and the app's filter bar.

    sparse attention "key-value cache" tag:llm -is:read has:code year:>=2024 upvotes:>=5

Free words must all match a paper, each in its title (best), its authors, or its abstract:
a word matches a title word exactly (100), as its prefix (90), inside one (80), or, when no title
has it at all, a title word within a small typo (rapidfuzz ratio >= 80, scored lower); an author's
name word (60) or an abstract word (50) where that word begins with it (equals it, for words
under three letters: `KV`, `RL`).  Case and accents never matter (`store.search.words`).
"Quoted phrases" match exactly in title or abstract.  A leading `-` excludes: `-tag:x`, `-word`.
`OR` and parentheses combine terms (`store.search.boolean`); `author:NAME` is fuzzy on family
names (`store.search.authors`).

How papers are scored and found fast is `store.search.index`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from store.errors import QueryError
from store.models import STATUSES, Record
from store.search import boolean
from store.search.authors import author_test
from store.search.words import INSIDE_FROM, mentions, word_start_test
from store.text import fold, normalise

SORTS = ("relevance", "date", "upvotes", "title", "added", "interest")
TRIAGE_ORDERS = ("interest", "uncertain", "upvotes", "date")
"""The orders of the triage pile (`store.search.decisions.pile_order`)."""
FILTERS = ("tag", "is", "has", "year", "upvotes", "author", "authors", "org", "source")
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
    alternatives: tuple[Query, ...] = ()
    """For a query with OR: the clauses, any of which may match (this query's own terms are
    then empty). A query without OR is its own single clause."""

    @property
    def clauses(self) -> tuple[Query, ...]:
        return self.alternatives or (self,)

    @property
    def has_words(self) -> bool:
        return any(c.words or c.phrases for c in self.clauses)

    @property
    def all_words(self) -> tuple[str, ...]:
        """The free words of every clause: what an abstract scan has to look for."""
        return tuple(dict.fromkeys(w for c in self.clauses for w in c.words))

    def matches(self, record: Record) -> bool:
        """Filters, phrases and exclusions (free words are scored by `SearchIndex`)."""
        return any(c.clause_matches(record) for c in self.clauses)

    def clause_matches(self, record: Record) -> bool:
        if not all(f.matches(record) for f in self.filters):
            return False
        if self.phrases or self.excluded:
            title = normalise(record.paper.title)
            abstract = normalise(record.paper.abstract)
            if any(p not in title and p not in abstract for p in self.phrases):
                return False
            if any(excludes(x, title, abstract) for x in self.excluded):
                return False
        return True


def excludes(excluded: str, title: str, abstract: str) -> bool:
    """Whether a `-word` (or `-"phrase"`) rules out a paper with this normalised title and
    abstract: a phrase anywhere; a word where searching for it would find it (not inside
    another word, except in titles from three letters on: `-rl` keeps "world")."""
    if " " in excluded:
        return excluded in title or excluded in abstract
    if len(excluded) >= INSIDE_FROM and excluded in title:
        return True
    return word_start_test(excluded)(title) or mentions(excluded, abstract)


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
    elif key == "author":
        test = author_test(value)
    elif key == "authors":
        if not _NUMBER.match(folded) and not _RANGE.match(folded):
            raise QueryError(
                f"bad query term {term!r}: authors: counts authors (authors:<=3); "
                f"author:{value} searches their names"
            )
        count_ok = _comparison(term, key, folded)
        test = lambda r: count_ok(  # noqa: E731
            len(r.authors) if r.authors else r.paper.authors_count
        )
    elif key == "org":
        test = lambda r: (  # noqa: E731
            (r.paper.organization or "").casefold() == folded
            or fold(value) in fold(r.paper.organization_name or "")
        )
    else:  # source
        test = lambda r: any(s.casefold().startswith(folded) for s in r.paper.sources)  # noqa: E731
    state_only = key in ("tag", "is") or (key == "has" and folded in ("note", "tags"))
    return Filter(key, folded, negated, test, state_only)


def _clause(text: str, terms: boolean.Clause) -> Query:
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    filters: list[Filter] = []
    sort_hint = None
    for term in terms:
        negated, body = term.negated, term.text
        shown = f"-{body}" if negated else body
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
                    f"bad query term {shown!r}: unknown filter {key!r} "
                    f"(filters: {', '.join(FILTERS)}); quote it to search for the text"
                )
            made = _filter(shown, key, raw, negated)
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


def all_of(*queries: str) -> str:
    """One query that every one of `queries` must match, each kept whole: `a OR b` and `c`
    make `(a OR b) c`, not `a OR (b c)`."""
    return " ".join(f"({q})" for q in queries if q.strip())


def parse_query(text: str) -> Query:
    """Parse a query; QueryError names the first bad term and what would be right."""
    clauses = [_clause(text, terms) for terms in boolean.clauses(text)]
    if len(clauses) == 1:
        return clauses[0]
    return Query(text, alternatives=tuple(clauses))
