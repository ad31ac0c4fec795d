"""`make bench` (and `python -m bench.ranking`): how well the interest ranking finds what a reader
wants, against sorting by upvotes and by date, and how long a retrain takes.

Simulated readers have hidden interests (a few topics of the real papers in `seeds/` and the
test listings), decide on a training part of the library as a reader triaging would (queue what
they like, dismiss the rest, but miss some likes and queue some papers on a whim), and the rest
of the library is ranked.  The score is the share of the top 20% of the ranking that the reader
truly likes, over the most any order could reach there (1.0 = perfect).
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.synth import Words
from store.catalog.listing import Listing, parse_listing
from store.search.interest import Document, InterestModel
from store.text import title_key

ROOT = Path(__file__).resolve().parent.parent
TOP = 0.2
SPLITS = 12
TRAINING = (150, 180)
RETRAIN_CASES = ((10_000, 200), (10_000, 2000))


@dataclass(frozen=True)
class Paper:
    document: Document
    upvotes: int
    published: str


@dataclass(frozen=True)
class Reader:
    """Hidden interests: a paper is liked when it is about one of `topics`.  In training they
    dismiss a liked paper with probability `missed` and queue an unliked one with `whim`."""

    name: str
    topics: tuple[str, ...]
    missed: float
    whim: float


# What a paper is "about", as its reader would say: a topic word in the title, or twice in
# the abstract.  The model never sees these patterns, only the reader's decisions.
TOPICS: dict[str, str] = {
    "interpretability": r"sparse autoencoder|interpretab|monosemantic|circuit|polysemantic",
    "visual-autoregressive": r"autoregressive|auto-regressive|next-scale|next-token",
    "diffusion": r"diffusion|denois",
    "efficient-inference": r"quantiz|prun|speculative|kv cach|latency|accelerat",
    "masked-pretraining": r"masked (?:image|autoencoder|modeling|video)|\bmae\b|self-supervised",
    "video": r"\bvideo",
    "experts": r"mixture[- ]of[- ]experts|\bmoe\b|expert",
    "medical-and-science": r"medical|mri|brain|weather|forecast|time series|physics|geolog",
}
READERS = (
    Reader("interpretability, careful", ("interpretability",), 0.10, 0.03),
    Reader("diffusion + video", ("diffusion", "video"), 0.15, 0.05),
    Reader("efficient inference, hurried", ("efficient-inference",), 0.25, 0.08),
    Reader("MoE + science", ("experts", "medical-and-science"), 0.15, 0.05),
    Reader("masked pre-training", ("masked-pretraining",), 0.15, 0.05),
    Reader("visual AR + interp.", ("visual-autoregressive", "interpretability"), 0.20, 0.05),
)


def load_papers() -> list[Paper]:
    """The real papers: the bundled seeds and the test listings, one per title."""
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        (ROOT / "tests" / "data" / "listings").glob("*.txt")
    )
    by_title: dict[str, Listing] = {}
    for path in files:
        for listing in parse_listing(path.read_text(encoding="utf-8"), path.name):
            by_title.setdefault(title_key(listing.title), listing)
    papers = []
    for n, listing in enumerate(by_title.values()):
        document = Document(
            id=f"p{n:04d}",
            title=listing.title,
            abstract=listing.abstract,
            organization=listing.organization_name or listing.organization,
        )
        papers.append(Paper(document, listing.upvotes or 0, listing.published or ""))
    return papers


def likes(reader: Reader, paper: Paper) -> bool:
    for topic in reader.topics:
        pattern = re.compile(TOPICS[topic], re.IGNORECASE)
        if pattern.search(paper.document.title):
            return True
        if len(pattern.findall(paper.document.abstract)) >= 2:
            return True
    return False


def precision_ratio(ranked: Sequence[str], liked: set[str]) -> float:
    """Liked papers in the top 20% of `ranked`, over the most possible there."""
    k = max(1, round(TOP * len(ranked)))
    best = min(k, len(liked & set(ranked)))
    if best == 0:
        return 1.0
    return sum(1 for pid in ranked[:k] if pid in liked) / best


def evaluate(
    papers: list[Paper], model: InterestModel, reader: Reader, training: int, seed: int
) -> dict[str, float]:
    rng = random.Random(seed)
    order = list(papers)
    rng.shuffle(order)
    train, test = order[:training], order[training:]
    liked = {p.document.id for p in papers if likes(reader, p)}
    decisions = {}
    for paper in train:
        wanted = paper.document.id in liked
        if wanted and rng.random() < reader.missed:
            wanted = False
        elif not wanted and rng.random() < reader.whim:
            wanted = True
        decisions[paper.document.id] = wanted
    interest = model.train(decisions)
    test_ids = [p.document.id for p in test]
    by_upvotes = [p.document.id for p in sorted(test, key=lambda p: -p.upvotes)]
    by_date = [p.document.id for p in sorted(test, key=lambda p: p.published, reverse=True)]
    return {
        "interest": precision_ratio(interest.order(test_ids), liked),
        "upvotes": precision_ratio(by_upvotes, liked),
        "date": precision_ratio(by_date, liked),
        "base_rate": len(liked & set(test_ids)) / len(test_ids),
    }


def retrain_ms(size: int, decided: int) -> tuple[float, float]:
    """Median milliseconds to retrain and rescore a `size`-paper library with `decided`
    decisions, and seconds to read the library into the model the first time."""
    rng = random.Random(11)
    words = Words(rng)
    documents = [
        Document(
            id=f"s{n}",
            title=" ".join(words.take(10)),
            abstract=" ".join(words.take(220)),
            authors=tuple(f"Author {rng.randint(1, 3000)}" for _ in range(rng.randint(1, 8))),
            organization=f"lab{rng.randint(1, 200)}",
            categories=(f"cs.{rng.choice('LG CV CL AI RO'.split())}",),
        )
        for n in range(size)
    ]
    start = time.perf_counter()
    model = InterestModel(documents)
    read_s = time.perf_counter() - start
    decisions = {d.id: rng.random() < 0.25 for d in rng.sample(documents, decided)}
    times = []
    for _ in range(5):
        start = time.perf_counter()
        model.train(decisions)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), read_s


def run(out: Callable[[str], None] = print) -> dict[str, object]:
    papers = load_papers()
    model = InterestModel(p.document for p in papers)
    rows = []
    for reader in READERS:
        for training in TRAINING:
            results = [evaluate(papers, model, reader, training, seed) for seed in range(SPLITS)]
            row: dict[str, object] = {"reader": reader.name, "training": training}
            for key in ("interest", "upvotes", "date", "base_rate"):
                row[key] = statistics.mean(r[key] for r in results)
            rows.append(row)
    average = {
        key: statistics.mean(float(r[key]) for r in rows)  # type: ignore[arg-type]
        for key in ("interest", "upvotes", "date")
    }
    timings = {(size, decided): retrain_ms(size, decided) for size, decided in RETRAIN_CASES}

    out(
        f"ranking quality on {len(papers)} real papers, {SPLITS} random splits per row "
        f"(share of the top {TOP:.0%} liked, over the best possible)"
    )
    out("")
    out("| reader | decisions | liked (base rate) | interest | upvotes | date |")
    out("|---|---|---|---|---|---|")
    for row in rows:
        out(
            f"| {row['reader']} | {row['training']} | {float(row['base_rate']):.0%} "  # type: ignore[arg-type]
            f"| {float(row['interest']):.2f} | {float(row['upvotes']):.2f} "  # type: ignore[arg-type]
            f"| {float(row['date']):.2f} |"  # type: ignore[arg-type]
        )
    out(
        f"| **average** | | | **{average['interest']:.2f}** | {average['upvotes']:.2f} "
        f"| {average['date']:.2f} |"
    )
    out("")
    for (size, decided), (ms, read_s) in timings.items():
        out(
            f"retrain + rescore at {size} papers, {decided} decisions: {ms:.0f} ms "
            f"(reading the library into the model once: {read_s:.1f} s)"
        )
    return {
        "rows": rows,
        "average": average,
        "retrain_ms": {f"{size}/{decided}": ms for (size, decided), (ms, _) in timings.items()},
    }


if __name__ == "__main__":
    result = run()
    if "--json" in sys.argv:
        print(json.dumps(result))
