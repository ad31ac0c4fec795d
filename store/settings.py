"""The user's configuration: one TOML file, read with tomllib into frozen dataclasses.

    theme = "textual-dark"           # the app's colours (any Textual theme name)
    sort = "date"                    # default order: relevance, date, upvotes, title, added

    [keymap]                         # binding id = keys (see `paperdeck config show`)
    "papers.tag" = "ctrl+t"

    [export]
    directory = "~/notes/papers"     # where `export` writes when given no -o/--dir
    format = "bib"                   # md, bib, csl, ris or json

    [citekey]
    pattern = "auth.lower + year + shorttitle(3, 3)"

    [pull]
    sources = ["hf", "arxiv:cs.LG"]

    [sync]
    folder = "~/Sync/paperdeck"

Where: `$PAPERDECK_CONFIG`, else `config.toml` in the platform's config directory.  A setting
that is unknown or of the wrong kind is reported in one line naming it and left at its default;
the rest of the file still applies.  `remember` writes one top-level choice back (theme, sort)
in place, keeping every other line of the file as the user wrote it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from store.atomic import write_atomic
from store.errors import StoreError, UsageError
from store.export.formats import DEFAULT_PATTERN, FORMATS
from store.files.storage import file_lock
from store.search.language import SORTS

CONFIG_NAME = "config.toml"
_REMEMBERED = ("theme", "sort")
_KEYS_SPEC = re.compile(r"^[\w+\-]+(?:,[\w+\-]+)*$")


class SettingsError(UsageError):
    pass


class ExportSettings(NamedTuple):
    directory: Path | None = None
    """Default folder for `export` given no -o/--dir (a file named for the format goes there)."""
    format: str = "md"


class CitekeySettings(NamedTuple):
    pattern: str = DEFAULT_PATTERN
    """Formula for new citation keys; stored keys never change unless `paperdeck rekey`."""


class PullSettings(NamedTuple):
    sources: tuple[str, ...] = ()
    """What `paperdeck pull` fetches when named nothing: `hf`, `arxiv:CATEGORY`."""


class SyncSettings(NamedTuple):
    folder: Path | None = None


@dataclass(frozen=True)
class Settings:
    theme: str | None = None
    """A Textual theme name; None: the app's default.  Checked by the app, which knows them."""
    sort: str | None = None
    """Default order of the papers list; None: relevance while filtering, else date."""
    keymap: Mapping[str, str] = field(default_factory=dict)
    """Binding id -> keys (`ctrl+t` or `f2,ctrl+t`); ids are checked by the app."""
    export: ExportSettings = field(default_factory=ExportSettings)
    citekey: CitekeySettings = field(default_factory=CitekeySettings)
    pull: PullSettings = field(default_factory=PullSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)

    def with_top_level(self, key: str, value: str) -> Settings:
        """A copy with `theme` or `sort` replaced (what the app remembers)."""
        if key not in _REMEMBERED:
            raise SettingsError(
                f"config: {key} cannot be remembered; only {', '.join(_REMEMBERED)}"
            )
        return replace(self, theme=value) if key == "theme" else replace(self, sort=value)

    def to_json(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "sort": self.sort,
            "keymap": dict(self.keymap),
            "export": {
                "directory": str(self.export.directory) if self.export.directory else None,
                "format": self.export.format,
            },
            "citekey": {"pattern": self.citekey.pattern},
            "pull": {"sources": list(self.pull.sources)},
            "sync": {"folder": str(self.sync.folder) if self.sync.folder else None},
        }


