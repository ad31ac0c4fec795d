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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import compress
from operator import mul

from store.search.related import terms
from store.search.vectors import Vectors

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


def _surface(document: Document) -> dict[str, str]:
    """`read`'s features and words without their weights, in the same order: the first pass
    over a library needs no more."""
    cache = _STEMS
    words: dict[str, str] = {}
    for word in dict.fromkeys(terms(document.abstract)):  # as Counter: first seen first
        words.setdefault(cache.get(word) or stem(word), word)
    for word in set(terms(document.title)):
        words.setdefault(cache.get(word) or stem(word), word)
    for label in _labels(document):
        words[label] = label
    return words


def surface_words(document: Document) -> dict[str, str]:
    """Feature -> the paper's own word for it."""
    return read(document)[1]


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    weight: float


class InterestModel:
    """Every paper's features, numbered once, ready to be trained on any set of decisions.

    Reading the text is the slow part and happens when the model is made; `train` sums and
    scores.  It reads the papers twice (`read`): first for how many papers have each feature,
    then for each paper's heaviest features only, so no paper's full feature list is kept (at
    100k papers those took 120 MB).  Immutable once made: trainings share it.
    """

    def __init__(self, documents: Iterable[Document] = ()) -> None:
        kept = list({d.id: d for d in documents}.values())  # a paper given twice: the last
        self._read(lambda: kept)

    @classmethod
    def read(cls, documents: Callable[[], Iterable[Document]]) -> InterestModel:
        """The model of the papers `documents()` gives, the same each time it is called (it is
        called twice: nothing of a paper but its heaviest features is kept in between)."""
        model = cls.__new__(cls)
        model._read(documents)
        return model

    def add(self, documents: Iterable[Document]) -> None:
        """Read new papers, or read again papers whose text changed: the model is made again
        from all its papers, in memory (on a large library, `read` a new model instead)."""
        merged = {d.id: d for d in self._source()}
        merged.update((d.id, d) for d in documents)
        kept = list(merged.values())
        self._read(lambda: kept)

    def _read(self, documents: Callable[[], Iterable[Document]]) -> None:
        """Every attribute made anew: the trained `Interest`s share the old ones."""
        self._source = documents
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._names: list[str] = []
        self._surface: list[str] = []
        numbers: dict[str, int] = {}
        frequency: Counter[str] = Counter()
        kept = 0
        for document in documents():
            if document.id in self._rows:
                continue  # read once, as the first time it is given
            self._rows[document.id] = len(self._ids)
            self._ids.append(document.id)
            words = _surface(document)
            kept += min(len(words), MAX_FEATURES)
            frequency.update(words.keys())  # counted in C; only new features are looped
            if not words.keys() <= numbers.keys():
                for name, word in words.items():
                    if name not in numbers:
                        numbers[name] = len(self._names)
                        self._names.append(name)
                        self._surface.append(word)
        n = len(self._ids) + 1
        idf = [math.log(n / (1 + frequency[name])) + 1.0 for name in self._names]
        del frequency
        self._vectors = Vectors(kept)
        seen: set[str] = set()
        for document in documents():
            if document.id in seen:
                continue
            seen.add(document.id)
            found, _ = read(document)
            numbered = array("i", map(numbers.__getitem__, found))
            weighted = array(
                "f", map(mul, map(idf.__getitem__, numbered), array("f", found.values()))
            )
            if len(weighted) > MAX_FEATURES:
                keep = sorted(range(len(weighted)), key=weighted.__getitem__)[-MAX_FEATURES:]
                numbered = array("i", (numbered[i] for i in keep))
                weighted = array("f", (weighted[i] for i in keep))
            norm = math.sqrt(sum(map(mul, weighted, weighted))) or 1.0
            self._vectors.append(numbered, array("f", (w / norm for w in weighted)))
        _STEMS.clear()  # only the making of a model needs most of them

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, paper: object) -> bool:
        return paper in self._rows

    def train(self, decisions: Mapping[str, bool]) -> Interest:
        """Learn from `decisions` (paper id -> wanted) and score every paper."""
        rows = self._rows
        decided = [(rows[pid], wanted) for pid, wanted in decisions.items() if pid in rows]
        wanted_count = sum(1 for _, wanted in decided if wanted)
        dismissed_count = len(decided) - wanted_count
        # Arrays, not lists: a list holds a float object per feature (32 bytes, not 8).
        weights = array("d", bytes(8 * len(self._names)))
        support = array("i", bytes(4 * len(self._names)))
        vectors = self._vectors
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
            ids=self._ids,
            rows=rows,
            scores=scores,
            weights=weights,
            support=support,
            names=self._names,
            surface=self._surface,
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
        weights=array("d"),
        support=array("i"),
        names=[],
        surface=[],
        vectors=Vectors(),
        decisions=len(decisions),
        wanted=sum(decisions.values()),
    )


@dataclass(frozen=True, eq=False)
class Interest:
    """One trained model: a score per paper and the reasons for it.  Immutable, so the app can
    read it while the next one trains (ids, names and vectors are the model's, shared)."""

    ids: list[str]
    rows: dict[str, int]
    scores: array[float]
    weights: array[float]
    support: array[int]
    """In how many decided papers each feature occurs."""
    names: list[str]
    surface: list[str]
    vectors: Vectors
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
