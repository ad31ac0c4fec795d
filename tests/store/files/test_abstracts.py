"""One abstract is read from the file where it lies, and the answers are those of the whole
file decoded; a file this reader does not expect is read the checked way instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.errors import DamagedStore
from store.files import abstracts as places_module
from store.files.abstracts import AbstractPlaces
from store.library import Library


def decoded_whole(library: Library) -> dict[str, str]:
    content = json.loads(library.abstracts_file.path.read_bytes())
    return {doc["id"]: doc["abstract"] for doc in content["papers"].values()}


def test_every_abstract_is_read_alone_as_the_whole_file_gives_it(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chunks of a few bytes: every document and key is cut somewhere by a chunk's end.
    monkeypatch.setattr(places_module, "CHUNK", 7)
    expected = decoded_whole(library)
    assert len(expected) > 200
    with AbstractPlaces(library.abstracts_file.path).reading() as abstract_of:
        assert abstract_of is not None
        assert {pid: abstract_of(pid) for pid in expected} == expected
        assert abstract_of("no-such-paper") == ""


def test_the_walk_stops_every_few_hundred_abstracts_for_the_reader(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app passes a wait-while-typing: the walk (a second at 100k papers) calls it every
    `BETWEEN_EVERY` documents, and notes the same places as without it."""
    monkeypatch.setattr(places_module, "BETWEEN_EVERY", 10)
    expected = decoded_whole(library)
    calls: list[int] = []
    with AbstractPlaces(library.abstracts_file.path).reading(lambda: calls.append(1)) as read:
        assert read is not None
        assert {pid: read(pid) for pid in expected} == expected
    assert len(calls) == len(expected) // 10
    library.prepare_abstract_reads(lambda: calls.append(2))  # the library's own, walked anew
    assert calls.count(2) == len(expected) // 10


def test_papers_whose_ids_share_a_hash_are_told_apart(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(places_module, "_hash", lambda pid: len(pid) % 2)  # two hashes in all
    expected = decoded_whole(library)
    with AbstractPlaces(library.abstracts_file.path).reading() as abstract_of:
        assert abstract_of is not None
        assert {pid: abstract_of(pid) for pid in expected} == expected
        assert abstract_of("no-such-paper") == ""


def test_the_library_reads_one_abstract_without_decoding_the_file(library: Library) -> None:
    fresh = Library.open(library.root)
    pid, text = next(iter(decoded_whole(library).items()))
    assert fresh.abstract(pid) == text
    assert fresh._abstracts.current() is None  # the 150 MB dict at 100k papers: never made


def test_a_rewritten_file_is_read_again(library: Library, tmp_path: Path) -> None:
    pid = next(iter(decoded_whole(library)))
    places = AbstractPlaces(library.abstracts_file.path)
    content = json.loads(library.abstracts_file.path.read_bytes())
    for doc in content["papers"].values():
        if doc["id"] == pid:
            doc["abstract"] = "A new abstract, longer than the old one was, by far " * 40
    # Written the way the store writes (ASCII, compact), then moved over the old file.
    new = tmp_path / "new.json"
    new.write_bytes(json.dumps(content, separators=(",", ":")).encode("ascii"))
    with places.reading() as abstract_of:
        assert abstract_of is not None
        old = abstract_of(pid)
    new.replace(library.abstracts_file.path)
    with places.reading() as abstract_of:
        assert abstract_of is not None
        assert abstract_of(pid) != old
        assert abstract_of(pid).startswith("A new abstract")


def test_spaced_json_is_read_too(library: Library) -> None:
    expected = decoded_whole(library)
    path = library.abstracts_file.path
    path.write_text(json.dumps(json.loads(path.read_bytes()), indent=2), encoding="ascii")
    with AbstractPlaces(path).reading() as abstract_of:
        assert abstract_of is not None
        assert {pid: abstract_of(pid) for pid in expected} == expected


def test_utf8_text_falls_back_to_the_checked_read(library: Library) -> None:
    path = library.abstracts_file.path
    content = json.loads(path.read_bytes())
    first = next(iter(content["papers"].values()))
    first["abstract"] = "Résumé of a paper"
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    with AbstractPlaces(path).reading() as abstract_of:
        assert abstract_of is None  # offsets would not be bytes: not read this way
    assert Library.open(library.root).abstract(first["id"]) == "Résumé of a paper"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data.replace(b'"abstract":"', b'"abstract":', 1),  # not JSON
        lambda data: data.replace(b'"kind":"abstracts"', b'"kind":"catalog"', 1),  # another file
    ],
)
def test_a_damaged_file_is_reported_as_before(library: Library, damage: object) -> None:
    path = library.abstracts_file.path
    pid = next(iter(decoded_whole(library)))
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with AbstractPlaces(path).reading() as abstract_of:
        assert abstract_of is None
    with pytest.raises(DamagedStore):
        Library.open(library.root).abstract(pid)


def test_a_missing_file_has_no_abstracts(tmp_path: Path) -> None:
    with AbstractPlaces(tmp_path / "abstracts.json").reading() as abstract_of:
        assert abstract_of is not None and abstract_of("x") == ""