def config_path(environ: Mapping[str, str]) -> Path:
    override = environ.get("PAPERDECK_CONFIG", "").strip()
    if override:
        return Path(override).expanduser()
    from store.paths import user_directory  # only when the environment does not say

    return user_directory("config", environ) / CONFIG_NAME


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def bad(self, key: str, what: str) -> None:
        self.problems.append(f"{self.path}: {key}: {what}; using the default")

    def text(self, table: Mapping[str, Any], key: str, name: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.bad(name, f"expected a text value, got {_shown(value)}")
            return None
        return value.strip()

    def choice(
        self, table: Mapping[str, Any], key: str, name: str, options: tuple[str, ...]
    ) -> str | None:
        value = self.text(table, key, name)
        if value is not None and value not in options:
            self.bad(name, f"{value!r} is not one of {', '.join(options)}")
            return None
        return value

    def folder(self, table: Mapping[str, Any], key: str, name: str) -> Path | None:
        value = self.text(table, key, name)
        return Path(value).expanduser() if value is not None else None

    def table(self, data: Mapping[str, Any], key: str, known: tuple[str, ...]) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.bad(key, f"expected a [{key}] table, got {_shown(value)}")
            return {}
        for unknown in sorted(set(value) - set(known)):
            self.problems.append(
                f"{self.path}: {key}.{unknown}: unknown setting (known: {', '.join(known)}); "
                "ignored"
            )
        return value


def _shown(value: object) -> str:
    return f"{type(value).__name__} {json.dumps(value, default=str)[:40]}"


_TOP = ("theme", "sort", "keymap", "export", "citekey", "pull", "sync")


def parse_settings(data: Mapping[str, Any], path: Path) -> tuple[Settings, list[str]]:
    """Settings from a decoded TOML document, and one line per setting that was not used."""
    reader = _Reader(path)
    for unknown in sorted(set(data) - set(_TOP)):
        reader.problems.append(
            f"{path}: {unknown}: unknown setting (known: {', '.join(_TOP)}); ignored"
        )
    keymap: dict[str, str] = {}
    for binding, keys in reader.table(data, "keymap", tuple(data.get("keymap", {}) or ())).items():
        if isinstance(keys, str) and _KEYS_SPEC.match(keys.replace(" ", "")):
            keymap[str(binding)] = keys.replace(" ", "")
        else:
            reader.bad(f"keymap.{binding}", f'expected keys such as "ctrl+t", got {_shown(keys)}')
    export = reader.table(data, "export", ("directory", "format"))
    citekey = reader.table(data, "citekey", ("pattern",))
    pattern = reader.text(citekey, "pattern", "citekey.pattern")
    if pattern is not None:
        from store.export.citekey import PatternError, parse_pattern  # only for a pattern set

        try:
            parse_pattern(pattern)
        except PatternError as error:
            reader.bad("citekey.pattern", str(error).removeprefix("citation key pattern: "))
            pattern = None
    pull = reader.table(data, "pull", ("sources",))
    sources = pull.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
        reader.bad("pull.sources", f"expected a list of names, got {_shown(sources)}")
        sources = []
    elif sources:
        from store.pull.run import parse_source  # only when sources are configured

        try:
            for source in sources:
                parse_source(source, name="pull.sources")
        except UsageError as error:
            reader.bad("pull.sources", str(error).removeprefix("pull.sources: "))
            sources = []
    sync = reader.table(data, "sync", ("folder",))
    settings = Settings(
        theme=reader.text(data, "theme", "theme"),
        sort=reader.choice(data, "sort", "sort", SORTS),
        keymap=keymap,
        export=ExportSettings(
            directory=reader.folder(export, "directory", "export.directory"),
            format=reader.choice(export, "format", "export.format", FORMATS) or "md",
        ),
        citekey=CitekeySettings(pattern or DEFAULT_PATTERN),
        pull=PullSettings(tuple(sources)),
        sync=SyncSettings(reader.folder(sync, "folder", "sync.folder")),
    )
    return settings, reader.problems


def load_settings(path: Path) -> tuple[Settings, list[str]]:
    """The settings in `path` (defaults when it does not exist) and what was wrong with it.

    Never raises for the file's content: a file that is not TOML gives the defaults and one
    line saying where it broke."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(), []
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)[:80]
        return Settings(), [f"{path}: cannot read ({reason}); using the default settings"]
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return Settings(), [f"{path}: not valid TOML ({error}); using the default settings"]
    return parse_settings(data, path)


def remember(path: Path, key: str, value: str) -> None:
    """Set a top-level choice made in the app (`theme`, `sort`) in the file, in place.

    Every other line stays as the user wrote it (comments too); the result is checked to be
    valid TOML before it replaces the file, atomically and under a lock."""
    if key not in _REMEMBERED:
        raise SettingsError(f"config: {key} cannot be remembered; only {', '.join(_REMEMBERED)}")
    line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
    import tomllib

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with file_lock(path.with_name(f".{path.name}.lock"), 5.0):
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                text = ""
            updated = _set_top_level(text, key, line)
            try:
                before = tomllib.loads(text)
                after = tomllib.loads(updated)
            except tomllib.TOMLDecodeError as error:
                raise SettingsError(
                    f"{path}: not valid TOML ({error}); fix it to have choices remembered"
                ) from None
            others_kept = {k: v for k, v in after.items() if k != key} == {
                k: v for k, v in before.items() if k != key
            }
            if not others_kept or after.get(key) != value:  # a guard: touch nothing else
                raise SettingsError(f"{path}: could not update {key} safely; edit it by hand")
            mode = path.stat().st_mode & 0o777 if path.exists() else None
            write_atomic(path, updated.encode("utf-8"), mode=mode)
    except OSError as error:
        raise SettingsError(f"{path}: cannot write ({error.strerror or error})") from None
    except StoreError as error:
        raise SettingsError(str(error)) from None


def _set_top_level(text: str, key: str, line: str) -> str:
    lines = text.splitlines(keepends=True)
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for index, current in enumerate(lines):
        if current.lstrip().startswith("["):
            break  # top-level keys end where the first table begins
        if pattern.match(current):
            ending = "\n" if current.endswith("\n") else ""
            lines[index] = line + ending
            return "".join(lines)
    # Not set yet: add it before the first table (or at the end of a table-less file).
    for index, current in enumerate(lines):
        if current.lstrip().startswith("["):
            lines.insert(index, line + "\n")
            return "".join(lines)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines) + line + "\n"
