"""Pulls against the local server: merging, idempotence, replacements, failures, revalidation."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from store.errors import StoreError
from store.library import Library
from store.models import Enrichment
from store.pull.run import PullSummary, Target, hf_days, plan, pull
from store.pull.state import PullState
from tests.fakes.api import PULL_DATA, FakeApi, FakeClock, Reply, pulled

NOW = datetime(2024, 10, 25, 12, 0, tzinfo=UTC)
DAY = Target("hf", day=date(2024, 10, 25))
CS_AI = Target("arxiv", categories=("cs.AI",))


@pytest.fixture
def lib(tmp_path: Path) -> Library:
    return Library.open(tmp_path / "db", now=lambda: NOW)


@pytest.fixture
def go(api: FakeApi, clock: FakeClock) -> Callable[..., PullSummary]:
    def run(library: Library, *targets: Target, **settings: object) -> PullSummary:
        return pull(
            library,
            list(targets),
            settings=api.pull_settings(**settings),
            sleep=clock.sleep,
            clock=clock,
            now=lambda: NOW,
        )

    return run


def files(root: Path) -> dict[str, str]:
    """Every file of the data directory with a digest of its bytes."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def by_arxiv(library: Library) -> dict[str, object]:
    return {p.arxiv_id: p for p in Library(library.root).papers().values() if p.arxiv_id}


def test_a_pulled_day_brings_its_papers_with_their_facts_and_source(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary]
) -> None:
    api.hf("2024-10-25", pulled("hf_2024-10-25.json"))
    summary = go(lib, DAY)
    assert summary.error is None and summary.exit_code == 0
    assert [s.to_json() for s in summary.sources] == [
        {
            "source": "hf:2024-10-25",
            "new": 3,
            "updated": 0,
            "unchanged": 0,
            "skipped": 0,
            "not_modified": False,
        }
    ]
    record = Library(lib.root).get(summary.new_ids[0])
    assert record.paper.arxiv_id == "2410.17243" and record.paper.sources == ("hf:2024-10-25",)
    assert record.authors[0] == "Zesen Cheng" and record.paper.upvotes == 64
    assert record.paper.abstract.startswith("Contrastive loss is a powerful approach")
    assert record.paper.added == NOW.isoformat(timespec="seconds")
    assert api.pull_requests()[0].query == {"date": ["2024-10-25"]}


def test_pulling_again_adds_nothing_keeps_the_users_work_and_refreshes_figures(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary]
) -> None:
    page = json.loads((PULL_DATA / "hf_2024-10-25.json").read_bytes())
    api.hf("2024-10-25", pulled("hf_2024-10-25.json"))
    first = go(lib, DAY)
    pid = first.new_ids[0]
    lib.add_tags([pid], ["keep"])
    lib.set_note(pid, "mine")
    state_before = (lib.root / "state.json").read_bytes()
    catalog_before = (lib.root / "catalog.json").read_bytes()

    again = go(lib, DAY)  # the same page: nothing to do, nothing rewritten
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert (lib.root / "catalog.json").read_bytes() == catalog_before

    page[0]["paper"]["upvotes"] = 99  # a day later, more upvotes
    api.hf("2024-10-25", Reply(body=json.dumps(page).encode()))
    refreshed = go(lib, DAY)
    assert (refreshed.new, refreshed.updated, refreshed.unchanged) == (0, 1, 2)
    assert len(Library(lib.root).papers()) == 3
    assert by_arxiv(lib)["2410.17243"].upvotes == 99  # type: ignore[attr-defined]
    assert (lib.root / "state.json").read_bytes() == state_before
    record = Library(lib.root).get(pid)
    assert (record.state.tags, record.state.note) == (("keep",), "mine")


