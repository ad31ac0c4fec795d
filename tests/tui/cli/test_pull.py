"""`paperdeck pull`, `import day.json` and `paperdeck inbox`, run as a user runs them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fakes.api import PULL_DATA, FakeApi, Reply, pulled
from tests.tui.cli.test_commands import PAPERDECK


def paperdeck(
    *args: str, db: Path, api: FakeApi | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PAPERDECK_ARXIV_DELAY": "0", "PAPERDECK_FETCH_TIMEOUT": "3", **env}
    if api is not None:
        environ["PAPERDECK_HF_API"] = f"{api.base}/hf"
        environ["PAPERDECK_ARXIV_RSS"] = f"{api.base}/rss"
    return subprocess.run(
        [PAPERDECK, "--db", str(db), *args], capture_output=True, text=True, env=environ
    )


def files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def listed(db: Path, *args: str) -> list[dict[str, object]]:
    result = paperdeck("list", "--json", *args, db=db)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_pull_hf_prints_a_summary_and_the_papers_carry_their_facts(
    api: FakeApi, tmp_path: Path
) -> None:
    db = tmp_path / "db"
    api.hf("2024-10-25", pulled("hf_2024-10-25.json"))
    result = paperdeck("pull", "hf", "--date", "2024-10-25", "--json", db=db, api=api)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (3, 0, 0)
    assert summary["sources"][0]["source"] == "hf:2024-10-25"
    papers = {p["arxiv_id"]: p for p in listed(db)}
    paper = papers["2410.17243"]
    assert paper["authors"][:2] == ["Zesen Cheng", "Hang Zhang"]
    assert (paper["published"], paper["upvotes"], paper["sources"]) == (
        "2024-10-22",
        64,
        ["hf:2024-10-25"],
    )
    again = paperdeck("pull", "hf", "--date", "2024-10-25", db=db, api=api)
    assert again.stdout == "hf:2024-10-25: 0 new, 0 updated, 3 unchanged\n"


def test_pull_without_a_source_pulls_what_the_configuration_names(
    api: FakeApi, tmp_path: Path
) -> None:
    db = tmp_path / "db"
    api.rss("cs.AI+cs.LG", pulled("arxiv_cs.AI_2025-09-23.rss"))
    result = paperdeck("pull", db=db, api=api, PAPERDECK_PULL="arxiv:cs.AI+cs.LG")
    assert result.returncode == 0, result.stderr
    # No such paper yet: the replacement is skipped, the new paper comes in.
    assert result.stdout.startswith("arxiv:cs.AI+cs.LG: 1 new, 0 updated, 0 unchanged, 1 skipped")
    (paper,) = listed(db)
    assert paper["categories"] == ["cs.LG", "cs.AI", "cs.CV"]
    assert paper["sources"] == ["arxiv:cs.AI"]


def test_pull_hf_by_default_asks_for_today_in_utc(api: FakeApi, tmp_path: Path) -> None:
    today = datetime.now(UTC).date().isoformat()
    api.hf(today, Reply(body=b"[]"))
    result = paperdeck("pull", db=tmp_path / "db", api=api)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"hf:{today}: 0 new, 0 updated, 0 unchanged\n"


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (pulled("portal.html"), "the answer was an HTML page"),
        (Reply(503, headers={"Retry-After": "3600"}), "asked to wait 3600 s"),
        (Reply(body=b"[{"), "not valid JSON"),
    ],
)
def test_a_failed_pull_is_one_line_a_non_zero_exit_and_no_change(
    api: FakeApi, tmp_path: Path, reply: Reply, says: str
) -> None:
    db = tmp_path / "db"
    api.hf("2024-10-24", pulled("hf_new_shape.json"))
    assert paperdeck("pull", "hf", "--date", "2024-10-24", db=db, api=api).returncode == 0
    before = files(db)
    api.hf("2024-10-25", reply)
    result = paperdeck("pull", "hf", "--date", "2024-10-25", db=db, api=api)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("paperdeck: error: Hugging Face (2024-10-25): ") and says in line
    assert files(db) == before


def test_an_unreachable_service_is_one_line(tmp_path: Path, closed_port: int) -> None:
    result = paperdeck(
        "pull",
        "arxiv",
        "cs.AI",
        db=tmp_path / "db",
        PAPERDECK_ARXIV_RSS=f"http://127.0.0.1:{closed_port}/rss",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("paperdeck: error: arXiv (cs.AI): cannot reach 127.0.0.1")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["arxiv"], "name at least one category"),
        (["arxiv", "cs.AI", "--date", "2024-10-25"], "--date is for hf"),
        (["hf", "cs.AI"], "categories go with `pull arxiv`"),
        (["hf", "--date", "2024-13-01"], "is not a date"),
        (["hf", "--date", "2999-01-01"], "is in the future"),
        (["arxiv", "cs.LG/../x"], "is not an arXiv category"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_pull_usage_errors_exit_2(tmp_path: Path, args: list[str], says: str) -> None:
    result = paperdeck("pull", *args, db=tmp_path / "db")
    assert result.returncode == 2 and says in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_configuration_is_a_usage_error(tmp_path: Path) -> None:
    result = paperdeck("pull", db=tmp_path / "db", PAPERDECK_PULL="hf rss:cs.AI")
    assert result.returncode == 2 and "unknown source 'rss:cs.AI'" in result.stderr


def test_a_saved_hugging_face_page_imports_by_its_content(tmp_path: Path) -> None:
    db = tmp_path / "db"
    saved = tmp_path / "day.txt"  # the name says text; the content is JSON
    shutil.copy(PULL_DATA / "hf_2024-10-25.json", saved)
    result = paperdeck("import", str(saved), db=db)
    assert result.returncode == 0, result.stderr
    assert "3 new" in result.stdout
    assert {p["sources"][0] for p in listed(db)} == {"hf:2024-10-25"}
    broken = tmp_path / "broken.json"
    broken.write_bytes((PULL_DATA / "hf_2024-10-25.json").read_bytes()[:700])
    before = files(db)
    failed = paperdeck("import", str(broken), db=db)
    assert failed.returncode == 2
    assert failed.stderr.startswith(f"paperdeck: error: {broken}: looks like a saved Hugging")
    assert files(db) == before


def test_inboxes_from_the_command_line(api: FakeApi, tmp_path: Path) -> None:
    db = tmp_path / "db"
    api.hf("2024-10-24", pulled("hf_new_shape.json"))
    api.hf("2024-10-25", pulled("hf_2024-10-25.json"))
    assert paperdeck("pull", "hf", "--date", "2024-10-24", db=db, api=api).returncode == 0
    assert paperdeck("inbox", "add", "all", "", db=db).returncode == 0
    assert paperdeck("inbox", "add", "code", "has:code", db=db).returncode == 0
    refused = paperdeck("inbox", "add", "bad", "year:soon", db=db)
    assert refused.returncode == 2 and "year" in refused.stderr

    def inbox_list() -> dict[str, tuple[int, int]]:
        result = paperdeck("inbox", "list", "--json", db=db)
        assert result.returncode == 0, result.stderr
        return {i["name"]: (i["total"], i["new"]) for i in json.loads(result.stdout)}

    assert inbox_list() == {"all": (3, 0), "code": (2, 0)}
    # Openings and arrivals are kept to the second: the next pull lands in a later one.
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.02)
    assert paperdeck("pull", "hf", "--date", "2024-10-25", db=db, api=api).returncode == 0
    assert inbox_list() == {"all": (6, 3), "code": (2, 0)}
    text = paperdeck("inbox", "list", db=db)
    assert text.stdout.splitlines()[0].split() == ["all", "3", "new", "6", "total"]

    shown = listed(db, "--inbox", "ALL")
    assert sorted(p["new"] for p in shown) == [False, False, False, True, True, True]
    assert inbox_list() == {"all": (6, 0), "code": (2, 0)}  # opened: nothing new any more
    assert paperdeck("inbox", "remove", "code", db=db).returncode == 0
    assert inbox_list() == {"all": (6, 0)}
    unknown = paperdeck("list", "--inbox", "nope", db=db)
    assert unknown.returncode == 2 and "no inbox named 'nope'; your inboxes: all" in unknown.stderr


def test_a_damaged_inbox_file_is_reported_not_replaced(tmp_path: Path) -> None:
    db = tmp_path / "db"
    assert paperdeck("inbox", "add", "x", "tag:x", db=db).returncode == 0
    (db / "inboxes.json").write_text('{"_meta": {"1": {"kind": "inb')
    result = paperdeck("inbox", "list", db=db)
    assert result.returncode == 1
    assert "inboxes.json: damaged store file" in result.stderr
    assert (db / "inboxes.json").read_text() == '{"_meta": {"1": {"kind": "inb'
