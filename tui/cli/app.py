"""`paperdeck` with no command, and `paperdeck triage`: the only commands that import textual."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from store.errors import UsageError
from store.library import Library
from store.paths import bundled_seeds, sync_directory

if TYPE_CHECKING:  # argparse loads only for a command line with a command (see `tui.cli.main`)
    import argparse

    from tui.cli.parser import Subcommands

FRAMES_PER_SECOND = 240
"""Textual draws when something changed, at ticks of 1/TEXTUAL_FPS s (60 by default): a frame
asked for just after a tick waited for the next, up to 17 ms after the key that asked for it
(the list's scrollbar redraws a few milliseconds after each keystroke's frame, so the next
key mostly landed in that wait). 240 makes the wait at most 4 ms; frames are still drawn only
when something changed, and animations keep their own pace. `TEXTUAL_FPS` set by the user
wins."""


SWITCH_INTERVAL = 0.0005
"""Seconds a thread runs before the interpreter passes to another that waits (Python's default
is 0.005): a key's way to the screen (input thread, event loop, search thread, writer) waited
that long at each hop behind a worker loading or indexing."""


def _start_app() -> Any:
    os.environ.setdefault("TEXTUAL_FPS", str(FRAMES_PER_SECOND))  # read when textual loads
    sys.setswitchinterval(SWITCH_INTERVAL)
    from tui.app import run_app

    return run_app


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    from store.search.language import TRIAGE_ORDERS

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
    run_app = _start_app()
    _need_terminal()
    return run_app(library, seeds=bundled_seeds(), **_settings(args))


def cmd_triage(args: argparse.Namespace, library: Library) -> int:
    from store.search.language import parse_query

    parse_query(args.query)  # a bad query is a usage error here (exit 2), not in the app
    run_app = _start_app()
    _need_terminal()
    return run_app(
        library,
        seeds=bundled_seeds(),
        triage=args.query,
        triage_order=args.order,
        **_settings(args),
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


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings main() read, for the app to apply and to remember choices in, and the
    sync folder (`PAPERDECK_SYNC_DIR`, else the configuration's [sync] folder)."""
    return {
        "settings": args.settings,
        "settings_path": args.settings_path,
        "settings_problems": args.settings_problems,
        "sync_folder": sync_directory(os.environ) or args.settings.sync.folder,
    }
