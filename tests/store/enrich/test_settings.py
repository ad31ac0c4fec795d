"""FetchSettings.from_env: the one place fetch settings come from the environment."""

from __future__ import annotations

import pytest

from store.enrich.run import FetchSettings, FetchSummary
from store.errors import UsageError


def test_defaults_are_the_public_services() -> None:
    settings = FetchSettings.from_env({})
    assert settings.arxiv_api == "https://export.arxiv.org/api/query"
    assert settings.github_api == "https://api.github.com"
    assert settings.arxiv_delay == 3.0
    assert settings.max_bytes == 2 * 1024 * 1024
    assert settings.timeout > 0 and settings.retries > 0 and settings.github_concurrency > 1


def test_overrides() -> None:
    settings = FetchSettings.from_env(
        {
            "PAPERDECK_ARXIV_API": "http://127.0.0.1:9/api/query",
            "PAPERDECK_GITHUB_API": "https://ghe.example/api/v3/",
            "PAPERDECK_ARXIV_DELAY": "0.5",
            "PAPERDECK_FETCH_TIMEOUT": "4",
        }
    )
    assert settings.arxiv_api == "http://127.0.0.1:9/api/query"
    assert settings.github_api == "https://ghe.example/api/v3"
    assert (settings.arxiv_delay, settings.timeout) == (0.5, 4.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAPERDECK_ARXIV_API", "ftp://export.arxiv.org/api/query"),
        ("PAPERDECK_ARXIV_API", "export.arxiv.org/api/query"),
        ("PAPERDECK_GITHUB_API", "file:///etc/passwd"),
        ("PAPERDECK_ARXIV_DELAY", "-1"),
        ("PAPERDECK_ARXIV_DELAY", "nan"),
        ("PAPERDECK_ARXIV_DELAY", "three"),
        ("PAPERDECK_FETCH_TIMEOUT", "0"),
    ],
)
def test_unusable_values_are_usage_errors(name: str, value: str) -> None:
    with pytest.raises(UsageError) as caught:
        FetchSettings.from_env({name: value})
    assert name in str(caught.value)


@pytest.mark.parametrize(
    ("summary", "code"),
    [
        (FetchSummary(not_found=3, failed=2), 0),
        (FetchSummary(service_errors=["arXiv: cannot reach export.arxiv.org"]), 1),
        (FetchSummary(cancelled=True), 130),
    ],
)
def test_exit_code(summary: FetchSummary, code: int) -> None:
    assert summary.exit_code == code


def test_summary_lines_say_every_count() -> None:
    summary = FetchSummary(matched=3, not_found=2, failed=1, skipped=4, repos_ok=5, repos_skipped=6)
    assert summary.arxiv_line() == "arXiv: 3 matched, 2 not found, 1 failed, 4 skipped"
    assert summary.github_line() == "GitHub: 5 repos ok, 0 not found, 0 failed, 6 skipped"
