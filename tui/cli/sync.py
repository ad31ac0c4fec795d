"""`paperdeck sync DIR` and the automatic sync `PAPERDECK_SYNC_DIR` asks for."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from store import json_text
from store.errors import PaperdeckError
from store.library import Library
from tui.cli.output import say
from tui.cli.parser import Subcommands
from tui.text import plural

if TYPE_CHECKING:
    from store.sync.exchange import ExchangeReport

CHANGES_STATE = frozenset({"tag", "note", "queue", "mark", "merge"})
"""Commands after which `PAPERDECK_SYNC_DIR` syncs again, so other devices see the change."""


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sync", parents=[common], help="exchange changes with other devices")
    p.add_argument(
        "folder",
        type=Path,
        metavar="DIR",
        help="a folder Syncthing, Dropbox, Nextcloud or iCloud shares, or a git working tree",
    )
    p.add_argument("--json", action="store_true", help="print what was exchanged as JSON")
    p.set_defaults(run=cmd_sync)


def cmd_sync(args: argparse.Namespace, library: Library) -> int:
    return run_sync(library, args.folder, as_json=args.json, out=sys.stdout, err=sys.stderr)


def describe(report: ExchangeReport) -> str:
    others = len(report.devices)
    text = (
        f"synced with {report.folder}: sent {plural(report.sent, 'change')}, received "
        f"{report.received} from {plural(others, 'other device')}"
    )
    if report.papers_added:
        text += f", {plural(report.papers_added, 'paper')} new here"
    return text


def run_sync(library: Library, folder: Path, *, as_json: bool, out: TextIO, err: TextIO) -> int:
    report = library.sync(folder)
    if as_json:
        out.write(json_text.dumps(report.to_json(), indent=2) + "\n")
    else:
        say(describe(report), out)
    for problem in report.problems:
        say(f"paperdeck: skipped: {problem}", err)
    return 1 if report.problems else 0


def auto_sync(library: Library, folder: Path, err: TextIO) -> None:
    """Sync on the side of another command: a problem is one warning line, never a failure of
    the command itself (its change is safe in this device's journal either way)."""
    try:
        report = library.sync(folder)
    except PaperdeckError as error:
        say(f"paperdeck: warning: PAPERDECK_SYNC_DIR: {error}", err)
        return
    for problem in report.problems:
        say(f"paperdeck: warning: skipped: {problem}", err)
