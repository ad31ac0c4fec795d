"""`paperdeck export`: notes as one Markdown document, BibTeX, JSON, or a file per paper."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from store.library import Library
from tui.cli.parser import Subcommands


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

    from store import export

    records = library.records(args.query)
    now = datetime.now().astimezone()
    if args.dir is not None:
        if not args.all:
            records = [r for r in records if r.state.note.strip()]
        report = export.export_dir(records, args.dir, now=now, force=args.force)
        for path, reason in report.skipped:
            print(f"paperdeck: skipped {path}: {reason}", file=sys.stderr)
        print(
            f"{args.dir}: {len(report.written)} written, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped",
            file=sys.stderr,
        )
        return 0
    if args.output is not None:
        path = export.export_file(
            args.format, records, args.output, now=now, include_all=args.all, force=args.force
        )
        print(f"wrote {path}", file=sys.stderr)
        return 0
    sys.stdout.write(export.render(args.format, records, now=now, include_all=args.all))
    return 0
