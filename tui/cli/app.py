"""`paperdeck` with no command, and `paperdeck triage`: the only commands that import textual."""

from __future__ import annotations

import argparse
import os

from store.library import Library
from store.paths import bundled_seeds, sync_directory
from store.search.decisions import TRIAGE_ORDERS
from tui.cli.parser import Subcommands


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("triage", parents=[common], help="open the app in triage mode")
    p.add_argument("--query", "-q", default="", help="triage only papers matching this")
    p.add_argument(
        "--order",
        choices=TRIAGE_ORDERS,
        default="interest",
        help="interest (upvotes until 20 decisions), uncertain (what teaches the model most "
        "first), upvotes or date",
    )
    p.set_defaults(run=cmd_triage, needs_store=False)


def cmd_app(args: argparse.Namespace, library: Library) -> int:
    from tui.app import run_app

    return run_app(library, seeds=bundled_seeds(), sync_folder=sync_directory(os.environ))


def cmd_triage(args: argparse.Namespace, library: Library) -> int:
    from tui.app import run_app

    return run_app(
        library,
        seeds=bundled_seeds(),
        triage=args.query,
        triage_order=args.order,
        sync_folder=sync_directory(os.environ),
    )
