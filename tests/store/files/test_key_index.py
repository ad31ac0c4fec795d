"""The citation key index (`citekeys-index.json`): commands and the app read the keys without
decoding `citekeys.json`, and the index never gives an answer that file would not."""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest

from store.errors import StoreError
from store.files import key_index
from store.files.citekeys import CiteKey, read_citekeys
from store.files.key_index import INDEX_FILE
from store.library import Library
from tests.conftest import FIXED_NOW


def fresh(library: Library) -> Library:
    """Another process opening the same data directory."""
    return Library.open(library.root, now=lambda: FIXED_NOW)


def read_index(library: Library) -> tuple[dict[str, object], list[str], list[str]]:
    """The index's header, ids and keys, as its format lays them out."""
    raw = (library.root / INDEX_FILE).read_bytes()
    end = raw.find(b"\n")
    header = json.loads(raw[:end])
    size = header["sizes"][0]
    body = raw[end + 1 :]
    return header, body[:size].decode().split("\n"), body[size:].decode().split("\n")


def index_bytes(header: dict[str, object], ids: list[str], keys: list[str]) -> bytes:
    joined = ["\n".join(ids).encode(), "\n".join(keys).encode()]
    header = {"sizes": [len(block) for block in joined], **header}
    return json.dumps(header).encode() + b"\n" + b"".join(joined)


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
    index, ids, keys = read_index(library)
    assert index["count"] == 3 and len(ids) == len(keys) == 3


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"[1, 2, 3]",
        b"\xff\xfe garbage",
        b'{"version": 2, "source": [1, 2, 3], "count": 1, "ids": "a", "keys": "k", '
        b'"aliases": {}}',  # the format before
        b'{"version": 3, "source": [1, 2, 3], "count": 1, "sizes": [1, 1], "aliases": {}}\nak',
        # taken from another keys file
    ],
)
def test_a_damaged_index_is_rebuilt_silently(keyed: Library, damage: bytes) -> None:
    expected = stored_keys(keyed)
    fresh(keyed).citekeys()
    path = keyed.root / INDEX_FILE
    path.write_bytes(damage)
    assert dict(fresh(keyed).citekeys()) == expected
    assert read_index(keyed)[0]["count"] == len(expected)


def test_a_forged_or_mistyped_index_is_not_trusted(keyed: Library) -> None:
    expected = stored_keys(keyed)
    fresh(keyed).citekeys()
    path = keyed.root / INDEX_FILE
    index, ids, keys = read_index(keyed)
    del index["sizes"]
    whole = index_bytes(index, ids, keys)
    for forged in (
        index_bytes(index, ids[1:], keys[1:]),  # a paper left out, the count kept
        index_bytes({**index, "count": str(index["count"])}, ids, keys),
        index_bytes({**index, "aliases": {ids[0]: "not a list"}}, ids, keys),
        index_bytes(index, ids, keys) + b"\nmore",  # longer than its blocks
        index_bytes(index, ids, keys)[:-3],  # shorter
        index_bytes({**index, "sizes": [-1, 5]}, ids, keys),
        whole[: whole.find(b"\n") + 1] + b"\xff" + whole[whole.find(b"\n") + 2 :],  # not UTF-8
    ):
        path.write_bytes(forged)
        assert dict(fresh(keyed).citekeys()) == expected
    path.write_bytes(whole)  # rewritten as it was: trusted again
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
    index, _, _ = read_index(library)
    assert index["count"] == 5
    before = {p.name: p.read_bytes() for p in library.root.iterdir() if p.is_file()}
    assert dict(fresh(library).citekeys()) == stored_keys(library)
    assert {p.name: p.read_bytes() for p in library.root.iterdir() if p.is_file()} == before
    first, second = sorted(library.citekeys())[:2]
    library.merge_user_state(first, second)
    keyed_index, _, _ = read_index(library)
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


