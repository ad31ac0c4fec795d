"""Related papers and near-duplicates, computed locally from titles and abstracts.

Relatedness is TF-IDF cosine over terms (title terms count double), through an inverted index so
that a lookup touches only papers sharing a term.  Near-duplicates are papers whose normalised
titles are almost identical (another version, a typo), found with rapidfuzz.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from store.memory import paused_gc
from store.models import Record
from store.search.vectors import Vectors
from store.text import normalise
from store.typing_gate import Stopped

_WORD = re.compile(r"[a-z][a-z0-9\-]{2,}")  # three characters or more
STOPWORDS = frozenset(
    """
    a about above across after again against all almost also although always am among an and
    another any are around as at based be because been before being between both but by can
    could did do does doing done due during each either else enough especially etc even ever
    every for from further furthermore had has have having here hence how however i if in into
    is it its itself just last least less let like made main mainly make makes making many may
    might more moreover most mostly much must my namely need new no nor not novel now of often
    on once one only or other our ours out over overall paper per perform performance propose
    proposed proposes provide provides rather recent recently respectively result results same
    several should show shows significant significantly since so some such than that the their
    them then there thereby therefore these they this those though three through thus to
    together too two under until up upon us use used uses using various very via was we well
    were what when where whereas whether which while who whose why will with within without
    would yet approach approaches method methods model models task tasks work demonstrate
    achieve achieves existing state art code available first data framework study introduce
    """.split()
)
TITLE_WEIGHT = 2
_TF = [0.0, *(1 + math.log(c) for c in range(1, 64))]
"""Term-frequency weights of the common counts, looked up rather than computed per term."""
MAX_TERMS = 40
"""A paper is compared on its heaviest terms only: the tail adds noise and time."""


def terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.casefold()) if w not in STOPWORDS]


@dataclass(frozen=True)
class Related:
    paper: str
    score: float
    shared: tuple[str, ...]
    """The heaviest terms both papers share: why they are related."""


STOP_CHECK = 500
"""Papers read between two checks of `stopped` (about 0.1 s at 100k)."""


class RelatedIndex:
    """TF-IDF vectors of every paper's heaviest terms, with an inverted index over them.

    Built in two passes (document frequencies, then vectors) so no paper's full term counts
    are kept, and stored in flat arrays indexed by row and term number (`Vectors`, and the
    same transposed for the postings): a 100k-paper library takes tens of megabytes, where a
    dict per paper and a tuple per posting took gigabytes.
    """

    def __init__(
        self,
        records: Sequence[Record],
        *,
        abstract_of: Callable[[str], str] | None = None,
        stopped: Callable[[], bool] = lambda: False,
    ) -> None:
        """`stopped`: asked every `STOP_CHECK` papers; `Stopped` when it says so (at 100k
        papers the build reads every abstract for tens of seconds: an app closed meanwhile
        must not wait for it)."""
        self._stopped = stopped
        self._ids = [record.id for record in records]
        self._rows = {pid: row for row, pid in enumerate(self._ids)}
        self._terms: list[str] = []
        self._vectors = Vectors()
        self._postings = Vectors()
        with paused_gc():  # hundreds of thousands of objects, none of them garbage
            self._build(records, abstract_of)

    def _build(self, records: Sequence[Record], abstract_of: Callable[[str], str] | None) -> None:
        def terms_of(record: Record) -> tuple[list[str], list[str]]:
            """The terms of the paper's abstract and of its title."""
            abstract = abstract_of(record.id) if abstract_of else record.paper.abstract
            return terms(abstract), terms(record.paper.title)

        def bag_of(record: Record) -> Counter[str]:
            in_abstract, in_title = terms_of(record)
            bag: Counter[str] = Counter(in_abstract)
            for term in in_title:
                bag[term] += TITLE_WEIGHT
            return bag

        document_frequency: Counter[str] = Counter()
        kept = 0
        for n, record in enumerate(records):
            self._check(n)
            in_abstract, in_title = terms_of(record)
            distinct = {*in_abstract, *in_title}
            kept += min(len(distinct), MAX_TERMS)
            document_frequency.update(distinct)
        n = max(1, len(records))
        idf = {t: math.log((1 + n) / (1 + df)) + 1 for t, df in document_frequency.items()}
        del document_frequency
        numbers: dict[str, int] = {}
        self._vectors = Vectors(kept)
        for n, record in enumerate(records):
            self._check(n)
            weights = {
                t: (_TF[c] if c < len(_TF) else 1 + math.log(c)) * idf[t]
                for t, c in bag_of(record).items()
            }
            top = sorted(weights.items(), key=lambda kv: -kv[1])[:MAX_TERMS]
            norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
            term_numbers, term_weights = array("i"), array("f")
            for term, weight in top:
                number = numbers.get(term)
                if number is None:
                    number = numbers[term] = len(self._terms)
                    self._terms.append(term)
                term_numbers.append(number)
                term_weights.append(weight / norm)
            self._vectors.append(term_numbers, term_weights)
        # Rows only: a posting's weight is found in its row's vector when a lookup needs it
        # (16 MB less at 100k papers; a lookup stays in milliseconds).
        self._postings = self._vectors.transposed(len(self._terms), weights=False)

    def _check(self, n: int) -> None:
        if n % STOP_CHECK == 0 and self._stopped():
            raise Stopped

    def related(self, paper: str, limit: int = 5) -> list[Related]:
        """The `limit` papers most similar to `paper` (never itself), best first, stable."""
        row = self._rows.get(paper)
        if row is None:
            return []
        numbers, weights = self._vectors[row]
        scores: dict[int, float] = {}
        weight_of = self._vectors.weight_of
        for number, weight in zip(numbers, weights, strict=True):
            for other in self._postings.numbers_of(number):
                if other != row:
                    scores[other] = scores.get(other, 0.0) + weight * weight_of(other, number)
        ids = self._ids
        best = sorted(scores.items(), key=lambda kv: (-kv[1], ids[kv[0]]))[:limit]
        vector = dict(zip(numbers, weights, strict=True))
        found = []
        for other, score in best:
            if score <= 0.01:
                continue
            other_vector = dict(zip(*self._vectors[other], strict=True))
            shared = sorted(
                (t for t in vector if t in other_vector),
                key=lambda t: -(vector[t] * other_vector[t]),
            )
            found.append(
                Related(ids[other], round(score, 4), tuple(self._terms[t] for t in shared[:5]))
            )
        return found


