"""The catalog's columns (`catalog-columns.jsonl`): read instead of the catalog while they
were taken from that very file, rebuilt when it changed or they are damaged, and never an
answer the catalog itself would not give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.errors import InvalidDocument
from store.files import columns as columns_module
from store.files import columns_file as file_module
from store.files.columns import Columns
from store.files.columns_file import COLUMNS_FILE, CatalogColumns
from store.files.date_order import date_order
from store.files.documents import PAPERS_TABLE, paper_doc, paper_from, table_docs
from store.files.storage import load_json_file, signature
from store.library import Library
from store.models import Enrichment, Paper, Record, UserState
from store.search.index import SearchIndex
from store.search.language import SORT_KEYS, SORTS
from tests.conftest import DATA, FIXED_NOW

QUERIES = (
    "",
    "model",
    "language model",
    "diffusion OR vision",
    "tag:keep",
    "is:queued",
    "is:unread year:>=2024",
    "-model attention",
    '"large language"',
    "kv",
    "langauge",  # a typo: the fuzzy pass
    "author:zhang",
    "smith",  # an author's name as a plain word
)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines of 50 rows: the 212 seed papers span five, as 100k papers span a hundred; the
    whole columns in lines of 60 rows: four each, as 100k papers' span ten."""
    monkeypatch.setattr(columns_module, "CHUNK", 50)
    monkeypatch.setattr(columns_module, "PIECE", 60)


def fresh(library: Library) -> Library:
    """Another process opening the same data directory."""
    return Library.open(library.root, now=lambda: FIXED_NOW)


def catalog_papers(library: Library) -> dict[str, Paper]:
    """The papers as the catalog file itself says, decoded the plain way."""
    content = load_json_file(library.catalog_file.path) or {}
    return {doc["id"]: paper_from(doc) for doc in table_docs(content, PAPERS_TABLE)}


