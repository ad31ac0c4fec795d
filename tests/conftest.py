"""Shared fixtures: no test touches a real data directory or a real token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from store.library import Library
from store.paths import bundled_seeds

# The local stand-in for arXiv and GitHub (and its autouse guard: no proxy, no real keyring).
pytest_plugins = ["tests.fakes.api"]

FIXED_NOW = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
"""The project's checkout: where `seeds/` and `pyproject.toml` are."""
DATA = ROOT / "tests" / "data"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Keep the machine running the tests out of them."""
    home = tmp_path / "paperdeck-home"
    monkeypatch.setenv("PAPERDECK_HOME", str(home))
    monkeypatch.setenv("PAPERDECK_CONFIG", str(tmp_path / "paperdeck-config" / "config.toml"))
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    # Drafts a failing store could not take go to the user's cache directory.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield home


@pytest.fixture
def seeds() -> list[Path]:
    return bundled_seeds()


@pytest.fixture
def library(tmp_path: Path, seeds: list[Path]) -> Library:
    """A Library on a temp dir with the bundled seeds imported, at a fixed time."""
    lib = Library.open(tmp_path / "data", now=lambda: FIXED_NOW)
    lib.import_files(seeds)
    return lib
