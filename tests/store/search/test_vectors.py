"""Many papers' sparse vectors in flat arrays, and the same kept by the interest model and the
related-papers index: what they answer is what a model made in memory answers."""

from __future__ import annotations

import random
from array import array
from collections.abc import Iterator

from store.library import Library
from store.search.decisions import document_of
from store.search.interest import Document, InterestModel
from store.search.vectors import Vectors


def test_rows_read_back_as_appended_and_transpose_to_postings() -> None:
    rng = random.Random(5)
    rows = [
        (rng.sample(range(30), k), [rng.random() for _ in range(k)])
        for k in (rng.randint(0, 8) for _ in range(50))
    ]
    vectors = Vectors(size=sum(len(n) for n, _ in rows) + 3)  # reserved a little too large
    for numbers, values in rows:
        vectors.append(array("i", numbers), array("f", values))
    assert len(vectors) == 50
    for (numbers, values), (got_numbers, got_values) in zip(rows, vectors, strict=True):
        assert list(got_numbers) == numbers
        assert list(got_values) == [float(v) for v in _as_float32(values)]
    postings = vectors.transposed(30)
    assert len(postings) == 30
    for feature in range(30):
        having, weights = postings[feature]
        expected = [
            (row, v)
            for row, (ns, vs) in enumerate(vectors)
            for n, v in zip(ns, vs, strict=True)
            if n == feature
        ]
        assert list(zip(having, weights, strict=True)) == expected
        assert list(vectors.transposed(30, weights=False).numbers_of(feature)) == list(having)
        assert [vectors.weight_of(row, feature) for row in having] == list(weights)


def _as_float32(values: list[float]) -> list[float]:
    return list(array("f", values))


def test_the_library_model_reads_each_paper_twice_and_equals_one_made_in_memory(
    library: Library,
) -> None:
    records = library.all_records()
    in_memory = InterestModel(document_of(r) for r in records)
    calls = []

    def documents() -> Iterator[Document]:
        calls.append(1)
        return (document_of(r) for r in records)

    streamed = InterestModel.read(documents)
    assert len(calls) == 2 and len(streamed) == len(in_memory) == len(records)
    decisions = {r.id: n % 3 == 0 for n, r in enumerate(records[:40])}
    one, other = in_memory.train(decisions), streamed.train(decisions)
    assert list(one.scores) == list(other.scores)
    assert one.strongest() == other.strongest()
    # And the Library's own model of records without abstracts: read one at a time from the file.
    bare = Library.open(library.root).all_records(with_abstracts=False)
    from_file = Library.open(library.root).interest_model(bare).train(decisions)
    assert list(from_file.scores) == list(one.scores) and one.trained
