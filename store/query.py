"""The query language shared by `paperdeck list --query` and the app's filter bar.

    sparse attention "key-value cache" tag:llm -is:read has:code year:>=2024 upvotes:>=5

Free words must all match a paper, each in its title (best), or its abstract (weighted lower):
a word matches a title word exactly (100), as its prefix (90), inside one (80), or, when no title
has it at all, a title word within a small typo (rapidfuzz ratio >= 80, scored lower); in the
abstract a word of three or more letters counts as a substring (50).  "Quoted phrases" match
exactly (case-insensitive) in title or abstract.  A leading `-` excludes: `-tag:x`, `-word`.

Search runs per keystroke on large libraries, so `SearchIndex` precomputes normalised titles and
a title-word index: words narrow the candidates first, and filters then run on those only.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from store.errors import UsageError
from store.models import STATUSES, Record

SORTS = ("relevance", "date", "upvotes", "title", "added")
FILTERS = ("tag", "is", "has", "year", "upvotes", "authors", "org", "source")
IS_VALUES = (*STATUSES, "queued", "triaged")
HAS_VALUES = ("code", "note", "arxiv", "tags")
_NUMBER = re.compile(r"^(>=|<=|>|<|=)?(\d{1,9})$")
_RANGE = re.compile(r"^(\d{1,9})\.\.(\d{1,9})$")
_NON_WORD = re.compile(r"[^\w+]+")

TITLE_EXACT, TITLE_PREFIX, TITLE_INSIDE, ABSTRACT = 100.0, 90.0, 80.0, 50.0
FUZZY_CUTOFF = 80.0
FUZZY_WEIGHT = 0.75


class QueryError(UsageError):
    pass


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, whitespace collapsed: what words are matched on."""
    return " ".join(_NON_WORD.sub(" ", text.casefold()).replace("_", " ").split())


# -- parsing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    key: str
    value: str
    negated: bool
    test: Callable[[Record], bool] = field(compare=False, repr=False)

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
        return bool(record.state.note.strip())
    if what == "tags":
        return bool(record.state.tags)
    return bool(record.enrichment.arxiv_id) or any("arxiv.org/" in u for u in record.paper.links)


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
            len(r.enrichment.authors) if r.enrichment.authors else r.paper.authors_count
        )
    elif key == "org":
        test = lambda r: (  # noqa: E731
            (r.paper.organization or "").casefold() == folded
            or folded in (r.paper.organization_name or "").casefold()
        )
    else:  # source
        test = lambda r: any(s.casefold().startswith(folded) for s in r.paper.sources)  # noqa: E731
    return Filter(key, folded, negated, test)


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


# -- searching ----------------------------------------------------------------------------------


def _date_key(record: Record) -> tuple[int, str]:
    published = record.paper.published
    return (0, published) if published else (1, "")


SortKey = Callable[[Record], Any]


def _sort_keys() -> dict[str, SortKey]:
    def newest(r: Record) -> tuple[int, str]:
        flag, day = _date_key(r)
        # newest first with None last: invert the date characters' order
        return flag, "".join(chr(0x10FFFF - ord(c)) for c in day)

    return {
        "date": lambda r: (newest(r), -(r.paper.upvotes or -1), r.title.casefold(), r.id),
        "upvotes": lambda r: (r.paper.upvotes is None, -(r.paper.upvotes or 0), newest(r), r.id),
        "title": lambda r: (r.title.casefold(), r.id),
        "added": lambda r: ("".join(chr(0x10FFFF - ord(c)) for c in r.paper.added), r.id),
    }


SORT_KEYS = _sort_keys()


class SearchIndex:
    """Records with precomputed search keys; `search` runs a query over them."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = list(records)
        self.rows = {r.id: i for i, r in enumerate(self.records)}
        self.titles = [normalise(r.paper.title) for r in self.records]
        postings: dict[str, list[int]] = {}
        for row, title in enumerate(self.titles):
            for word in set(title.split()):
                postings.setdefault(word, []).append(row)
        self.postings = postings
        self.vocabulary = sorted(postings)
        self._abstracts: list[str] | None = None

    def __len__(self) -> int:
        return len(self.records)

    @property
    def abstracts(self) -> list[str]:
        if self._abstracts is None:
            self._abstracts = [normalise(r.paper.abstract) for r in self.records]
        return self._abstracts

    def replace(self, record: Record) -> None:
        """A record's user state or enrichment changed (its title and abstract did not)."""
        row = self.rows.get(record.id)
        if row is not None:
            self.records[row] = record

    def _title_rows(self, word: str) -> dict[int, float]:
        scores: dict[int, float] = {}
        start = bisect.bisect_left(self.vocabulary, word)
        for token in self.vocabulary[start:]:
            if not token.startswith(word):
                break
            score = TITLE_EXACT if token == word else TITLE_PREFIX
            for row in self.postings[token]:
                if scores.get(row, 0) < score:
                    scores[row] = score
        if len(word) >= 3:
            for token in self.vocabulary:
                if word in token and not token.startswith(word):
                    for row in self.postings[token]:
                        scores.setdefault(row, TITLE_INSIDE)
        if not scores and len(word) >= 4:
            for token, ratio, _ in process.extract(
                word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=20
            ):
                for row in self.postings[token]:
                    scores[row] = max(scores.get(row, 0.0), ratio * FUZZY_WEIGHT)
        return scores

    def _word_rows(self, word: str, candidates: Iterable[int] | None) -> dict[int, float]:
        scores = self._title_rows(word)
        if len(word) >= 3:
            abstracts = self.abstracts
            pool = range(len(self.records)) if candidates is None else candidates
            for row in pool:
                if row not in scores and word in abstracts[row]:
                    scores[row] = ABSTRACT
        return scores

    def search(
        self, query: str | Query, sort: str | None = None, *, limit: int | None = None
    ) -> list[Record]:
        parsed = parse_query(query) if isinstance(query, str) else query
        if sort is not None and sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
        scores: dict[int, float] | None = None
        for word in sorted(parsed.words, key=len, reverse=True):
            found = self._word_rows(word, scores)
            if scores is None:
                scores = found
            else:
                scores = {row: s + found[row] for row, s in scores.items() if row in found}
            if not scores:
                return []
        rows: Iterable[int] = range(len(self.records)) if scores is None else scores
        records = self.records
        matched = [row for row in rows if parsed.matches(records[row])]
        if parsed.phrases:
            scores = scores if scores is not None else {}
            for row in matched:
                hit = any(p in self.titles[row] for p in parsed.phrases)
                scores[row] = scores.get(row, 0.0) + (TITLE_EXACT if hit else ABSTRACT)
        chosen = sort or ("relevance" if parsed.has_words else parsed.sort_hint or "date")
        if chosen == "queue":
            matched.sort(key=lambda row: records[row].queue_position or 0)
        elif chosen == "relevance" and scores:
            date_key = SORT_KEYS["date"]
            found_scores = scores
            matched.sort(key=lambda row: (-found_scores.get(row, 0.0), date_key(records[row])))
        else:
            key = SORT_KEYS["date" if chosen == "relevance" else chosen]
            matched.sort(key=lambda row: key(records[row]))
        if limit is not None:
            matched = matched[:limit]
        return [records[row] for row in matched]


def search(
    records: Sequence[Record],
    query: str | Query,
    sort: str | None = None,
    *,
    limit: int | None = None,
) -> list[Record]:
    return SearchIndex(records).search(query, sort, limit=limit)
