"""Where a user's data lives: `--db DIR`, else `$PAPERDECK_HOME`, else the platform's data dir."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def data_directory(option: str | None, environ: Mapping[str, str]) -> Path:
    if option:
        return Path(option).expanduser()
    home = environ.get("PAPERDECK_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs  # only when neither --db nor PAPERDECK_HOME says where

    return Path(platformdirs.user_data_dir("paperdeck", appauthor=False))


def bundled_seeds() -> list[Path]:
    """The Daily Papers listings shipped inside the package (`seeds/` in the repository)."""
    from importlib.resources import files

    root = files("store.seeds")
    return sorted(Path(str(entry)) for entry in root.iterdir() if entry.name.endswith(".txt"))


def sync_directory(environ: Mapping[str, str]) -> Path | None:
    """The folder `PAPERDECK_SYNC_DIR` names: commands and the app sync through it by themselves."""
    value = environ.get("PAPERDECK_SYNC_DIR", "").strip()
    return Path(value).expanduser() if value else None
