"""`paperdeck config`, `completion`, `rekey`, the new export formats and `--json` on every
command that reports something, run as a user runs them (a subprocess on a temp store)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))
SEEDS = ROOT / "seeds"


def run(
    *args: str, db: Path | None = None, config: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if config is not None:
        env["PAPERDECK_CONFIG"] = str(config)
    prefix = ["--db", str(db)] if db is not None else []
    return subprocess.run(
        [PAPERDECK, *prefix, *args], capture_output=True, text=True, input=stdin, env=env
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    result = run("import", str(SEEDS), "--json", db=path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["listings"], report["new"], report["merged"]) == (288, 212, 0)
    return path


def first_ids(db: Path, n: int = 2) -> list[str]:
    listed = json.loads(run("list", "--json", "--limit", str(n), "--sort", "title", db=db).stdout)
    return [str(r["id"]) for r in listed]


def test_config_path_and_show(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "config.toml"
    assert run("config", "path", config=config).stdout == f"{config}\n"
    shown = run("config", "show", config=config)
    assert shown.returncode == 0 and "not created yet" in shown.stdout
    assert 'pattern = "auth.lower + year + shorttitle(3, 3)"' in shown.stdout
    config.parent.mkdir()
    config.write_text('sort = "title"\n[export]\nformat = "ris"\n[keymap]\n"app.help" = "f1"\n')
    body = json.loads(run("config", "show", "--json", config=config).stdout)
    assert body["exists"] and body["problems"] == []
    assert body["settings"]["export"]["format"] == "ris"
    assert body["settings"]["keymap"] == {"app.help": "f1"}
    # `config show` prints a file the user can start from: it reads back as the same settings.
    copy = tmp_path / "copy.toml"
    copy.write_text(run("config", "show", config=config).stdout)
    again = json.loads(run("config", "show", "--json", config=copy).stdout)
    assert again["settings"] == body["settings"] and again["problems"] == []


def test_bad_settings_warn_one_line_each_and_commands_still_run(db: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('sort = "sideways"\ncolour = "red"\n[export]\nformat = "ris"\n')
    result = run("export", "--query", "", "--all", db=db, config=config)
    assert result.returncode == 0
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 2 and all(w.startswith("paperdeck: warning: ") for w in warnings)
    assert "colour: unknown setting" in warnings[0] and "sort: 'sideways'" in warnings[1]
    assert result.stdout.startswith("TY  - ")  # the good setting (format) applies
    config.write_text("this is [not toml")
    broken = run("list", "--limit", "1", db=db, config=config)
    assert broken.returncode == 0 and "not valid TOML" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_export_formats_and_the_configured_folder(db: Path, tmp_path: Path) -> None:
    a, b = first_ids(db)
    run("note", a, "--text", "# idea\n\n---\ntitle: x\n---", db=db)
    for fmt, start in (("bib", "@misc{"), ("csl", "["), ("ris", "TY  - UNPB"), ("md", "# ")):
        result = run("export", "--format", fmt, "--all", "-q", "", db=db)
        assert result.returncode == 0 and result.stdout.startswith(start), (fmt, result.stderr)
    items = json.loads(run("export", "-f", "csl", "--all", db=db).stdout)
    keys = {r["id"]: r["citekey"] for r in json.loads(run("list", "--json", db=db).stdout)}
    assert {i["id"] for i in items} == set(keys.values())  # CSL ids are the stored keys
    folder = tmp_path / "exports"
    config = tmp_path / "config.toml"
    config.write_text(f'[export]\ndirectory = "{folder}"\nformat = "bib"\n')
    old = os.umask(0o022)
    try:
        first = run("export", "--all", "--json", db=db, config=config)
        again = run("export", "--all", "--json", db=db, config=config)
    finally:
        os.umask(old)
    assert first.returncode == 0 and again.returncode == 0, again.stderr
    written = Path(json.loads(first.stdout)["path"])
    assert written == folder / "paperdeck.bib" and written.read_text().startswith("@misc{")
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    notes = run("export", "--format", "md", "--json", db=db, config=config)
    report = json.loads(notes.stdout)
    assert report["directory"] == str(folder) and len(report["written"]) == 1
    assert run("export", "-f", "md", "--stdout", db=db, config=config).stdout.startswith("# ")


def test_keys_stay_put_until_rekey(db: Path, tmp_path: Path) -> None:
    (a,) = first_ids(db, 1)
    shown = json.loads(run("show", a, "--json", db=db).stdout)
    key = shown["citekey"]
    assert key and key == json.loads(run("show", a, "--json", db=db).stdout)["citekey"]
    config = tmp_path / "config.toml"
    config.write_text('[citekey]\npattern = "id + \\"x\\""\n')
    assert json.loads(run("show", a, "--json", db=db, config=config).stdout)["citekey"] == key
    title = str(shown["title"])
    changed = json.loads(run("rekey", "-q", title, "--json", db=db, config=config).stdout)
    assert {"id": a, "citekey": f"{a}x", "previous": key} in changed
    after = json.loads(run("show", a, "--json", db=db).stdout)
    assert (after["citekey"], after["citekey_aliases"]) == (f"{a}x", [key])
    assert "citekey" in run("show", a, db=db).stdout


def test_json_on_commands_that_report(db: Path) -> None:
    a, b = first_ids(db)
    assert json.loads(run("tag", a, "c++", "--json", db=db).stdout) == {"id": a, "tags": ["c++"]}
    assert json.loads(run("note", a, "--text", "hi", "--json", db=db).stdout)["characters"] == 2
    assert json.loads(run("mark", a, "read", "--json", db=db).stdout)["status"] == "read"
    assert json.loads(run("queue", "add", b, "--json", db=db).stdout) == {"queue": [b]}
    run("show", b, "--json", db=db)  # b's key is now in use
    merged = json.loads(run("merge", a, b, "--json", db=db).stdout)
    assert merged["kept"] == a and len(merged["citekey_aliases"]) == 1
    doctor = json.loads(run("doctor", "--json", db=db).stdout)
    assert doctor["exit_code"] == 0
    subjects = {f.get("subject") for f in doctor["findings"]}
    assert {"catalog.json", "state.json", "citekeys.json", "journal"} <= subjects
    fetched = run("fetch", "--github", "-q", "no such paper at all", "--json", db=db)
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout)["github"]["ok"] == 0


# -- completion --------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_are_valid_shell(shell: str, tmp_path: Path) -> None:
    result = run("completion", shell)
    assert result.returncode == 0 and "paperdeck" in result.stdout
    for word in ("rekey", "completion", "export"):
        assert word in result.stdout
    binary = shutil.which(shell)
    if binary is None:
        pytest.skip(f"{shell} is not installed")
    script = tmp_path / f"paperdeck.{shell}"
    script.write_text(result.stdout)
    checked = subprocess.run([binary, "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def bash_complete(script: Path, *words: str) -> list[str]:
    line = " ".join(f"'{w}'" for w in words)
    program = (
        f"source {script}; COMP_WORDS=(paperdeck {line}); COMP_CWORD={len(words)}; "
        '_paperdeck; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    out = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_bash_completion_completes_commands_options_and_choices(tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    script = tmp_path / "paperdeck.bash"
    script.write_text(run("completion", "bash").stdout)
    assert "rekey" in bash_complete(script, "re")
    assert bash_complete(script, "export", "--format", "") == ["md", "bib", "csl", "ris", "json"]
    assert bash_complete(script, "list", "--so") == ["--sort"]
    assert bash_complete(script, "mark", "abc", "re") == ["reading", "read"]
    assert bash_complete(script, "queue", "") == ["add", "remove", "list"]
    assert bash_complete(script, "--db", "/tmp", "config", "") == ["path", "show"]
    assert bash_complete(script, "completion", "") == ["bash", "zsh", "fish"]


def test_fish_completion_offers_subcommands(tmp_path: Path) -> None:
    fish = shutil.which("fish")
    if fish is None:
        pytest.skip("fish is not installed")
    script = tmp_path / "paperdeck.fish"
    script.write_text(run("completion", "fish").stdout)
    program = f"source {script}; complete -C 'paperdeck export --format '"
    out = subprocess.run([fish, "-c", program], capture_output=True, text=True, check=True)
    assert {line.split("\t")[0] for line in out.stdout.splitlines()} == {
        "md", "bib", "csl", "ris", "json"
    }  # fmt: skip
