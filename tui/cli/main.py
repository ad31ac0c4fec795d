"""The `paperdeck` command: parse, open the store, run the command, turn errors into one line.

Only `paperdeck` with no subcommand imports textual; every other command stays light so that
scripts start fast.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from types import FrameType, SimpleNamespace
from typing import TYPE_CHECKING, Any

from store.errors import PaperdeckError, UsageError
from store.library import Library
from store.memory import end_startup_pause, keep_until_exit
from store.paths import data_directory, sync_directory
from store.settings import config_path, load_settings
from tui.cli import app

if TYPE_CHECKING:
    from tui.cli.parser import ArgumentParser

COMMAND_MODULES = (
    "papers",
    "state",
    "interest",
    "app",
    "export",
    "fetch",
    "pull",
    "doctor",
    "sync",
    "config",
)
"""Modules of `tui.cli` that add subcommands, in this order in `--help`; a new one goes here."""

MODULE_OF = {
    **dict.fromkeys(("import", "list", "show", "related", "duplicates", "merge"), "papers"),
    **dict.fromkeys(("tag", "note", "queue", "mark"), "state"),
    **dict.fromkeys(("interest", "dismiss"), "interest"),
    "triage": "app",
    **dict.fromkeys(("export", "rekey"), "export"),
    **dict.fromkeys(("fetch", "auth"), "fetch"),
    **dict.fromkeys(("pull", "inbox"), "pull"),
    "doctor": "doctor",
    "sync": "sync",
    "config": "config",
}
"""The module of `COMMAND_MODULES` that adds each command: a command line builds that one's
parsers only (all 31 took 18-28 ms of a 0.4 s `list --query`). `completion` is not here: its
script names every command."""


def names_no_command(argv: Sequence[str]) -> bool:
    """`paperdeck` or `paperdeck --db DIR`: the app, read without the parser (`app_arguments`):
    the subcommands' parsers (31, and the modules behind them) would cost the app ~15 ms before
    its first frame, argparse itself 6-8 ms. Anything else, `--help` included, gets the whole
    parser."""
    match list(argv):
        case []:
            return True
        case ["--db", value]:
            return not value.startswith("-")
        case [one]:
            return one.startswith("--db=")
    return False


def app_arguments(argv: Sequence[str]) -> SimpleNamespace:
    """What the parser makes of a command line `names_no_command` accepts, without argparse:
    argparse and the gettext it loads, and building the parser, took 6-8 ms of the app's start.
    `--db` is set only when given, as the parser leaves it (`argparse.SUPPRESS`)."""
    args = SimpleNamespace(run=app.cmd_app, command=None)
    if argv:
        args.db = argv[1] if argv[0] == "--db" else argv[0].removeprefix("--db=")
    return args


def command_module(argv: Sequence[str]) -> str | None:
    """The module adding the command `argv` names, or None where every parser is needed
    (`--help`, `--version`, an unknown command: argparse lists them all)."""
    arguments = iter(argv)
    for argument in arguments:
        if argument == "--db":
            next(arguments, None)
        elif not argument.startswith("--db="):
            return None if argument.startswith("-") else MODULE_OF.get(argument)
    return None


def build_parser(*, only: str | None = None) -> ArgumentParser:
    import argparse

    from tui.cli.parser import ArgumentParser, VersionAction

    common = ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="data directory (default: $PAPERDECK_HOME, else the platform's user data dir)",
    )
    parser = ArgumentParser(
        prog="paperdeck",
        description="A keyboard-driven reading desk for research papers. "
        "With no command, opens the app.",
        parents=[common],
    )
    parser.add_argument("--version", action=VersionAction)
    # The app checks the store itself; a subcommand's defaults would not replace a default set
    # here, so `needs_store` is left for each command to set (see `main`).
    parser.set_defaults(run=app.cmd_app, command=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name in COMMAND_MODULES if only is None else (only,):
        importlib.import_module(f"tui.cli.{name}").add_commands(sub, common)
    return parser


LOCK_TIMEOUT = "PAPERDECK_LOCK_TIMEOUT"
"""Seconds a command waits for another paperdeck's lock before giving up (default 10)."""


def lock_timeout(environ: Mapping[str, str]) -> float:
    raw = environ.get(LOCK_TIMEOUT, "").strip()
    if not raw:
        return 10.0
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86_400:
        raise UsageError(f"{LOCK_TIMEOUT}={raw[:20]!r}: expected a number of seconds, such as 10")
    return seconds


def _terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (a closed session, `timeout`, a service manager) exits like ctrl+c: through
    every cleanup, so a half-written temp file is removed and the store is left as it was."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None, *, leaving: bool = False) -> int:
    """One `paperdeck` command line; `leaving`: the process ends right after, without freeing
    its objects (`tui.cli.leave`)."""
    if argv is None:
        argv = sys.argv[1:]
    args: Any
    if names_no_command(argv):
        args = app_arguments(argv)
    else:
        parser = build_parser(only=command_module(argv))
        args = parser.parse_args(argv)
        args.parser = parser
    args.settings_path = config_path(os.environ)
    args.settings, args.settings_problems = load_settings(args.settings_path)
    for problem in args.settings_problems:
        print(f"paperdeck: warning: {problem}", file=sys.stderr)
    starts_app = args.run is app.cmd_app or args.run is app.cmd_triage
    if not starts_app:
        end_startup_pause()  # a command's own work may make garbage (the app: once loaded)
        if leaving:
            keep_until_exit()  # what its work lets go of is never freed: the process ends
    if not getattr(args, "needs_library", True):
        done: int = args.run(args, None)
        return done
    root = data_directory(getattr(args, "db", None), os.environ)
    scan = None
    try:
        if not starts_app:
            signal.signal(signal.SIGTERM, _terminate)  # the app handles its own signals
        library = Library.open(
            root,
            lock_timeout=lock_timeout(os.environ),
            on_lock_wait=lambda text: _say(f"paperdeck: {text}"),
            citekey_pattern=args.settings.citekey.pattern,
        )
        if args.command == "list" and args.query and not args.json:
            # Abstracts are searched on the other core while this one reads the catalog.
            scan = args.scan = library.scan_abstracts(args.query)
        needs_store = args.command is not None and getattr(args, "needs_store", True)
        if needs_store:
            library.check_usable()
        # PAPERDECK_SYNC_DIR, else the configuration's [sync] folder.
        configured = sync_directory(os.environ) or args.settings.sync.folder
        folder = configured if needs_store else None
        if folder is not None:
            from tui.cli import sync  # with its store modules, only where there is a folder

            if args.command != "sync":
                sync.auto_sync(library, folder, sys.stderr)  # the other devices' changes first
        code: int = args.run(args, library)
        if folder is not None and args.command in sync.CHANGES_STATE and code == 0:
            sync.auto_sync(library, folder, sys.stderr)
        return code
    except PaperdeckError as error:
        _say(f"paperdeck: error: {error}")
        return error.exit_code
    except KeyboardInterrupt:
        print("paperdeck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `paperdeck list | head`: the reader left; say nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        if scan is not None:
            scan.close()


def _say(text: str) -> None:
    """`tui.cli.output.say`, loaded when there is something to say: its sanitiser and JSON
    writer (2-3 ms) are no part of the app's start."""
    from tui.cli.output import say

    say(text)


if __name__ == "__main__":
    sys.exit(main())
