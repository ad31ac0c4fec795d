"""`paperdeck fetch` through `run_fetch`, with a small file-backed stand-in for the Library."""

from __future__ import annotations

import dataclasses
import io
import json
import signal
from pathlib import Path

import pytest

from store.errors import UsageError
from store.models import Enrichment, Record
from tests.fakes.api import FakeApi, atom, json_reply, record
from tui.cli.fetch import run_fetch

TOKEN = "ghp_NEVER_PRINT_ME_0123456789"
SPARSE = "Sparse Mixture Routing for Efficient Long-Context Transformers"


class FileLibrary:
    """Records in memory, enrichment written to a JSON file like the real store would."""

    def __init__(self, data_dir: Path, records: list[Record]) -> None:
        self.data_dir = data_dir
        self._records = {r.id: r for r in records}

    def records(self, query: str | None = None, sort: str | None = None) -> list[Record]:
        if query == "bad(":
            raise UsageError("cannot parse the query")
        return [r for r in self._records.values() if query is None or query in r.title]

    def save_enrichment(self, paper_id: str, enrichment: Enrichment) -> None:
        self._records[paper_id] = dataclasses.replace(
            self._records[paper_id], enrichment=enrichment
        )
        path = self.data_dir / "enrichment.json"
        everything = {pid: dataclasses.asdict(r.enrichment) for pid, r in self._records.items()}
        path.write_text(json.dumps(everything))


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def env(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> FakeApi:
    monkeypatch.setenv("PAPERDECK_ARXIV_API", f"{api.base}/api/query")
    monkeypatch.setenv("PAPERDECK_GITHUB_API", f"{api.base}/gh")
    monkeypatch.setenv("PAPERDECK_ARXIV_DELAY", "0")
    return api


def invoke(
    library: FileLibrary, *, stderr: io.StringIO | None = None, **kwargs: object
) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), stderr or io.StringIO()
    options: dict[str, object] = {"arxiv": False, "github": False, "query": None, "refresh": False}
    options.update(kwargs)
    code = run_fetch(library, stdout=stdout, stderr=stderr, **options)  # type: ignore[arg-type]
    return code, stdout.getvalue(), stderr.getvalue()


def test_fetch_both_by_default_with_a_summary(env: FakeApi, tmp_path: Path) -> None:
    env.arxiv(SPARSE, atom("arxiv_found.xml"))
    env.arxiv("Unknown Paper", atom("arxiv_empty.xml"))
    env.repo("o/r", json_reply("github_repo.json"))
    library = FileLibrary(tmp_path, [record("p1", github=("o/r",)), record("p2", "Unknown Paper")])
    code, out, err = invoke(library)
    assert code == 0
    assert out.splitlines() == [
        "arXiv: 1 matched, 1 not found, 0 failed, 0 skipped",
        "GitHub: 1 repos ok, 0 not found, 0 failed, 0 skipped",
    ]
    assert err == ""  # no progress bar when stderr is not a terminal
    assert library.records()[0].enrichment.arxiv_id == "2408.07092"

    code, out, _ = invoke(library)
    assert "2 skipped" in out and "1 skipped" in out.splitlines()[1]


def test_the_token_is_used_but_never_written_or_printed(
    env: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    env.arxiv(SPARSE, atom("arxiv_found.xml"))
    env.repo("o/r", json_reply("github_repo.json"))
    env.repo(
        "o/limited", json_reply("github_rate_limited.json", 403, {"x-ratelimit-remaining": "0"})
    )
    library = FileLibrary(tmp_path, [record("p1", github=("o/r", "o/limited"))])
    code, out, err = invoke(library, stderr=Tty())
    assert code == 1
    assert env.github_requests()[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in env.arxiv_requests()[0].headers
    for path in tmp_path.rglob("*"):
        assert TOKEN not in path.read_text()
    assert TOKEN not in out + err
    assert "GitHub: rate limit reached" in err


def test_unreachable_services_exit_1_with_one_line_each(
    env: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, closed_port: int
) -> None:
    monkeypatch.setenv("PAPERDECK_ARXIV_API", f"http://127.0.0.1:{closed_port}/api/query")
    monkeypatch.setenv("PAPERDECK_GITHUB_API", f"http://127.0.0.1:{closed_port}")
    stored = Enrichment(arxiv_id="2408.07092", arxiv_status="timeout")
    library = FileLibrary(tmp_path, [record("p1", github=("o/r",), enrichment=stored)])
    code, out, err = invoke(library, query="Sparse")
    assert code == 1
    lines = err.splitlines()
    assert [line.split(":")[0] for line in lines] == ["GitHub", "arXiv"]
    assert all("cannot reach 127.0.0.1" in line for line in lines)
    assert "Traceback" not in err
    assert library.records()[0].enrichment == stored
    assert not (tmp_path / "enrichment.json").exists()


def test_only_the_asked_service_is_used(env: FakeApi, tmp_path: Path) -> None:
    env.repo("o/r", json_reply("github_repo.json"))
    library = FileLibrary(tmp_path, [record("p1", github=("o/r",))])
    code, out, _ = invoke(library, github=True)
    assert code == 0 and out.startswith("GitHub:") and "arXiv" not in out
    assert env.arxiv_requests() == []


def test_failures_are_listed_briefly(env: FakeApi, tmp_path: Path) -> None:
    env.arxiv(SPARSE, atom("arxiv_truncated.xml"))
    library = FileLibrary(tmp_path, [record(f"p{i}") for i in range(12)])
    code, _, err = invoke(library, arxiv=True)
    assert code == 0
    assert err.splitlines()[0] == "  p0: arXiv malformed"
    assert err.splitlines()[-1] == "  ... and 2 more"


def test_a_progress_bar_on_a_terminal(env: FakeApi, tmp_path: Path) -> None:
    env.arxiv("[bold]Markup[/] title \x1b]0;x\x07", atom("arxiv_empty.xml"))
    library = FileLibrary(tmp_path, [record("p1", "[bold]Markup[/] title \x1b]0;x\x07")])
    code, _, err = invoke(library, arxiv=True, stderr=Tty())
    assert code == 0
    assert "[bold]Markup[/] title" in err  # shown as typed, not as markup
    assert "\x07" not in err and "]0;x" not in err


def test_bad_settings_and_queries_are_usage_errors(
    env: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = FileLibrary(tmp_path, [record()])
    assert invoke(library, query="bad(")[0] == 2
    monkeypatch.setenv("PAPERDECK_ARXIV_DELAY", "soon")
    code, _, err = invoke(library)
    assert code == 2 and "PAPERDECK_ARXIV_DELAY" in err
    assert env.seen == []


def test_the_interrupt_handler_is_restored(env: FakeApi, tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGINT)
    invoke(FileLibrary(tmp_path, []))
    assert signal.getsignal(signal.SIGINT) is before


def test_no_token_problem_is_said_once(
    env: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    env.repo("o/r", json_reply("github_repo.json"))
    library = FileLibrary(tmp_path, [record("p1", github=("o/r",))])
    code, _, err = invoke(library, github=True)
    assert code == 0
    assert err.count("no usable system keyring") == 1
    assert "asking without a token" in err
