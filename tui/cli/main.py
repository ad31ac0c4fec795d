"""The `paperdeck` command: parse, open the store, run the command, turn errors into one line.

Only `paperdeck` with no subcommand imports textual; every other command stays light so that
scripts start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from store.errors import PaperdeckError
from store.library import Library
from store.paths import data_directory
from tui.cli import app, doctor, export, fetch, interest, papers, state
from tui.cli.parser import ArgumentParser, paperdeck_version

COMMAND_MODULES = (papers, state, interest, app, export, fetch, doctor)
"""Each adds its subcommands, in this order in `--help`; a new command module goes here."""


def build_parser() -> ArgumentParser:
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
    parser.add_argument("--version", action="version", version=f"paperdeck {paperdeck_version()}")
    parser.set_defaults(run=app.cmd_app, needs_store=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for module in COMMAND_MODULES:
        module.add_commands(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    root = data_directory(getattr(args, "db", None), os.environ)
    scan = None
    try:
        library = Library.open(root)
        if args.command == "list" and args.query and not args.json:
            # Abstracts are searched on the other core while this one reads the catalog.
            scan = args.scan = library.scan_abstracts(args.query)
        if getattr(args, "needs_store", True):
            library.check_usable()
        code: int = args.run(args, library)
        return code
    except PaperdeckError as error:
        print(f"paperdeck: error: {error}", file=sys.stderr)
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


if __name__ == "__main__":
    sys.exit(main())
