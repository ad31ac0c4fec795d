"""Deterministic synthetic listings in the Daily Papers format, for the benchmark."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "sparse attention transformer diffusion autoregressive language model vision token "
    "efficient scaling inference training decoding latent representation contrastive masked "
    "autoencoder benchmark retrieval reasoning alignment reinforcement policy graph neural "
    "network quantization pruning distillation multimodal video image audio speech robot "
    "planning agent memory cache kernel compression embedding generative adversarial flow "
    "matching score hierarchical mixture experts routing parallel federated privacy robust "
    "uncertainty calibration causal interpretability circuit feature probing steering"
).split()
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
CHROME = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\nNov 10\n\n"
)


SYLLABLES = (
    "ba be bi bo bu ca co cu da de di do du fa fe fi fo ga ge go ka ke ki ko la le li lo lu ma "
    "me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va "
    "ve vi vo za ze zo tion ment ing er al ic ous ive ize net graph form"
).split()


STOPWORDS = (
    "the of and a to in we is for that with on by this our as are from an be which can "
    "these it at or has not have their than its such both also into while more"
).split()


def vocabulary(rng: random.Random, size: int = 30000) -> tuple[list[str], list[float]]:
    """Function words first, then made-up words with the technical ones among ranks 50-400,
    weighted as Zipf's law has it: a topic word lands in a few percent of abstracts, as in
    real listings, rather than in all of them."""
    made: list[str] = []
    seen = set(WORDS) | set(STOPWORDS)
    while len(made) < size - len(WORDS) - len(STOPWORDS):
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            made.append(word)
    words = list(STOPWORDS) + made
    for word in WORDS:
        words.insert(rng.randint(50, 400), word)
    cumulative = []
    total = 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        cumulative.append(total)
    return words, cumulative


class Words:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words, self.cumulative = vocabulary(rng)

    def take(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)


def title(words: Words, n: int) -> str:
    picked = [w for w in words.take(words.rng.randint(12, 24)) if w not in STOPWORDS]
    return " ".join(w.capitalize() for w in picked[: words.rng.randint(5, 12)])


def abstract(words: Words, n: int) -> str:
    rng = words.rng
    sentences = []
    length = 0
    while length < 1450:
        sentence = " ".join(words.take(rng.randint(10, 22)))
        sentences.append(sentence.capitalize() + ".")
        length += len(sentence) + 2
    if rng.random() < 0.3:
        sentences.append(f"Code is available at https://github.com/lab{n % 997}/project{n}.")
    return " ".join(sentences)


def write_listings(directory: Path, papers: int, *, per_file: int = 5000, seed: int = 7) -> None:
    """`papers` distinct papers in files of `per_file` records each."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    words = Words(rng)
    for start in range(0, papers, per_file):
        chunks = [CHROME]
        for n in range(start, min(papers, start + per_file)):
            chunks.append(f"{title(words, n)}\n\n{abstract(words, n)}\n\n")
            votes = f" {rng.randint(1, 300)}" if rng.random() < 0.6 else ""
            year = rng.choice(("", ", 2023", ", 2024"))
            chunks.append(
                f"  • {rng.randint(1, 40)} authors\n·\n"
                f"{rng.choice(MONTHS)} {rng.randint(1, 28)}{year}{votes}\n\n"
            )
        (directory / f"synth_{start // per_file:04d}.txt").write_text("".join(chunks))
