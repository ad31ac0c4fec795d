"""`paperdeck` with no command, and `paperdeck triage`: the only commands that import textual."""

from __future__ import annotations

import argparse
import os
import sys

from store.errors import UsageError
from store.library import Library
from store.paths import bundled_seeds, sync_directory
from tui.cli.parser import Subcommands


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("triage", parents=[common], help="open the app in triage mode")
    p.add_argument("--query", "-q", default="", help="triage only papers matching this")
    p.set_defaults(run=cmd_triage, needs_store=False)


def cmd_app(args: argparse.Namespace, library: Library) -> int:
    from tui.app import run_app

    _need_terminal()
    return run_app(library, seeds=bundled_seeds(), sync_folder=sync_directory(os.environ))


def cmd_triage(args: argparse.Namespace, library: Library) -> int:
    from store.search.language import parse_query

    parse_query(args.query)  # a bad query is a usage error here (exit 2), not in the app
    from tui.app import run_app

    _need_terminal()
    return run_app(
        library, seeds=bundled_seeds(), triage=args.query, sync_folder=sync_directory(os.environ)
    )


def _need_terminal() -> None:
    """One clear line instead of an app drawing into a file or spinning on a closed input."""
    problem = check_terminal()
    if problem is not None:
        raise UsageError(problem)


def check_terminal() -> str | None:
    """Why the app cannot run here (it needs a terminal on stdin and stdout), or None."""
    for name, stream in (("standard input", sys.stdin), ("standard output", sys.stdout)):
        try:
            interactive = stream is not None and stream.isatty()
        except (OSError, ValueError):
            interactive = False
        if not interactive:
            return (
                f"the app needs a terminal, and {name} is not one; run `paperdeck` in a "
                "terminal, or use a command such as `paperdeck list` (see `paperdeck --help`)"
            )
    return None
