"""`paperdeck export`: notes as one Markdown document, BibTeX, JSON, or a file per paper."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from store.library import Library
from tui.cli.output import say
from tui.cli.parser import Subcommands
from tui.text import clean


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", parents=[common], help="export notes (Markdown, BibTeX, JSON)")
    p.add_argument("--query", "-q", default="", help="papers to export (default: all)")
    p.add_argument("--all", action="store_true", help="every matched paper, not only noted ones")
    dest = p.add_mutually_exclusive_group()
    dest.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    dest.add_argument("--dir", type=Path, metavar="DIR", help="one Markdown file per paper")
    p.add_argument("--format", "-f", choices=("md", "bib", "json"), default="md")
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    p.set_defaults(run=cmd_export)


def cmd_export(args: argparse.Namespace, library: Library) -> int:
    from datetime import datetime

    from store.export import render
    from store.export.run import chosen, export_to

    records = library.records(args.query)
    now = datetime.now().astimezone()
    destination = args.dir if args.dir is not None else args.output
    if destination is None:
        papers = chosen(args.format, records, include_all=args.all)
        text = render(args.format, papers, now=now, include_all=True)
        # Markdown and BibTeX drop control characters already, JSON escapes them; on a
        # terminal the one sanitiser also takes what a terminal alone would act on (bidi).
        sys.stdout.write(clean(text, multiline=True) if sys.stdout.isatty() else text)
        return 0
    done = export_to(
        "dir" if args.dir is not None else args.format,
        records,
        destination,
        now=now,
        include_all=args.all,
        force=args.force,
    )
    if done.folder is not None:
        for path, reason in done.folder.skipped:
            say(f"paperdeck: skipped {path}: {reason}")
    say(done.summary())
    return 0