def test_a_pulled_paper_joins_the_imported_one_with_the_same_title(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary], tmp_path: Path
) -> None:
    listing = tmp_path / "listing.txt"
    listing.write_text(
        "Can knowledge editing really correct   hallucinations?\n\n"
        "Large Language Models (LLMs) suffer from hallucinations.\n\n"
        "  • 5 authors\n·\nOct 21, 2024 12\n",
        encoding="utf-8",
    )
    lib.import_files([listing])
    (pid,) = lib.papers()
    lib.add_tags([pid], ["editing"])
    api.hf("2024-10-25", pulled("hf_2024-10-25.json"))
    summary = go(lib, DAY)
    assert (summary.new, summary.updated) == (2, 1)
    record = Library(lib.root).get(pid)
    assert record.paper.sources == ("listing.txt", "hf:2024-10-25")
    assert record.paper.arxiv_id == "2410.16251" and record.state.tags == ("editing",)
    assert record.paper.upvotes == 41  # the live figure replaces the dump's
    # The imported abstract stays; the pull does not overwrite what the user had.
    assert record.paper.abstract == "Large Language Models (LLMs) suffer from hallucinations."


def test_an_arxiv_id_matched_by_fetch_joins_papers_whose_titles_differ(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary], tmp_path: Path
) -> None:
    listing = tmp_path / "listing.txt"
    listing.write_text("LOGO: long context alignment\n\nAn abstract.\n", encoding="utf-8")
    lib.import_files([listing])
    (pid,) = lib.papers()
    lib.save_enrichment(pid, Enrichment(arxiv_id="2410.18533", arxiv_status="ok"))
    api.hf("2024-10-25", pulled("hf_2024-10-25.json"))
    summary = go(lib, DAY)
    assert (summary.new, summary.updated) == (2, 1)
    assert Library(lib.root).get(pid).paper.sources == ("listing.txt", "hf:2024-10-25")


def test_a_replacement_revises_the_known_paper_and_never_adds_one(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary]
) -> None:
    api.rss("cs.AI", pulled("arxiv_cs.AI_2025-09-22.rss"))
    first = go(lib, CS_AI)
    # The replace-cross of a paper the library never had is skipped, not added.
    assert (first.new, first.sources[0].skipped) == (3, 1)
    mica = by_arxiv(lib)["2509.15237"]
    assert mica.version == 1 and mica.doi is None  # type: ignore[attr-defined]
    api.rss("cs.AI", pulled("arxiv_cs.AI_2025-09-23.rss"))
    second = go(lib, CS_AI)
    assert (second.new, second.updated, second.sources[0].skipped) == (1, 1, 0)
    papers = by_arxiv(lib)
    assert len(Library(lib.root).papers()) == 4
    assert papers["2509.15237"].version == 2  # type: ignore[attr-defined]
    assert papers["2509.15237"].categories == ("cs.AI", "cs.RO")  # type: ignore[attr-defined]
    assert "2203.01250" not in papers


FAILURES = [
    (Reply(500, b"oops"), {}, "answered HTTP 500 (a server problem); try again later"),
    (pulled("portal.html"), {}, "the answer was an HTML page"),
    (Reply(body=(PULL_DATA / "hf_2024-10-25.json").read_bytes()[:900]), {}, "not valid JSON"),
    (Reply(body=b"[]", delay=1.5), {"timeout": 0.3}, "no answer from 127.0.0.1 in time"),
    (Reply(503, headers={"Retry-After": "900"}), {}, "asked to wait 900 s"),
    (Reply(429), {"retries": 1}, "busy (HTTP 429 after 2 tries)"),
    (Reply(404, b'{"error":"Not Found"}'), {}, "HTTP 404 (Hugging Face said: Not Found)"),
]


@pytest.mark.parametrize(("reply", "settings", "says"), FAILURES)
def test_a_failed_pull_says_so_in_one_line_and_changes_nothing(
    lib: Library,
    api: FakeApi,
    go: Callable[..., PullSummary],
    reply: Reply,
    settings: dict[str, object],
    says: str,
) -> None:
    api.hf("2024-10-24", pulled("hf_2024-10-25.json"))
    go(lib, Target("hf", day=date(2024, 10, 24)))  # a store with something in it
    before = files(lib.root)
    api.hf("2024-10-25", reply)
    summary = go(lib, DAY, **settings)
    assert summary.error is not None and says in summary.error
    assert summary.error.startswith("Hugging Face (2024-10-25): ")
    assert "\n" not in summary.error and summary.exit_code == 1 and not summary.sources
    assert files(lib.root) == before


