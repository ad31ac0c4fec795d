"""The citation key index (`citekeys-index.json`): commands and the app read the keys without
decoding `citekeys.json`, and the index never gives an answer that file would not."""

from __future__ import annotations

import json

import pytest

from store.errors import StoreError
from store.files.citekeys import CiteKey, read_citekeys
from store.files.key_index import INDEX_FILE
from store.library import Library
from tests.conftest import FIXED_NOW


def fresh(library: Library) -> Library:
    """Another process opening the same data directory."""
    return Library.open(library.root, now=lambda: FIXED_NOW)


def stored_keys(library: Library) -> dict[str, CiteKey]:
    """What citekeys.json itself says."""
    return read_citekeys(library.citekeys_file.load())


@pytest.fixture
def keyed(library: Library) -> Library:
    """Every paper with a key, and one merge so that a paper has an alias."""
    library.with_citekeys(library.records())
    first, second = sorted(library.papers())[:2]
    library.merge_user_state(first, second)
    assert any(entry.aliases for entry in stored_keys(library).values())
    return library


def test_the_index_gives_the_stored_keys_without_reading_the_keys_file(
    keyed: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = stored_keys(keyed)
    assert dict(fresh(keyed).citekeys()) == expected  # the first reader writes the index
    assert (keyed.root / INDEX_FILE).exists()
    other = fresh(keyed)

    def refuse() -> None:
        raise AssertionError("citekeys.json was decoded")

    monkeypatch.setattr(other.citekeys_file, "load", refuse)
    keys = other.citekeys()
    assert dict(keys) == expected and len(keys) == len(expected)
    pid = next(iter(expected))
    assert keys[pid] == keys.get(pid) == expected[pid] and pid in keys
    assert keys.get("nope") is None and "nope" not in keys
    other.check_usable()  # a command's check reads the index too
    assert other.get(pid).citekey == expected[pid].key


def test_new_keys_are_seen_and_the_index_follows(library: Library) -> None:
    assert dict(fresh(library).citekeys()) == {}
    reader = fresh(library)
    assert dict(reader.citekeys()) == {}
    library.with_citekeys(library.records()[:3])  # another process assigns keys
    assert dict(reader.citekeys()) == stored_keys(library) and len(reader.citekeys()) == 3
    index = json.loads((library.root / INDEX_FILE).read_text())
    assert index["count"] == 3


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"[1, 2, 3]",
        b"\xff\xfe garbage",
        b'{"version": 2, "source": [1, 2, 3], "count": 1, "ids": "a", "keys": "k", '
        b'"aliases": {}}',  # taken from another keys file
    ],
)
def test_a_damaged_index_is_rebuilt_silently(keyed: Library, damage: bytes) -> None:
    expected = stored_keys(keyed)
    fresh(keyed).citekeys()
    path = keyed.root / INDEX_FILE
    path.write_bytes(damage)
    assert dict(fresh(keyed).citekeys()) == expected
    assert json.loads(path.read_text())["count"] == len(expected)


def test_a_forged_or_mistyped_index_is_not_trusted(keyed: Library) -> None:
    expected = stored_keys(keyed)
    fresh(keyed).citekeys()
    path = keyed.root / INDEX_FILE
    index = json.loads(path.read_text())
    for forged in (
        {**index, "ids": index["ids"].split("\n", 1)[1], "keys": index["keys"].split("\n", 1)[1]},
        {**index, "keys": index["keys"].split("\n")},
        {**index, "count": str(index["count"])},
        {**index, "aliases": {index["ids"][0]: "not a list"}},
    ):
        path.write_text(json.dumps(forged))
        assert dict(fresh(keyed).citekeys()) == expected


def test_a_damaged_keys_file_is_still_reported(keyed: Library) -> None:
    fresh(keyed).citekeys()  # a current index exists
    path = keyed.citekeys_file.path
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(StoreError, match="citekeys"):
        fresh(keyed).check_usable()


def test_an_unwritable_index_only_costs_time(keyed: Library) -> None:
    (keyed.root / INDEX_FILE).unlink(missing_ok=True)
    (keyed.root / INDEX_FILE).mkdir()
    assert dict(fresh(keyed).citekeys()) == stored_keys(keyed)


def test_a_writer_of_keys_writes_the_index_too(library: Library) -> None:
    """Assigning keys (export) or merging stores the index with them: a later command that
    only reads leaves the data directory as it found it."""
    library.with_citekeys(library.records()[:5])
    index = json.loads((library.root / INDEX_FILE).read_text())
    assert index["count"] == 5
    before = {p.name: p.read_bytes() for p in library.root.iterdir() if p.is_file()}
    assert dict(fresh(library).citekeys()) == stored_keys(library)
    assert {p.name: p.read_bytes() for p in library.root.iterdir() if p.is_file()} == before
    first, second = sorted(library.citekeys())[:2]
    library.merge_user_state(first, second)
    keyed_index = json.loads((library.root / INDEX_FILE).read_text())
    assert keyed_index["aliases"] == {
        pid: list(entry.aliases) for pid, entry in stored_keys(library).items() if entry.aliases
    }


def test_keys_the_index_cannot_hold_are_read_from_the_file(keyed: Library) -> None:
    """A line break in a key (a hand-edited file) would split it in two: no index then."""
    fresh(keyed).citekeys()
    path = keyed.citekeys_file.path
    content = json.loads(path.read_text())
    first = next(iter(content["papers"].values()))
    first["key"] = "two\nlines"
    path.write_text(json.dumps(content))
    keys = fresh(keyed).citekeys()
    assert keys[first["id"]].key == "two\nlines" and dict(keys) == stored_keys(keyed)
    assert not (keyed.root / INDEX_FILE).exists()
