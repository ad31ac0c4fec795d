"""Authors' names found by a plain query word: through their word index, or (while the app's
load has yet to build it) by a scan of every name at once; the same rows either way, and the
index built again once names change."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from store.models import Enrichment, Paper, Record
from store.search.authors import AuthorNames

NAMES = ["Yann LeCun", "Li Wei", "Ana Lí", "Jürgen Schmidhuber", "Wei-Lin Chiang", "O'Neil", "A"]
WORDS = ["li", "wei", "lecun", "le", "jurgen", "schmid", "chiang", "o", "a", "neil", "zz"]


def scanned(names: AuthorNames, word: str) -> dict[int, float]:
    names.scan_until_warm = True
    return names.rows(word, 1.0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(NAMES), max_size=3), min_size=1, max_size=12))
def test_a_scan_of_the_names_finds_what_their_index_finds(authors: list[list[str]]) -> None:
    for word in WORDS:
        by_scan = scanned(AuthorNames(authors), word)
        indexed = AuthorNames(authors)
        assert sorted(by_scan) == sorted(indexed.rows(word, 1.0)), word


def test_the_index_is_built_by_warm_and_again_after_names_change() -> None:
    records = [Record(Paper(id=f"p{n}", title="t")) for n in range(3)]
    names = AuthorNames([("Li Wei",), (), ("Ana Lí",)])
    names.scan_until_warm = True
    assert sorted(names.rows("li", 1.0)) == [0, 2]
    assert names._index is None  # scanned, not built in the key's time
    names.warm(lambda: None)
    assert names._index is not None and not names.scan_until_warm
    fetched = replace(records[1], enrichment=Enrichment(authors=("Wei Li",)))
    names.replace(1, fetched)
    assert sorted(names.rows("li", 1.0)) == [0, 1, 2]
    assert names._index is not None  # built again for the next keys, not scanned from now on


def test_a_name_found_as_typed_brings_no_title_typos() -> None:
    """`turing`, an author's name, finds that author's paper and not also titles with
    `tuning` (typo tolerance is for a word found nowhere), in the app's index as in the scan
    a one-shot search makes."""
    from store.search.index import SearchIndex

    records = [
        Record(Paper(id="by-turing", title="Computing machinery", authors=("Alan Turing",))),
        Record(Paper(id="tuning", title="Instruction tuning at scale")),
        Record(Paper(id="other", title="Computing intelligence")),
    ]
    for indexed in (True, False):
        index = SearchIndex(records, indexed=indexed)
        assert [r.id for r in index.search("turing")] == ["by-turing"], indexed
        assert [r.id for r in index.search("tunnig")] == ["tuning"], indexed  # a typo
