"""The configuration file: defaults, every setting read, bad values named, choices remembered."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from store.export.citekey import DEFAULT_PATTERN
from store.settings import (
    ExportSettings,
    Settings,
    SettingsError,
    config_path,
    load_settings,
    remember,
)

FULL = """\
# my paperdeck
theme = "nord"
sort = "date"

[keymap]
"app.help" = "f1"
"papers.tag" = "ctrl+t,f2"

[export]
directory = "~/notes"
format = "bib"

[citekey]
pattern = "auth + year"

[pull]
sources = ["hf", "arxiv:cs.LG"]

[sync]
folder = "/tmp/sync"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_means_defaults(tmp_path: Path) -> None:
    settings, problems = load_settings(tmp_path / "absent.toml")
    assert (settings, problems) == (Settings(), [])
    assert settings.citekey.pattern == DEFAULT_PATTERN
    assert settings.export == ExportSettings(None, "md")


def test_every_setting_is_read(tmp_path: Path) -> None:
    settings, problems = load_settings(write(tmp_path, FULL))
    assert problems == []
    assert (settings.theme, settings.sort) == ("nord", "date")
    assert dict(settings.keymap) == {"app.help": "f1", "papers.tag": "ctrl+t,f2"}
    assert settings.export == ExportSettings(Path("~/notes").expanduser(), "bib")
    assert settings.citekey.pattern == "auth + year"
    assert settings.pull.sources == ("hf", "arxiv:cs.LG")
    assert settings.sync.folder == Path("/tmp/sync")
    assert settings.to_json()["export"]["format"] == "bib"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('sort = "sideways"', "sort: 'sideways' is not one of relevance, date"),
        ("sort = 3", "sort: expected a text value, got int 3"),
        ('colour = "red"', "colour: unknown setting"),
        ('[export]\nformat = "docx"', "export.format: 'docx' is not one of md, bib, csl, ris"),
        ('[export]\nfolder = "x"', "export.folder: unknown setting"),
        ('[citekey]\npattern = "auth + nonsense"', "citekey.pattern: unknown field 'nonsense'"),
        ('[keymap]\n"app.help" = 5', "keymap.app.help: expected keys such as"),
        ('[keymap]\n"app.help" = "ctrl t!"', "keymap.app.help: expected keys such as"),
        ('[pull]\nsources = "hf"', "pull.sources: expected a list of names"),
        ('[pull]\nsources = ["gopher"]', "pull.sources: unknown source 'gopher'"),
        ('[pull]\nsources = ["arxiv:not a cat"]', "is not an arXiv category"),
        ('export = "x"', "export: expected a [export] table"),
    ],
)
def test_bad_settings_are_named_and_the_rest_applies(
    tmp_path: Path, text: str, problem: str
) -> None:
    settings, problems = load_settings(write(tmp_path, 'theme = "nord"\n' + text + "\n"))
    assert len(problems) == 1 and problem in problems[0]
    assert str(tmp_path / "config.toml") in problems[0] and "\n" not in problems[0]
    assert settings.theme == "nord"  # the good settings still count
    assert settings.sort is None and settings.export.format == "md"


def test_a_file_that_is_not_toml_gives_defaults_and_one_line(tmp_path: Path) -> None:
    settings, problems = load_settings(write(tmp_path, 'theme = "nord\n[[['))
    assert settings == Settings()
    assert len(problems) == 1 and "not valid TOML" in problems[0] and "line 1" in problems[0]
    undecodable = tmp_path / "bad.toml"
    undecodable.write_bytes(b"\xff\xfe theme")
    assert load_settings(undecodable)[0] == Settings()


def test_config_path_follows_the_environment(tmp_path: Path) -> None:
    assert config_path({"PAPERDECK_CONFIG": str(tmp_path / "c.toml")}) == tmp_path / "c.toml"
    assert config_path({}).name == "config.toml"


def test_remember_changes_one_line_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    os.chmod(path, 0o640)
    remember(path, "theme", "gruvbox")
    remember(path, "sort", "title")
    text = path.read_text(encoding="utf-8")
    assert text == FULL.replace('"nord"', '"gruvbox"').replace('sort = "date"', 'sort = "title"')
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert load_settings(path)[0].theme == "gruvbox"


def test_remember_adds_a_missing_choice_above_the_tables(tmp_path: Path) -> None:
    path = write(tmp_path, '[export]\nformat = "ris"  # keep me\n')
    remember(path, "theme", 'odd "quoted" théme')
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data == {"theme": 'odd "quoted" théme', "export": {"format": "ris"}}
    assert "# keep me" in path.read_text(encoding="utf-8")
    fresh = tmp_path / "new" / "config.toml"
    remember(fresh, "sort", "date")
    assert fresh.read_text(encoding="utf-8") == 'sort = "date"\n'


def test_remember_never_rewrites_a_broken_file(tmp_path: Path) -> None:
    path = write(tmp_path, "theme = [unclosed\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        remember(path, "theme", "nord")
    assert path.read_text(encoding="utf-8") == "theme = [unclosed\n"
    with pytest.raises(SettingsError, match="only theme, sort"):
        remember(path, "keymap", "x")
