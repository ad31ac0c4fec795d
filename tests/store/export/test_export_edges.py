"""Exports against hostile folders and kills (issue 17, items 8 and 14): the real command, real
files, real SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))
SEEDS = ROOT / "seeds"
MANIFEST = ".paperdeck-export.json"


def paperdeck(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PAPERDECK, "--db", str(db), *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "data"
    assert paperdeck("import", str(SEEDS), db=path).returncode == 0
    ids = paperdeck("list", "--limit", "3", db=path).stdout.splitlines()
    for n, line in enumerate(ids):
        assert (
            paperdeck("note", line.split("\t")[0], "--text", f"note {n}", db=path).returncode == 0
        )
    return path


def manifest_of(vault: Path) -> dict[str, dict[str, str]]:
    return json.loads((vault / MANIFEST).read_text())["files"]  # type: ignore[no-any-return]


# -- 8: the manifest names plain files inside the folder, nothing else -------------------------


def test_a_manifest_cannot_send_writes_outside_the_folder(db: Path, tmp_path: Path) -> None:
    vault = tmp_path / "shared" / "vault"
    assert paperdeck("export", "--dir", str(vault), db=db).returncode == 0
    entries = manifest_of(vault)
    assert len(entries) == 3
    names = sorted(entries)
    # A cloned vault's manifest, edited by someone else: a relative escape, an absolute path,
    # and a name that is a symlink to a file outside.
    precious = {
        tmp_path / "shared" / "escaped.md": "../escaped.md",
        tmp_path / "bashrc": str(tmp_path / "bashrc"),
        tmp_path / "linked": "linked.md",
    }
    hostile: dict[str, dict[str, str]] = {}
    for (target, name), old in zip(precious.items(), names, strict=True):
        target.write_text("precious")
        hostile[name] = {**entries[old], "sha256": "0" * 64}
        (vault / old).unlink()
    (vault / "linked.md").symlink_to(tmp_path / "linked")
    (vault / MANIFEST).write_text(json.dumps({"files": hostile}))

    result = paperdeck("export", "--dir", str(vault), "--force", db=db)

    assert result.returncode == 0, result.stderr
    for target in precious:
        assert target.read_text() == "precious", target
    assert (vault / "linked.md").is_symlink()
    assert "not a plain file name" in result.stderr and "not a regular file" in result.stderr
    assert all("/" not in name and "\\" not in name for name in manifest_of(vault))
    # The two papers whose names were refused were exported inside the folder instead.
    assert len([p for p in vault.glob("*.md") if not p.is_symlink()]) == 2


# -- 14: a killed export leaves nothing that the next export doubles or trips on -------------


def test_a_killed_directory_export_is_completed_not_doubled(db: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    assert paperdeck("export", "--dir", str(clean), "--all", db=db).returncode == 0
    expected = sorted(p.name for p in clean.glob("*.md"))
    assert len(expected) == 212

    killed_midway = 0
    for attempt in range(6):
        vault = tmp_path / f"vault-{attempt}"
        process = subprocess.Popen(
            [PAPERDECK, "--db", str(db), "export", "--dir", str(vault), "--all"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if vault.is_dir() and len(os.listdir(vault)) > 20:
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.0005)
        process.wait()
        landed = len(list(vault.glob("*.md"))) if vault.is_dir() else 0
        if process.returncode == -signal.SIGKILL and 0 < landed < 212:
            killed_midway += 1
        result = paperdeck("export", "--dir", str(vault), "--all", db=db)
        assert result.returncode == 0, result.stderr
        assert "skipped" not in result.stderr.replace("0 skipped", ""), result.stderr
        assert sorted(p.name for p in vault.glob("*.md")) == expected
        assert not [p for p in vault.iterdir() if p.name.endswith(".tmp")]
        if killed_midway >= 2:
            break
    assert killed_midway, "the export always finished before the kill; nothing was tested"


def test_an_export_file_cleans_the_temp_a_killed_export_left(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "notes.md"
    # What SIGKILL between mkstemp and rename leaves: `write_atomic_bytes`'s temp name.
    leftover = tmp_path / ".notes.md.k3j9x_2a.tmp"
    leftover.write_text("half an export")
    unrelated = tmp_path / ".other.md.k3j9x_2a.tmp"
    unrelated.write_text("not ours to remove")
    result = paperdeck("export", "-o", str(target), db=db)
    assert result.returncode == 0, result.stderr
    assert not leftover.exists() and unrelated.exists()
    assert "note 0" in target.read_text()


def test_a_term_signal_during_export_leaves_no_temp(db: Path, tmp_path: Path) -> None:
    """SIGTERM (a closed session, `timeout`) is an orderly exit: the temp file is removed."""
    removed = 0
    for attempt in range(20):
        target = tmp_path / f"all-{attempt}.json"
        process = subprocess.Popen(
            [PAPERDECK, "--db", str(db), "export", "--all", "-f", "json", "-o", str(target)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        temps = f".{target.name}.*.tmp"
        while process.poll() is None and time.monotonic() < deadline:
            if any(tmp_path.glob(temps)):
                process.send_signal(signal.SIGTERM)
                break
            time.sleep(0.0002)
        _, stderr = process.communicate(timeout=30)
        assert "Traceback" not in stderr
        assert not list(tmp_path.glob(temps))
        if process.returncode != 0:
            removed += 1
            if removed >= 2:
                break
    if not removed:
        pytest.skip("the export always finished before SIGTERM arrived")
