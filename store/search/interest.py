"""The reader's interest, learned locally from their own decisions (queue, tag, note, read,
dismiss) over each paper's words, authors, organisation and categories.

The model is naive Bayes over feature presence, as smoothed log-odds: a feature's weight says
how much likelier a paper is wanted when it has that feature, against the reader's base rate.
Training is counting, so a retrain after each decision costs a pass over the decided papers
and one over every paper's feature numbers (tens of milliseconds at 10k papers, see
`bench/ranking.py`, which also measured it against a logistic regression, upvotes and date).
Features are the paper's own words (casefolded, no stemming), so "why" always names words the
reader can find in the paper; authors, organisation and categories carry a prefix
(`au:`, `org:`, `cat:`).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from store.search.related import terms

AUTHOR, ORGANIZATION, CATEGORY = "au:", "org:", "cat:"
SMOOTHING = 1.0
"""Pseudo-decisions per feature, split at the reader's base rate: a feature seen once moves a
score by about one unit, and a feature never decided on does not move it at all."""
TITLE_WEIGHT = 1.5
"""A word in the title says more about a paper than one deep in its abstract."""
MIN_DECISIONS = 20
"""Below this many decisions the ranking is a guess: callers fall back to upvotes."""


@dataclass(frozen=True, slots=True)
class Document:
    """What the model reads of a paper."""

    id: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    organization: str | None = None
    categories: tuple[str, ...] = ()


def _name(text: str) -> str:
    return " ".join(text.split())


TF = True
STEM = 0
BIGRAMS = False
BETA = 1.0
_SUFFIXES = ("izations", "ization", "ations", "ation", "ings", "ing", "ers", "er", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    if STEM == 0:
        return word
    if STEM == 1:
        return word[:6]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _words(text: str) -> list[str]:
    ws = [stem(w) for w in terms(text)]
    if BIGRAMS:
        ws += [a + " " + b for a, b in zip(ws, ws[1:])]
    return ws
LENGTH_NORM = True
MULTINOMIAL = False


def features(document: Document) -> dict[str, float]:
    """Feature name -> value (presence, more for a title word) of one paper."""
    found: dict[str, float] = {}
    for word in _words(document.abstract):
        found[word] = found.get(word, 0.0) + 1.0
    if TF == 2:
        pass
    elif TF:
        for word, count in found.items():
            found[word] = 1.0 + math.log(count)
    else:
        for word in found:
            found[word] = 1.0
    for word in _words(document.title):
        found[word] = found.get(word, 0.0) + TITLE_WEIGHT
    for author in document.authors:
        if _name(author):
            found[AUTHOR + _name(author)] = 1.0
    if document.organization and _name(document.organization):
        found[ORGANIZATION + _name(document.organization)] = 1.0
    for category in document.categories:
        if _name(category):
            found[CATEGORY + _name(category)] = 1.0
    return found


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    weight: float


class InterestModel:
    """Every paper's features, numbered once, ready to be trained on any set of decisions.

    Reading the text is the slow part and happens once per paper (`add`); `train` only counts
    and sums.  Not thread-safe: build and train from one worker at a time.
    """

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._names: list[str] = []
        self._numbers: dict[str, int] = {}
        self._features: list[tuple[array[int], array[float]]] = []
        self._df: list[int] = []
        self.add(documents)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, paper: object) -> bool:
        return paper in self._rows

    def add(self, documents: Iterable[Document]) -> None:
        """Read new papers, or read again papers whose text changed."""
        numbers, names = self._numbers, self._names
        for document in documents:
            numbered, values = array("i"), array("f")
            for name, value in features(document).items():
                number = numbers.get(name)
                if number is None:
                    number = numbers[name] = len(names)
                    names.append(name)
                    self._df.append(0)
                self._df[number] += 1
                numbered.append(number)
                values.append(value)
            row = self._rows.get(document.id)
            if row is None:
                self._rows[document.id] = len(self._ids)
                self._ids.append(document.id)
                self._features.append((numbered, values))
            else:
                self._features[row] = (numbered, values)

    def train(self, decisions: Mapping[str, bool]) -> Interest:
        """Learn from `decisions` (paper id -> wanted) and score every paper."""
        rows = self._rows
        decided = [(rows[pid], wanted) for pid, wanted in decisions.items() if pid in rows]
        wanted_count = sum(1 for _, wanted in decided if wanted)
        n = len(decided)
        weights = [0.0] * len(self._names)
        prior = 0.0
        if wanted_count and wanted_count < n:
            base = wanted_count / n
            prior = math.log(base / (1 - base))
            yes = [0.0] * len(self._names)
            no = [0.0] * len(self._names)
            for row, wanted in decided:
                counts = yes if wanted else no
                if MULTINOMIAL:
                    for number, value in zip(*self._features[row], strict=True):
                        counts[number] += value
                else:
                    for number in self._features[row][0]:
                        counts[number] += 1.0
            a, b = SMOOTHING * base, SMOOTHING * (1 - base)
            for number, (y, m) in enumerate(zip(yes, no, strict=True)):
                if y or m:
                    weights[number] = math.log((y + a) / (m + b)) - prior
        if MULTINOMIAL == 2 and wanted_count and wanted_count < n:
            total_docs = len(self._ids) + 1
            idf = [math.log(total_docs / (1 + df)) + 1 for df in self._df]
            norms = []
            for numbered, values in self._features:
                norms.append(math.sqrt(sum((v * idf[f]) ** 2 for f, v in zip(numbered, values))) or 1.0)
            yes = [0.0] * len(self._names)
            no = [0.0] * len(self._names)
            for row, wanted in decided:
                counts = yes if wanted else no
                numbered, values = self._features[row]
                for f, v in zip(numbered, values):
                    counts[f] += v * idf[f] / norms[row]
            weights = [(y / wanted_count - BETA * m / (n - wanted_count)) * idf[f] for f, (y, m) in enumerate(zip(yes, no))]
            scores = array("d")
            for row, (numbered, values) in enumerate(self._features):
                scores.append(sum(weights[f] * v for f, v in zip(numbered, values)) / norms[row])
            return Interest(ids=list(self._ids), rows=dict(rows), scores=scores, weights=weights, names=list(self._names), features=list(self._features), decisions=n, wanted=wanted_count)
        scores = array("d")
        for numbered, values in self._features:
            total = 0.0
            for number, value in zip(numbered, values, strict=True):
                total += weights[number] * value
            # Long abstracts would otherwise shout: scale by the square root of the length.
            if LENGTH_NORM:
                total /= math.sqrt(len(numbered) or 1)
            scores.append(prior + total)
        return Interest(
            ids=list(self._ids),
            rows=dict(rows),
            scores=scores,
            weights=weights,
            names=list(self._names),
            features=list(self._features),
            decisions=n,
            wanted=wanted_count,
        )


def _spread(scores: Sequence[float]) -> float:
    if len(scores) < 2:
        return 1.0
    mean = sum(scores) / len(scores)
    return max(1e-9, math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores)))


@dataclass(frozen=True, eq=False)
class Interest:
    """One trained model: a score per paper and the reasons for it.  Immutable, so the app can
    read it while the next one trains."""

    ids: list[str]
    rows: dict[str, int]
    scores: array[float]
    weights: list[float]
    names: list[str]
    features: list[tuple[array[int], array[float]]]
    decisions: int
    wanted: int

    @property
    def trained(self) -> bool:
        """Whether the reader has said both yes and no: otherwise every score is equal."""
        return 0 < self.wanted < self.decisions

    @property
    def confident(self) -> bool:
        """Enough decisions to order a pile by (`MIN_DECISIONS`)."""
        return self.trained and self.decisions >= MIN_DECISIONS

    def score(self, paper: str) -> float:
        """The paper's log-odds of being wanted (0 when unknown)."""
        row = self.rows.get(paper)
        return self.scores[row] if row is not None else 0.0

    def interest(self, paper: str) -> float:
        """A number in (0, 1), higher = more likely wanted, 0.5 = no opinion; scaled by the
        spread of all scores so that it does not saturate."""
        spread = self._scale
        return round(1.0 / (1.0 + math.exp(-self.score(paper) / spread)), 4)

    @property
    def _scale(self) -> float:
        cached: float | None = getattr(self, "_scale_cache", None)
        if cached is None:
            cached = max(1.0, _spread(self.scores))
            object.__setattr__(self, "_scale_cache", cached)
        return cached

    def why(self, paper: str, limit: int = 3) -> tuple[str, ...]:
        """The paper's own features that raised its score most (none if nothing raised it)."""
        row = self.rows.get(paper)
        if row is None:
            return ()
        numbered, values = self.features[row]
        raised = [
            (self.weights[number] * value, self.names[number])
            for number, value in zip(numbered, values, strict=True)
            if self.weights[number] > 0
        ]
        raised.sort(key=lambda wn: (-wn[0], wn[1]))
        return tuple(name for _, name in raised[:limit])

    def strongest(self, limit: int = 15) -> tuple[list[Term], list[Term]]:
        """The features that most raise and most lower a score, with their weights.  A feature
        needs to be in two decided papers to count: one paper's words are all equally strong."""
        seen = [0] * len(self.names)
        for numbered, _ in self.features:
            for number in numbered:
                if self.weights[number]:
                    seen[number] += 1
        ranked = [
            Term(self.names[number], round(weight, 3))
            for number, weight in enumerate(self.weights)
            if weight and seen[number] >= 2
        ]
        ranked.sort(key=lambda t: (-t.weight, t.name))
        positive = [t for t in ranked if t.weight > 0][:limit]
        negative = [t for t in reversed(ranked) if t.weight < 0][:limit]
        return positive, negative

    def order(self, ids: Iterable[str]) -> list[str]:
        """`ids` most wanted first (ties keep their order)."""
        return sorted(ids, key=lambda pid: -self.score(pid))

    def uncertain_order(self, ids: Iterable[str]) -> list[str]:
        """`ids` with the papers the model is least sure about first: deciding those teaches
        it the most."""
        return sorted(ids, key=lambda pid: abs(self.score(pid)))
