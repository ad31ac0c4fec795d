"""What every command module shares: the parser class, argument types, the version.

A command module (`tui/cli/<concept>.py`) has `add_commands(sub, common)`, which adds its
subparsers with `set_defaults(run=handler)`; `needs_store=False` marks a command that must work
without a usable store (doctor, auth).  `tui.cli.main` lists the modules.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.library import Library

Handler = Callable[[argparse.Namespace, "Library"], int]
Subcommands = Any
"""What `add_subparsers` returns (argparse's private `_SubParsersAction`)."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"paperdeck: error: {message} (see `{self.prog} --help`)\n")


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a number of 1 or more, got {value}")
    return number


def year_value(value: str) -> int:
    if not value.isdigit() or not 1900 <= int(value) <= 2999:
        raise argparse.ArgumentTypeError(f"expected a year such as 2025, got {value!r}")
    return int(value)


def paperdeck_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paperdeck")
    except PackageNotFoundError:
        return "dev"


class VersionAction(argparse.Action):
    """`--version`, looked up only when asked: importlib.metadata costs every command a few
    hundredths of a second at start."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(
            option_strings, dest=argparse.SUPPRESS, nargs=0, help="show the version and exit"
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(f"paperdeck {paperdeck_version()}")
        parser.exit()
