"""`fetch` against a local GitHub stand-in: facts, ETags, renames, rate limits and failures."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from store.enrich.github import parse_repo, split_name
from store.enrich.net import RequestFailed, local_time_words
from store.models import Enrichment, Record, Repo
from tests.fakes.api import NOW, FakeApi, Reply, Run, atom, data, json_reply, record

RunFn = Callable[..., Run]
REPO = "example-lab/sparse-routing"
ETAG = 'W/"5f3c0a1e9b7d4c2a"'


def paper(paper_id: str = "p1", *repos: str, enrichment: Enrichment | None = None) -> Record:
    return record(paper_id, github=repos or (REPO,), enrichment=enrichment)


def test_repo_facts_are_saved(api: FakeApi, run: RunFn) -> None:
    api.repo(REPO, json_reply("github_repo.json", headers={"ETag": ETAG}))
    result = run([paper()], arxiv=False)
    assert result.saved["p1"].repos == (
        Repo(
            name=REPO,
            stars=1432,
            description='Code for "Sparse Mixture Routing for Efficient Long-Context Transformers"',
            license="Apache-2.0",
            pushed_at="2024-09-02T14:55:31Z",
            archived=False,
            status="ok",
            etag=ETAG,
        ),
    )
    assert (result.summary.repos_ok, result.summary.exit_code) == (1, 0)
    (request,) = api.github_requests()
    assert request.path == f"/gh/repos/{REPO}"
    assert request.headers["Accept"] == "application/vnd.github+json"
    assert request.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert request.headers["User-Agent"].startswith("paperdeck")
    assert "Authorization" not in request.headers


def test_the_token_goes_in_the_header_only(api: FakeApi, run: RunFn) -> None:
    api.repo(REPO, json_reply("github_repo.json"))
    result = run([paper()], arxiv=False, token="ghp_s3cretTOKENvalue")
    assert api.github_requests()[0].headers["Authorization"] == "Bearer ghp_s3cretTOKENvalue"
    assert "ghp_s3cret" not in repr(result.saved) + repr(result.summary)


def test_refresh_revalidates_with_the_etag_and_304_keeps_data(api: FakeApi, run: RunFn) -> None:
    stored = Repo(name=REPO, stars=1000, description="old", status="ok", etag=ETAG)
    api.repo(REPO, Reply(304, b"", {"ETag": ETAG}))
    result = run([paper(enrichment=Enrichment(repos=(stored,)))], arxiv=False, refresh=True)
    assert api.github_requests()[0].headers["If-None-Match"] == ETAG
    assert result.saved == {}  # nothing changed, nothing rewritten
    assert result.summary.repos_ok == 1


def test_without_refresh_done_repos_are_skipped(api: FakeApi, run: RunFn) -> None:
    done = Enrichment(
        repos=(Repo(name=REPO, stars=1, status="ok"), Repo(name="gone/away", status="not_found"))
    )
    api.repo("other/one", json_reply("github_repo.json"))
    result = run([paper("p1", REPO, "gone/away", "other/one", enrichment=done)], arxiv=False)
    assert [s.path for s in api.github_requests()] == ["/gh/repos/other/one"]
    assert result.summary.repos_skipped == 2
    assert [r.name for r in result.saved["p1"].repos] == [REPO, "gone/away", "other/one"]


def test_404_is_not_found_and_the_run_goes_on(api: FakeApi, run: RunFn) -> None:
    api.repo("gone/away", json_reply("github_not_found.json", status=404))
    api.repo(REPO, json_reply("github_repo.json"))
    result = run([paper("p1", "gone/away", REPO)], arxiv=False)
    assert [(r.name, r.status) for r in result.saved["p1"].repos] == [
        ("gone/away", "not_found"),
        (REPO, "ok"),
    ]
    assert (result.summary.repos_not_found, result.summary.repos_ok) == (1, 1)
    assert result.summary.exit_code == 0


def test_a_renamed_repo_is_followed_once(api: FakeApi, run: RunFn) -> None:
    moved = f"{api.base}/gh/repositories/700000001"
    api.repo("curie-lab/eddies", json_reply("github_moved.json", 301, {"Location": moved}))
    api.route("/gh/repositories/700000001", json_reply("github_renamed_repo.json"))
    result = run([paper("p1", "curie-lab/eddies")], arxiv=False, token="tok_abc")
    (repo,) = result.saved["p1"].repos
    assert (repo.name, repo.stars, repo.archived, repo.license) == (
        "curie-lab/eddies",
        88,
        True,
        None,
    )
    followed = api.github_requests()[1]
    assert followed.path == "/gh/repositories/700000001"
    assert followed.headers["Authorization"] == "Bearer tok_abc"


def test_redirects_never_leave_the_configured_host(api: FakeApi, run: RunFn) -> None:
    elsewhere = f"http://localhost:{api.port}/gh/repositories/1"
    api.repo("a/elsewhere", Reply(301, b"", {"Location": elsewhere}))
    api.repo("a/loop", Reply(301, b"", {"Location": f"{api.base}/gh/repos/a/loop2"}))
    api.repo("a/loop2", Reply(301, b"", {"Location": f"{api.base}/gh/repos/a/loop3"}))
    result = run([paper("p1", "a/elsewhere", "a/loop")], arxiv=False, token="tok_abc")
    assert [r.status for r in result.saved["p1"].repos] == ["redirect", "redirect"]
    assert "/gh/repositories/1" not in [s.path for s in api.seen]
    assert len(api.github_requests()) == 3  # elsewhere: 1, loop: 2 (one hop allowed)


def test_rate_limit_stops_github_and_keeps_what_is_stored(api: FakeApi, run: RunFn) -> None:
    reset = int(NOW.timestamp()) + 25 * 60
    api.repo(
        "first/one",
        json_reply(
            "github_rate_limited.json",
            403,
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
        ),
    )
    stored = Repo(name="second/two", stars=7, status="ok", etag=ETAG)
    records = [
        paper("p1", "first/one"),
        paper("p2", "second/two", enrichment=Enrichment(repos=(stored,))),
        paper("p3", "third/three"),
    ]
    result = run(records, arxiv=False, refresh=True, settings=api.settings(github_concurrency=1))
    assert [s.path for s in api.github_requests()] == ["/gh/repos/first/one"]
    assert result.saved == {}
    assert result.summary.exit_code == 1
    (line,) = result.summary.service_errors
    expected_time = local_time_words(datetime.fromtimestamp(reset, tz=UTC), NOW)
    assert line.startswith(f"GitHub: rate limit reached; it resets at {expected_time} local time")
    assert "(in 25 min)" in line
    assert "GITHUB_TOKEN" in line  # no token was used: say how to get a higher limit


def test_429_and_a_spent_quota_stop_github_too(api: FakeApi, run: RunFn) -> None:
    api.repo("first/one", json_reply("github_repo.json", headers={"x-ratelimit-remaining": "0"}))
    records = [paper("p1", "first/one"), paper("p2", "second/two")]
    result = run(records, arxiv=False, settings=api.settings(github_concurrency=1))
    assert result.saved["p1"].repos[0].status == "ok"  # the last answer is still used
    assert len(api.github_requests()) == 1
    assert result.summary.exit_code == 1

    api.repo("third/three", Reply(429, b"{}", {"Retry-After": "60"}))
    again = run([paper("p3", "third/three")], arxiv=False)
    assert again.saved == {}
    assert again.summary.service_errors[0].startswith("GitHub: rate limit reached")


def test_a_refused_token_stops_github(api: FakeApi, run: RunFn) -> None:
    api.repo(REPO, Reply(401, b'{"message": "Bad credentials"}'))
    result = run(
        [paper("p1"), paper("p2")],
        arxiv=False,
        token="tok_wrong",
        settings=api.settings(github_concurrency=1),
    )
    assert len(api.github_requests()) == 1
    assert "token was refused" in result.summary.service_errors[0]
    assert "tok_wrong" not in result.summary.service_errors[0]


def test_hostile_and_broken_bodies_are_per_repo_errors(api: FakeApi, run: RunFn) -> None:
    api.repo("x/types", json_reply("github_wrong_types.json"))
    api.repo("x/notjson", Reply(200, b"<html>unicorn</html>"))
    api.repo("x/list", Reply(200, b"[1, 2, 3]"))
    api.repo("x/huge", Reply(200, b"[" + b"1," * 100_000 + b"1]", content_length=False))
    api.repo("x/deep", Reply(200, b"[" * 50_000 + b"]" * 50_000))
    api.repo("x/broken", Reply(500, b"oops"))
    api.repo("x/text", json_reply("github_hostile_text.json"))
    names = ("x/types", "x/notjson", "x/list", "x/huge", "x/deep", "x/broken", "x/text")
    result = run([paper("p1", *names)], arxiv=False)
    statuses = {r.name: r.status for r in result.saved["p1"].repos}
    assert statuses == {
        "x/types": "malformed",
        "x/notjson": "malformed",
        "x/list": "malformed",
        "x/huge": "too_large",
        "x/deep": "malformed",
        "x/broken": "error",
        "x/text": "ok",
    }
    text = result.saved["p1"].repos[-1]
    assert text.description == "Fast tokenizer in red txet desrever"
    assert text.license == "NOASSERTION"
    assert (result.summary.repos_failed, result.summary.exit_code) == (6, 0)


def test_a_failed_refresh_keeps_the_facts(api: FakeApi, run: RunFn) -> None:
    stored = Repo(name=REPO, stars=1000, status="ok", etag=ETAG)
    api.repo(REPO, Reply(502, b"bad gateway"))
    result = run([paper(enrichment=Enrichment(repos=(stored,)))], arxiv=False, refresh=True)
    assert result.saved == {}
    assert result.summary.repos_failed == 1


def test_bad_names_are_never_requested(api: FakeApi, run: RunFn) -> None:
    result = run([paper("p1", "../../admin", "a/..", "-bad/name")], arxiv=False)
    assert [r.status for r in result.saved["p1"].repos] == ["invalid"] * 3
    assert api.github_requests() == []


def test_slow_github_times_out(api: FakeApi, run: RunFn) -> None:
    api.repo(REPO, Reply(200, data("github_repo.json"), delay=0.6))
    result = run([paper()], arxiv=False, settings=api.settings(timeout=0.1))
    assert result.saved["p1"].repos[0].status == "timeout"


def test_unreachable_github_is_one_line(api: FakeApi, run: RunFn, closed_port: int) -> None:
    settings = api.settings(github_api=f"http://127.0.0.1:{closed_port}", github_concurrency=1)
    stored = Enrichment(repos=(Repo(name=REPO, stars=3, status="ok"),))
    records = [paper("p1", REPO, enrichment=stored), paper("p2", "other/repo")]
    result = run(records, arxiv=False, refresh=True, settings=settings)
    assert result.saved == {}
    assert result.summary.exit_code == 1
    (line,) = result.summary.service_errors
    assert line.startswith("GitHub: cannot reach 127.0.0.1 (")


def test_requests_run_a_few_at_a_time(api: FakeApi, run: RunFn) -> None:
    records = []
    for i in range(10):
        api.repo(f"o/r{i}", Reply(200, data("github_repo.json"), delay=0.05))
        records.append(paper(f"p{i}", f"o/r{i}"))
    result = run(records, arxiv=False, settings=api.settings(github_concurrency=3))
    assert result.summary.repos_ok == 10
    assert 1 < api.max_in_flight <= 3
    assert result.saves == [f"p{i}" for i in range(10)]  # saved in catalog order


def test_cancel_stops_asking_github(api: FakeApi, run: RunFn) -> None:
    for i in range(3):
        api.repo(f"o/r{i}", json_reply("github_repo.json"))
    records = [paper(f"p{i}", f"o/r{i}") for i in range(3)]
    result = run(
        records,
        settings=api.settings(github_concurrency=1),
        cancelled=lambda: len(api.github_requests()) >= 1,
    )
    assert list(result.saved) == ["p0"]
    assert len(api.github_requests()) == 1
    assert api.arxiv_requests() == []
    assert result.summary.cancelled


def test_both_services_in_one_run(api: FakeApi, run: RunFn) -> None:
    api.arxiv(
        "Sparse Mixture Routing for Efficient Long-Context Transformers", atom("arxiv_found.xml")
    )
    api.repo(REPO, json_reply("github_repo.json"))
    result = run([paper()])
    saved = result.saved["p1"]
    assert (saved.arxiv_id, saved.repos[0].stars) == ("2408.07092", 1432)
    assert [p[:2] for p in result.progress] == [(1, 2), (2, 2)]


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b'{"stargazers_count": true, "archived": false, "full_name": "a/b"}',
        b'{"stargazers_count": -1, "archived": false, "full_name": "a/b"}',
        b'{"stargazers_count": 1, "archived": null, "full_name": "a/b"}',
        b'{"stargazers_count": 1, "archived": false}',
        b'{"stargazers_count": 1, "archived": false, "full_name": "a/b", "description": 5}',
        b'{"stargazers_count": 1, "archived": false, "full_name": "a/b", "license": "MIT"}',
        b'{"stargazers_count": 1, "archived": false, "full_name": "a/b", "pushed_at": "soon"}',
        b"\xff\xfe",
    ],
)
def test_parse_repo_rejects_unexpected_types(body: bytes) -> None:
    with pytest.raises(RequestFailed) as caught:
        parse_repo("a/b", body, None)
    assert caught.value.word == "malformed"


def test_parse_repo_drops_unusable_etags() -> None:
    body = json.dumps({"stargazers_count": 1, "archived": False, "full_name": "a/b"}).encode()
    assert parse_repo("a/b", body, '"abc"').etag == '"abc"'
    assert parse_repo("a/b", body, '"abc"\r\nX-Evil: 1').etag is None


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("owner/repo", True),
        ("Owner-1/repo.name_2", True),
        ("owner/..", False),
        ("../etc", False),
        ("-owner/repo", False),
        ("own er/repo", False),
        ("owner/repo/extra", False),
        ("owner/", False),
    ],
)
def test_split_name(name: str, ok: bool) -> None:
    assert (split_name(name) is not None) is ok
