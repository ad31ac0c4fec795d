"""The reader's interest, learned locally from their own decisions (queue, tag, note, read,
dismiss) over each paper's words, authors, organisation and categories.

The model is a Rocchio classifier: every paper is a TF-IDF vector, and a paper's score is how
much nearer it lies to the centroid of the papers the reader wanted than to the centroid of
those they dismissed.  `bench/ranking.py` chose it over naive Bayes (Bernoulli and
multinomial, with and without word pairs): on the real seed papers with simulated readers it
put 0.84 of the best possible share of liked papers in the top fifth, naive Bayes at best
0.79.  Training is a sum over the decided papers and scoring a dot product per paper, a few tens
of milliseconds at 10k papers.  Words are stemmed by stripping a few English suffixes
("quantized", "quantization" -> "quant"); "why" shows the paper's own words for its stems.
Authors, organisation and categories carry a prefix (`au:`, `org:`, `cat:`).
`store.search.decisions` says what the reader decided and orders the triage pile.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import compress
from operator import mul

from store.search.related import terms

AUTHOR, ORGANIZATION, CATEGORY = "au:", "org:", "cat:"
TITLE_WEIGHT = 3.0
"""A word in the title says more about a paper than one deep in its abstract."""
DISMISSED_WEIGHT = 1.25
"""How much nearness to dismissed papers counts against nearness to wanted ones (measured)."""
MIN_DECISIONS = 20
"""Below this many decisions the ranking is a guess: callers fall back to upvotes."""
_SUFFIXES = tuple(
    "izations ization izing ations ation ized izes ize ings ing ers er ed es s ly".split()
)


_STEMS: dict[str, str] = {}
MAX_FEATURES = 50
"""A paper is compared on its heaviest features only: scoring 10k papers stays near 100 ms and
the benchmark loses less than 0.02."""


def stem(word: str) -> str:
    """`word` without its English suffix, when at least four letters are left."""
    found = _STEMS.get(word)
    if found is None:
        found = word
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                found = word[: -len(suffix)]
                break
        if len(_STEMS) < 1_000_000:  # a vocabulary, not a memory leak
            _STEMS[word] = found
    return found


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


def _labels(document: Document) -> list[str]:
    labels = [AUTHOR + _name(a) for a in document.authors if _name(a)]
    if document.organization and _name(document.organization):
        labels.append(ORGANIZATION + _name(document.organization))
    labels += [CATEGORY + _name(c) for c in document.categories if _name(c)]
    return labels


def read(document: Document) -> tuple[dict[str, float], dict[str, str]]:
    """Feature -> weight before IDF (log term frequency, plus `TITLE_WEIGHT` for a title
    word), and feature -> one of the paper's own words for it.  One pass over each text:
    words are counted first (in C), then each distinct word is stemmed once."""
    cache = _STEMS
    found: dict[str, float] = {}
    words: dict[str, str] = {}
    for word, count in Counter(terms(document.abstract)).items():
        term = cache.get(word) or stem(word)
        found[term] = found.get(term, 0.0) + count
        words.setdefault(term, word)
    for term, total in found.items():
        found[term] = _LOG_TF[int(total)] if total < len(_LOG_TF) else 1.0 + math.log(total)
    for word in set(terms(document.title)):
        term = cache.get(word) or stem(word)
        if term not in words:
            words[term] = word
            found[term] = TITLE_WEIGHT
        else:
            found[term] += TITLE_WEIGHT
    for label in _labels(document):
        found[label] = 1.0
        words[label] = label
    return found, words


_LOG_TF = [0.0, *(1.0 + math.log(c) for c in range(1, 64))]


def surface_words(document: Document) -> dict[str, str]:
    """Feature -> the paper's own word for it."""
    return read(document)[1]


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    weight: float