def test_an_unreachable_service_changes_nothing(
    lib: Library, go: Callable[..., PullSummary], closed_port: int
) -> None:
    lib.import_files([PULL_DATA / "hf_2024-10-25.json"])
    before = files(lib.root)
    summary = go(lib, CS_AI, arxiv_rss=f"http://127.0.0.1:{closed_port}/rss")
    assert summary.error is not None
    assert summary.error.startswith("arXiv (cs.AI): cannot reach 127.0.0.1")
    assert "check your connection" in summary.error
    assert files(lib.root) == before


def test_broken_xml_changes_nothing(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary]
) -> None:
    api.rss("cs.AI", pulled("arxiv_cs.AI_2025-09-22.rss"))
    go(lib, CS_AI)
    before = files(lib.root)
    api.rss("cs.AI", Reply(body=(PULL_DATA / "arxiv_cs.AI_2025-09-23.rss").read_bytes()[:1500]))
    summary = go(lib, CS_AI)
    assert summary.error is not None and "not well-formed XML" in summary.error
    assert files(lib.root) == before


def test_retry_after_is_waited_out_then_the_page_is_taken(
    lib: Library, api: FakeApi, clock: FakeClock, go: Callable[..., PullSummary]
) -> None:
    api.hf("2024-10-25", Reply(429, headers={"Retry-After": "7"}), pulled("hf_2024-10-25.json"))
    summary = go(lib, DAY)
    assert summary.new == 3
    first, second = api.pull_requests()
    assert second.at - first.at >= 7


def test_arxiv_requests_keep_their_distance(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary]
) -> None:
    api.rss("cs.AI", Reply(503), pulled("arxiv_cs.AI_2025-09-22.rss"))
    summary = go(lib, CS_AI, arxiv_delay=3.0)
    assert summary.new == 3
    first, second = api.pull_requests()
    assert second.at - first.at >= 3.0


def test_a_feed_is_revalidated_with_the_validators_it_gave(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary]
) -> None:
    api.rss(
        "cs.AI",
        pulled(
            "arxiv_cs.AI_2025-09-22.rss",
            headers={"ETag": '"v22"', "Last-Modified": "Mon, 22 Sep 2025 04:00:11 GMT"},
        ),
        Reply(304),
    )
    go(lib, CS_AI)
    catalog = (lib.root / "catalog.json").read_bytes()
    summary = go(lib, CS_AI)
    assert summary.sources[0].not_modified and summary.new == 0
    second = api.pull_requests()[1]
    assert second.headers["If-None-Match"] == '"v22"'
    assert second.headers["If-Modified-Since"] == "Mon, 22 Sep 2025 04:00:11 GMT"
    assert (lib.root / "catalog.json").read_bytes() == catalog


def test_validators_are_not_sent_when_the_catalog_lacks_what_they_stand_for(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary], tmp_path: Path
) -> None:
    api.rss("cs.AI", pulled("arxiv_cs.AI_2025-09-22.rss", headers={"ETag": '"v22"'}))
    go(lib, CS_AI)
    fresh = Library.open(tmp_path / "fresh", now=lambda: NOW)
    (lib.root / "pulls.json").replace(fresh.root / "pulls.json")
    go(fresh, CS_AI)
    assert "If-None-Match" not in api.pull_requests()[1].headers
    assert len(fresh.papers()) == 3


def test_each_page_is_kept_as_it_lands_and_the_first_failure_stops_the_run(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary]
) -> None:
    api.hf("2024-10-23", pulled("hf_new_shape.json"))
    api.hf("2024-10-24", Reply(502))
    summary = go(lib, *(Target("hf", day=date(2024, 10, d)) for d in (23, 24, 25)))
    assert [s.source for s in summary.sources] == ["hf:2024-10-23"]
    assert summary.error is not None and "Hugging Face (2024-10-24)" in summary.error
    assert len(Library(lib.root).papers()) == 3
    assert PullState(lib.root).last_hf_day() == "2024-10-23"
    assert len(api.pull_requests()) == 2  # never asked for the 25th


