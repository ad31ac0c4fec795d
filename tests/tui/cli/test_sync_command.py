"""`paperdeck sync DIR` and `PAPERDECK_SYNC_DIR`, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))


def run(db: Path, *args: str, sync_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PAPERDECK_SYNC_DIR"}
    if sync_dir is not None:
        env["PAPERDECK_SYNC_DIR"] = str(sync_dir)
    return subprocess.run(
        [PAPERDECK, "--db", str(db), *args], capture_output=True, text=True, env=env
    )


def test_sync_command_reports_and_is_idempotent(tmp_path: Path) -> None:
    laptop, desktop, folder = tmp_path / "laptop", tmp_path / "desktop", tmp_path / "Sync"
    folder.mkdir()
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    assert run(laptop, "import", str(seed)).returncode == 0
    listed = json.loads(run(laptop, "list", "--json", "--limit", "1").stdout)
    pid = listed[0]["id"]
    assert run(laptop, "tag", pid[:8], "shared").returncode == 0
    sent = run(laptop, "sync", str(folder), "--json")
    assert sent.returncode == 0, sent.stderr
    assert json.loads(sent.stdout)["sent"] == 1
    got = run(desktop, "sync", str(folder))  # a device that never imported anything
    assert got.returncode == 0, got.stderr
    assert "received 1 from 1 other device(s), 1 paper(s) new here" in got.stdout
    shown = json.loads(run(desktop, "show", pid[:8], "--json").stdout)
    assert shown["tags"] == ["shared"] and shown["title"] == listed[0]["title"]
    again = json.loads(run(desktop, "sync", str(folder), "--json").stdout)
    assert (again["sent"], again["received"], again["papers_added"]) == (0, 0, 0)


def test_sync_dir_in_the_environment_syncs_every_command(tmp_path: Path) -> None:
    laptop, desktop, folder = tmp_path / "laptop", tmp_path / "desktop", tmp_path / "Sync"
    folder.mkdir()
    for db in (laptop, desktop):
        assert run(db, "import", str(ROOT / "seeds")).returncode == 0
    pid = json.loads(run(laptop, "list", "--json", "--limit", "1").stdout)[0]["id"]
    assert run(laptop, "note", pid[:8], "--text", "hello", sync_dir=folder).returncode == 0
    # No explicit sync anywhere: the desktop's next command picks the note up.
    shown = run(desktop, "show", pid[:8], "--json", sync_dir=folder)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["note"] == "hello"


def test_a_missing_folder_is_one_line_and_a_warning_for_automatic_sync(tmp_path: Path) -> None:
    db = tmp_path / "data"
    assert run(db, "import", str(ROOT / "seeds")).returncode == 0
    missing = run(db, "sync", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "no such directory" in missing.stderr
    pid = json.loads(run(db, "list", "--json", "--limit", "1").stdout)[0]["id"]
    tagged = run(db, "tag", pid[:8], "kept", sync_dir=tmp_path / "nowhere")
    assert tagged.returncode == 0  # the change is saved; sync only warns
    assert "warning: PAPERDECK_SYNC_DIR" in tagged.stderr and "Traceback" not in tagged.stderr
