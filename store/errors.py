"""Errors the store raises; each carries a one-line message fit to show a user as is."""

from __future__ import annotations


class PaperdeckError(Exception):
    """Base of every expected failure: the CLI prints `str(err)` on one line and exits non-zero."""

    exit_code = 1


class UsageError(PaperdeckError):
    """Bad input from the user (a file, a value, a query)."""

    exit_code = 2
