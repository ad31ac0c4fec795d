"""`paperdeck` with no command, and `paperdeck triage`: the only commands that import textual."""

from __future__ import annotations

import argparse
import os
from typing import Any

from store.library import Library
from store.paths import bundled_seeds, sync_directory
from tui.cli.parser import Subcommands


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("triage", parents=[common], help="open the app in triage mode")
    p.add_argument("--query", "-q", default="", help="triage only papers matching this")
    p.set_defaults(run=cmd_triage, needs_store=False)


def cmd_app(args: argparse.Namespace, library: Library) -> int:
    from tui.app import run_app

    return run_app(library, seeds=bundled_seeds(), **_settings(args))


def cmd_triage(args: argparse.Namespace, library: Library) -> int:
    from tui.app import run_app

    return run_app(library, seeds=bundled_seeds(), triage=args.query, **_settings(args))


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings main() read, for the app to apply and to remember choices in, and the
    sync folder (`PAPERDECK_SYNC_DIR`, else the configuration's [sync] folder)."""
    return {
        "settings": args.settings,
        "settings_path": args.settings_path,
        "settings_problems": args.settings_problems,
        "sync_folder": sync_directory(os.environ) or args.settings.sync.folder,
    }
