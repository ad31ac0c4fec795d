"""Citation keys: the formula, uniqueness, and that a key once given never changes by itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from store.export.citekey import (
    DEFAULT_PATTERN,
    KeyAllocator,
    PatternError,
    family_name,
    format_key,
    parse_pattern,
    unique_key,
)
from store.library import Library
from store.models import Enrichment, Paper, Record
from tests.conftest import FIXED_NOW
from tests.fakes.api import FakeApi, Run, atom

VASWANI = Record(
    Paper(id="abc12345", title="Attention Is All You Need", published="2017-06-12"),
    enrichment=Enrichment(
        arxiv_id="1706.03762", authors=("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")
    ),
)


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        (DEFAULT_PATTERN, "vaswani2017AttentionAllYou"),
        ("auth.lower + year + shorttitle", "vaswani2017AttentionAllYou"),
        ("auth + year", "Vaswani2017"),
        ("authors(2) + year", "VaswaniShazeer2017"),
        ("auth.lower + shorttitle(3, 0) + year", "vaswaniAttentionAllYou2017"),
        ("auth.upper + veryshorttitle.lower", "VASWANIattention"),
        ('auth.lower + "_" + year + ":" + title.len(12)', "vaswani_2017:AttentionAll"),
        ("arxiv", "1706_03762"),
        ("id", "abc12345"),
    ],
)
def test_patterns(pattern: str, key: str) -> None:
    assert format_key(parse_pattern(pattern), VASWANI) == key


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Ada Lovelace", "Lovelace"),
        ("J. C. Greer", "Greer"),
        ("Lovelace, Ada", "Lovelace"),
        ("Ludwig van Beethoven", "vanBeethoven"),
        ("Martin Luther King Jr.", "King"),
        ("Guo-Qiang Hai", "Hai"),
        ("Plato", "Plato"),
    ],
)
def test_family_names(name: str, family: str) -> None:
    assert family_name(name) == family


def test_keys_are_ascii_and_never_the_organisation() -> None:
    hostile = Record(
        Paper(
            id="ffff0000",
            title="$\\omega$Test: {Über} 学习 🚀 & 100% \\emph{fast}",
            organization="google",
            organization_name="Google",
            published="2024-01-02",
        ),
    )
    assert format_key(parse_pattern(DEFAULT_PATTERN), hostile) == "anon2024TestUber100"
    accented = replace(hostile, enrichment=Enrichment(authors=("Ladir Cândido", "Zoë Ørsted")))
    assert format_key(parse_pattern("authors + year"), accented) == "CandidoOrsted2024"
    only_cjk = Record(Paper(id="cjk00001", title="学习"), enrichment=Enrichment(authors=("李",)))
    assert format_key(parse_pattern("auth"), only_cjk) == "anon"
    assert format_key(parse_pattern("shorttitle"), only_cjk) == "papercjk00001"  # never empty


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "empty"),
        ("auth + nonsense", "unknown field 'nonsense'"),
        ("auth.shout", "unknown modifier .shout"),
        ("shorttitle(a)", "whole numbers"),
        ("auth + + year", "cannot read"),
        ('auth + "open', "cannot read"),
    ],
)
def test_bad_patterns_are_named(pattern: str, message: str) -> None:
    with pytest.raises(PatternError, match=message):
        parse_pattern(pattern)


def test_unique_keys_take_letter_suffixes_case_insensitively() -> None:
    assert unique_key("smith2020", set()) == "smith2020"
    assert unique_key("smith2020", {"Smith2020"}) == "smith2020a"
    assert unique_key("smith2020", {"smith2020", "smith2020a"}) == "smith2020b"
    taken = {"k"} | {f"k{c}" for c in "abcdefghijklmnopqrstuvwxyz"}
    assert unique_key("k", taken) == "kaa"


def test_thousands_of_papers_sharing_a_base_get_keys_in_linear_time() -> None:
    allocator = KeyAllocator()
    keys = [allocator.allocate("same2024Title") for _ in range(5000)]
    assert len({k.casefold() for k in keys}) == 5000
    assert keys[:3] == ["same2024Title", "same2024Titlea", "same2024Titleb"]
    assert keys[26 + 676 + 1] == "same2024Title-1"  # after a..z and aa..zz


# -- stored keys -------------------------------------------------------------------------------


def keys_of(library: Library) -> dict[str, str | None]:
    return {r.id: r.citekey for r in library.all_records(with_abstracts=False)}


def test_keys_are_assigned_once_unique_and_stored(library: Library) -> None:
    records = library.records("", "title")
    assert all(r.citekey is None for r in records)  # nothing assigned before it is needed
    keyed = library.with_citekeys(records)
    keys = [r.citekey for r in keyed]
    assert all(keys) and len({k.casefold() for k in keys if k}) == len(keys)
    reopened = Library.open(library.root)
    assert keys_of(reopened) == {r.id: r.citekey for r in keyed}
    assert [r.citekey for r in reopened.with_citekeys(records)] == keys  # no new keys


def test_same_titles_and_authors_get_distinct_keys(tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "d")
    twins = [Record(Paper(id=f"p{n}", title="Same Title", published="2024-01-01")) for n in "abc"]
    keys = [r.citekey for r in lib.with_citekeys(twins)]
    assert keys == ["anon2024SameTitle", "anon2024SameTitlea", "anon2024SameTitleb"]


def test_keys_survive_enrichment_title_fixes_and_reimport(
    library: Library, seeds: list[Path]
) -> None:
    records = library.records("", "title")
    before = {r.id: r.citekey for r in library.with_citekeys(records)}
    # arXiv names the authors: the formula would now give another key, the stored one stays.
    first = records[0]
    library.save_enrichment(first.id, Enrichment(arxiv_id="2401.00001", authors=("Ada Byron",)))
    retitled = replace(first, paper=replace(first.paper, title="A Corrected Title"))
    library.import_files(seeds)
    after = library.with_citekeys([retitled, *library.records("", "title")])
    assert {r.id: r.citekey for r in after} == before
    assert keys_of(library) == before


def test_keys_survive_a_real_fetch(api: FakeApi, run: Callable[..., Run], tmp_path: Path) -> None:
    title = "Impact of Electron-Electron Cusp on Configuration Interaction Energies"
    lib = Library.open(tmp_path / "d", now=lambda: FIXED_NOW)
    listing = tmp_path / "cusp.txt"
    listing.write_text(
        f"Daily Papers\n\nMar 1\n\n{title}\n\nAbstract.\n\n  • 5 authors\n·\nMar 1, 2001\n"
    )
    lib.import_files([listing])
    (paper,) = lib.with_citekeys(lib.records())
    assert paper.citekey == "anon2001ImpactElectronElectron"
    api.arxiv(title, atom("arxiv_bibliographic.xml"))
    result = run(lib.records(), github=False)
    lib.save_enrichment(paper.id, result.saved[paper.id])
    (fetched,) = lib.with_citekeys(lib.records())
    assert fetched.authors[0] == "David Prendergast"
    assert fetched.doi == "10.1063/1.1383585"
    assert fetched.citekey == "anon2001ImpactElectronElectron"


def test_merge_keeps_the_survivors_key_and_aliases_the_other(library: Library) -> None:
    keep, drop, other = library.records("", "title")[:3]
    library.with_citekeys([drop, other])  # keep has no key yet; drop's has been cited
    drop_key = keys_of(library)[drop.id]
    change = library.merge_user_state(keep.id, drop.id)
    merged = library.record(keep.id)
    assert merged.citekey and merged.citekey != drop_key
    assert merged.citekey_aliases == (drop_key,)
    (listed,) = [r for r in library.with_citekeys(library.records()) if r.id == keep.id]
    assert listed.citekey_aliases == (drop_key,)
    # Undo: the paper comes back with its own key, which is no longer the survivor's alias.
    library.undo(change)
    assert library.record(drop.id).citekey == drop_key
    assert library.record(keep.id).citekey_aliases == ()
    # A new paper never gets a key that is someone's alias.
    assert drop_key not in {r.citekey for r in library.with_citekeys(library.records())} - {
        library.record(drop.id).citekey
    }


def test_rekey_reassigns_on_request_and_keeps_the_old_key_as_alias(tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "d")
    paper = Record(Paper(id="p1", title="Deep Nets", published="2024-01-01"))
    (first,) = lib.with_citekeys([paper])
    assert first.citekey == "anon2024DeepNets"
    named = replace(paper, enrichment=Enrichment(authors=("Ada Lovelace",)))
    (same,) = lib.with_citekeys([named])
    assert same.citekey == "anon2024DeepNets"
    (rekeyed,) = lib.with_citekeys([named], rekey=True)
    assert (rekeyed.citekey, rekeyed.citekey_aliases) == (
        "lovelace2024DeepNets",
        ("anon2024DeepNets",),
    )
    (again,) = lib.with_citekeys([named], rekey=True)
    assert again.citekey == "lovelace2024DeepNets"  # the formula agrees: nothing moves


def test_custom_pattern_from_the_library(tmp_path: Path) -> None:
    lib = Library.open(tmp_path / "d", citekey_pattern="auth.lower + year")
    (keyed,) = lib.with_citekeys([VASWANI])
    assert keyed.citekey == "vaswani2017"


def test_two_libraries_on_one_folder_never_hand_out_the_same_key(tmp_path: Path) -> None:
    first, second = Library.open(tmp_path / "d"), Library.open(tmp_path / "d")
    a = Record(Paper(id="pa", title="Same Title", published="2024-01-01"))
    b = Record(Paper(id="pb", title="Same Title", published="2024-01-01"))
    second.citekeys()  # a reader that has cached the (empty) keys before the first writes
    (ka,) = first.with_citekeys([a])
    (kb,) = second.with_citekeys([b])
    assert (ka.citekey, kb.citekey) == ("anon2024SameTitle", "anon2024SameTitlea")
    assert {r.id: r.citekey for r in Library.open(tmp_path / "d").with_citekeys([a, b])} == {
        "pa": "anon2024SameTitle",
        "pb": "anon2024SameTitlea",
    }