class InterestModel:
    """Every paper's features, numbered once, ready to be trained on any set of decisions.

    Reading the text is the slow part and happens once per paper (`add`); `train` sums and
    scores.  Not thread-safe: add and train from one worker at a time.
    """

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._names: list[str] = []
        self._numbers: dict[str, int] = {}
        self._features: list[tuple[array[int], array[float]]] = []
        self._document_frequency: list[int] = []
        self._surface: list[str] = []
        self._scaled: tuple[list[float], list[tuple[array[int], array[float]]]] | None = None
        self.add(documents)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, paper: object) -> bool:
        return paper in self._rows

    def add(self, documents: Iterable[Document]) -> None:
        """Read new papers, or read again papers whose text changed."""
        numbers, names, frequency = self._numbers, self._names, self._document_frequency
        for document in documents:
            row = self._rows.get(document.id)
            if row is not None:
                for old in self._features[row][0]:
                    frequency[old] -= 1
            found, words = read(document)
            numbered = []
            for name in found:
                number = numbers.get(name)
                if number is None:
                    number = numbers[name] = len(names)
                    names.append(name)
                    frequency.append(0)
                    self._surface.append(words[name])
                frequency[number] += 1
                numbered.append(number)
            pair = (array("i", numbered), array("f", found.values()))
            if row is None:
                self._rows[document.id] = len(self._ids)
                self._ids.append(document.id)
                self._features.append(pair)
            else:
                self._features[row] = pair
        self._scaled = None

    def _tf_idf(self) -> tuple[list[float], list[tuple[array[int], array[float]]]]:
        """IDF per feature and every paper's unit TF-IDF vector; kept until papers change."""
        if self._scaled is None:
            n = len(self._ids) + 1
            idf = [math.log(n / (1 + df)) + 1.0 for df in self._document_frequency]
            vectors = []
            for numbered, values in self._features:
                weighted = array("f", map(mul, map(idf.__getitem__, numbered), values))
                if len(weighted) > MAX_FEATURES:
                    keep = sorted(range(len(weighted)), key=weighted.__getitem__)[-MAX_FEATURES:]
                    numbered = array("i", (numbered[i] for i in keep))
                    weighted = array("f", (weighted[i] for i in keep))
                norm = math.sqrt(sum(map(mul, weighted, weighted))) or 1.0
                vectors.append((numbered, array("f", (w / norm for w in weighted))))
            self._scaled = (idf, vectors)
        return self._scaled

    def train(self, decisions: Mapping[str, bool]) -> Interest:
        """Learn from `decisions` (paper id -> wanted) and score every paper."""
        rows = self._rows
        decided = [(rows[pid], wanted) for pid, wanted in decisions.items() if pid in rows]
        wanted_count = sum(1 for _, wanted in decided if wanted)
        dismissed_count = len(decided) - wanted_count
        weights = [0.0] * len(self._names)
        support = [0] * len(self._names)
        _, vectors = self._tf_idf()
        if wanted_count and dismissed_count:
            yes, no = 1.0 / wanted_count, -DISMISSED_WEIGHT / dismissed_count
            for row, wanted in decided:
                share = yes if wanted else no
                numbered, values = vectors[row]
                for number, value in zip(numbered, values, strict=True):
                    weights[number] += share * value
                    support[number] += 1
        scores = array(
            "d",
            (
                sum(map(mul, map(weights.__getitem__, numbered), values))
                for numbered, values in vectors
            ),
        )
        return Interest(
            ids=list(self._ids),
            rows=dict(rows),
            scores=scores,
            weights=weights,
            support=support,
            names=list(self._names),
            surface=list(self._surface),
            vectors=vectors,
            decisions=len(decided),
            wanted=wanted_count,
        )


def can_learn(decisions: Mapping[str, bool]) -> bool:
    """Whether `decisions` hold a wanted and a dismissed paper: otherwise every score is equal."""
    wanted = sum(decisions.values())
    return 0 < wanted < len(decisions)


def untrained(decisions: Mapping[str, bool]) -> Interest:
    """The interest of a reader with nothing to learn from yet, without reading any paper
    (reading 100k papers into the model takes a minute of the interpreter for equal scores)."""
    return Interest(
        ids=[],
        rows={},
        scores=array("d"),
        weights=[],
        support=[],
        names=[],
        surface=[],
        vectors=[],
        decisions=len(decisions),
        wanted=sum(decisions.values()),
    )


