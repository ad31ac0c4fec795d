"""`tui.cli.leave`: a command ends without the interpreter's teardown, and nothing it would
have done on a normal exit is lost (exit handlers, buffered output, threads still working)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PAPERDECK = str(Path(sys.executable).with_name("paperdeck"))


def python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def test_leaving_runs_exit_handlers_and_flushes_but_frees_nothing() -> None:
    done = python(
        "import atexit, sys\n"
        "from tui.cli import leave\n"
        "class Freed:\n"
        "    def __del__(self): print('freed one by one')\n"
        "kept = Freed()\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "print('printed', end=' ')\n"  # buffered: stdout is a pipe
        "print('said', file=sys.stderr, end='')\n"
        "leave(3)\n"
        "print('never')\n"
    )
    assert done.returncode == 3
    assert done.stdout == "printed handler ran\n"  # no teardown: `kept` was never freed
    assert done.stderr == "said"


def test_what_a_leaving_command_lets_go_of_is_kept_unfreed_and_out_of_collections() -> None:
    let_go = (
        "import gc\n"
        "from store import memory\n"
        "from tui.cli import leave\n"
        "class Freed:\n"
        "    def __del__(self): print('freed', flush=True)\n"
        "{keep}"
        "done = [Freed()]\n"
        "memory.let_go(done)\n"
        "del done\n"
        "print('frozen', gc.get_freeze_count() > 0)\n"
        "leave(0)\n"
    )
    leaving = python(let_go.format(keep="memory.keep_until_exit()\n"))
    assert leaving.returncode == 0, leaving.stderr
    assert leaving.stdout == "frozen True\n"  # never freed, not even at the end
    staying = python(let_go.format(keep=""))  # the app: freed as soon as dropped
    assert staying.returncode == 0, staying.stderr
    assert staying.stdout == "freed\nfrozen False\n"


def test_a_thread_still_working_is_waited_for_as_on_a_normal_exit() -> None:
    done = python(
        "import threading, time\n"
        "from tui.cli import leave\n"
        "worker = threading.Thread(target=lambda: (time.sleep(0.3), print('thread done')))\n"
        "worker.start()\n"
        "code = leave(4)\n"
        "print('returned', code)\n"
        "raise SystemExit(code)\n"
    )
    assert done.returncode == 4
    assert done.stdout == "returned 4\nthread done\n"


def test_a_command_whose_reader_left_still_ends_quietly(tmp_path: Path) -> None:
    db = tmp_path / "db"
    imported = subprocess.run(
        [PAPERDECK, "--db", str(db), "import", str(ROOT / "seeds")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert imported.returncode == 0 and "212 new" in imported.stdout
    listed = subprocess.run(
        # 300 kB of JSON: more than the pipe holds once `head` has gone.
        f"'{PAPERDECK}' --db '{db}' list --json --limit 200 | head -1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0 and listed.stdout.count("\n") == 1
    assert listed.stderr == ""
