"""`paperdeck doctor`: check every store file; `--restore` brings back the newest good backup."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from store.library import Library
from tui.cli.output import say
from tui.cli.parser import Subcommands


def run_doctor(library: Library, *, restore: bool, out: TextIO) -> int:
    """Problems name files and values that may hold anything: each line goes through `say`."""
    problems = 0
    for store_file, problem in library.check():
        name = store_file.path.name
        if problem is None:
            state = "ok" if store_file.path.exists() else "ok (not created yet)"
            say(f"{name}: {state}", out)
            continue
        problems += 1
        say(f"{name}: DAMAGED: {problem}", out)
        if not restore:
            continue
        backup = library.good_backup(store_file)
        if backup is None:
            hint = (
                "re-import your listings with `paperdeck import`"
                if store_file.kind in ("catalog", "abstracts")
                else "no backup to restore from"
            )
            say(f"{name}: no good backup found; {hint}", out)
            continue
        aside = library.restore(store_file, backup)
        say(f"{name}: restored from {backup}; the damaged file is kept as {aside}", out)
        problems -= 1
    if problems:
        say(
            f"{problems} damaged file(s). Run `paperdeck doctor --restore` to restore backups."
            if not restore
            else f"{problems} file(s) could not be restored.",
            out,
        )
        return 1
    return 0


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("doctor", parents=[common], help="check (or --restore) the store files")
    p.add_argument("--restore", action="store_true", help="restore the newest good backups")
    p.set_defaults(run=cmd_doctor, needs_store=False)


def cmd_doctor(args: argparse.Namespace, library: Library) -> int:
    return run_doctor(library, restore=args.restore, out=sys.stdout)