@dataclass(frozen=True, eq=False)
class Interest:
    """One trained model: a score per paper and the reasons for it.  Immutable, so the app can
    read it while the next one trains."""

    ids: list[str]
    rows: dict[str, int]
    scores: array[float]
    weights: list[float]
    support: list[int]
    """In how many decided papers each feature occurs."""
    names: list[str]
    surface: list[str]
    vectors: list[tuple[array[int], array[float]]]
    decisions: int
    wanted: int
    _calibration: list[float] = field(default_factory=list, repr=False)

    @property
    def trained(self) -> bool:
        """Whether the reader has said both yes and no: otherwise every score is equal."""
        return 0 < self.wanted < self.decisions

    @property
    def confident(self) -> bool:
        """Enough decisions to order a pile by (`MIN_DECISIONS`)."""
        return self.trained and self.decisions >= MIN_DECISIONS

    def score(self, paper: str) -> float:
        """The raw score: unit-free, only its order matters (0 when the paper is unknown)."""
        row = self.rows.get(paper)
        return self.scores[row] if row is not None else 0.0

    def _boundary(self) -> tuple[float, float]:
        """The score where the reader's base rate would cut the library, and the spread."""
        if not self._calibration:
            ordered = sorted(self.scores)
            if not ordered or not self.trained:
                self._calibration.extend((0.0, 1.0))
            else:
                base = self.wanted / self.decisions
                cut = ordered[min(len(ordered) - 1, int((1 - base) * len(ordered)))]
                mean = sum(ordered) / len(ordered)
                spread = math.sqrt(sum((s - mean) ** 2 for s in ordered) / len(ordered))
                self._calibration.extend((cut, spread or 1.0))
        return self._calibration[0], self._calibration[1]

    def interest(self, paper: str) -> float:
        """A number in (0, 1): higher = more likely wanted; 0.5 = on the boundary between
        what the reader would keep and dismiss at their usual rate (or no opinion yet)."""
        if not self.trained or paper not in self.rows:
            return 0.5
        cut, spread = self._boundary()
        return round(1.0 / (1.0 + math.exp(-(self.score(paper) - cut) / spread)), 4)

    def why(self, document: Document, limit: int = 3) -> tuple[str, ...]:
        """The paper's own words (and `au:`/`org:`/`cat:` labels) that raised its score most;
        none when nothing raised it."""
        row = self.rows.get(document.id)
        if row is None or not self.trained:
            return ()
        numbered, values = self.vectors[row]
        raised = sorted(
            (
                (self.weights[number] * value, self.names[number])
                for number, value in zip(numbered, values, strict=True)
                if self.weights[number] > 0
            ),
            key=lambda wn: (-wn[0], wn[1]),
        )
        words = surface_words(document)
        return tuple(words.get(name, name) for _, name in raised[:limit])

    def strongest(self, limit: int = 15) -> tuple[list[Term], list[Term]]:
        """The features that most raise and most lower a score, as first seen in a paper.
        A feature must occur in two decided papers: one paper's words are all equally strong."""
        eligible = [s >= 2 for s in self.support]
        ranked = sorted(
            compress(enumerate(self.weights), eligible), key=lambda nw: (-nw[1], self.names[nw[0]])
        )
        positive = [Term(self.surface[n], round(w, 4)) for n, w in ranked if w > 0][:limit]
        negative = [Term(self.surface[n], round(w, 4)) for n, w in reversed(ranked) if w < 0]
        return positive, negative[:limit]

    def order(self, ids: Iterable[str]) -> list[str]:
        """`ids` most wanted first (ties keep their order)."""
        return sorted(ids, key=lambda pid: -self.score(pid))

    def uncertain_order(self, ids: Iterable[str]) -> list[str]:
        """`ids` with the papers nearest the boundary first: deciding those teaches the most."""
        cut, _ = self._boundary()
        return sorted(ids, key=lambda pid: abs(self.score(pid) - cut))