def test_a_cancelled_pull_keeps_the_pages_it_finished(
    lib: Library, api: FakeApi, clock: FakeClock
) -> None:
    api.hf("2024-10-24", pulled("hf_2024-10-25.json"))
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(api.pull_requests()) >= 1

    summary = pull(
        lib,
        [Target("hf", day=date(2024, 10, 24)), DAY],
        settings=api.pull_settings(),
        cancelled=cancelled,
        sleep=clock.sleep,
        clock=clock,
        now=lambda: NOW,
    )
    assert summary.cancelled and summary.exit_code == 130
    assert [s.source for s in summary.sources] == ["hf:2024-10-24"]


@pytest.mark.parametrize(
    ("last", "days"),
    [
        (None, ["2024-10-25"]),
        ("2024-10-25", ["2024-10-25"]),
        ("2024-10-23", ["2024-10-23", "2024-10-24", "2024-10-25"]),
        ("2024-09-01", [f"2024-10-{d}" for d in range(19, 26)]),
        ("not a date", ["2024-10-25"]),
    ],
)
def test_hf_pulls_today_and_the_days_missed_at_most_seven(
    last: str | None, days: list[str]
) -> None:
    assert [d.isoformat() for d in hf_days(date(2024, 10, 25), last)] == days


def test_the_plan_follows_the_last_successful_day(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary]
) -> None:
    api.hf("2024-10-22", pulled("hf_2024-10-25.json"))
    go(lib, Target("hf", day=date(2024, 10, 22)))
    targets = plan(lib, ["hf", "arxiv:cs.LG+cs.CL"], today=date(2024, 10, 24))
    assert [t.key for t in targets] == [
        "hf:2024-10-22",
        "hf:2024-10-23",
        "hf:2024-10-24",
        "arxiv:cs.LG+cs.CL",
    ]
    explicit = plan(lib, ["hf"], days=["2024-10-01", "2024-10-01"], today=date(2024, 10, 24))
    assert [t.key for t in explicit] == ["hf:2024-10-01"]


@pytest.mark.parametrize(
    ("environ", "configured", "sources"),
    [
        ({}, (), ("hf",)),
        ({}, ("arxiv:cs.LG",), ("arxiv:cs.LG",)),
        ({"PAPERDECK_PULL": "hf arxiv:cs.CL+cs.LG"}, ("arxiv:cs.LG",), ("hf", "arxiv:cs.CL+cs.LG")),
    ],
)
def test_sources_come_from_the_environment_else_the_configuration_else_hf(
    environ: dict[str, str], configured: tuple[str, ...], sources: tuple[str, ...]
) -> None:
    from store.pull.run import PullSettings

    assert PullSettings.from_env(environ, configured).sources == sources


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"PAPERDECK_PULL": "rss"}, "unknown source 'rss'"),
        ({"PAPERDECK_PULL": "arxiv:cs..LG"}, "not an arXiv category"),
        ({"PAPERDECK_HF_API": "ftp://x"}, "PAPERDECK_HF_API must be an http(s) URL"),
        ({"PAPERDECK_ARXIV_DELAY": "-1"}, "PAPERDECK_ARXIV_DELAY must be a number"),
    ],
)
def test_bad_settings_are_one_line_usage_errors(environ: dict[str, str], says: str) -> None:
    from store.errors import UsageError
    from store.pull.run import PullSettings

    with pytest.raises(UsageError, match=re.escape(says)):
        PullSettings.from_env(environ)


def test_a_name_that_does_not_resolve_changes_nothing(
    lib: Library, go: Callable[..., PullSummary], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host == "huggingface.invalid":  # what the resolver says offline or for a typo
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    lib.import_files([PULL_DATA / "hf_new_shape.json"])
    before = files(lib.root)
    summary = go(lib, DAY, hf_api="http://huggingface.invalid/api")
    assert summary.error == (
        "Hugging Face (2024-10-25): cannot reach huggingface.invalid ([Errno -2] Name or "
        "service not known); check your connection (or proxy), then pull again"
    )
    assert files(lib.root) == before


def test_a_damaged_pull_state_says_to_delete_it_and_changes_nothing(
    lib: Library, api: FakeApi, go: Callable[..., PullSummary]
) -> None:
    (lib.root / "pulls.json").write_text("{not json")
    before = files(lib.root)
    with pytest.raises(StoreError, match="pulls.json: damaged; .* delete it and pull again"):
        go(lib, DAY)
    assert files(lib.root) == before
    assert api.pull_requests() == []
