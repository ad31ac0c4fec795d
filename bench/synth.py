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


def title(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS).capitalize() for _ in range(rng.randint(5, 12))]
    return f"{' '.join(words)} {n}"


def abstract(rng: random.Random, n: int) -> str:
    sentences = []
    length = 0
    while length < 1450:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 22)))
        sentences.append(sentence.capitalize() + ".")
        length += len(sentence) + 2
    if rng.random() < 0.3:
        sentences.append(f"Code is available at https://github.com/lab{n % 997}/project{n}.")
    return " ".join(sentences)


def write_listings(directory: Path, papers: int, *, per_file: int = 5000, seed: int = 7) -> None:
    """`papers` distinct papers in files of `per_file` records each."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for start in range(0, papers, per_file):
        chunks = [CHROME]
        for n in range(start, min(papers, start + per_file)):
            chunks.append(f"{title(rng, n)}\n\n{abstract(rng, n)}\n\n")
            votes = f" {rng.randint(1, 300)}" if rng.random() < 0.6 else ""
            year = rng.choice(("", ", 2023", ", 2024"))
            chunks.append(
                f"  • {rng.randint(1, 40)} authors\n·\n"
                f"{rng.choice(MONTHS)} {rng.randint(1, 28)}{year}{votes}\n\n"
            )
        (directory / f"synth_{start // per_file:04d}.txt").write_text("".join(chunks))