def test_keys_are_looked_up_where_they_lie_until_many_are_asked_for(
    keyed: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command showing 20 papers looks up 20 keys in the index's sorted lines, each in a run
    of at most STEP lines found by its first id; every answer is the file's."""
    expected = stored_keys(keyed)
    assert len(expected) > 3 * key_index.STEP  # several runs, a last one shorter
    fresh(keyed).citekeys()  # the index written
    monkeypatch.setattr(key_index, "EAGER", 0)  # a large index's way, at the seeds' size
    monkeypatch.setattr(key_index, "LOOKUPS", 10**6)  # never the whole index at once
    keys = fresh(keyed).citekeys()
    for pid, entry in expected.items():
        assert keys.get(pid) == keys[pid] == entry and pid in keys
    ordered = sorted(expected)
    for missing in ("", "0", ordered[0][:-1], ordered[-1] + "0", ordered[5] + "x", "~~~"):
        assert missing not in keys and keys.get(missing) is None
        with pytest.raises(KeyError):
            keys[missing]
    assert len(keys) == len(expected)


def test_every_key_is_read_in_slices_when_many_are_wanted(
    keyed: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past LOOKUPS single keys, or for every record of a load, the rest are decoded at once:
    `between` runs between slices (a key typed meanwhile goes first)."""
    expected = {pid: entry.key for pid, entry in stored_keys(keyed).items()}
    fresh(keyed).citekeys()
    slices = []
    monkeypatch.setattr(key_index, "EAGER", 0)
    monkeypatch.setattr(key_index, "GROUP", 1)
    keys = fresh(keyed).citekeys()
    assert keys.decode_all(lambda: slices.append(1)) == expected
    assert len(slices) == -(-len(expected) // key_index.STEP)
    monkeypatch.setattr(key_index, "LOOKUPS", 3)
    keys = fresh(keyed).citekeys()
    assert [keys.get(pid).key for pid in sorted(expected)] == [
        expected[pid] for pid in sorted(expected)
    ]
    records = fresh(keyed).record_rows().materialise()  # the merged-away paper is not listed
    assert {r.id: r.citekey for r in records} == {r.id: expected[r.id] for r in records}


def test_an_index_whose_lines_do_not_match_its_marks_is_not_trusted(keyed: Library) -> None:
    """The lookups lean on the marks and the sorted ids: an index whose marks, step or keys
    changed under its checksum, whose runs are out of order, or whose checksum fails is read
    from the file."""
    expected = stored_keys(keyed)
    fresh(keyed).citekeys()
    path = keyed.root / INDEX_FILE
    original = path.read_bytes()
    index, ids, keys = read_index(keyed)
    del index["sizes"]
    assert crc_of(index, ids, keys) == index["crc"]  # so the swap below is refused for its order
    step = key_index.STEP
    shifted = [list(index["marks"][0]), index["marks"][1]]
    shifted[0][1] += 1
    swapped_ids = ids[step:] + ids[:step]
    swapped_keys = keys[step:] + keys[:step]
    other = index_bytes(index, ids, keys[:-1] + ["somethingelse"])
    for forged in (
        index_bytes({**index, "marks": shifted}, ids, keys),
        index_bytes({**index, "step": step * 2}, ids, keys),
        index_bytes(
            {**index, "marks": [index["marks"][0][:-1], index["marks"][1][:-1]]}, ids, keys
        ),
        index_bytes({**index, "crc": index["crc"] ^ 1}, ids, keys),
        other,  # a key changed under the same checksum
        index_bytes(
            {**index, "crc": crc_of(index, swapped_ids, swapped_keys)}, swapped_ids, swapped_keys
        ),
    ):
        path.write_bytes(forged)
        reader = fresh(keyed).citekeys()
        assert all(reader.get(pid) == entry for pid, entry in expected.items())
        assert path.read_bytes() == original  # and the index written again from the file


def crc_of(index: dict[str, Any], ids: list[str], keys: list[str]) -> int:
    """The checksum a writer of `index`'s layout would give these ids and keys."""
    layout = [index["count"], index["step"], index["marks"], index["aliases"]]
    start = zlib.crc32(json.dumps(layout, separators=(",", ":")).encode())
    return zlib.crc32("\n".join(keys).encode(), zlib.crc32("\n".join(ids).encode(), start))
