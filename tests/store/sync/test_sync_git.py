"""Two libraries sync through a real git repository (a bare remote, two clones): after every
sync each commits, pulls and pushes, and git never reports a conflict."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from store.library import Library
from store.paths import bundled_seeds

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(cwd),
            "PATH": "/usr/bin:/bin:/usr/local/bin",
        },
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    assert "CONFLICT" not in done.stdout + done.stderr
    return done.stdout


def publish(clone: Path) -> None:
    """What a user's sync script does after `paperdeck sync`."""
    git(clone, "add", "-A")
    if git(clone, "status", "--porcelain").strip():
        git(clone, "commit", "-q", "-m", "paperdeck sync")
    git(clone, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    git(clone, "push", "-q", "origin", "HEAD:main")


def test_two_devices_through_git_never_conflict(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    clones = []
    for name in ("laptop", "desktop"):
        clone = tmp_path / f"{name}-sync"
        git(tmp_path, "clone", "-q", str(remote), str(clone))
        git(clone, "checkout", "-q", "-B", "main")
        clones.append(clone)
    git(clones[0], "commit", "-q", "--allow-empty", "-m", "start")
    git(clones[0], "push", "-q", "origin", "main")
    git(clones[1], "pull", "-q", "origin", "main")

    libraries = [Library.open(tmp_path / "laptop"), Library.open(tmp_path / "desktop")]
    for library in libraries:
        library.import_files(bundled_seeds())
    ids = sorted(libraries[0].papers())[:8]
    rng = random.Random(7)
    for step in range(24):
        n = rng.randrange(2)
        library, clone = libraries[n], clones[n]
        pid = rng.choice(ids)
        action = rng.randrange(4)
        if action == 0:
            library.add_tags([pid], [f"t{step % 5}"])
        elif action == 1:
            library.set_note(pid, f"note {step} from {n}")
        elif action == 2:
            library.queue_toggle([pid])
        else:
            library.set_status([pid], rng.choice(["unread", "reading", "read"]))
        # Both devices change things before either has seen the other's changes.
        if step % 3 == 2:
            for other, other_clone in zip(libraries, clones, strict=True):
                git(other_clone, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
                other.sync(other_clone)
                publish(other_clone)
        else:
            git(clone, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
            library.sync(clone)
            publish(clone)
    for _ in range(2):
        for library, clone in zip(libraries, clones, strict=True):
            git(clone, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
            library.sync(clone)
            publish(clone)
    first, second = (
        ({pid: (s.tags, s.note, s.status) for pid, s in lib.states().items()}, lib.queue_ids())
        for lib in libraries
    )
    assert first == second
    assert any(s[0] for s in first[0].values())
