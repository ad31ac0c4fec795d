"""`paperdeck export`: notes as one Markdown document, BibTeX, CSL-JSON, RIS, JSON, or a file
per paper; and `paperdeck rekey`, which makes citation keys anew on request."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from store.errors import UsageError
from store.export.formats import FORMATS, SUFFIXES
from store.library import Library
from store.settings import Settings
from tui.cli import output
from tui.cli.output import say
from tui.cli.parser import Subcommands
from tui.text import clean, plural


def add_commands(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "export", parents=[common], help="export notes (Markdown, BibTeX, CSL-JSON, RIS, JSON)"
    )
    p.add_argument("--query", "-q", default="", help="papers to export (default: all)")
    p.add_argument("--all", action="store_true", help="every matched paper, not only noted ones")
    dest = p.add_mutually_exclusive_group()
    dest.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    dest.add_argument("--dir", type=Path, metavar="DIR", help="one Markdown file per paper")
    dest.add_argument(
        "--stdout", action="store_true", help="print, even when an export directory is set"
    )
    p.add_argument(
        "--format", "-f", choices=FORMATS, help="md, bib, csl, ris or json (default: md)"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing FILE")
    p.add_argument("--json", action="store_true", help="report what was written as JSON")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("rekey", parents=[common], help="make citation keys anew (on request only)")
    p.add_argument("--query", "-q", default="", help="papers to re-key (default: all)")
    p.add_argument("--json", action="store_true", help="print the keys that changed as JSON")
    p.set_defaults(run=cmd_rekey)


def _destination(args: argparse.Namespace, fmt: str) -> tuple[Path | None, Path | None]:
    """(folder, file) to write: the options, else the configured export folder (one file per
    paper for Markdown, else one file there that paperdeck owns and replaces), else stdout."""
    settings: Settings = args.settings
    folder, output_file = args.dir, args.output
    if folder is not None or output_file is not None or args.stdout:
        return folder, output_file
    configured = settings.export.directory
    if configured is None:
        return None, None
    if fmt == "md":
        return configured, None
    args.force = True
    try:
        configured.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(
            f"export: cannot create {configured} ({error.strerror or error}); "
            "fix export.directory in the file `paperdeck config path` names"
        ) from None
    return None, configured / f"paperdeck{SUFFIXES[fmt]}"


def cmd_export(args: argparse.Namespace, library: Library) -> int:
    from datetime import datetime

    from store.export.render import render
    from store.export.run import chosen, export_to

    settings: Settings = args.settings
    fmt = args.format or settings.export.format
    # Keys are assigned here the first time they are needed, then never change.
    records = library.with_citekeys(library.records(args.query))
    now = datetime.now().astimezone()
    folder, output_file = _destination(args, fmt)
    destination = folder if folder is not None else output_file
    if destination is None:
        papers = chosen(fmt, records, include_all=args.all)
        text = render(fmt, papers, now=now, include_all=True)
        # Every format drops control characters already (JSON escapes them); on a terminal
        # the one sanitiser also takes what a terminal alone would act on (bidi).
        sys.stdout.write(clean(text, multiline=True) if sys.stdout.isatty() else text)
        return 0
    done = export_to(
        "dir" if folder is not None else fmt,
        records,
        destination,
        now=now,
        include_all=args.all,
        force=args.force,
    )
    report = done.folder
    if args.json:
        if report is None:
            output.print_json({"path": str(done.destination), "format": fmt, "papers": done.papers})
        else:
            output.print_json(
                {
                    "directory": str(done.destination),
                    "written": [str(p) for p in report.written],
                    "updated": [str(p) for p in report.updated],
                    "unchanged": [str(p) for p in report.unchanged],
                    "skipped": [{"path": str(p), "reason": r} for p, r in report.skipped],
                }
            )
        return 0
    if report is not None:
        for path, reason in report.skipped:
            say(f"paperdeck: skipped {path}: {reason}")
    say(done.summary())
    return 0


def cmd_rekey(args: argparse.Namespace, library: Library) -> int:
    records = library.records(args.query)
    before = {r.id: r.citekey for r in records}
    changed = [
        {"id": r.id, "citekey": r.citekey, "previous": before[r.id]}
        for r in library.with_citekeys(records, rekey=True)
        if r.citekey != before[r.id]
    ]
    if args.json:
        output.print_json(changed)
        return 0
    for row in changed:
        was = f"{row['previous']} -> " if row["previous"] else "(new) "
        print(f"{row['id']}  {was}{row['citekey']}")
    print(
        f"{len(changed)} of {plural(len(records), 'key')} changed; old keys stay as aliases.",
        file=sys.stderr,
    )
    return 0
