"""`paperdeck doctor`: check every store file; `--restore` brings back the newest good backup."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from store.library import Library
from tui.cli.parser import Subcommands


def run_doctor(library: Library, *, restore: bool, out: TextIO) -> int:
    problems = 0
    for store_file, problem in library.check():
        name = store_file.path.name
        if problem is None:
            state = "ok" if store_file.path.exists() else "ok (not created yet)"
            out.write(f"{name}: {state}\n")
            continue
        problems += 1
        out.write(f"{name}: DAMAGED: {problem}\n")
        if not restore:
            continue
        backup = library.good_backup(store_file)
        if backup is None:
            hint = (
                "re-import your listings with `paperdeck import`"
                if store_file.kind in ("catalog", "abstracts")
                else "no backup to restore from"
            )
            out.write(f"{name}: no good backup found; {hint}\n")
            continue
        aside = library.restore(store_file, backup)
        out.write(f"{name}: restored from {backup}; the damaged file is kept as {aside}\n")
        problems -= 1
    if problems:
        out.write(
            f"{problems} damaged file(s). Run `paperdeck doctor --restore` to restore backups.\n"
            if not restore
            else f"{problems} file(s) could not be restored.\n"
        )
        return 1
    return 0


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("doctor", parents=[common], help="check (or --restore) the store files")
    p.add_argument("--restore", action="store_true", help="restore the newest good backups")
    p.set_defaults(run=cmd_doctor, needs_store=False)


def cmd_doctor(args: argparse.Namespace, library: Library) -> int:
    return run_doctor(library, restore=args.restore, out=sys.stdout)
