"""The interest model: it learns a planted preference, explains itself in the paper's own words,
and the library records decisions (dismissal included) and resets as promised."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from store.library import Library
from store.models import Record, UserState
from store.search.decisions import decision_of, document_of, pile_order
from store.search.interest import MIN_DECISIONS, Document, InterestModel, stem
from store.typing_gate import Stopped
from store.view import LibraryView
from tests.conftest import FIXED_NOW

PLANTED = re.compile(r"auto-?regressive", re.IGNORECASE)


def planted_split(library: Library) -> tuple[list[Record], list[Record]]:
    """The seeds in a fixed shuffled order: a training part and the rest."""
    records = library.all_records()
    random.Random(3).shuffle(records)
    return records[:150], records[150:]


def top_share(ranked: list[str], liked: set[str]) -> float:
    k = max(1, len(ranked) // 5)
    return sum(1 for pid in ranked[:k] if pid in liked) / min(k, len(liked & set(ranked)))


def test_learns_a_planted_preference(library: Library) -> None:
    train, rest = planted_split(library)
    liked = {r.id for r in train + rest if PLANTED.search(r.title)}
    model = InterestModel(document_of(r) for r in train + rest)
    interest = model.train({r.id: r.id in liked for r in train})
    ranked = interest.order(r.id for r in rest)
    assert len(liked & {r.id for r in rest}) >= 8  # enough held-out papers to measure
    # Random scores would put about the base rate (~20%) of liked papers in the top fifth.
    assert top_share(ranked, liked) >= 0.8
    assert interest.interest(ranked[0]) > 0.5 > interest.interest(ranked[-1])
    positive, negative = interest.strongest(5)
    assert positive[0].name in ("autoregressive", "auto-regressive")
    assert all(t.weight > 0 for t in positive) and all(t.weight < 0 for t in negative)


def test_no_opinion_without_both_kinds_of_decision(library: Library) -> None:
    records = library.all_records()
    model = InterestModel(document_of(r) for r in records)
    only_yes = model.train({records[0].id: True, records[1].id: True})
    assert not only_yes.trained and only_yes.interest(records[5].id) == 0.5
    assert only_yes.why(document_of(records[0])) == ()


def test_no_paper_is_read_into_a_model_until_there_is_something_to_learn(
    library: Library,
) -> None:
    """Reading every paper into the model is a minute at 100k papers: with only wanted (or no)
    decisions every score is equal anyway, so the app and the CLI skip it."""
    view = LibraryView(library)
    view.load()
    ids = list(view.by_id)
    view.apply(library.queue_add(ids[:3]))
    only_yes = view.train_interest()
    assert (only_yes.decisions, only_yes.wanted, only_yes.trained) == (3, 3, False)
    assert view._interest_model is None
    assert only_yes.interest(ids[5]) == 0.5 and only_yes.order(ids[:6]) == ids[:6]
    assert library.interest().decisions == 3  # the CLI's answer, the same way
    view.apply(library.dismiss(ids[3:4]))
    both = view.train_interest()
    assert both.trained and view._interest_model is not None and both.decisions == 4


def test_why_terms_are_words_of_the_paper(library: Library) -> None:
    train, rest = planted_split(library)
    model = InterestModel(document_of(r) for r in train + rest)
    interest = model.train({r.id: bool(PLANTED.search(r.title)) for r in train})
    explained = 0
    for record in rest:
        words = set(re.findall(r"[\w\-]+", f"{record.title} {record.paper.abstract}".casefold()))
        why = interest.why(document_of(record))
        explained += bool(why)
        assert all(term in words for term in why), (record.title, why)
    assert explained > len(rest) // 2


def test_authors_organisation_and_categories_are_features() -> None:
    documents = [
        Document(
            f"p{n}",
            f"Paper number {n} about things",
            "Some shared abstract text about experiments.",
            authors=("Ada Lovelace",) if n % 3 == 0 else ("Someone Else",),
            organization="kyutai" if n % 3 == 0 else "other-lab",
            categories=("cs.LG",),
        )
        for n in range(30)
    ]
    model = InterestModel(documents)
    interest = model.train({d.id: d.authors == ("Ada Lovelace",) for d in documents[:20]})
    assert interest.order([d.id for d in documents[20:]])[:3] == ["p21", "p24", "p27"]
    why = interest.why(documents[21])
    assert set(why[:2]) == {"au:Ada Lovelace", "org:kyutai"}
    assert "cat:cs.LG" not in why  # in every paper: it tells nothing


def test_retrain_sees_new_papers_and_changed_text() -> None:
    model = InterestModel([Document("a", "Graph neural networks"), Document("b", "Diffusion")])
    model.add([Document("c", "Graph transformers"), Document("b", "Diffusion images")])
    assert len(model) == 3
    interest = model.train({"a": True, "b": False})
    assert interest.order(["b", "c"]) == ["c", "b"]


def test_stems_join_word_forms_but_keep_short_words() -> None:
    assert stem("quantization") == stem("quantized") == stem("quantizing") == "quant"
    assert stem("uses") == "uses" and stem("bias") == "bias"


def test_decisions_are_what_the_reader_did() -> None:
    from store.models import Paper

    paper = Paper("p", "T")
    cases = [
        (UserState(), None, None),
        (UserState(status="dismissed", tags=("x",)), None, False),
        (UserState(tags=("x",)), None, True),
        (UserState(note="thoughts"), None, True),
        (UserState(status="reading"), None, True),
        (UserState(status="read"), None, True),
        (UserState(), 1, True),
        (UserState(triaged=True), None, None),  # skipped in triage: no opinion
    ]
    for state, position, expected in cases:
        assert decision_of(Record(paper, state, position)) is expected, state


def test_dismissal_round_trips_through_undo_json_and_queries(library: Library) -> None:
    a, b = (r.id for r in library.all_records()[:2])
    library.queue_add([a, b])
    change = library.dismiss([a])
    record = library.get(a)
    assert record.state.status == "dismissed" and record.state.triaged
    assert library.queue_ids() == [b]  # not interested: off the queue
    assert record.to_json()["status"] == "dismissed"
    assert [r.id for r in library.records("is:dismissed")] == [a]
    library.undo(change)
    assert library.get(a).state.status == "unread" and library.queue_ids() == [a, b]
    assert library.triage(b, dismiss=True).after[b].status == "dismissed"


def test_reset_forgets_decisions_made_before_it(tmp_path: Path, seeds: list[Path]) -> None:
    clock = [FIXED_NOW]
    library = Library.open(tmp_path / "data", now=lambda: clock[0])
    library.import_files(seeds)
    ids = [r.id for r in library.all_records()]
    library.add_tags(ids[:3], ["keep"])
    library.dismiss(ids[3:6])
    assert library.interest().decisions == 6
    clock[0] = FIXED_NOW + timedelta(minutes=5)
    assert library.reset_interest() == "2026-11-01T09:35:00+00:00"
    assert library.interest().decisions == 0
    clock[0] = FIXED_NOW + timedelta(minutes=6)
    library.dismiss([ids[7]])
    library.add_tags([ids[8]], ["keep"])
    after = library.interest()
    assert after.decisions == 2 and after.trained
    assert library.get(ids[0]).state.tags == ("keep",)  # the decisions themselves stay
    (tmp_path / "data" / "interest.json").write_text("{not json")
    assert library.interest_reset_at() is None  # a damaged mark: train on everything
    assert datetime.now(UTC) > FIXED_NOW  # sanity: the fixed clock is in the past


@pytest.mark.parametrize("decided", [MIN_DECISIONS - 1, MIN_DECISIONS])
def test_triage_pile_is_by_interest_from_twenty_decisions(library: Library, decided: int) -> None:
    records = library.all_records()
    train, rest = records[:decided], records[decided:]
    model = InterestModel(document_of(r) for r in records)
    interest = model.train({r.id: n % 4 == 0 for n, r in enumerate(train)})
    pile, reason = pile_order(rest, interest, "interest")
    by_upvotes, _ = pile_order(rest, interest, "upvotes")
    if decided < MIN_DECISIONS:
        assert pile == by_upvotes and reason.startswith("by upvotes")
        assert f"({decided} so far)" in reason
    else:
        assert pile == interest.order(by_upvotes) != by_upvotes
        assert "interest" in reason
    uncertain, why = pile_order(rest, interest, "uncertain")
    assert uncertain == interest.uncertain_order(by_upvotes) and "least certain" in why


def test_a_closing_app_stops_reading_papers_into_the_model(library: Library) -> None:
    """Reading 100k papers into the model takes seconds: a closing app stops it between
    batches (the interpreter waits for the worker doing it), and keeps no half-read model."""
    view = LibraryView(library)
    view.load()
    ids = list(view.by_id)
    view.apply(library.queue_add(ids[:3]))
    view.apply(library.dismiss(ids[3:4]))  # something to learn: the model is read
    view.close()
    with pytest.raises(Stopped):
        view.train_interest()
    assert view._interest_model is None
    asked: list[int] = []
    with pytest.raises(Stopped):
        library.interest_model(list(view.by_id.values()), stopped=lambda: not asked.append(1))
    assert asked == [1]  # after the first batch
    assert len(library.interest_model(list(view.by_id.values()))) == len(ids)