def catalog_never_read(library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("the catalog was read")

    monkeypatch.setattr(library.catalog_file, "load", refuse)
    monkeypatch.setattr(library.catalog_file, "read", refuse)


def rewrite_catalog(library: Library, old: str, new: str) -> None:
    """Edit catalog.json by hand, as a user or another tool might."""
    path = library.catalog_file.path
    text = path.read_text()
    assert text.count(old) == 1
    path.write_text(text.replace(old, new))


def with_user_work(library: Library) -> Library:
    """Tags, a note, a queue, a merged duplicate, citation keys (one with an alias) and
    enrichment with authors: every join the records make."""
    ids = list(library.papers())
    library.add_tags(ids[:5], ["keep"])
    library.set_note(ids[1], "a note")
    library.queue_add([ids[7], ids[3]])
    library.with_citekeys([library.record(pid) for pid in ids[:4]])
    library.merge_user_state(ids[2], ids[60])  # ids[60] is hidden, its key an alias of ids[2]
    library.save_enrichment(ids[9], Enrichment(authors=("Ada Smith", "Li Zhang")))
    return fresh(library)


def plain_records(library: Library) -> list[Record]:
    """Every record built one by one from the catalog file, as before the columns."""
    papers = catalog_papers(library)
    states = library.states()
    enrichments = library.enrichments()
    keys = library.citekeys()
    queue = {pid: n for n, pid in enumerate(library.queue_ids(), start=1)}
    shown = [pid for pid in papers if pid not in states or states[pid].duplicate_of is None]
    records = []
    for pid in shown:
        key = keys.get(pid)
        records.append(
            Record(
                papers[pid],
                states.get(pid) or UserState(),
                queue.get(pid),
                enrichments.get(pid, Enrichment()),
                key.key if key else None,
                tuple(
                    a
                    for a in (key.aliases if key else ())
                    if a not in {keys[o].key for o in shown if o != pid and o in keys}
                ),
            )
        )
    return records


def test_import_writes_the_columns_and_papers_are_read_from_them(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = library.root / COLUMNS_FILE
    header = json.loads(path.read_bytes().split(b"\n")[0])
    assert header["catalog"] == list(signature(library.catalog_file.path) or ())
    assert header["count"] == 212
    expected = catalog_papers(library)
    other = fresh(library)
    catalog_never_read(other, monkeypatch)
    assert other.papers() == expected
    assert list(other.papers()) == list(expected)  # catalog order
    assert not other.is_empty()


def test_whole_columns_are_read_from_lines_of_a_piece_each(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each whole column (ids, titles, authors, the date order) in lines of `PIECE` rows, so
    that decoding one never holds the interpreter long; read back, the catalog's columns."""
    lines = (library.root / COLUMNS_FILE).read_bytes().split(b"\n")
    header = json.loads(lines[0])
    assert header["piece"] == 60
    assert [len(json.loads(line)) for line in lines[1:5]] == [60, 60, 60, 32]  # the ids
    other = fresh(library)
    catalog_never_read(other, monkeypatch)
    rows = other.record_rows()
    expected = catalog_papers(library)
    assert rows.ids == list(expected)
    assert rows.titles == [p.title for p in expected.values()]
    assert rows.authors() == [p.authors for p in expected.values()]
    assert rows.date_order() == date_order_of(expected)
    # Written with another piece size (an older version): not trusted, taken from the catalog.
    monkeypatch.setattr(columns_module, "PIECE", 100)
    again = fresh(library)
    assert again.papers() == expected
    assert json.loads((library.root / COLUMNS_FILE).read_bytes().split(b"\n")[0])["piece"] == 100


def test_a_few_papers_decode_the_lines_they_lie_in(library: Library) -> None:
    """A command printing a few papers decodes the whole columns' lines those rows lie in,
    not the columns (100k titles took 15-20 ms); what it builds is the catalog's paper."""
    expected = list(catalog_papers(library).values())
    columns = CatalogColumns(fresh(library).catalog_file).get()
    assert columns.paper(130) == expected[130]  # the third line of 60 rows
    assert columns.paper(131) == expected[131]
    assert not columns._values.keys() & {"id", "title", "authors"}
    assert sorted(columns._pieces) == [("authors", 2), ("id", 2), ("title", 2)]
    assert columns.titles == [p.title for p in expected]  # the whole column, when asked for
    assert columns.paper(5) == expected[5]
    assert columns.papers() == expected
    assert not columns._pieces  # let go of with the lines, once every paper is built


def date_order_of(papers: dict[str, Paper]) -> list[int]:
    listed = list(papers.values())
    return sorted(range(len(listed)), key=lambda row: SORT_KEYS["date"](_record(listed[row])))


def _record(paper: Paper) -> Record:
    return Record(paper, UserState(), None, Enrichment())


def test_the_columns_an_import_prepares_are_the_catalogs_columns(library: Library) -> None:
    """An import encodes the columns before the catalog is written, the header after: the file
    is the one taken from the catalog file as written."""
    content = load_json_file(library.catalog_file.path) or {}
    sig = signature(library.catalog_file.path)
    taken = Columns.from_docs(sig, table_docs(content, PAPERS_TABLE)).encode()
    assert (library.root / COLUMNS_FILE).read_bytes() == taken
    report = with_user_work(library).import_files([DATA / "listings" / "edge.txt"])
    assert report.new == 2
    content = load_json_file(library.catalog_file.path) or {}
    sig = signature(library.catalog_file.path)
    taken = Columns.from_docs(sig, table_docs(content, PAPERS_TABLE)).encode()
    assert (library.root / COLUMNS_FILE).read_bytes() == taken


def test_search_over_the_columns_finds_what_the_records_do(library: Library) -> None:
    other = with_user_work(library)
    plain = SearchIndex(plain_records(other), abstracts=other.abstracts, indexed=False)
    assert len(other.record_rows()) == len(plain) == 211  # the merged paper is hidden
    for query in QUERIES:
        for sort in (None, *(s for s in SORTS if s != "interest")):
            expected = plain.search(query, sort)
            found, count = fresh(other).search(query, sort, 7, with_abstracts=False)
            assert found == expected[:7], (query, sort)
            assert count == len(expected), (query, sort)
            assert fresh(other).records(query, sort, with_abstracts=False) == expected
    for query in ("tag:keep", "is:queued", "smith", "author:zhang", "langauge", "kv"):
        assert plain.search(query), query  # each join and each path is exercised
    with_abstracts = fresh(other).records("model", with_abstracts=True)
    assert with_abstracts and all(r.paper.abstract == other.abstract(r.id) for r in with_abstracts)


def test_every_record_built_at_once_is_the_one_built_alone(library: Library) -> None:
    other = with_user_work(library)
    expected = plain_records(other)
    rows = fresh(other).record_rows()
    alone = [rows[i] for i in (0, 3, 60, 210)]
    everything = rows.materialise()
    assert everything == expected
    assert [everything[i] for i in (0, 3, 60, 210)] == alone
    assert all(everything[i] is rows[i] for i in (0, 3, 60, 210))  # kept, not built twice
    assert fresh(other).all_records(with_abstracts=False) == expected


def test_records_built_in_slices_are_the_records_built_at_once(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load in the background builds the papers, citation keys and records in slices,
    calling `between` after each (the reader's keys go first): the same records, in order."""
    import store.rows as rows_module

    monkeypatch.setattr(columns_module, "PAPERS_SLICE", 50)
    monkeypatch.setattr(rows_module, "SLICE", 40)
    other = with_user_work(library)
    other.with_citekeys(list(other.record_rows())[:5])  # some papers have citation keys
    expected = fresh(other).record_rows().materialise()
    calls: list[int] = []
    sliced = fresh(other).record_rows().materialise(lambda: calls.append(1))
    assert sliced == expected
    assert any(r.citekey for r in sliced)
    papers, records = -(-211 // 50), -(-211 // 40)
    assert len(calls) >= papers + 2 * records  # papers, citation keys, records


def test_the_stored_date_order_is_the_date_sort(library: Library) -> None:
    other = with_user_work(library)
    records = plain_records(other)
    expected = sorted(records, key=SORT_KEYS["date"])
    rows = fresh(other).record_rows()
    assert list(rows.in_date_order()) == expected
    assert [r.id for r in rows.in_date_order()[:5]] == [r.id for r in expected[:5]]


def test_a_first_screen_decodes_no_whole_column(library: Library) -> None:
    """The first rows in date order come with their titles and authors in the head line:
    a list's first screen (and its count) is built before any whole column is decoded."""
    expected = sorted(plain_records(library), key=SORT_KEYS["date"])
    rows = fresh(library).record_rows()
    first = rows.in_date_order()
    screen = [first[i] for i in range(40)] + first[40:43]
    assert len(first) == len(expected) == 212
    assert screen == expected[:43]
    decoded = rows.columns._values  # type: ignore[attr-defined]
    assert not decoded.keys() & {"id", "title", "authors", "date_order"}
    assert first[100] == expected[100]  # past the head: the order is read now
    assert "date_order" in decoded
    assert first.order == [rows.ids.index(r.id) for r in expected]
    assert first.position(expected[150].id) == 150
    assert list(first) == expected


def test_a_hand_edit_of_the_catalog_is_seen_and_the_columns_rebuilt(library: Library) -> None:
    first = next(iter(library.papers().values()))
    rewrite_catalog(library, json.dumps(first.title), json.dumps("Edited By Hand"))
    other = fresh(library)
    assert other.papers()[first.id].title == "Edited By Hand"
    assert other.records("edited hand", with_abstracts=False)[0].id == first.id
    header = json.loads((library.root / COLUMNS_FILE).read_bytes().split(b"\n")[0])
    assert header["catalog"] == list(signature(library.catalog_file.path) or ())
    assert fresh(library).papers() == catalog_papers(library)
    # A long-lived library sees it too.
    assert library.papers()[first.id].title == "Edited By Hand"


def test_a_wrong_type_put_in_by_hand_is_still_reported(library: Library) -> None:
    first = next(iter(library.papers().values()))
    rewrite_catalog(library, f'"id":"{first.id}","title":', f'"id":"{first.id}","title":7,"x":')
    with pytest.raises(InvalidDocument, match="'title' should be text"):
        fresh(library).papers()


@pytest.mark.parametrize(
    "damage",
    ["truncated", "flipped", "garbage", "empty", "other version", "short column", "bad head"],
)
def test_damaged_columns_are_ignored_and_rebuilt(library: Library, damage: str) -> None:
    path = library.root / COLUMNS_FILE
    expected = catalog_papers(library)
    data = path.read_bytes()
    header, _, body = data.partition(b"\n")
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":  # a title changed in place: same length, the CRC no longer fits
        at = body.index(b'"', body.index(b'","') + 3) - 2
        path.write_bytes(header + b"\n" + body[:at] + b"Q" + body[at + 1 :])
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff not json at all")
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other version":
        fields = json.loads(header)
        fields["version"] = 999
        path.write_bytes(json.dumps(fields).encode() + b"\n" + body)
    else:  # the ids line one id short, or the head one row short, size and CRC made to fit
        import zlib

        fields = json.loads(header)
        lines = body.split(b"\n")
        head_at = columns_module.pieces(fields["count"]) * len(columns_module.WHOLE)
        at = 0 if damage == "short column" else head_at
        shorter = json.loads(lines[at])
        shorter = shorter[:-1] if at == 0 else [part[:-1] for part in shorter]
        lines[at] = json.dumps(shorter, separators=(",", ":")).encode()
        fields["sizes"][at] = len(lines[at])
        fields["crc"][at] = zlib.crc32(lines[at])
        path.write_bytes(json.dumps(fields).encode() + b"\n" + b"\n".join(lines))
    other = fresh(library)
    assert other.papers() == expected
    assert other.records("model", with_abstracts=False) == library.records(
        "model", with_abstracts=False
    )
    assert path.read_bytes() == data  # rebuilt, byte for byte what the import wrote


def test_deleting_the_columns_is_safe(library: Library) -> None:
    expected = library.records("language model", with_abstracts=False)
    (library.root / COLUMNS_FILE).unlink()
    other = fresh(library)
    assert other.records("language model", with_abstracts=False) == expected
    assert (library.root / COLUMNS_FILE).exists()


def test_a_read_only_data_directory_goes_without(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    (library.root / COLUMNS_FILE).unlink()
    other = fresh(library)

    def refuse(path: Path, data: bytes, **_: object) -> None:
        from store.errors import StoreWriteError

        raise StoreWriteError(path, PermissionError(13, "Permission denied"))

    monkeypatch.setattr(file_module, "write_atomic", refuse)
    assert other.papers() == catalog_papers(library)
    assert not (library.root / COLUMNS_FILE).exists()


def test_columns_taken_from_an_older_catalog_are_not_trusted(
    library: Library, seeds: list[Path]
) -> None:
    path = library.root / COLUMNS_FILE
    old = path.read_bytes()
    more = library.root.parent / "more.txt"
    text = seeds[0].read_text()
    more.write_text(text.replace("RAPiD-Seg: Range-Aware", "A Paper Added Later, Range-Aware"))
    library.import_files([more])
    path.write_bytes(old)  # an older copy put back, as a backup tool might
    other = fresh(library)
    assert other.papers() == catalog_papers(library)
    assert any(p.title.startswith("A Paper Added Later") for p in other.papers().values())
    assert CatalogColumns(other.catalog_file).get().count == 213


def test_a_column_asked_for_after_the_papers_were_built_is_the_same(library: Library) -> None:
    columns = CatalogColumns(fresh(library).catalog_file).get()
    before = {name: list(columns.column(name)) for name in columns_module.FIELDS}
    papers = columns.papers()
    assert {name: columns.column(name) for name in columns_module.FIELDS} == before
    assert [columns.paper(row) for row in (0, 99, 211)] == [papers[0], papers[99], papers[211]]


def test_a_paper_read_while_all_are_built_on_another_thread(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's screen builds its rows while the load builds every paper: the load finishing
    in the middle of one row must not take the lines that row is read from."""
    import threading

    expected = list(catalog_papers(library).values())
    columns = CatalogColumns(fresh(library).catalog_file).get()
    decode = Columns._piece
    builder = threading.Thread(target=columns.papers)

    def decode_while_building(self: Columns, name: str, number: int) -> list[object]:
        if name == "authors" and not builder.is_alive() and self._papers is None:
            builder.start()  # every paper built, and the lines dropped, if it could now
            builder.join(0.3)
        return decode(self, name, number)

    monkeypatch.setattr(Columns, "_piece", decode_while_building)
    assert columns.paper(120) == expected[120]
    builder.join()
    assert columns.papers() == expected
    assert columns.paper(7) == expected[7]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Alpha", "alpha", "Beta", "Éclair", "zeta", ""]),
            st.one_of(st.none(), st.sampled_from(["2024-01-02", "2024-11-30", "2023-05-05", ""])),
            st.one_of(st.none(), st.integers(min_value=0, max_value=5), st.just(10**9)),
        ),
        max_size=40,
    )
)
def test_the_stored_date_order_is_the_searchs_date_sort(
    rows: list[tuple[str, str | None, int | None]],
) -> None:
    """The order written at import equals `SORT_KEYS["date"]` over the same papers, ties too."""
    papers = [
        # ids in another order than the rows': the id breaks ties between equal titles
        Paper(id=f"id{37 * n % 101:03d}", title=title, published=published, upvotes=upvotes)
        for n, (title, published, upvotes) in enumerate(rows)
    ]
    values = {
        "id": [p.id for p in papers],
        "title": [p.title for p in papers],
        "published": [p.published for p in papers],
        "upvotes": [p.upvotes for p in papers],
    }
    expected = sorted(range(len(papers)), key=lambda row: SORT_KEYS["date"](Record(papers[row])))
    assert date_order(values) == expected


def test_whole_columns_decoded_ahead_wait_between_lines(library: Library) -> None:
    """The app decodes the whole columns right after its first frame, waiting before each line
    (of `PIECE` rows) while the reader types; a column asked for meanwhile stays the one
    object every reader got."""
    columns = CatalogColumns(fresh(library).catalog_file).get()
    expected = catalog_papers(library)
    taken: list[list[object]] = []
    waits = []

    def between() -> None:
        waits.append(1)
        if len(waits) == 2 * columns_module.pieces(212) + 1:  # after the date order and ids
            taken.append(columns.column("title"))  # as a key's search would, meanwhile

    columns.decode_whole(between)
    assert len(waits) == columns_module.pieces(212) * len(columns_module.WHOLE) == 16
    assert columns.column("title") is taken[0]
    assert columns.column("id") == list(expected)
    assert columns.column("title") == [p.title for p in expected.values()]
    assert columns.column("authors") == [p.authors for p in expected.values()]
    assert columns.column("date_order") == date_order_of(expected)
    waits.clear()
    columns.decode_whole(between)  # nothing left to decode
    assert not waits


def test_the_newest_papers_lines_are_decoded_first(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between keys, the load decodes the papers' other fields a few lines at a time, the lines
    of the newest papers first: a list's first screen of results is made of those."""
    monkeypatch.setattr(columns_module, "DETAILS_SLICE", 2)
    columns = fresh(library).record_rows().columns
    columns.decode_whole(lambda: None)
    order = columns.column("date_order")
    decoded: list[set[int]] = []
    columns.decode_details(lambda: decoded.append(set(columns._chunks)))
    wanted = list(dict.fromkeys(row // 50 for row in order))  # each line as a paper needs it
    assert sorted(wanted) == [0, 1, 2, 3, 4] and wanted != [0, 1, 2, 3, 4]
    assert decoded == [set(), set(wanted[:2]), set(wanted[:4])]
    assert set(columns._chunks) == set(wanted)
    expected = {r.id: r.paper for r in plain_records(library)}
    assert all(columns.paper(row) == expected[pid] for row, pid in enumerate(columns.ids))


def test_the_lines_a_list_is_about_to_show_are_decoded_before_the_newest(
    library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search while the library loads asks for its results' next rows (`want`): the load
    decodes their lines first, between keys, so the next key's narrower results find their
    values decoded; then the rest, newest first, each line once."""
    monkeypatch.setattr(columns_module, "DETAILS_SLICE", 1)
    rows = fresh(library).record_rows()
    columns = rows.columns
    columns.decode_whole(lambda: None)
    order = columns.column("date_order")
    newest_first = list(dict.fromkeys(row // 50 for row in order))
    oldest_rows = [row for row in order if row // 50 == newest_first[-1]][:3]
    rows.want([*oldest_rows, oldest_rows[0]])  # the same line asked for twice: decoded once
    decoded: list[set[int]] = []
    columns.decode_details(lambda: decoded.append(set(columns._chunks)))
    assert decoded[:3] == [set(), {newest_first[-1]}, {newest_first[-1], newest_first[0]}]
    assert len(decoded) == len(newest_first) + 1  # one line per slice, each line once
    assert set(columns._chunks) == set(newest_first)
    rows.want(oldest_rows)  # decoded already: nothing more to do
    assert not columns._wanted
    expected = {r.id: r.paper for r in plain_records(library)}
    assert all(columns.paper(row) == expected[pid] for row, pid in enumerate(columns.ids))


def test_a_search_while_the_library_loads_asks_for_its_next_rows(library: Library) -> None:
    """The rows a list will show next, in the order it shows them, are what the load decodes
    next; rows already built (the first screen's, once shown) are not asked for again."""
    from store.view import LibraryView

    view = LibraryView(fresh(library))
    rows = view.open_rows()
    rows.columns.decode_whole(lambda: None)
    found = view.search_listed("model")
    assert 50 < len(found) < len(rows)
    catalog_rows = found.order[:]  # type: ignore[attr-defined]
    expected = list(dict.fromkeys(row // 50 for row in catalog_rows[:200]))
    assert list(rows.columns._wanted) == expected
    rows.columns._wanted.clear()
    shown = [found[i] for i in range(len(found))]  # every row built, as a list scrolled through
    assert len(shown) == len(found)
    view.search_listed("model")
    assert not rows.columns._wanted


def test_documents_written_before_a_field_existed_give_the_same_columns() -> None:
    """A document lacking a later field (`added`, a list, a fact) is read as that field unset,
    like one that has it: the one-call-a-document path falls back to asking field by field."""
    papers = [
        Paper(id="b1", title="Beta", published="2024-05-01", links=("http://x",), added="t"),
        Paper(id="a2", title="Alpha", authors=("Ann", "Bo"), upvotes=3, categories=("cs.LG",)),
        Paper(id="c3", title="Gamma", doi="10.1/x", version=2, github_stars=5),
    ]
    whole = [paper_doc(p) for p in papers]
    older = [dict(doc) for doc in whole]
    for name in ("added", "categories", "doi", "version", "github_stars"):
        del older[2][name]
    del older[0]["authors"]
    expected = [paper_doc(p) for p in papers]
    expected[2].update(added="", doi=None, version=None, github_stars=None)
    expected[2]["categories"] = []
    taken = Columns.from_docs(None, expected)
    assert Columns.from_docs(None, older).encode() == taken.encode()
    assert Columns.from_docs(None, whole).encode() != taken.encode()  # the facts mattered
    assert [taken.paper(row) for row in range(3)] == [
        papers[0],
        papers[1],
        Paper(id="c3", title="Gamma"),
    ]
    empty = Columns.from_docs(None, [])
    assert empty.count == 0 and empty.column("title") == [] and empty.column("date_order") == []
