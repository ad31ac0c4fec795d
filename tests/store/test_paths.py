"""Where a user's data, configuration and drafts live: worked out as platformdirs does on Linux,
without importing it for every command."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest

from store.paths import bundled_seeds, data_directory, user_directory
from store.settings import CONFIG_NAME, config_path

ENVIRONMENTS = [
    {"HOME": "/home/ada"},
    {"HOME": "/home/ada/"},
    {
        "HOME": "/home/ada",
        "XDG_DATA_HOME": "/data",
        "XDG_CONFIG_HOME": "/conf/",
        "XDG_CACHE_HOME": "/c",
    },
    {
        "HOME": "/home/ada",
        "XDG_DATA_HOME": "relative",
        "XDG_CONFIG_HOME": "",
        "XDG_CACHE_HOME": "~/c",
    },
    {"HOME": "relative/home"},  # platformdirs decides: not an absolute home
    {},
]


@pytest.mark.parametrize("environ", ENVIRONMENTS)
@pytest.mark.parametrize("kind", ["data", "config", "cache"])
def test_user_directories_are_platformdirs_own(
    environ: dict[str, str], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    try:
        expected = Path(getattr(platformdirs, f"user_{kind}_dir")("paperdeck", appauthor=False))
    except RuntimeError:  # no home platformdirs can resolve: the same error either way
        with pytest.raises(RuntimeError):
            user_directory(kind, environ)
        return
    assert user_directory(kind, environ) == expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG layout is Linux's")
def test_commands_find_the_data_and_configuration_where_xdg_says() -> None:
    environ = {"HOME": "/home/ada", "XDG_CONFIG_HOME": "/etc-ada"}
    assert data_directory(None, environ) == Path("/home/ada/.local/share/paperdeck")
    assert config_path(environ) == Path("/etc-ada/paperdeck") / CONFIG_NAME
    assert data_directory(None, {**environ, "PAPERDECK_HOME": "/papers"}) == Path("/papers")


def test_the_bundled_seeds_are_the_packages_own_listings() -> None:
    from importlib.resources import files

    shipped = sorted(
        Path(str(entry)) for entry in files("store.seeds").iterdir() if entry.name.endswith(".txt")
    )
    assert shipped and bundled_seeds() == shipped
