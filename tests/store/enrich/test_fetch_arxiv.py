"""`fetch` against a local arXiv stand-in: matching, politeness, retries and failures."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime

from store.models import Enrichment
from tests.fakes.api import NOW, FakeApi, FakeClock, Reply, Run, atom, record

SPARSE = "Sparse Mixture Routing for Efficient Long-Context Transformers"
DOCKING = "Graph Priors for Protein Docking"
EDDIES = "Modelling Ocean Eddies with Neural Operators"

RunFn = Callable[..., Run]


def test_exact_match_is_saved_with_its_facts(api: FakeApi, run: RunFn) -> None:
    api.arxiv(SPARSE, atom("arxiv_found.xml"))
    result = run([record()], github=False)

    saved = result.saved["p1"]
    assert saved.arxiv_id == "2408.07092"
    assert saved.authors == ("Ada Lovelace", "Grace Hopper", "Alan Turing")
    assert saved.arxiv_categories == ("cs.CL", "cs.LG")
    assert saved.pdf_url == "https://arxiv.org/pdf/2408.07092v2"
    assert saved.arxiv_status == "ok"
    assert saved.arxiv_checked == NOW.isoformat(timespec="seconds")
    assert (result.summary.matched, result.summary.exit_code) == (1, 0)

    (request,) = api.arxiv_requests()
    assert request.query["search_query"] == [
        'ti:"sparse mixture routing for efficient long context transformers"'
    ]
    assert request.query["max_results"] == ["5"]
    assert request.headers["User-Agent"].startswith("paperdeck")


def test_doi_journal_reference_category_and_version_are_saved(api: FakeApi, run: RunFn) -> None:
    cusp = "Impact of Electron-Electron Cusp on Configuration Interaction Energies"
    api.arxiv(cusp, atom("arxiv_bibliographic.xml"))
    result = run([record(title=cusp, authors_count=5, published="2001-03-01")], github=False)
    saved = result.saved["p1"]
    assert saved.arxiv_id == "cond-mat/0102536"
    assert (saved.doi, saved.journal_ref) == (
        "10.1063/1.1383585",
        "J. Chem. Phys. 115, 1626 (2001)",
    )
    assert (saved.primary_category, saved.version) == ("cond-mat.str-el", 1)


def test_decoys_are_never_assigned(api: FakeApi, run: RunFn) -> None:
    # Same title with the wrong author count, same title five years off, a longer title,
    # a singular title: all rejected, and "no match" is not an error.
    api.arxiv(DOCKING, atom("arxiv_decoys.xml"))
    result = run([record(title=DOCKING, authors_count=4, published="2024-05-02")], github=False)
    assert result.saved["p1"] == Enrichment(
        arxiv_status="not_found", arxiv_checked=NOW.isoformat(timespec="seconds")
    )
    assert (result.summary.not_found, result.summary.failed, result.summary.exit_code) == (1, 0, 0)


def test_near_title_needs_the_author_count_to_agree(api: FakeApi, run: RunFn) -> None:
    api.arxiv(EDDIES, atom("arxiv_near.xml"))
    corroborated = record("p1", EDDIES, authors_count=2, published="2024-03-06")
    unknown = record("p2", EDDIES, authors_count=None, published="2024-03-06")
    result = run([corroborated, unknown], github=False)
    assert result.saved["p1"].arxiv_id == "2403.02468"
    assert result.saved["p1"].arxiv_categories == ("physics.ao-ph", "cs.LG")
    assert result.saved["p2"].arxiv_status == "not_found"


def test_empty_result_is_not_found(api: FakeApi, run: RunFn) -> None:
    api.arxiv("No Such Paper", atom("arxiv_empty.xml"))
    result = run([record(title="No Such Paper")], github=False)
    assert result.saved["p1"].arxiv_status == "not_found"
    assert result.summary.exit_code == 0


def test_error_entry_is_a_per_paper_error(api: FakeApi, run: RunFn) -> None:
    api.arxiv("Broken Query", atom("arxiv_error.xml"))
    api.arxiv(SPARSE, atom("arxiv_found.xml"))
    result = run([record("p1", "Broken Query"), record("p2")], github=False)
    assert result.saved["p1"].arxiv_status == "error"
    assert result.saved["p2"].arxiv_status == "ok"
    assert (result.summary.failed, result.summary.matched, result.summary.exit_code) == (1, 1, 0)
    assert [(f.paper_id, f.word) for f in result.summary.failures] == [("p1", "error")]


def test_requests_are_spaced_by_the_delay(api: FakeApi, run: RunFn, clock: FakeClock) -> None:
    api.arxiv(SPARSE, atom("arxiv_found.xml"))
    records = [record(f"p{i}") for i in range(4)]
    result = run(records, github=False)
    assert result.summary.matched == 4
    times = [seen.at for seen in api.arxiv_requests()]
    assert len(times) == 4
    assert times[0] == 1000.0  # the first request does not wait
    assert all(later - earlier >= 3.0 for earlier, later in zip(times, times[1:], strict=False))
    assert sum(clock.sleeps) == 9.0
    assert max(clock.sleeps) <= 0.5  # waits come in slices so cancelling stays prompt


def test_503_with_retry_after_then_success(api: FakeApi, run: RunFn) -> None:
    api.arxiv(
        SPARSE,
        Reply(503, b"busy", {"Retry-After": "7"}),
        atom("arxiv_found.xml"),
    )
    result = run([record()], github=False, settings=api.settings(arxiv_delay=0.0))
    assert result.saved["p1"].arxiv_status == "ok"
    first, second = (seen.at for seen in api.arxiv_requests())
    assert second - first >= 7.0


def test_429_with_an_http_date_retry_after(api: FakeApi, run: RunFn) -> None:
    later = format_datetime(NOW.replace(second=20), usegmt=True)
    api.arxiv(SPARSE, Reply(429, b"slow down", {"Retry-After": later}), atom("arxiv_found.xml"))
    result = run([record()], github=False)
    assert result.saved["p1"].arxiv_status == "ok"
    first, second = (seen.at for seen in api.arxiv_requests())
    assert second - first >= 20.0


def test_retries_are_bounded_and_stop_arxiv(api: FakeApi, run: RunFn) -> None:
    api.arxiv(SPARSE, Reply(503, b"busy", {"Retry-After": "1"}))
    result = run([record("p1"), record("p2")], github=False, settings=api.settings(retries=2))
    assert len(api.arxiv_requests()) == 3  # one try and two retries, then arXiv is left alone
    assert result.saved == {}
    assert result.summary.exit_code == 1
    assert result.summary.service_errors == [
        "arXiv: arXiv is busy (HTTP 429/503 after 3 tries); stopped asking arXiv."
    ]


def test_an_overlong_retry_after_stops_instead_of_blocking(
    api: FakeApi, run: RunFn, clock: FakeClock
) -> None:
    api.arxiv(SPARSE, Reply(503, b"busy", {"Retry-After": "3600"}))
    result = run([record()], github=False)
    assert len(api.arxiv_requests()) == 1
    assert sum(clock.sleeps) == 0
    assert result.summary.exit_code == 1
    assert "3600 s" in result.summary.service_errors[0]


def test_malformed_bodies_fail_one_paper_and_the_run_goes_on(api: FakeApi, run: RunFn) -> None:
    api.arxiv("Bad XML", atom("arxiv_truncated.xml"))
    api.arxiv("Entity Bomb", atom("arxiv_entity_bomb.xml"))
    api.arxiv("Not Atom", Reply(200, b"<html><body>maintenance</body></html>"))
    api.arxiv(SPARSE, atom("arxiv_found.xml"))
    records = [record("a", "Bad XML"), record("b", "Entity Bomb"), record("c", "Not Atom")]
    result = run([*records, record("d")], github=False)
    assert {k: v.arxiv_status for k, v in result.saved.items()} == {
        "a": "malformed",
        "b": "malformed",
        "c": "malformed",
        "d": "ok",
    }
    assert (result.summary.failed, result.summary.exit_code) == (3, 0)


def test_oversized_bodies_are_cut_off(api: FakeApi, run: RunFn) -> None:
    huge = b"<feed>" + b"x" * 200_000 + b"</feed>"
    api.arxiv("Streamed", Reply(200, huge, content_length=False))
    api.arxiv("Declared", Reply(200, huge))
    result = run([record("a", "Streamed"), record("b", "Declared")], github=False)
    assert result.saved["a"].arxiv_status == "too_large"
    assert result.saved["b"].arxiv_status == "too_large"


def test_a_slow_answer_times_out(api: FakeApi, run: RunFn) -> None:
    api.arxiv("Slow", Reply(200, b"", delay=1.0))
    api.arxiv(SPARSE, atom("arxiv_found.xml"))
    result = run(
        [record("a", "Slow"), record("b")], github=False, settings=api.settings(timeout=0.2)
    )
    assert result.saved["a"].arxiv_status == "timeout"
    assert result.saved["b"].arxiv_status == "ok"
    assert result.summary.exit_code == 0


def test_repeated_timeouts_stop_arxiv(api: FakeApi, run: RunFn) -> None:
    api.arxiv(SPARSE, Reply(200, b"", delay=0.6))
    records = [record(f"p{i}") for i in range(5)]
    result = run(records, github=False, settings=api.settings(timeout=0.1))
    assert len(api.arxiv_requests()) == 3
    assert result.summary.exit_code == 1
    assert "3 requests in a row failed (timeout)" in result.summary.service_errors[0]


def test_refused_connection_is_one_line_and_nothing_is_lost(
    api: FakeApi, run: RunFn, closed_port: int
) -> None:
    kept = Enrichment(arxiv_status="error", authors=("Kept",))
    records = [record("p1", enrichment=kept), record("p2")]
    settings = api.settings(arxiv_api=f"http://127.0.0.1:{closed_port}/api/query")
    result = run(records, github=False, settings=settings)
    assert result.saved == {}
    assert result.summary.exit_code == 1
    (line,) = result.summary.service_errors
    assert line.startswith("arXiv: cannot reach 127.0.0.1 (")
    assert line.endswith("; stopped asking arXiv.")
    assert "\n" not in line and "Traceback" not in line


def test_done_papers_are_skipped_unless_refresh(api: FakeApi, run: RunFn) -> None:
    api.arxiv(SPARSE, atom("arxiv_found.xml"))
    done = record("done", enrichment=Enrichment(arxiv_status="not_found"))
    matched = record("matched", enrichment=Enrichment(arxiv_id="2408.07092", arxiv_status="ok"))
    failed = record("failed", enrichment=Enrichment(arxiv_status="timeout"))
    result = run([done, matched, failed], github=False)
    assert result.summary.skipped == 2
    assert list(result.saved) == ["failed"]
    assert len(api.arxiv_requests()) == 1

    again = run([done, matched, failed], github=False, refresh=True)
    assert again.summary.skipped == 0
    assert len(api.arxiv_requests()) == 4


def test_a_failed_refresh_keeps_the_match(api: FakeApi, run: RunFn) -> None:
    api.arxiv(SPARSE, atom("arxiv_truncated.xml"))
    matched = Enrichment(arxiv_id="2408.07092", authors=("Ada Lovelace",), arxiv_status="ok")
    result = run([record(enrichment=matched)], github=False, refresh=True)
    assert result.saved == {}
    assert result.summary.failed == 1


def test_cancel_stops_between_papers(api: FakeApi, run: RunFn) -> None:
    api.arxiv(SPARSE, atom("arxiv_found.xml"))
    records = [record(f"p{i}") for i in range(3)]

    def cancelled() -> bool:
        return len(api.arxiv_requests()) >= 1

    result = run(records, github=False, cancelled=cancelled)
    assert list(result.saved) == ["p0"]
    assert len(api.arxiv_requests()) == 1
    assert result.summary.cancelled
    assert result.summary.exit_code == 130


def test_progress_is_reported_per_paper(api: FakeApi, run: RunFn) -> None:
    api.arxiv(SPARSE, atom("arxiv_found.xml"))
    result = run([record("p1"), record("p2")], github=False)
    assert result.progress == [(1, 2, SPARSE), (2, 2, SPARSE)]
