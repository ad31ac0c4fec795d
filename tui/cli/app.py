"""`paperdeck` with no command, and `paperdeck triage`: the only commands that import textual."""

from __future__ import annotations

import argparse

from store.library import Library
from store.paths import bundled_seeds
from tui.cli.parser import Subcommands


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("triage", parents=[common], help="open the app in triage mode")
    p.add_argument("--query", "-q", default="", help="triage only papers matching this")
    p.set_defaults(run=cmd_triage, needs_store=False)


def cmd_app(args: argparse.Namespace, library: Library) -> int:
    from tui.app import run_app

    return run_app(library, seeds=bundled_seeds())


def cmd_triage(args: argparse.Namespace, library: Library) -> int:
    from tui.app import run_app

    return run_app(library, seeds=bundled_seeds(), triage=args.query)
