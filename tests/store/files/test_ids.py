"""The id index (`ids.json`): CLI writes resolve ids without parsing the catalog, and the index
never gives an answer the catalog would not."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.errors import StoreError, UnknownPaper
from store.files.ids import IDS_FILE, VERSION, _encode, _encode_ids
from store.library import Library
from tests.conftest import FIXED_NOW


def fresh(library: Library) -> Library:
    """Another process opening the same data directory."""
    return Library.open(library.root, now=lambda: FIXED_NOW)


def catalog_never_parsed(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("the catalog was parsed")

    monkeypatch.setattr(library, "papers", refuse)
    monkeypatch.setattr(library.catalog_columns, "get", refuse)


def rename_in_catalog(library: Library, old: str, new: str) -> None:
    """Edit catalog.json by hand, as a user or another tool might: same size, new id."""
    path = library.catalog_file.path
    text = path.read_text()
    assert len(old) == len(new) and text.count(f'"{old}"') == 1
    path.write_text(text.replace(f'"{old}"', f'"{new}"'))


def test_import_writes_the_index_and_a_write_never_parses_the_catalog(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (library.root / IDS_FILE).exists()
    pid = next(iter(library.papers()))
    other = fresh(library)
    catalog_never_parsed(other, monkeypatch)
    other.check_usable()
    assert other.resolve(pid[:8]) == pid
    change = other.add_tags([pid], ["fast"])
    assert change.after[pid].tags == ("fast",)
    assert other.set_note(pid, "kept").after[pid].note == "kept"
    with pytest.raises(UnknownPaper, match="no paper with id 'zzzz'"):
        other.resolve("zzzz")
    assert fresh(library).get(pid).state.tags == ("fast",)


def test_an_edit_behind_the_index_is_seen(library: Library) -> None:
    ids = sorted(library.papers())
    old = ids[0]
    new = "zz" + old[2:]
    assert new not in ids
    rename_in_catalog(library, old, new)
    other = fresh(library)
    assert other.resolve(new) == new
    with pytest.raises(UnknownPaper):
        other.resolve(old)
    with pytest.raises(UnknownPaper):
        other.add_tags([old], ["gone"])
    assert other.add_tags([new], ["kept"]).after[new].tags == ("kept",)
    # The index was rebuilt for the edited catalog: the next process trusts it again.
    stored = json.loads((library.root / IDS_FILE).read_text())
    assert new in stored["ids"] and old not in stored["ids"]
    assert other.paper_ids() == frozenset(other.papers())


def test_a_long_lived_library_sees_another_processs_change(library: Library) -> None:
    before = library.paper_ids()
    old = sorted(before)[-1]
    rename_in_catalog(fresh(library), old, "yy" + old[2:])
    assert old not in library.paper_ids() and "yy" + old[2:] in library.paper_ids()
    assert library.paper_ids() == frozenset(fresh(library).papers())


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b'{"version": 1, "catalog": [1, 2, 3], "count": 1, "ids": ["abc"]}',  # another catalog
        b"[1, 2, 3]",
        b"\xff\xfe garbage",
    ],
)
def test_a_damaged_index_is_rebuilt_silently(library: Library, damage: bytes) -> None:
    ids = frozenset(library.papers())
    path = library.root / IDS_FILE
    path.write_bytes(damage)
    other = fresh(library)
    assert other.paper_ids() == ids
    assert json.loads(path.read_text())["count"] == len(ids)


def test_a_forged_count_or_wrong_types_are_not_trusted(library: Library) -> None:
    ids = frozenset(library.papers())
    path = library.root / IDS_FILE
    stored = json.loads(path.read_text())
    stored["ids"] = stored["ids"][1:]  # a truncated list under the right signature
    path.write_text(json.dumps(stored))
    assert fresh(library).paper_ids() == ids
    stored = json.loads(path.read_text())
    stored["ids"][0] = 7
    path.write_text(json.dumps(stored))
    assert fresh(library).paper_ids() == ids


def test_a_missing_index_is_rebuilt(library: Library) -> None:
    (library.root / IDS_FILE).unlink()
    assert fresh(library).paper_ids() == frozenset(library.papers())
    assert (library.root / IDS_FILE).exists()


def test_a_damaged_catalog_is_still_reported(library: Library) -> None:
    path = library.catalog_file.path
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(StoreError, match="catalog"):
        fresh(library).check_usable()


def test_an_unwritable_index_only_costs_time(library: Library) -> None:
    path = library.root / IDS_FILE
    path.unlink()
    path.mkdir()  # a write there fails: the ids still come from the catalog
    assert fresh(library).paper_ids() == frozenset(library.papers())


@given(
    st.tuples(st.integers(0, 2**63), st.integers(0, 2**63), st.integers(0, 2**40)),
    st.frozensets(st.text(max_size=20)),
)
def test_ids_encoded_ahead_give_the_file_json_writes(
    sig: tuple[int, int, int], ids: frozenset[str]
) -> None:
    """An import encodes the ids before the catalog is written, its signature after."""
    whole = {"version": VERSION, "catalog": list(sig), "count": len(ids), "ids": sorted(ids)}
    assert _encode(sig, ids, _encode_ids(ids)) == json.dumps(whole, separators=(",", ":")).encode()


def test_a_command_checks_the_catalog_by_the_index_head_alone(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = fresh(library)
    catalog_never_parsed(other, monkeypatch)

    def refuse(sig: object) -> None:
        raise AssertionError("the ids were read")

    monkeypatch.setattr(other.id_index, "_load", refuse)
    assert other.id_index.is_current()
    other.check_usable()


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b'{"version":1,"catalog":[1,2,3],"count":1,"ids":["abc"]}',  # another catalog
        b'{"version":1,"catalog":[1,2,3]',
    ],
)
def test_an_index_head_of_another_catalog_is_not_current(library: Library, damage: bytes) -> None:
    path = library.root / IDS_FILE
    path.write_bytes(damage)
    other = fresh(library)
    assert not other.id_index.is_current()
    other.check_usable()  # the ids are read from the catalog instead, and written back
    assert other.id_index.is_current() and fresh(library).id_index.is_current()


def test_another_version_or_an_edited_catalog_is_not_current(library: Library) -> None:
    path = library.root / IDS_FILE
    original = path.read_bytes()
    path.write_bytes(original.replace(b'{"version":1,', b'{"version":9,', 1))
    assert not fresh(library).id_index.is_current()
    path.write_bytes(original)
    assert fresh(library).id_index.is_current()
    old = sorted(library.paper_ids())[0]
    rename_in_catalog(library, old, "zz" + old[2:])
    assert not fresh(library).id_index.is_current()


def test_ids_come_from_the_columns_a_search_read(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = frozenset(library.papers())
    other = fresh(library)
    other.search("", limit=3)

    def refuse(sig: object) -> None:
        raise AssertionError("ids.json was read")

    monkeypatch.setattr(other.id_index, "_load", refuse)
    assert other.paper_count() == len(expected)
    assert other.paper_ids() == expected
    # Before any search the count comes from the ids.
    monkeypatch.undo()
    assert fresh(library).paper_count() == len(expected)
