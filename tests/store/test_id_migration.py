"""Libraries of earlier versions (8-character ids, longer ones depending on import order) get
the order-independent 16-character ids on open, and every note, tag, queue place, enrichment
and draft stays on its paper."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from store.catalog.ids import short_ids
from store.library import Library
from store.models import Enrichment

FILES = ("catalog.json", "abstracts.json", "state.json", "enrichment.json")


def _make_old(root: Path, old_ids: dict[str, str]) -> None:
    """Rewrite a library's files the way an earlier version wrote them."""
    for name in FILES:
        path = root / name
        if not path.exists():
            continue
        content: dict[str, Any] = json.loads(path.read_text())
        content["_meta"]["1"].pop("ids", None)
        for doc in content.get("papers", {}).values():
            doc["id"] = old_ids.get(doc["id"], doc["id"])
            if doc.get("duplicate_of"):
                doc["duplicate_of"] = old_ids[doc["duplicate_of"]]
        for doc in content.get("queue", {}).values():
            doc["ids"] = [old_ids[i] for i in doc["ids"]]
        path.write_text(json.dumps(content))
    for draft in (root / "drafts").glob("*.md"):
        draft.rename(draft.with_name(f"{old_ids[draft.stem]}.md"))


def _by_title(library: Library) -> dict[str, Any]:
    states = library.states()
    papers = library.papers()
    return {
        papers[pid].title: (states[pid].tags, states[pid].note, states[pid].duplicate_of)
        for pid in states
    }


def test_an_old_library_gets_new_ids_and_keeps_everything(library: Library) -> None:
    ids = sorted(library.papers())
    a, b, c, d = ids[:4]
    library.add_tags([a, b], ["keep"])
    library.set_note(b, "b's note")
    library.set_note(c, "c's note")
    library.queue_add([c, a])
    library.merge_user_state(a, d)
    library.save_enrichment(b, Enrichment(arxiv_id="2401.00001", arxiv_status="ok"))
    library.save_draft(c, "half-written")
    titles = {pid: library.papers()[pid].title for pid in ids}
    before = _by_title(library)
    queue_titles = [titles[p] for p in library.queue_ids()]
    # b's 8-character id collided with another paper's in the old scheme: it got 12 characters.
    old_ids = {pid: pid[:8] for pid in ids}
    old_ids[b] = b[:12]
    _make_old(library.root, old_ids)

    migrated = Library.open(library.root)

    assert all(len(pid) == 16 for pid in migrated.papers())
    assert set(migrated.papers()) == set(ids)
    assert _by_title(migrated) == before  # duplicate_of points at the merged paper's new id
    assert [migrated.papers()[p].title for p in migrated.queue_ids()] == queue_titles
    assert migrated.enrichments()[b].arxiv_id == "2401.00001"
    assert migrated.draft(c) == "half-written"
    assert migrated.resolve(old_ids[b]) == b  # old ids still name their papers
    catalog = json.loads((library.root / "catalog.json").read_text())
    assert catalog["_meta"]["1"]["ids"] == 16


def test_a_migration_cut_short_is_finished_on_the_next_open(library: Library) -> None:
    ids = sorted(library.papers())
    library.add_tags([ids[0]], ["first"])
    library.set_note(ids[1], "second")
    old_ids = {pid: pid[:8] for pid in ids}
    _make_old(library.root, old_ids)
    # The state file had been migrated when the process died; the catalog had not.
    state_path = library.root / "state.json"
    state = json.loads(state_path.read_text())
    for doc in state["papers"].values():
        doc["id"] = next(pid for pid in ids if pid.startswith(doc["id"]))
    state_path.write_text(json.dumps(state))

    migrated = Library.open(library.root)

    assert migrated.states()[ids[0]].tags == ("first",)
    assert migrated.states()[ids[1]].note == "second"


def test_ids_do_not_depend_on_import_order(tmp_path: Path, seeds: list[Path]) -> None:
    one = Library.open(tmp_path / "one")
    two = Library.open(tmp_path / "two")
    one.import_files(seeds)
    for seed in reversed(seeds):
        two.import_files([seed])
    assert {p.title: p.id for p in one.papers().values()} == {
        p.title: p.id for p in two.papers().values()
    }


def test_short_ids_are_eight_characters_unless_two_papers_share_them() -> None:
    shorts = short_ids(["abcdefgh1234", "abcdefgh5678", "zzzzzzzzzzzz", "abcdefgz0000"])
    assert shorts == {
        "abcdefgh1234": "abcdefgh1",
        "abcdefgh5678": "abcdefgh5",
        "abcdefgz0000": "abcdefgz",
        "zzzzzzzzzzzz": "zzzzzzzz",
    }