@dataclass(frozen=True)
class Duplicate:
    keep: str
    drop: str
    score: float


def near_duplicates(records: Iterable[Record], *, threshold: float = 92.0) -> list[Duplicate]:
    """Pairs of papers whose titles are near-identical; `keep` is the one imported first.

    Titles equal after normalising case and whitespace are one paper already (the importer merges
    them); these are the typo and version variants it keeps apart.  Only papers sharing one of a
    title's two rarest words are compared, so this stays fast on large libraries.
    """
    from rapidfuzz import fuzz  # only this scan needs it: keep the app's start-up light

    ordered = sorted(records, key=lambda r: (r.paper.added, r.id))
    titles = [normalise(r.title) for r in ordered]
    words = [set(t.split()) for t in titles]
    postings: dict[str, list[int]] = {}
    for index, bag in enumerate(words):
        for word in bag:
            postings.setdefault(word, []).append(index)
    found: list[Duplicate] = []
    for i, bag in enumerate(words):
        rarest = sorted(bag, key=lambda w: (len(postings[w]), w))[:2]
        candidates = {j for w in rarest for j in postings[w] if j > i}
        for j in sorted(candidates):
            score = fuzz.ratio(titles[i], titles[j], score_cutoff=threshold)
            if score:
                found.append(Duplicate(ordered[i].id, ordered[j].id, round(score, 1)))
    return found
