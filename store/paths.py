"""Where a user's data lives: `--db DIR`, else `$PAPERDECK_HOME`, else the platform's data dir."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

_XDG = {
    "data": ("XDG_DATA_HOME", ".local/share"),
    "config": ("XDG_CONFIG_HOME", ".config"),
    "cache": ("XDG_CACHE_HOME", ".cache"),
}


def user_directory(kind: str, environ: Mapping[str, str] = os.environ) -> Path:
    """platformdirs' `user_{kind}_dir("paperdeck")` (kind: data, config or cache). In the
    usual Linux case (an absolute `$XDG_..._HOME`, else an absolute `$HOME`) worked out here
    exactly as platformdirs does it: importing platformdirs, with the tempfile, shutil and
    compressors it brings, took 6-12 ms of every start. Anything else asks platformdirs."""
    if sys.platform.startswith("linux"):
        variable, default = _XDG[kind]
        base = environ.get(variable, "")
        if os.path.isabs(base):
            return Path(base) / "paperdeck"
        home = environ.get("HOME", "")
        if os.path.isabs(home):
            return Path(home) / default / "paperdeck"
    import platformdirs

    found: str = getattr(platformdirs, f"user_{kind}_dir")("paperdeck", appauthor=False)
    return Path(found)


def data_directory(option: str | None, environ: Mapping[str, str]) -> Path:
    if option:
        return Path(option).expanduser()
    home = environ.get("PAPERDECK_HOME")
    if home:
        return Path(home).expanduser()
    return user_directory("data", environ)


def bundled_seeds() -> list[Path]:
    """The Daily Papers listings shipped inside the package (`seeds/` in the repository): the
    package's folder as the import system finds it (importlib.resources, with zipfile, took
    9-13 ms of the app's start), else through importlib.resources (a zipped install)."""
    from importlib.util import find_spec

    spec = find_spec("store.seeds")
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    if folders and Path(folders[0]).is_dir():
        return sorted(path for path in Path(folders[0]).iterdir() if path.name.endswith(".txt"))
    from importlib.resources import files

    root = files("store.seeds")
    return sorted(Path(str(entry)) for entry in root.iterdir() if entry.name.endswith(".txt"))


def sync_directory(environ: Mapping[str, str]) -> Path | None:
    """The folder `PAPERDECK_SYNC_DIR` names: commands and the app sync through it by themselves."""
    value = environ.get("PAPERDECK_SYNC_DIR", "").strip()
    return Path(value).expanduser() if value else None
